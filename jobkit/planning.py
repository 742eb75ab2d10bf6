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

import asyncio
import datetime as dt
import json
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Unpack

import attrs
import boto3
from aiobotocore.session import AioSession

from jobkit.accounts import (
    Account,
    AccountsArg,
    default_region,
    resolve_accounts,
    sync_session_of,
)
from jobkit.core.availability import Skipped
from jobkit.core.plan import choose_regions
from jobkit.core.units import (
    UNIT_FORMAT,
    CredentialSource,
    ShardBy,
    check_shard,
    check_unit_json,
    shard_index,
    shard_key,
)
from jobkit.drivers._config import available_regions, partition_of
from jobkit.drivers._sessions import environment_key, new_aio_session, sync_session
from jobkit.errors import UsageError
from jobkit.listing import AsyncJobIterator, JobIterator
from jobkit.options import AdapterArg, ListingArgs, ListingOptions

if TYPE_CHECKING:
    import pyarrow

__all__ = [
    "Plan",
    "WorkUnit",
    "account_of",
    "group_units",
    "plan",
    "role_session",
    "source_of",
    "unit_ajobs",
    "unit_jobs",
]


def _frozen_json(value: Mapping[str, Any]) -> Mapping[str, Any]:
    # Round-trip through JSON: a unit holds only what its JSON form can hold.
    return MappingProxyType(json.loads(json.dumps(dict(value), sort_keys=True)))


@attrs.frozen(kw_only=True)
class WorkUnit:
    """One adapter in one region for one account: the smallest piece of a ``Plan``.

    ``account`` is the account's label (as in ``Failure.account``); ``source`` where a worker
    gets its credentials; ``options`` the keyword arguments of ``jobs()`` that the unit lists
    with (JSON values: params, filters with absolute times, shards, errors, ...). Run it with
    ``jobs()``, ``ajobs()`` or ``to_arrow()``.
    """

    adapter: str
    region: str
    account: str | None = None
    source: CredentialSource = attrs.field(factory=CredentialSource)
    options: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_json, hash=False)

    def __reduce__(self) -> tuple[Any, ...]:
        # MappingProxyType does not pickle: go through the JSON form.
        return (WorkUnit.from_json, (self.to_json(),))

    @property
    def key(self) -> str:
        """A stable identity: adapter, region and account source."""
        return json.dumps(
            [self.source.key, self.account, self.region, self.adapter], separators=(",", ":")
        )

    def shard_key(self, by: ShardBy = "account") -> str:
        """The key ``Plan.shard`` hashes: the account, or the account and the region."""
        return shard_key(self.source, self.region, by)

    def jobs(self) -> JobIterator:
        """List this unit's jobs, synchronously (a ``JobIterator``, as ``jobs()`` returns):
        credentials come from ``source``, resolved here."""
        return unit_jobs(self)

    def ajobs(self) -> AsyncJobIterator:
        """List this unit's jobs in ``async for`` (an ``AsyncJobIterator``)."""
        return unit_ajobs(self)

    def to_arrow(self) -> pyarrow.Table:
        """This unit's jobs as an Arrow table (``jobkit[arrow]``; the columns of
        ``JobList.to_arrow()``)."""
        return self.jobs().collect().to_arrow()

    def to_json(self) -> dict[str, Any]:
        """The JSON form (``format`` is ``UNIT_FORMAT``)."""
        return {
            "format": UNIT_FORMAT,
            "adapter": self.adapter,
            "region": self.region,
            "account": self.account,
            "source": self.source.to_json(),
            "options": dict(self.options),
        }

    def dumps(self) -> str:
        """The JSON form as one line of text."""
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str) -> WorkUnit:
        """Read a unit's JSON form (a dict or its text); a unit from a newer jobkit, or
        one that is not a unit, raises ``UnitFormatError``."""
        checked = check_unit_json(data)
        return cls(
            adapter=checked["adapter"],
            region=checked["region"],
            account=checked.get("account"),
            source=CredentialSource.from_json(checked.get("source") or {}),
            options=checked.get("options") or {},
        )


