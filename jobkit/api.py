"""The public entry points: ``jobs()``, ``ajobs()`` and ``adapters()``.

They check the request, resolve sessions and regions, and hand the work to a driver; what to
call and in which order is decided in ``jobkit.core``.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
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
import botocore.session
from aiobotocore.session import AioSession
from botocore.loaders import create_loader

from jobkit import adapters as registry
from jobkit.core import pushdown
from jobkit.core.cursor import CursorState
from jobkit.core.flows import Flow, listing_flow
from jobkit.core.limiter import LimiterRegistry
from jobkit.core.plan import Call, Stream, discover_scopes, streams_for
from jobkit.core.policy import DEFAULT_POLICY, RetryPolicy
from jobkit.core.query import Query
from jobkit.core.spec import AdapterSpec
from jobkit.core.stats import RetryEvent, Stats
from jobkit.drivers._config import shared_loader, validate_region
from jobkit.drivers.aio import AsyncDriver
from jobkit.drivers.sync import SyncDriver
from jobkit.errors import JobkitError, UsageError
from jobkit.model import Job, JobStatus
from jobkit.notebook import JobList, Progress, make_progress

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


#: Limiters are shared by every listing in the process that talks to the same endpoint.
LIMITERS = LimiterRegistry(clock=time.monotonic)


@functools.lru_cache(maxsize=64)
def _input_members(service: str, operation: str) -> frozenset[str]:
    model = create_loader().load_service_model(service, "service-2")
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
    )


def _endpoint_of(call: Call) -> str:
    return f"{call.service}/{call.region}"


class _Listing:
    """What the sync and async iterators share: the request, stats and resume state."""

    def __init__(
        self, request: _Request, stats: Stats, cursor: CursorState, progress: Progress | None
    ) -> None:
        self.stats = stats
        self._request = request
        self._cursor = cursor
        self._progress = progress

    def _page_done(self) -> None:
        if self._progress is not None:
            self._progress.update(self.stats)

    def _end(self) -> None:
        if self._progress is not None:
            self._progress.close()

    @property
    def cursor(self) -> dict[str, Any]:
        """Where the listing stands, per stream: pass it as ``cursor=`` to resume.

        JSON-serializable; valid at any moment, also after an error or a ``break``. An
        ordered listing (``order=``) reads ahead to sort, so it has no exact cursor.
        """
        if self._request.query.order is not None:
            raise UsageError(
                "an ordered listing has no cursor: it reads ahead to sort",
                hint="drop order= to get a resumable listing",
            )
        return self._cursor.snapshot(self._request.query)

    def _targets(self) -> Iterator[tuple[AdapterSpec, str]]:
        for spec in self._request.specs:
            for region in self._request.regions:
                yield spec, region

    def _discovery(self, spec: AdapterSpec, region: str) -> Any:
        return discover_scopes(
            spec, region, self._request.scopes[spec.name], discover=self._request.discover
        )

    def _streams(
        self, spec: AdapterSpec, region: str, scopes: list[dict[str, str]]
    ) -> list[Stream]:
        return streams_for(
            spec,
            region,
            scopes,
            params=self._request.extras[spec.name],
            query=self._request.query,
        )

    def _flow(self, stream: Stream) -> Flow | None:
        """The listing flow of ``stream`` from where the cursor says, or None if it is done."""
        start = self._cursor.start_of(stream.key)
        if start is None:
            return None
        self.stats.count(streams=1)
        token, skip = start
        return listing_flow(
            stream, stream.pager(token), self.stats, skip=skip, query=self._request.query
        )

    def _ordered(self, jobs: list[Job]) -> list[Job]:
        """Sort a read-ahead listing by creation time (jobs without one come last)."""
        descending = self._request.query.order == "created-desc"
        dated = [j for j in jobs if j.created is not None]
        undated = [j for j in jobs if j.created is None]
        dated.sort(key=lambda j: j.created, reverse=descending)  # type: ignore[arg-type,return-value]
        limit = self._request.query.limit
        return (dated + undated)[:limit]

    def _failed(self, error: JobkitError) -> None:
        """Attach the resume point to an error that stops the listing."""
        if self._request.query.order is None and error.cursor is None:
            error.cursor = self.cursor
            resume = "resume where it stopped with jobs(..., cursor=error.cursor)"
            error.hint = f"{error.hint}; {resume}" if error.hint else resume


class JobIterator(_Listing, Iterator[Job]):
    """The jobs of one listing, in a sync ``for`` loop.

    ``stats`` counts requests, pages, jobs, retries and throttles while it runs; ``cursor``
    says where it stands. Close it (or use it as a context manager, or exhaust it) to release
    its connections.
    """

    def __init__(
        self,
        request: _Request,
        driver: SyncDriver,
        stats: Stats,
        cursor: CursorState,
        progress: Progress | None = None,
    ) -> None:
        super().__init__(request, stats, cursor, progress)
        self._driver = driver
        self._gen = self._run()

    def _run(self) -> Generator[Job, None, None]:
        query = self._request.query
        try:
            if query.order is not None:
                yield from self._ordered(list(self._all()))
            elif query.limit is not None:
                yield from itertools.islice(self._all(), query.limit)
            else:
                yield from self._all()
        except JobkitError as error:
            self._failed(error)
            raise
        finally:
            self._end()
            self._driver.close()

    def _all(self) -> Generator[Job, None, None]:
        for spec, region in self._targets():
            scopes = self._driver.run_flow(self._discovery(spec, region), _endpoint_of)
            for stream in self._streams(spec, region, scopes):
                flow = self._flow(stream)
                if flow is None:
                    continue
                for page in self._driver.iterate(flow, stream.endpoint):
                    self._page_done()
                    yield from self._cursor.emit(stream.key, page)
                self._cursor.finish(stream.key)

    def __iter__(self) -> JobIterator:
        return self

    def __next__(self) -> Job:
        return next(self._gen)

    def close(self) -> None:
        """Stop the listing and close its clients."""
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
        driver: AsyncDriver,
        stats: Stats,
        cursor: CursorState,
        progress: Progress | None = None,
    ) -> None:
        super().__init__(request, stats, cursor, progress)
        self._driver = driver
        self._gen = self._run()

    async def _run(self) -> AsyncGenerator[Job, None]:
        query = self._request.query
        try:
            if query.order is not None:
                for job in self._ordered([job async for job in self._all()]):
                    yield job
            else:
                count = 0
                async for job in self._all():
                    yield job
                    count += 1
                    if count == query.limit:
                        break
        except JobkitError as error:
            self._failed(error)
            raise
        finally:
            self._end()
            await self._driver.aclose()

    async def _all(self) -> AsyncGenerator[Job, None]:
        for spec, region in self._targets():
            scopes = await self._driver.run_flow(self._discovery(spec, region), _endpoint_of)
            for stream in self._streams(spec, region, scopes):
                flow = self._flow(stream)
                if flow is None:
                    continue
                async for page in self._driver.iterate(flow, stream.endpoint):
                    self._page_done()
                    for job in self._cursor.emit(stream.key, page):
                        yield job
                self._cursor.finish(stream.key)

    def __aiter__(self) -> AsyncJobIterator:
        return self

    async def __anext__(self) -> Job:
        return await self._gen.__anext__()

    async def aclose(self) -> None:
        """Stop the listing and close its clients."""
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
    return state, state.window(Query.parse(**filters))


def jobs(
    adapters: AdapterArg = None,
    *,
    regions: RegionArg = None,
    params: ParamsArg = None,
    session: boto3.Session | None = None,
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
    ``created``; the listing is read ahead and sorted, so it has no cursor).

    ``progress``: True shows a tqdm.auto bar of jobs and pages (``jobkit[progress]``);
    silent by default.
    """
    session = session or _default_session()
    state, query = _resume(
        cursor,
        status=status,
        since=since,
        until=until,
        name_contains=name_contains,
        limit=limit,
        order=order,
    )
    request = _check(adapters, regions, params, session.region_name, discover, query)
    stats = Stats(on_retry=on_retry)
    driver = SyncDriver(
        session=session,
        policy=retry or DEFAULT_POLICY,
        stats=stats,
        limiters=LIMITERS if pacing else None,
        endpoint_url=endpoint_url,
    )
    return JobIterator(request, driver, stats, state, make_progress(progress))


