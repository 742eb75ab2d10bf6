"""The public entry points: ``jobs()``, ``ajobs()`` and ``adapters()``.

They check the request, resolve sessions and regions, and hand the work to a driver; what to
call and in which order is decided in ``jobkit.core``.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Callable,
    Generator,
    Iterator,
    Mapping,
    Sequence,
)
from typing import Any

import attrs
import boto3
from aiobotocore.session import AioSession

from jobkit import adapters as registry
from jobkit.core import pushdown
from jobkit.core.cursor import CursorState
from jobkit.core.fanout import Failure, Scheduler
from jobkit.core.flows import listing_flow
from jobkit.core.limiter import LimiterRegistry
from jobkit.core.plan import discover_scopes, streams_for
from jobkit.core.policy import DEFAULT_POLICY, RetryPolicy
from jobkit.core.progress import ProgressReporter as Progress
from jobkit.core.query import Query
from jobkit.core.spec import AdapterSpec
from jobkit.core.stats import RetryEvent, Stats
from jobkit.drivers._config import (
    available_regions,
    partition_of,
    shared_loader,
    validate_region,
)
from jobkit.drivers._sessions import aio_session, new_aio_session, sync_session
from jobkit.drivers.aio import AsyncDriver
from jobkit.drivers.aio import run_scheduler as aio_run
from jobkit.drivers.sync import SyncDriver
from jobkit.drivers.sync import run_scheduler as sync_run
from jobkit.errors import JobkitError, UsageError
from jobkit.model import Job, JobStatus
from jobkit.present.joblist import JobList
from jobkit.present.progress import make_progress

__all__ = [
    "AdapterInfo",
    "AsyncJobIterator",
    "Explanation",
    "JobIterator",
    "adapters",
    "ajobs",
    "explain",
    "jobs",
]

AdapterArg = str | AdapterSpec | Sequence[str | AdapterSpec] | None
RegionArg = str | Sequence[str] | None
ParamsArg = Mapping[str, str | Sequence[str]] | None
StatusArg = JobStatus | str | Sequence[JobStatus | str] | None
TimeArg = dt.datetime | dt.date | dt.timedelta | str | None


@attrs.frozen(kw_only=True)
class AdapterInfo:
    """What ``jobkit.adapters()`` tells about one adapter."""

    name: str
    service: str
    operation: str
    description: str
    scope: tuple[str, ...]
    discoverable: tuple[str, ...]
    status_rule: str | None
    botocore_paginator: bool


def adapters() -> list[AdapterInfo]:
    """Every registered adapter with its scope parameters, sorted by name."""
    return [
        AdapterInfo(
            name=spec.name,
            service=spec.service,
            operation=spec.operation,
            description=spec.doc,
            scope=spec.scope_names,
            discoverable=tuple(p.name for p in spec.scope if p.discovery is not None),
            status_rule=spec.status_rule,
            botocore_paginator=spec.has_botocore_paginator,
        )
        for spec in sorted(registry.REGISTRY.values(), key=lambda s: s.name)
    ]


log = logging.getLogger("jobkit")

#: Limiters are shared by every listing in the process that talks to the same endpoint.
LIMITERS = LimiterRegistry(clock=time.monotonic)


@functools.lru_cache(maxsize=64)
def _input_members(service: str, operation: str) -> frozenset[str]:
    model = shared_loader().load_service_model(service, "service-2")
    shape_name = model["operations"][operation]["input"]["shape"]
    return frozenset(model["shapes"][shape_name]["members"])


@attrs.frozen(kw_only=True)
class _Request:
    """A checked request: which adapters, where, with which scope values and extra params."""

    specs: tuple[AdapterSpec, ...]
    regions: tuple[str, ...]
    scopes: Mapping[str, Mapping[str, Any]]
    extras: Mapping[str, Mapping[str, Any]]
    discover: bool = True
    query: Query = attrs.field(factory=Query)
    default_region: str | None = None
    page_size: int | None = None


def _check(  # noqa: PLR0917 - internal; called from jobs() and ajobs() only
    adapters_arg: AdapterArg,
    regions: RegionArg,
    params: ParamsArg,
    default_region: str | None,
    discover: bool,
    query: Query,
) -> _Request:
    specs = tuple(registry.resolve(adapters_arg))  # type: ignore[arg-type]
    if regions is None:
        if not default_region:
            raise UsageError(
                "no region given and none configured",
                hint="pass regions=['us-east-1'], or set AWS_DEFAULT_REGION or a profile region",
            )
        regions = [default_region]
    region_list = [regions] if isinstance(regions, str) else list(dict.fromkeys(regions))
    if not region_list:
        raise UsageError("regions= is empty", hint="name at least one region")
    if region_list == [ALL_REGIONS]:
        checked: tuple[str, ...] = (ALL_REGIONS,)
    else:
        checked = tuple(validate_region(r) for r in region_list)
    params = dict(params or {})
    for key, value in params.items():
        if not isinstance(value, str) and not (
            isinstance(value, Sequence) and value and all(isinstance(v, str) for v in value)
        ):
            raise UsageError(
                f"params[{key!r}] must be a string or a non-empty list of strings, got {value!r}",
                hint="e.g. params={'jobQueue': 'my-queue'} or {'jobQueue': ['q1', 'q2']}",
            )
    scopes: dict[str, dict[str, Any]] = {}
    extras: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for spec in specs:
        scope = {k: v for k, v in params.items() if k in spec.scope_names}
        members = _input_members(spec.service, spec.operation) if params else frozenset()
        extra = {
            k: v
            for k, v in params.items()
            if k not in spec.scope_names and k in members and isinstance(v, str)
        }
        scopes[spec.name], extras[spec.name] = scope, extra
        used |= scope.keys() | extra.keys()
    unknown = sorted(set(params) - used)
    if unknown:
        accepted = sorted({n for s in specs for n in s.scope_names})
        raise UsageError(
            f"no selected adapter takes the parameter(s) {', '.join(map(repr, unknown))}",
            hint="scope parameters of the selected adapters: "
            + (", ".join(accepted) or "none")
            + "; other keys must be request members of the operation (a single string)",
        )
    return _Request(
        specs=specs,
        regions=checked,
        scopes=scopes,
        extras=extras,
        discover=discover,
        query=query,
        default_region=default_region,
    )


#: ``regions="all"``: every region botocore lists for each adapter's service.
ALL_REGIONS = "all"


def _shard_windows(query: Query, shards: int) -> list[tuple[dt.datetime | None, dt.datetime]]:
    """``shards`` half-open windows covering the query's window (or the last 30 days, with
    one more window below them for everything older when no ``since`` was given)."""
    until = query.until or dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    since = query.since
    count = shards if since is not None else shards - 1
    low = since or until - dt.timedelta(days=30)
    step = (until - low) / count
    edges = [low + step * i for i in range(count)] + [until]
    windows: list[tuple[dt.datetime | None, dt.datetime]] = [
        (edges[i], edges[i + 1]) for i in range(count)
    ]
    if since is None:
        windows.insert(0, (None, low))
    return windows


class _Listing:
    """What the sync and async iterators share: planning streams into a scheduler, the
    stats, the cursor and the failures. The iterators only run the scheduler."""

    def __init__(
        self,
        request: _Request,
        stats: Stats,
        cursor: CursorState,
        progress: Progress | None,
        *,
        accounts: Sequence[str | None],
        max_concurrency: int,
        errors: str,
        shards: int | None,
    ) -> None:
        self.stats = stats
        self._request = request
        self._cursor = cursor
        self._progress = progress
        self._accounts = accounts
        self._shards = shards
        #: Regions skipped because a service is not offered there (adapter, region).
        self.skipped: list[tuple[str, str]] = []
        self._scheduler = Scheduler(
            cursor=cursor,
            order=request.query.order,
            limit=request.query.limit,
            max_in_flight=max_concurrency,
            errors=errors,
            on_page=self._page_done,
        )

    @property
    def failures(self) -> list[Failure]:
        """Streams that failed under ``errors="warn"`` or ``"collect"``, with their errors."""
        return list(self._scheduler.failures)

    @property
    def cursor(self) -> dict[str, Any]:
        """Where the listing stands, per stream: pass it as ``cursor=`` to resume.

        JSON-serializable; valid at any moment, also after an error or a ``break``. An
        ordered listing's cursor resumes the same order (``order=`` must match).
        """
        return self._cursor.snapshot(self._request.query)

    def _page_done(self) -> None:
        if self._progress is not None:
            self._progress.update(self.stats)

    def _end(self) -> None:
        if self._progress is not None:
            self._progress.close()

    def _regions(self, spec: AdapterSpec) -> list[str]:
        if self._request.regions == (ALL_REGIONS,):
            # Credentials work in one partition: "all" means the default region's partition.
            partition = partition_of(self._request.default_region)
            return list(available_regions(spec.service, partition))
        available = available_regions(spec.service)
        if not available:  # botocore has no region list for this service: trust the caller
            return list(self._request.regions)
        out = []
        for region in self._request.regions:
            if region in available:
                out.append(region)
            else:
                self.skipped.append((spec.name, region))
                log.warning("jobkit: %s is not offered in %s; skipped", spec.service, region)
        return out

    def _plan(self) -> Scheduler:
        """Put every discovery (and through it every stream) into the scheduler."""
        for account in self._accounts:
            for spec in self._request.specs:
                for region in self._regions(spec):
                    flow = discover_scopes(
                        spec,
                        region,
                        self._request.scopes[spec.name],
                        discover=self._request.discover,
                    )
                    self._scheduler.add_discovery(
                        flow,
                        adapter=spec.name,
                        region=region,
                        account=account,
                        endpoint=_stream_endpoint(spec.service, region, account),
                        on_done=functools.partial(self._add_streams, spec, region, account),
                    )
        return self._scheduler

    def _queries(self, spec: AdapterSpec) -> list[Query]:
        query = self._request.query
        if not self._shards or self._shards < 2:
            return [query]
        probe = attrs.evolve(query, since=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        if "since" not in pushdown.plan(probe, spec).pushed:
            return [query]  # the API cannot filter by creation time: one stream
        return [
            attrs.evolve(query, since=low, until=high)
            for low, high in _shard_windows(query, self._shards)
        ]

    def _add_streams(
        self, spec: AdapterSpec, region: str, account: str | None, scopes: list[dict[str, str]]
    ) -> None:
        for query in self._queries(spec):
            order = pushdown.plan(query, spec).order
            for stream in streams_for(
                spec,
                region,
                scopes,
                params=self._request.extras[spec.name],
                account=account,
                query=query,
            ):
                start = self._cursor.start_of(stream.key)
                if start is None:
                    continue
                self.stats.count(streams=1)
                token, skip = start
                pager = stream.pager(token, page_size=self._request.page_size)
                flow = listing_flow(stream, pager, self.stats, skip=skip, query=query)
                self._scheduler.add_stream(
                    flow,
                    key=stream.key,
                    adapter=spec.name,
                    region=region,
                    account=account,
                    endpoint=stream.endpoint,
                    server_sorted=order is not None and order == self._request.query.order,
                    after=self._cursor.after_of(stream.key),
                )

    def _failed(self, error: JobkitError) -> None:
        """Attach the resume point to an error that stops the listing."""
        if error.cursor is None:
            error.cursor = self.cursor
            resume = "resume where it stopped with jobs(..., cursor=error.cursor)"
            error.hint = f"{error.hint}; {resume}" if error.hint else resume


def _stream_endpoint(service: str, region: str, account: str | None) -> str:
    return f"{service}/{region}@{account}" if account else f"{service}/{region}"


class JobIterator(_Listing, Iterator[Job]):
    """The jobs of one listing, in a sync ``for`` loop.

    ``stats`` counts requests, pages, jobs, retries and throttles while it runs; ``cursor``
    says where it stands; ``failures`` lists streams that failed under errors="warn" or
    "collect". Close it (or use it as a context manager, or exhaust it) to stop its threads
    and release its connections.
    """

    def __init__(
        self,
        request: _Request,
        drivers: Mapping[str | None, SyncDriver],
        stats: Stats,
        cursor: CursorState,
        progress: Progress | None = None,
        **options: Any,
    ) -> None:
        super().__init__(request, stats, cursor, progress, accounts=list(drivers), **options)
        self._drivers = drivers
        self._gen = self._run()

    def _run(self) -> Generator[Job, None, None]:
        try:
            yield from sync_run(self._plan(), self._drivers)
        except JobkitError as error:
            self._failed(error)
            raise
        finally:
            self._end()

    def __iter__(self) -> JobIterator:
        return self

    def __next__(self) -> Job:
        return next(self._gen)

    def close(self) -> None:
        """Stop the listing: cancel calls in flight, join threads, close clients."""
        self._gen.close()

    def __enter__(self) -> JobIterator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def collect(self) -> JobList:
        """Every remaining job, as a ``JobList`` (DataFrame export, HTML, stats)."""
        with self:
            return JobList(self, stats=self.stats)


class AsyncJobIterator(_Listing, AsyncIterator[Job]):
    """The jobs of one listing, in an ``async for`` loop (see ``JobIterator``)."""

    def __init__(
        self,
        request: _Request,
        drivers: Mapping[str | None, AsyncDriver],
        stats: Stats,
        cursor: CursorState,
        progress: Progress | None = None,
        **options: Any,
    ) -> None:
        super().__init__(request, stats, cursor, progress, accounts=list(drivers), **options)
        self._drivers = drivers
        self._gen = self._run()

    async def _run(self) -> AsyncGenerator[Job, None]:
        # `async for` does not close the inner generator when this one is closed (as
        # `yield from` does for sync generators): close it here, so its tasks and clients are.
        inner = aio_run(self._plan(), self._drivers)
        try:
            async for job in inner:
                yield job
        except JobkitError as error:
            self._failed(error)
            raise
        finally:
            await inner.aclose()
            self._end()

    def __aiter__(self) -> AsyncJobIterator:
        return self

    async def __anext__(self) -> Job:
        return await self._gen.__anext__()

    async def aclose(self) -> None:
        """Stop the listing: cancel tasks in flight, close clients."""
        await self._gen.aclose()

    async def __aenter__(self) -> AsyncJobIterator:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def collect(self) -> JobList:
        """Every remaining job, as a ``JobList`` (DataFrame export, HTML, stats)."""
        async with self:
            return JobList([job async for job in self], stats=self.stats)


def _resume(cursor: Mapping[str, Any] | str | None, **filters: Any) -> tuple[CursorState, Query]:
    """The resume state and the query; a cursor's time window wins over relative times."""
    state = CursorState.load(cursor)
    query = state.window(Query.parse(**filters))
    state.check_order(query.order)
    return state, query


