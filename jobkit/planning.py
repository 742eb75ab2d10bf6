"""``jobkit.plan(...)``: a listing cut into work units, and what runs one unit.

``plan()`` takes the arguments of ``jobs()`` that say *what* to list and returns a ``Plan``
of ``WorkUnit`` (``jobkit.core.units``) without listing any job: adapters x regions x
accounts, each unit carrying a credential *source* (``source_of``), never credentials.
A worker turns the source back into an account of its own (``account_of``: a profile of its
configuration, a role it assumes from its environment, or its default chain) and lists the
unit with the normal machinery: ``ListingOptions`` for exactly that adapter and region and a
``JobIterator`` / ``AsyncJobIterator`` (``jobkit.listing``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Unpack

import boto3
import botocore.session
from aiobotocore.session import AioSession
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    CredentialProvider,
    CredentialResolver,
    Credentials,
    DeferredRefreshableCredentials,
)

from jobkit.accounts import Account, default_region, resolve_accounts
from jobkit.core.availability import Skipped
from jobkit.core.plan import choose_regions
from jobkit.core.units import CredentialSource, Plan, WorkUnit
from jobkit.drivers._config import (
    available_regions,
    partition_of,
    shared_loader,
    use_utc_timestamps,
)
from jobkit.drivers._sessions import environment_key, new_aio_session, sync_session
from jobkit.errors import UsageError
from jobkit.listing import AsyncJobIterator, JobIterator
from jobkit.options import AdapterArg, ListingArgs, ListingOptions

__all__ = ["account_of", "plan", "role_session", "source_of", "unit_ajobs", "unit_jobs"]

#: Keywords of ``jobs()`` a plan cannot carry: they need one process (a global limit or
#: order, a cursor) or are Python objects a worker sets itself.
_NOT_IN_PLANS = {
    "limit": "a plan's units are listed apart: take the first n rows after reading",
    "order": "sort the rows after reading (e.g. frame.sort_values('created'))",
    "cursor": "a unit is small enough to list again",
    "retry": "a worker sets its own retry policy",
    "on_retry": "a worker sets its own hooks",
    "progress": "a worker shows its own progress",
}


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat()


def source_of(account: Account) -> CredentialSource:
    """Where a worker finds ``account``'s credentials: its profile, its role (and the
    account whose credentials assume it), or the default chain. A caller's own session
    object cannot travel to a worker unless it names a profile: a UsageError says so."""
    role_arn = getattr(account, "role_arn", None)
    if role_arn:
        via = getattr(account, "via", None)
        return CredentialSource(
            role_arn=role_arn,
            external_id=getattr(account, "external_id", None),
            session_name=getattr(account, "session_name", None),
            via=None if via is None else source_of(via),
        )
    if account.profile is not None:
        return CredentialSource(profile=account.profile)
    if account.session is not None:
        raise UsageError(
            f"account {account.label or 'session'!r} is a session object, which cannot be "
            "sent to workers (a plan carries no credentials)",
            hint="name the accounts by profiles=[...], or by roles to assume, which each "
            "worker resolves itself",
        )
    return CredentialSource()


class _Provider(CredentialProvider):  # type: ignore[misc]
    """A credential provider that hands out one set of (refreshable) credentials."""

    METHOD = "jobkit-assume-role"

    def __init__(self, credentials: Credentials) -> None:
        self._credentials = credentials

    def load(self) -> Credentials:
        return self._credentials


_ROLE_SESSIONS: dict[tuple[CredentialSource, str], boto3.Session] = {}
_ROLE_LOCK = threading.Lock()


def _source_session(source: CredentialSource) -> boto3.Session:
    if source.kind == "role":
        return role_session(source)
    return sync_session(source.profile)


def role_session(source: CredentialSource) -> boto3.Session:
    """A boto3 session with the role of ``source`` assumed (lazily, refreshed before it
    expires) from ``source.via``'s credentials or the default chain; one per source and
    environment in this process, so a worker assumes each role once."""
    assert source.role_arn is not None
    key = (source, environment_key())
    with _ROLE_LOCK:
        found = _ROLE_SESSIONS.get(key)
    if found is not None:
        return found
    base = _source_session(source.via) if source.via is not None else sync_session()
    base_credentials = base.get_credentials()
    if base_credentials is None:
        raise UsageError(
            f"no credentials to assume {source.role_arn}",
            hint="give the worker credentials (environment, instance role, profile) or via=",
        )
    extra: dict[str, Any] = {"RoleSessionName": source.session_name or "jobkit"}
    if source.external_id is not None:
        extra["ExternalId"] = source.external_id
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=base.client,
        source_credentials=base_credentials,
        role_arn=source.role_arn,
        extra_args=extra,
    )
    credentials = DeferredRefreshableCredentials(
        method=_Provider.METHOD, refresh_using=fetcher.fetch_credentials
    )
    core = botocore.session.get_session()
    core.register_component("data_loader", shared_loader())
    core.register_component("credential_provider", CredentialResolver([_Provider(credentials)]))
    use_utc_timestamps(core)
    session = boto3.Session(botocore_session=core, region_name=base.region_name)
    with _ROLE_LOCK:
        return _ROLE_SESSIONS.setdefault(key, session)


def account_of(label: str | None, source: CredentialSource) -> Account:
    """The account a worker lists a unit as: a profile of its own configuration, a role it
    assumes from its own credentials, or its default chain."""
    if source.kind == "role":
        return Account(label, session=role_session(source))
    return Account(label, source.profile)


def _aio_account(label: str | None, source: CredentialSource) -> Account:
    if source.kind != "role":
        return Account(label, source.profile)
    # aiobotocore cannot share botocore's refreshable credentials: a unit is short, so the
    # role's current credentials are handed over as they are.
    frozen = role_session(source).get_credentials().get_frozen_credentials()
    aio: AioSession = new_aio_session()
    aio.set_credentials(frozen.access_key, frozen.secret_key, frozen.token)
    region = role_session(source).region_name
    if region:
        aio.set_config_variable("region", region)
    return Account(label, session=aio)


def _unit_options(unit: WorkUnit) -> ListingOptions:
    return ListingOptions.build(unit.adapter, regions=[unit.region], **unit.options)


def unit_jobs(unit: WorkUnit) -> JobIterator:
    """List one unit with the normal listing machinery (what ``WorkUnit.jobs()`` does)."""
    return JobIterator(_unit_options(unit), (account_of(unit.account, unit.source),))


def unit_ajobs(unit: WorkUnit) -> AsyncJobIterator:
    """List one unit in ``async for`` (what ``WorkUnit.ajobs()`` does)."""
    return AsyncJobIterator(_unit_options(unit), (_aio_account(unit.account, unit.source),))


def _unit_settings(options: ListingOptions, args: Mapping[str, Any]) -> dict[str, Any]:
    """The listing keywords every unit carries, as JSON values (times made absolute, so
    every unit lists the same window whenever it runs)."""
    query = options.query
    out: dict[str, Any] = {
        "discover": options.discover,
        "errors": options.errors,
        "pacing": options.pacing,
        "max_concurrency": options.max_concurrency,
    }
    if query.statuses is not None:
        out["status"] = sorted(status.value for status in query.statuses)
    for name, value in (("since", query.since), ("until", query.until)):
        if value is not None:
            out[name] = _iso(value)
    for name in ("name_contains", "shards", "page_size", "endpoint_url"):
        if args.get(name) is not None:
            out[name] = args[name]
    return out


def plan(
    adapters: AdapterArg = None,
    *,
    session: boto3.Session | Sequence[boto3.Session] | None = None,
    profiles: Sequence[str] | None = None,
    accounts: Sequence[Account | CredentialSource] | None = None,
    **options: Unpack[ListingArgs],
) -> Plan:
    """Cut a listing into work units, without listing any job.

    Takes the arguments of ``jobs()`` that say what to list (adapters, regions, accounts,
    params, filters, ``shards``, ``errors``, ``page_size``, ``endpoint_url``, ...). Accounts
    come from ``profiles=``, ``session=`` (sessions that name a profile) or ``accounts=``: a
    list of ``Account`` or ``CredentialSource`` (a role to assume, say). One unit per
    adapter x region x account; scopes are discovered inside each unit. ``limit``, ``order``,
    ``cursor``, ``retry``, ``on_retry`` and ``progress`` cannot travel with units and are a
    UsageError. A relative ``since="7d"`` is fixed here, so every unit lists the same window.
    """
    for name, hint in _NOT_IN_PLANS.items():
        if options.get(name) not in (None, False):
            raise UsageError(f"plan() does not take {name}=", hint=hint)
    checked = ListingOptions.build(adapters, **options)
    labelled = _labelled_sources(session=session, profiles=profiles, accounts=accounts)
    regions = checked.regions
    if regions is None:
        regions = checked.regions_or(default_region(sync_session()))
    home = partition_of(regions[0] if regions[0] != "all" else default_region(sync_session()))
    settings = _unit_settings(checked, options)
    units: list[WorkUnit] = []
    skipped: list[Skipped] = []
    for label, source in labelled:
        for spec in checked.specs:
            chosen, not_offered = choose_regions(
                regions, available_regions(spec.service), available_regions(spec.service, home)
            )
            skipped.extend(
                Skipped(adapter=spec.name, region=r, account=label, scope={}, reason="not-offered")
                for r in not_offered
            )
            params = {
                name: list(value) if isinstance(value, tuple) else value
                for name, value in {
                    **checked.scopes[spec.name],
                    **checked.extras[spec.name],
                }.items()
            }
            unit_settings = {**settings, "params": params} if params else settings
            units.extend(
                WorkUnit(
                    adapter=spec.name,
                    region=region,
                    account=label,
                    source=source,
                    options=unit_settings,
                )
                for region in chosen
            )
    return Plan(tuple(units), tuple(skipped))


def _labelled_sources(
    *,
    session: Any,
    profiles: Sequence[str] | None,
    accounts: Sequence[Account | CredentialSource] | None,
) -> list[tuple[str | None, CredentialSource]]:
    """(label, source) of every account of a plan, labelled as ``jobs()`` labels them."""
    if accounts is None:
        return [
            (account.label, source_of(account))
            for account in resolve_accounts(session=session, profiles=profiles)
        ]
    if session is not None or profiles is not None:
        raise UsageError(
            "accounts= was given with session= or profiles=",
            hint="name the accounts one way",
        )
    if isinstance(accounts, str | Account | CredentialSource) or not accounts:
        raise UsageError(
            f"accounts={accounts!r} must be a non-empty list of Account or CredentialSource",
            hint="e.g. accounts=[CredentialSource(role_arn='arn:aws:iam::111122223333:role/r')]",
        )
    out: list[tuple[str | None, CredentialSource]] = []
    for one in accounts:
        if isinstance(one, Account):
            out.append((one.label, source_of(one)))
        elif isinstance(one, CredentialSource):
            label = one.account_id or one.profile or one.role_arn
            out.append((label if len(accounts) > 1 else None, one))
        else:
            raise UsageError(
                f"accounts= got a {type(one).__name__}",
                hint="pass Account or CredentialSource values",
            )
    labels = [label for label, _ in out]
    if len(set(labels)) != len(labels):
        raise UsageError(f"accounts= names an account twice: {labels!r}", hint="name each once")
    return out