@attrs.frozen
class Plan:
    """The units of a listing, in a stable order, and the streams left out of it.

    ``shard(k, n)`` is the part of the plan worker k of n runs; ``groups(size)`` cuts it
    into pieces that keep each account's units together. ``skipped`` lists what will not be
    listed (a region botocore offers no endpoint of the service in), as a listing reports.
    """

    units: tuple[WorkUnit, ...]
    skipped: tuple[Skipped, ...] = ()

    def __len__(self) -> int:
        return len(self.units)

    def __iter__(self) -> Iterator[WorkUnit]:
        return iter(self.units)

    @property
    def accounts(self) -> list[tuple[str | None, CredentialSource]]:
        """The distinct (label, source) of the plan's accounts, in order."""
        return sources_of(self.units)

    def shard(self, k: int, n: int, *, by: ShardBy = "account") -> Plan:
        """The units of shard ``k`` of ``n`` (0 <= k < n): every unit of an account lands in
        one shard (``by="account-region"``: every unit of an account and region, to spread
        a few accounts over more workers), by a hash of the account only, so adding an
        account moves none of the others' units. ``skipped`` goes with shard 0, so that
        it is reported once."""
        check_shard(k, n)
        shard_key(CredentialSource(), "", by)  # checks ``by``
        return Plan(
            tuple(u for u in self.units if shard_index(u.shard_key(by), n) == k),
            tuple(s for s in self.skipped if k == 0),
        )

    def groups(self, size: int = 8) -> list[tuple[WorkUnit, ...]]:
        """The units by account, each account's cut into groups of at most ``size``."""
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise UsageError(f"size={size!r} is not a positive integer", hint="e.g. 8")
        return group_units(self.units, size)

    def to_jsonl(self) -> str:
        """One unit per line (``WorkUnit.from_json`` reads a line back)."""
        return "".join(unit.dumps() + "\n" for unit in self.units)

    @classmethod
    def from_jsonl(cls, text: str | Iterable[str]) -> Plan:
        """A plan from ``to_jsonl()`` text (blank lines are ignored)."""
        lines = text.splitlines() if isinstance(text, str) else text
        return cls(tuple(WorkUnit.from_json(line) for line in lines if line.strip()))


def group_units(units: Iterable[WorkUnit], size: int) -> list[tuple[WorkUnit, ...]]:
    """Units grouped by account (in order of first appearance), each group cut into pieces
    of at most ``size`` units: one account's units run together."""
    by_account: dict[str, list[WorkUnit]] = {}
    for unit in units:
        by_account.setdefault(unit.source.key + "|" + str(unit.account), []).append(unit)
    out: list[tuple[WorkUnit, ...]] = []
    for listed in by_account.values():
        out.extend(tuple(listed[i : i + size]) for i in range(0, len(listed), size))
    return out


def sources_of(units: Sequence[WorkUnit]) -> list[tuple[str | None, CredentialSource]]:
    """The distinct (label, source) pairs of ``units``, in order."""
    return list(dict.fromkeys((u.account, u.source) for u in units))


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
    if account.role_arn is not None:
        return CredentialSource(
            role_arn=account.role_arn,
            external_id=account.external_id,
            session_name=None if account.session_name == "jobkit" else account.session_name,
            via=_via_source(account.via),
        )
    if account.profile is not None:
        return CredentialSource(profile=account.profile)
    # jobkit's own default session (an Organization's caller when it was given none) is the
    # default chain, which a worker has too.
    if account.session is not None and account.session is not sync_session():
        raise UsageError(
            f"account {account.label or 'session'!r} is a session object, which cannot be "
            "sent to workers (a plan carries no credentials)",
            hint="name the accounts by profiles=[...], or by roles to assume "
            "(accounts=jobkit.Organization(...), or account ids with role_name=)",
        )
    return CredentialSource()