def jobs(
    adapters: AdapterArg = None,
    *,
    regions: RegionArg = None,
    params: ParamsArg = None,
    session: boto3.Session | Sequence[boto3.Session] | None = None,
    endpoint_url: str | None = None,
    retry: RetryPolicy | None = None,
    on_retry: Callable[[RetryEvent], None] | None = None,
    discover: bool = True,
    pacing: bool = True,
    cursor: Mapping[str, Any] | str | None = None,
    status: StatusArg = None,
    since: TimeArg = None,
    until: TimeArg = None,
    name_contains: str | None = None,
    limit: int | None = None,
    order: str | None = None,
    progress: bool | Progress = False,
    profiles: Sequence[str] | None = None,
    max_concurrency: int = 8,
    errors: str = "raise",
    shards: int | None = None,
    page_size: int | None = None,
) -> JobIterator:
    """List jobs, synchronously.

    ``adapters``: one adapter name or several (None: every adapter). ``regions``: a region
    or several (None: the session's region). ``params``: the operations' scope parameters by
    their AWS names (a value may be a list; scopes not given are discovered). ``session``: a
    boto3 session (None: a new default one, honouring AWS_PROFILE and the credential chain).
    ``endpoint_url``: one endpoint for every service (botocore's AWS_ENDPOINT_URL and
    AWS_ENDPOINT_URL_<SERVICE> are honoured without it). ``retry``: the retry policy.
    ``on_retry``: called with a ``RetryEvent`` before each retry. ``discover``: find
    scope parameters that were not given (False: a missing one raises MissingScopeError).
    ``pacing``: share an adaptive rate limiter per endpoint that slows down on throttling
    (False: only the retry policy's backoff applies). ``cursor``: an earlier iterator's
    ``cursor`` (or its JSON): continue exactly where that listing stopped (its time window
    is kept, so a relative ``since="7d"`` means the same instants on resume).

    Filters, pushed down to the service where its API can apply them and applied on the
    client otherwise, with the same result either way: ``status`` (a JobStatus, its name, or
    several), ``since`` / ``until`` (datetime, date, ISO-8601 string or a relative age such
    as "90m", "12h", "7d"; a naive datetime is read as UTC; the window is
    ``since <= created < until``), ``name_contains`` (case-insensitive), ``limit`` (stop after
    that many jobs), ``order`` ("created-desc" or "created-asc": one global order by
    ``created``; streams the service sorts are merged lazily, the others read ahead and sorted).

    ``progress``: True shows a tqdm.auto bar of jobs and pages (``jobkit[progress]``);
    silent by default.

    Fan-out: every adapter x region (``regions="all"``: every region botocore lists for the
    service; a region where a service is not offered is skipped, listed in ``skipped``) x
    account (``profiles=[...]``, or several sessions in ``session=``) x scope x partition is
    one stream; streams run concurrently, at most ``max_concurrency`` calls at once (threads
    here, tasks in ``ajobs``). ``errors``: "raise" (the first failed stream stops everything),
    "warn" or "collect" (the others go on; ``failures`` lists the failed ones). ``shards=n``
    splits each stream's creation-time range into n windows listed concurrently, for adapters
    whose API filters by creation time. ``page_size``: ask for at most this many jobs per
    page (default: each API's maximum, the fewest requests); smaller pages bring the first
    jobs sooner and make a retried page cheaper.
    """
    sessions = _sync_sessions(session, profiles)
    default_region = next(iter(sessions.values())).region_name
    listing: JobIterator = _build(JobIterator, SyncDriver, sessions, default_region, locals())
    return listing