def _default_session() -> boto3.Session:
    """A new default boto3 session (credential chain, AWS_PROFILE, ...) on the shared loader."""
    core = botocore.session.get_session()
    core.register_component("data_loader", shared_loader())
    return boto3.Session(botocore_session=core)


def _aio_session(session: AioSession | boto3.Session | None) -> AioSession:
    if isinstance(session, AioSession):
        return session
    aio = AioSession()
    aio.register_component("data_loader", shared_loader())
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
    elif session is not None:
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
    session: AioSession | boto3.Session | None = None,
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
) -> AsyncJobIterator:
    """List jobs in ``async for`` (same arguments as ``jobs()``; ``session`` may be an
    aiobotocore ``AioSession`` or a boto3 ``Session``, whose profile and region are used)."""
    aio = _aio_session(session)
    state, query = _resume(
        cursor,
        status=status,
        since=since,
        until=until,
        name_contains=name_contains,
        limit=limit,
        order=order,
    )
    request = _check(adapters, regions, params, aio.get_config_variable("region"), discover, query)
    stats = Stats(on_retry=on_retry)
    driver = AsyncDriver(
        session=aio,
        policy=retry or DEFAULT_POLICY,
        stats=stats,
        limiters=LIMITERS if pacing else None,
        endpoint_url=endpoint_url,
    )
    return AsyncJobIterator(request, driver, stats, state, make_progress(progress))


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
