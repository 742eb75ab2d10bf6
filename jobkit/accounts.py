"""Who a listing runs as: one resolver of accounts for the sync and the async entry points.

``resolve_accounts(session=..., profiles=...)`` turns the caller's arguments into
``Account`` values, each with a label and a credential *source* (a profile name, or the
caller's own session object); it never reads or keeps the secrets. The sync and async drivers
then make their sessions from the same accounts (``sync_session_of`` / ``aio_session_of``), so
both name the same accounts the same way: stream keys, cursors, ``Failure.account`` and stats
endpoints are identical, and a cursor taken in ``jobs()`` resumes in ``ajobs()``.

Labels: a single account has the label None; of several, each is named by its profile, or
``session{i}`` (its position) when it has no profile of its own. The same profile twice is a
UsageError, never a silent drop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import boto3
import botocore.session
from aiobotocore.session import AioSession

from jobkit.drivers._sessions import aio_session, new_aio_session, sync_session
from jobkit.errors import UsageError

__all__ = ["Account", "aio_session_of", "default_region", "resolve_accounts", "sync_session_of"]

_SESSION_HINT = (
    "pass a boto3.Session (or an aiobotocore AioSession to ajobs()), a list of them, "
    "or profiles=['name', ...]"
)


@attrs.frozen
class Account:
    """One account of a listing: its label and where its credentials come from.

    ``profile``: a named profile jobkit makes a session for (None with ``session`` None: the
    default credential chain). ``session``: the caller's own boto3 or aiobotocore session.
    """

    label: str | None
    profile: str | None = None
    session: Any = attrs.field(default=None, eq=False, repr=False)


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
    *, session: Any = None, profiles: str | Sequence[str] | None = None
) -> tuple[Account, ...]:
    """The accounts of a listing, labelled the same way for ``jobs()`` and ``ajobs()``."""
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


def sync_session_of(account: Account) -> boto3.Session:
    """The boto3 session of ``account`` (an aiobotocore session is not accepted here)."""
    if account.session is None:
        return sync_session(account.profile)
    if isinstance(account.session, boto3.Session):
        return account.session
    raise UsageError(
        f"jobs() got an aiobotocore session ({type(account.session).__name__})",
        hint="pass a boto3.Session to jobs(), or use ajobs() with an AioSession",
    )


def aio_session_of(account: Account) -> AioSession:
    """The aiobotocore session of ``account``; a boto3 session's profile, region and explicit
    keys are carried over to a new one."""
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
