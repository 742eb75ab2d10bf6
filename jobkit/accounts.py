"""Who a listing runs as: one resolver of accounts for the sync and the async entry points.

``resolve_accounts(session=..., profiles=...)`` turns the caller's arguments into
``Account`` values, each with a label and a credential *source* (a profile name, or the
caller's own session object); it never reads or keeps the secrets. The sync and async drivers
then make their sessions from the same accounts (``sync_session_of`` / ``aio_session_of``), so
both name the same accounts the same way: stream keys, cursors, ``Failure.account`` and stats
endpoints are identical, and a cursor taken in ``jobs()`` resumes in ``ajobs()``.

Labels: a single account has the label None; of several, each is named by its profile, or
``session{i}`` (its position) when it has no profile of its own. The same profile twice is a
UsageError, never a silent drop. Accounts reached by assuming a role (``accounts=`` with
account ids and ``role_name=``, or a ``jobkit.Organization``) are labelled by their account id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import attrs
import boto3
import botocore.session
from aiobotocore.session import AioSession

from jobkit.drivers._sessions import (
    aio_session,
    new_aio_session,
    new_sync_session,
    sync_session,
)
from jobkit.errors import UsageError
from jobkit.roles import aio_role_session, sync_role_session

__all__ = [
    "Account",
    "AccountSource",
    "AccountsArg",
    "aio_session_of",
    "check_account_id",
    "default_region",
    "resolve_accounts",
    "role_arn_for",
    "sync_session_of",
]

#: What ``accounts=`` takes: an Organization (anything with ``accounts()``), or account ids,
#: profile names and sessions.
AccountsArg = Any

_ACCOUNT_ID = re.compile(r"^\d{12}$")


class AccountSource(Protocol):
    """Anything that discovers accounts, such as ``jobkit.Organization``."""

    def accounts(self) -> tuple[Account, ...]:
        """The accounts, each with its label and credential source."""
        ...


def check_account_id(value: Any, name: str = "accounts") -> str:
    """``value`` if it is a 12-digit AWS account id; else a UsageError."""
    if isinstance(value, str) and _ACCOUNT_ID.match(value):
        return value
    raise UsageError(
        f"{name}: {value!r} is not an AWS account id",
        hint="an account id is 12 digits, e.g. '123456789012' (keep leading zeros: a string)",
    )


def role_arn_for(account_id: str, role_name: str, partition: str = "aws") -> str:
    """The ARN of role ``role_name`` in ``account_id``."""
    return f"arn:{partition}:iam::{account_id}:role/{role_name}"


_SESSION_HINT = (
    "pass a boto3.Session (or an aiobotocore AioSession to ajobs()), a list of them, "
    "or profiles=['name', ...]"
)


@attrs.frozen
class Account:
    """One account of a listing: its label and where its credentials come from.

    ``profile``: a named profile jobkit makes a session for (None with ``session`` None: the
    default credential chain). ``session``: the caller's own boto3 or aiobotocore session.
    ``role_arn``: a role assumed from ``via``'s credentials (refreshable, never stored here).
    """

    label: str | None
    profile: str | None = None
    session: Any = attrs.field(default=None, eq=False, repr=False)
    #: An assumed role: its ARN, external id and session name; ``via`` is the account whose
    #: credentials assume it (None: the default credential chain).
    role_arn: str | None = None
    external_id: str | None = attrs.field(default=None, repr=False)
    session_name: str = "jobkit"
    via: Account | None = None
    account_id: str | None = None


def _profile_of(session: Any) -> str | None:
    """The profile a caller's session uses (None for the default one)."""
    if isinstance(session, boto3.Session):
        name = session.profile_name
    else:
        name = session.get_config_variable("profile")
    return None if name in (None, "default") else str(name)


def _check_session(session: Any) -> Any:
    if isinstance(session, boto3.Session | botocore.session.Session):
        return session
    if isinstance(session, str):
        raise UsageError(
            f"session={session!r} is a string, not a session",
            hint=f"to use a named profile pass profiles=[{session!r}]",
        )
    kind = type(session).__name__
    if hasattr(session, "meta") and hasattr(session, "close"):
        raise UsageError(
            f"session= got a client ({kind}), not a session",
            hint="pass the session the client came from: boto3.Session(...)",
        )
    raise UsageError(f"session= got a {kind}, not a session", hint=_SESSION_HINT)