def _build(
    iterator: type[Any],
    driver: type[Any],
    sessions: Mapping[str | None, Any],
    default_region: str | None,
    args: Mapping[str, Any],
) -> Any:
    """What jobs() and ajobs() share: check the arguments, make the drivers, the iterator."""
    state, query = _resume(
        args["cursor"],
        status=args["status"],
        since=args["since"],
        until=args["until"],
        name_contains=args["name_contains"],
        limit=args["limit"],
        order=args["order"],
    )
    request = attrs.evolve(
        _check(
            args["adapters"],
            args["regions"],
            args["params"],
            default_region,
            args["discover"],
            query,
        ),
        page_size=_positive("page_size", args["page_size"], "page_size=50"),
    )
    stats = Stats(on_retry=args["on_retry"])
    concurrency = args["max_concurrency"]
    drivers = {
        account: driver(
            session=one,
            policy=args["retry"] or DEFAULT_POLICY,
            stats=stats,
            limiters=LIMITERS if args["pacing"] else None,
            endpoint_url=args["endpoint_url"],
            max_connections=max(10, concurrency if isinstance(concurrency, int) else 10),
        )
        for account, one in sessions.items()
    }
    return iterator(
        request,
        drivers,
        stats,
        state,
        make_progress(args["progress"]),
        max_concurrency=concurrency,
        errors=args["errors"],
        shards=_positive("shards", args["shards"], "shards=8"),
    )