def _via_source(via: Account | None) -> CredentialSource | None:
    source = None if via is None else source_of(via)
    return None if source is None or source.kind == "default" else source


def source_account(label: str | None, source: CredentialSource) -> Account:
    """The ``Account`` a source describes (a role account resolves its credentials when a
    listing first uses it)."""
    if source.kind == "role":
        assert source.role_arn is not None
        return Account(
            label,
            role_arn=source.role_arn,
            external_id=source.external_id,
            session_name=source.session_name or "jobkit",
            via=None if source.via is None else source_account(None, source.via),
            account_id=source.account_id,
        )
    return Account(label, source.profile)


_ROLE_SESSIONS: dict[tuple[CredentialSource, str], boto3.Session] = {}
_ROLE_LOCK = threading.Lock()


def role_session(source: CredentialSource) -> boto3.Session:
    """A boto3 session with the role of ``source`` assumed (``jobkit.accounts``: lazily, and
    refreshed before it expires), kept per source and environment: a worker assumes each
    role once, not once per unit."""
    key = (source, environment_key())
    with _ROLE_LOCK:
        found = _ROLE_SESSIONS.get(key)
    if found is not None:
        return found
    made = sync_session_of(source_account(None, source))
    with _ROLE_LOCK:
        return _ROLE_SESSIONS.setdefault(key, made)


def account_of(label: str | None, source: CredentialSource) -> Account:
    """The account a worker lists a unit as: a profile of its own configuration, a role it
    assumes from its own credentials (once per process), or its default chain."""
    if source.kind == "role":
        return Account(label, session=role_session(source))
    return Account(label, source.profile)


#: Per event loop: each role's aiobotocore session and the credentials it was given.
_AIO_SESSIONS: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[CredentialSource, tuple[Any, AioSession]]
] = weakref.WeakKeyDictionary()
_AIO_LOCK = threading.Lock()


def _aio_account(label: str | None, source: CredentialSource) -> Account:
    if source.kind != "role":
        return Account(label, source.profile)
    # An aiobotocore session belongs to one event loop: the role is assumed once per process
    # (role_session) and its current credentials, valid for the unit, are handed over. The
    # units of one loop (a Dask partition: one account's units) share the session while the
    # credentials last: a new one costs about 5 ms of CPU (botocore registers its handlers).
    session = role_session(source)
    frozen = session.get_credentials().get_frozen_credentials()
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no running loop: nothing to share with
        kept: dict[CredentialSource, tuple[Any, AioSession]] = {}
    else:
        with _AIO_LOCK:
            kept = _AIO_SESSIONS.setdefault(loop, {})
    found = kept.get(source)
    if found is not None and found[0] == frozen:
        return Account(label, session=found[1])
    aio: AioSession = new_aio_session()
    aio.set_credentials(frozen.access_key, frozen.secret_key, frozen.token)
    if session.region_name:
        aio.set_config_variable("region", session.region_name)
    kept[source] = (frozen, aio)
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
    accounts: AccountsArg | Sequence[CredentialSource] = None,
    role_name: str | None = None,
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
    labelled = _labelled_sources(
        session=session, profiles=profiles, accounts=accounts, role_name=role_name
    )
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
    *, session: Any, profiles: Sequence[str] | None, accounts: Any, role_name: str | None
) -> list[tuple[str | None, CredentialSource]]:
    """(label, source) of every account of a plan, labelled as ``jobs()`` labels them
    (an Organization is asked for its accounts here: discovery belongs to planning)."""
    if accounts is not None and not isinstance(accounts, str | CredentialSource | Account):
        if isinstance(accounts, Sequence):
            accounts = [
                source_account(one.account_id or one.profile or one.role_arn, one)
                if isinstance(one, CredentialSource)
                else one
                for one in accounts
            ]
    elif isinstance(accounts, CredentialSource):
        accounts = [source_account(None, accounts)]
    resolved = resolve_accounts(
        session=session, profiles=profiles, accounts=accounts, role_name=role_name
    )
    return [(account.label, source_of(account)) for account in resolved]