def resolve_accounts(
    *,
    session: Any = None,
    profiles: str | Sequence[str] | None = None,
    accounts: Any = None,
    role_name: str | None = None,
) -> tuple[Account, ...]:
    """The accounts of a listing, labelled the same way for ``jobs()`` and ``ajobs()``.

    ``accounts``: a ``jobkit.Organization`` (or any object with ``accounts()``), or a list of
    account ids (with ``role_name=``), profile names and sessions.
    """
    given = [n for n, v in (("session", session), ("profiles", profiles)) if v is not None]
    if accounts is not None and given:
        raise UsageError(
            f"accounts= was given with {' and '.join(f'{n}=' for n in given)}",
            hint="name the accounts one way: accounts= takes account ids, profile names, "
            "sessions or a jobkit.Organization",
        )
    if accounts is not None:
        return _from_accounts(accounts, role_name)
    if role_name is not None:
        raise UsageError(
            "role_name= goes with accounts=",
            hint="e.g. accounts=['123456789012'], role_name='OrganizationAccountAccessRole'",
        )
    if session is not None and profiles is not None:
        raise UsageError(
            "session= and profiles= were both given",
            hint="name the accounts one way: profiles=['a', 'b'] or session=[session_a, ...]",
        )
    if profiles is not None:
        names = [profiles] if isinstance(profiles, str) else list(profiles)
        if not names or not all(isinstance(n, str) and n for n in names):
            raise UsageError(
                f"profiles={profiles!r} must be a non-empty list of profile names",
                hint="e.g. profiles=['prod', 'staging']",
            )
        if len(set(names)) != len(names):
            raise UsageError(
                f"profiles={names!r} names a profile twice",
                hint="name each account once",
            )
        if len(names) == 1:
            return (Account(None, names[0]),)
        return tuple(Account(name, name) for name in names)
    if session is None:
        return (Account(None),)
    if isinstance(session, str) or not isinstance(session, Sequence):
        many = [session]
    else:
        many = list(session)
    if not many:
        raise UsageError("session= is an empty list", hint=_SESSION_HINT)
    checked = [_check_session(one) for one in many]
    if len(checked) == 1:
        return (Account(None, session=checked[0]),)
    seen: dict[int, int] = {}
    labels: dict[str, int] = {}
    out = []
    for i, one in enumerate(checked):
        if id(one) in seen:
            raise UsageError(
                f"session= lists the same session at positions {seen[id(one)]} and {i}",
                hint="name each account once",
            )
        seen[id(one)] = i
        profile = _profile_of(one)
        label = profile or f"session{i}"
        if label in labels:
            raise UsageError(
                f"sessions {labels[label]} and {i} both use the profile {label!r}: "
                "they are one account",
                hint="name each account once",
            )
        labels[label] = i
        out.append(Account(label, profile, one))
    return tuple(out)