def _positive(name: str, value: Any, example: str) -> int | None:
    """``value`` if it is None or a positive integer; else a UsageError."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return value
    raise UsageError(f"{name}={value!r} is not a positive integer", hint=f"e.g. {example}")


def _sync_sessions(
    session: boto3.Session | Sequence[boto3.Session] | None, profiles: Sequence[str] | None
) -> dict[str | None, boto3.Session]:
    """The accounts of a listing: label -> session (label None for a single account)."""
    if profiles:
        if isinstance(profiles, str):
            profiles = [profiles]
        return {profile: sync_session(profile) for profile in dict.fromkeys(profiles)}
    if session is None:
        return {None: sync_session()}
    if isinstance(session, boto3.Session):
        return {None: session}
    many = list(session)
    if len(many) == 1:
        return {None: many[0]}
    return {
        (s.profile_name if s.profile_name != "default" else f"session{i}"): s
        for i, s in enumerate(many)
    }


def _aio_session(session: AioSession | boto3.Session | None) -> AioSession:
    if isinstance(session, AioSession):
        return session
    if session is None:
        return aio_session()
    aio = new_aio_session()
    if isinstance(session, boto3.Session):
        # Carry the profile and region over; explicit keys are copied as a frozen set.
        if session.profile_name and session.profile_name != "default":
            aio.set_config_variable("profile", session.profile_name)
        if session.region_name:
            aio.set_config_variable("region", session.region_name)
        creds = session.get_credentials()
        if creds is not None and getattr(creds, "method", None) == "explicit":
            frozen = creds.get_frozen_credentials()
            aio.set_credentials(frozen.access_key, frozen.secret_key, frozen.token)
    else:
        raise UsageError(
            f"session must be an aiobotocore AioSession or a boto3 Session, "
            f"got {type(session).__name__}",
            hint="pass aiobotocore.session.get_session() or boto3.Session(...)",
        )
    return aio


def ajobs(
    adapters: AdapterArg = None,
    *,
    regions: RegionArg = None,
    params: ParamsArg = None,
    session: AioSession | boto3.Session | Sequence[AioSession | boto3.Session] | None = None,
    endpoint_url: str | None = None,
    retry: RetryPolicy | None = None,
    on_retry: Callable[[RetryEvent], None] | None = None,
    discover: bool = True,
    pacing: bool = True,
    cursor: Mapping[str, Any] | str | None = None,
    status: StatusArg = None,
    since: TimeArg = None,
    until: TimeArg = None,
    name_contains: str | None = None,
    limit: int | None = None,
    order: str | None = None,
    progress: bool | Progress = False,
    profiles: Sequence[str] | None = None,
    max_concurrency: int = 8,
    errors: str = "raise",
    shards: int | None = None,
    page_size: int | None = None,
) -> AsyncJobIterator:
    """List jobs in ``async for`` (same arguments as ``jobs()``; ``session`` may be an
    aiobotocore ``AioSession`` or a boto3 ``Session``, whose profile and region are used, or
    several of them)."""
    sessions = _aio_sessions(session, profiles)
    default_region = next(iter(sessions.values())).get_config_variable("region")
    listing: AsyncJobIterator = _build(
        AsyncJobIterator, AsyncDriver, sessions, default_region, locals()
    )
    return listing


def _aio_sessions(
    session: AioSession | boto3.Session | Sequence[AioSession | boto3.Session] | None,
    profiles: Sequence[str] | None,
) -> dict[str | None, AioSession]:
    """The accounts of an async listing: label -> aiobotocore session."""
    if profiles:
        if isinstance(profiles, str):
            profiles = [profiles]
        out: dict[str | None, AioSession] = {}
        for profile in dict.fromkeys(profiles):
            out[profile] = aio_session(profile)
        return out
    if session is None or isinstance(session, AioSession | boto3.Session):
        return {None: _aio_session(session)}
    many = list(session)
    if len(many) == 1:
        return {None: _aio_session(many[0])}
    return {f"session{i}": _aio_session(one) for i, one in enumerate(many)}


@attrs.frozen(kw_only=True)
class Explanation:
    """How one adapter in one region would be listed: see ``jobkit.explain()``."""

    adapter: str
    region: str
    scope: Mapping[str, Any]  # the given scope values; the rest are discovered
    discovered: tuple[str, ...]
    requests: tuple[Mapping[str, Any], ...]  # push-down parameters, one per stream and scope
    pushed: Mapping[str, str]  # query part -> request member the service applies
    client: tuple[str, ...]  # query parts jobkit applies on the client only
    note: str | None

    def __str__(self) -> str:
        pushed = ", ".join(f"{k} -> {v}" for k, v in self.pushed.items()) or "nothing"
        client = ", ".join(self.client) or "nothing"
        scope = f" scope={dict(self.scope)}" if self.scope else ""
        found = f" discovered={list(self.discovered)}" if self.discovered else ""
        text = (
            f"{self.adapter} in {self.region}:{scope}{found} {len(self.requests)} stream(s) per "
            f"scope; pushed down: {pushed}; on the client: {client}"
        )
        return f"{text} ({self.note})" if self.note else text


def explain(
    adapters: AdapterArg = None,
    *,
    regions: RegionArg = None,
    params: ParamsArg = None,
    status: StatusArg = None,
    since: TimeArg = None,
    until: TimeArg = None,
    name_contains: str | None = None,
    limit: int | None = None,
    order: str | None = None,
) -> list[Explanation]:
    """Show, per adapter and region, which filters go to the service and which jobkit applies.

    Takes the arguments of ``jobs()`` that shape the plan; sends no request. Every query part
    is applied on the client as well, so the listed push-down only saves pages.
    """
    query = Query.parse(
        status=status,
        since=since,
        until=until,
        name_contains=name_contains,
        limit=limit,
        order=order,
    )
    default_region = boto3.Session().region_name
    request = _check(adapters, regions, params, default_region, True, query)
    out = []
    for spec in request.specs:
        push = pushdown.plan(query, spec)
        given = request.scopes[spec.name]
        for region in request.regions:
            out.append(
                Explanation(
                    adapter=spec.name,
                    region=region,
                    scope=dict(given),
                    discovered=tuple(n for n in spec.scope_names if n not in given),
                    requests=tuple(push.requests),
                    pushed=dict(push.pushed),
                    client=tuple(push.client_side(query)),
                    note=push.note,
                )
            )
    return out