def _from_accounts(accounts: Any, role_name: str | None) -> tuple[Account, ...]:
    if hasattr(accounts, "accounts") and callable(accounts.accounts):
        if role_name is not None:
            raise UsageError(
                "role_name= was given with an Organization",
                hint="set the role on the Organization: Organization(role_name=...)",
            )
        found: tuple[Account, ...] = accounts.accounts()
        if not found:
            raise UsageError(
                "the organization has no account to list (after ous=, include=, exclude=)",
                hint="check the OU ids and the include/exclude lists",
            )
        return found
    items = [accounts] if isinstance(accounts, str) else list(accounts)
    if not items:
        raise UsageError("accounts= is empty", hint="name at least one account")
    ids = [a for a in items if isinstance(a, str) and a.isdigit()]
    if ids:
        if role_name is None:
            raise UsageError(
                f"accounts= names account ids ({ids[0]!r}, ...) but no role_name= to reach them",
                hint="pass role_name='OrganizationAccountAccessRole' (the role to assume in each)",
            )
        if role_name.startswith("arn:"):
            raise UsageError(
                f"role_name={role_name!r} is a role ARN; the role name is the same in every "
                "account",
                hint="pass its name, e.g. role_name='OrganizationAccountAccessRole'",
            )
    out: list[Account] = []
    sessions = []
    for item in items:
        if isinstance(item, str) and item.isdigit():
            account_id = check_account_id(item)
            assert role_name is not None
            out.append(
                Account(
                    account_id,
                    account_id=account_id,
                    role_arn=role_arn_for(account_id, role_name),
                )
            )
        elif isinstance(item, Account):
            out.append(item)
        elif isinstance(item, str):
            out.append(Account(item, item))
        else:
            sessions.append(item)
    if sessions:
        out.extend(a for a in resolve_accounts(session=sessions) if a.label is not None)
        if len(sessions) == 1:
            out.append(attrs.evolve(resolve_accounts(session=sessions)[0], label="session0"))
    labels = [a.label for a in out]
    duplicates = sorted({label for label in labels if labels.count(label) > 1 and label})
    if duplicates:
        raise UsageError(f"accounts= names {duplicates[0]!r} twice", hint="name each account once")
    if len(out) == 1:
        return (attrs.evolve(out[0], label=None),)
    return tuple(out)


def _role(account: Account) -> dict[str, Any]:
    """The role an account's session assumes: ARN, external id, session name."""
    return {
        "role_arn": account.role_arn,
        "external_id": account.external_id,
        "session_name": account.session_name,
    }


def _via_session(via: Account, vias: dict[Account, Any] | None, make: Callable[..., Any]) -> Any:
    """The session of a role chain's ``via`` account: one per listing when ``vias`` is given
    (every member assumes its role from the same hub session, so the hub role is assumed
    once, not once per member)."""
    if vias is None:
        return make(via)
    if via not in vias:
        vias[via] = make(via, vias)
    return vias[via]


def sync_session_of(account: Account, vias: dict[Account, Any] | None = None) -> boto3.Session:
    """The boto3 session of ``account`` (an aiobotocore session is not accepted here);
    ``vias`` shares role-chain sessions between the accounts of a listing."""
    if account.role_arn is not None:
        source = (
            _via_session(account.via, vias, sync_session_of)
            if account.via is not None
            else sync_session()
        )
        return sync_role_session(
            source, **_role(account), region=source.region_name, new_session=new_sync_session
        )
    if account.session is None:
        return sync_session(account.profile)
    if isinstance(account.session, boto3.Session):
        return account.session
    raise UsageError(
        f"jobs() got an aiobotocore session ({type(account.session).__name__})",
        hint="pass a boto3.Session to jobs(), or use ajobs() with an AioSession",
    )


def aio_session_of(account: Account, vias: dict[Account, Any] | None = None) -> AioSession:
    """The aiobotocore session of ``account``; a boto3 session's profile, region and explicit
    keys are carried over to a new one (``vias``: as for ``sync_session_of``)."""
    if account.role_arn is not None:
        base = (
            _via_session(account.via, vias, aio_session_of)
            if account.via is not None
            else aio_session()
        )
        return aio_role_session(
            base, **_role(account), region=default_region(base), new_session=new_aio_session
        )
    source = account.session
    if source is None:
        return aio_session(account.profile)
    if isinstance(source, AioSession):
        return source
    if not isinstance(source, boto3.Session):
        raise UsageError(
            f"ajobs() got a plain botocore session ({type(source).__name__})",
            hint="pass an aiobotocore AioSession or a boto3.Session",
        )
    aio = new_aio_session()
    if account.profile:
        aio.set_config_variable("profile", account.profile)
    if source.region_name:
        aio.set_config_variable("region", source.region_name)
    creds = source.get_credentials()
    if creds is not None and getattr(creds, "method", None) == "explicit":
        frozen = creds.get_frozen_credentials()
        aio.set_credentials(frozen.access_key, frozen.secret_key, frozen.token)
    return aio


def default_region(session: Any) -> str | None:
    """The region a session is configured for (boto3 or aiobotocore)."""
    if isinstance(session, boto3.Session):
        name: str | None = session.region_name
        return name
    region = session.get_config_variable("region")
    return str(region) if region else None
