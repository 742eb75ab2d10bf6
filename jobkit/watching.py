"""Watch many jobs at once: ``watch()`` / ``awatch()`` yield status-change events,
``wait()`` / ``await_jobs()`` return when given jobs have ended.

Each poll reads, per stream (adapter x region x account), only what can have changed since
the last one, as ``jobkit.core.polling`` plans it with the inventory's planner
(``jobkit.core.changes``); the reads are ordinary ``jobs()`` / ``ajobs()`` listings, so they
go through the same retry policy and share each endpoint's limiter with every other listing
of the process. This module only runs the reads, sleeps between polls and hands what it read
to the core. See docs/watch.md.

The async twin of ``wait`` would be ``await``, a keyword: it is ``await_jobs``.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import datetime as dt
import logging
import os
import re
import threading
import time
import warnings
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

import attrs
import boto3

from jobkit.accounts import aio_session_of, resolve_accounts, sync_session_of
from jobkit.adapters import resolve as resolve_adapters
from jobkit.api import ajobs, explain, jobs
from jobkit.core.changes import ReadKind, listing_arguments
from jobkit.core.normalize import read_page
from jobkit.core.plan import Call, endpoint_key
from jobkit.core.policy import DEFAULT_POLICY, RetryPolicy
from jobkit.core.polling import (
    DEFAULT_INTERVAL,
    WATCH_OVERLAP,
    JobEvent,
    Pacer,
    StreamWatch,
    check_interval,
    describe_calls,
    order_events,
)
from jobkit.core.query import parse_time
from jobkit.core.stats import Stats
from jobkit.drivers.aio import AsyncDriver
from jobkit.drivers.sync import SyncDriver
from jobkit.errors import JobkitWarning, JobNotFoundError, UsageError, WaitTimeoutError
from jobkit.incremental import (
    _calls,
    _caps,
    _discovers,
    _regions,
    _scopes_of,
    _sessions,
    _split_params,
    _Stream,
    job_key,
)
from jobkit.listing import LIMITERS
from jobkit.model import Job
from jobkit.options import AdapterArg, ParamsArg, RegionArg, TimeArg

__all__ = ["AsyncWatch", "Watch", "WatchStats", "await_jobs", "awatch", "wait", "watch"]

log = logging.getLogger("jobkit")

_RELATIVE = re.compile(r"^\s*\d+(?:\.\d+)?\s*[smhdw]\s*$", re.IGNORECASE)

#: Discovered scopes (work teams, queues, ...) are reused this long before being listed again.
REDISCOVER = dt.timedelta(hours=1)


@attrs.define
class WatchStats:
    """What a watch has done so far: polls, requests (per poll too), events."""

    polls: int = 0
    requests: int = 0
    events: int = 0
    per_poll: list[int] = attrs.field(factory=list)

    def __str__(self) -> str:
        mean = self.requests / self.polls if self.polls else 0.0
        return (
            f"{self.polls} poll(s), {self.requests} request(s) ({mean:.1f} per poll), "
            f"{self.events} event(s)"
        )


@attrs.define
class _Target:
    """One watched stream, its state and its remembered scopes."""

    stream: _Stream
    state: StreamWatch
    scopes: list[dict[str, str]] | None = None
    scopes_at: float | None = None


@attrs.frozen
class _Work:
    """What one stream reads in one poll."""

    target: _Target
    reads: tuple[Any, ...]
    calls: tuple[dict[str, Any], ...]
    discover: bool


@attrs.define
class _Outcome:
    work: _Work
    jobs: list[Job] = attrs.field(factory=list)
    requests: int = 0
    scopes: list[dict[str, str]] | None = None


def _deadline(until: TimeArg | float, now: dt.datetime) -> dt.datetime | None:
    """``until`` as an aware instant: a datetime, a timedelta or number of seconds from
    now, or a relative time such as "10m" (from now) or an ISO-8601 string."""
    if until is None:
        return None
    value: dt.datetime | None
    if isinstance(until, int | float) and not isinstance(until, bool):
        value = now + dt.timedelta(seconds=until)
    elif isinstance(until, dt.timedelta):
        value = now + until
    elif isinstance(until, str) and _RELATIVE.match(until):
        # "10m" counts back from now in a listing filter; a deadline counts forward.
        back = parse_time(until, now=now, name="until")
        assert back is not None
        value = now + (now - back)
    else:
        value = parse_time(until, now=now, name="until")
    assert value is not None
    if value <= now:
        raise UsageError(
            f"until={until!r} is in the past ({value.isoformat()})",
            hint="give a deadline in the future, e.g. until='30m' or a timedelta",
        )
    return value


class _Base:
    """What the sync and async watches share: the streams, their states, the planning of
    each poll and what its results mean. The subclasses only list and sleep."""

    def __init__(
        self,
        adapters: AdapterArg,
        *,
        regions: RegionArg,
        params: ParamsArg,
        session: boto3.Session | Sequence[boto3.Session] | None,
        profiles: Sequence[str] | None,
        name_contains: str | None,
        since: TimeArg,
        interval: float,
        until: TimeArg | float,
        include_existing: bool,
        endpoint_url: str | None,
        retry: RetryPolicy | None,
        pacing: bool,
        discover: bool,
        max_concurrency: int,
        seeds: Mapping[tuple[str, str], list[Job]] | None = None,
    ) -> None:
        now = dt.datetime.now(dt.UTC)
        local = endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
        self.interval = check_interval(interval, local)
        deadline = _deadline(until, now)
        self.until = deadline
        specs = resolve_adapters(adapters)  # type: ignore[arg-type]
        # Checked as jobs() checks them, before anything is sent.
        explain(specs, regions=regions, params=params, name_contains=name_contains)
        start = parse_time(since, now=now, name="since")
        by_spec = _split_params(specs, params)
        self._options: dict[str, Any] = {
            "endpoint_url": endpoint_url,
            "retry": retry,
            "pacing": pacing,
            "max_concurrency": max_concurrency,
            "name_contains": name_contains,
        }
        self._discover = discover
        self.targets: list[_Target] = []
        for label, one in _sessions(session, profiles):
            for spec in specs:
                for region in _regions(regions, spec, one):
                    stream = _Stream(
                        spec=spec,
                        region=region,
                        account=label,
                        session=one,
                        params=by_spec[spec.name],
                    )
                    seed = (seeds or {}).get((spec.name, region), [])
                    state = StreamWatch(
                        _caps(spec),
                        report_existing=include_existing,
                        since=start,
                        overlap=WATCH_OVERLAP,
                        seed=[(self.key(stream, job), job) for job in seed],
                    )
                    self.targets.append(_Target(stream=stream, state=state))
        whole = sorted({t.stream.spec.name for t in self.targets if t.state.listed_whole})
        if whole:
            warnings.warn(
                f"jobkit watch: the APIs of {', '.join(whole)} neither sort nor filter by "
                "creation time, and a status filter cannot tell which jobs ended: each poll "
                "lists them whole (it still works, at more requests)",
                JobkitWarning,
                stacklevel=3,
            )
        self.stats = WatchStats()
        self.pacer = Pacer(
            interval=self.interval,
            deadline=(
                None if deadline is None else time.monotonic() + (deadline - now).total_seconds()
            ),
        )

    @staticmethod
    def key(stream: _Stream, job: Job) -> str:
        """The identity of ``job`` in ``stream``."""
        return job_key(job, scope_names=stream.spec.scope_names, account=stream.account)

    def plan(self) -> list[_Work]:
        """What each stream reads in the next poll."""
        work = []
        for target in self.targets:
            stream = target.stream
            fresh = (
                target.scopes is not None
                and target.scopes_at is not None
                and time.monotonic() - target.scopes_at < REDISCOVER.total_seconds()
            )
            scopes = target.scopes if fresh else None
            work.append(
                _Work(
                    target=target,
                    reads=tuple(target.state.plan()),
                    calls=tuple(_calls(stream, scopes)),
                    discover=self._discover and scopes is None,
                )
            )
        return work

    def listing_kwargs(self, work: _Work, read: Any, params: Mapping[str, Any]) -> dict[str, Any]:
        """The ``jobs()`` keywords of one read."""
        stream = work.target.stream
        return {
            "regions": [stream.region],
            "session": stream.session,
            "discover": work.discover,
            **self._options,
            **listing_arguments(read, params),
        }

    def absorb(self, outcomes: Sequence[_Outcome]) -> list[JobEvent]:
        """One poll's results: the events they make, in order."""
        observed = dt.datetime.now(dt.UTC)
        events: list[JobEvent] = []
        requests = 0
        for outcome in outcomes:
            target = outcome.work.target
            requests += outcome.requests
            if outcome.scopes is not None:
                target.scopes, target.scopes_at = outcome.scopes, time.monotonic()
            for job in outcome.jobs:
                event = target.state.observe(self.key(target.stream, job), job, observed)
                if event is not None:
                    events.append(event)
            for job in target.state.finish():
                log.info("jobkit watch: %s left the service before it ended", job.name or job.id)
        self.stats.polls += 1
        self.stats.requests += requests
        self.stats.per_poll.append(requests)
        self.stats.events += len(events)
        return order_events(events)

    def describe_plan(self, work: _Work) -> tuple[list[Call], dict[str, Any], str]:
        """The batch describe calls of a DESCRIBE read, the driver's keywords and the
        endpoint key: the same retry policy and shared limiters as the listings."""
        stream = work.target.stream
        ids = [ident for _, ident in work.target.state.open_ids()]
        calls = describe_calls(stream.spec, stream.region, ids)
        (account,) = resolve_accounts(session=stream.session)
        driver = {
            "account": account,
            "policy": self._options["retry"] or DEFAULT_POLICY,
            "stats": Stats(),
            "limiters": LIMITERS if self._options["pacing"] else None,
            "endpoint_url": self._options["endpoint_url"],
        }
        return calls, driver, endpoint_key(stream.spec.service, stream.region, stream.account)

    @staticmethod
    def described(
        work: _Work, response: Mapping[str, Any], stats: Stats, endpoint: str
    ) -> list[Job]:
        """The jobs a describe call returned, normalized as a listing's."""
        spec, region = work.target.stream.spec, work.target.stream.region
        assert spec.describe is not None
        items = list(response.get(spec.describe.result_key) or [])
        found, _ = read_page(spec, items, region=region, scope={}, stats=stats, endpoint=endpoint)
        return found

    @staticmethod
    def remember_scopes(work: _Work, cursor: Mapping[str, Any]) -> list[dict[str, str]] | None:
        """The scopes a complete discovering read found, to reuse."""
        stream = work.target.stream
        if work.discover and _discovers(stream):
            return _scopes_of(cursor, stream.spec)
        return None


class Watch(_Base, Iterator[JobEvent]):
    """The events of a watch, in a sync ``for`` loop (see ``jobkit.watch``). ``stats``
    counts polls, requests and events; ``close()`` (or ``with``) stops it."""

    def __init__(self, adapters: AdapterArg, **kwargs: Any) -> None:
        super().__init__(adapters, **kwargs)
        self._pending: collections.deque[JobEvent] = collections.deque()
        self._closed = threading.Event()
        workers = max(1, min(len(self.targets), self._options["max_concurrency"]))
        self._pool = concurrent.futures.ThreadPoolExecutor(workers, "jobkit-watch")

    def _describe(self, work: _Work, outcome: _Outcome) -> None:
        calls, options, endpoint = self.describe_plan(work)
        account = options.pop("account")
        driver = SyncDriver(session=sync_session_of(account), **options)
        try:
            for call in calls:
                response = driver.call(call, endpoint)
                outcome.jobs += self.described(work, response, options["stats"], endpoint)
        finally:
            driver.close()
            outcome.requests += options["stats"].requests

    def _read(self, work: _Work) -> _Outcome:
        outcome = _Outcome(work)
        for read in work.reads:
            if read.kind is ReadKind.DESCRIBE:
                self._describe(work, outcome)
                continue
            for params in work.calls:
                with jobs(
                    work.target.stream.spec.name, **self.listing_kwargs(work, read, params)
                ) as listing:
                    complete = True
                    progress = work.target.state.progress(read)
                    for job in listing:
                        if progress.stop_before(job.created):
                            complete = False
                            break
                        outcome.jobs.append(job)
                        if progress.complete_after(self.key(work.target.stream, job), job.created):
                            complete = False
                            break
                    outcome.requests += listing.stats.requests
                    if complete and read.kind is not ReadKind.MODIFIED:
                        outcome.scopes = self.remember_scopes(work, listing.cursor)
        return outcome

    def poll(self) -> list[JobEvent]:
        """Make one poll now; its events (also counted in ``stats``)."""
        self.pacer.start(time.monotonic())
        work = self.plan()
        outcomes = list(self._pool.map(self._read, work))
        return self.absorb(outcomes)

    @property
    def pending(self) -> int:
        """Events of the last poll not taken yet (0: the next one needs a new poll)."""
        return len(self._pending)

    def __iter__(self) -> Watch:
        return self

    def __next__(self) -> JobEvent:
        while not self._pending:
            if self._closed.is_set():
                raise StopIteration
            pause = self.pacer.wait(time.monotonic())
            if pause is None:
                self.close()
                raise StopIteration
            if pause > 0 and self._closed.wait(pause):
                raise StopIteration
            self._pending.extend(self.poll())
        return self._pending.popleft()

    def close(self) -> None:
        """Stop watching (also from another thread); the pool's threads end."""
        self._closed.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncWatch(_Base, AsyncIterator[JobEvent]):
    """The events of a watch, in an ``async for`` loop (see ``jobkit.awatch``)."""

    def __init__(self, adapters: AdapterArg, **kwargs: Any) -> None:
        super().__init__(adapters, **kwargs)
        self._pending: collections.deque[JobEvent] = collections.deque()
        self._closed = False
        self._limit = asyncio.Semaphore(max(1, self._options["max_concurrency"]))

    async def _describe(self, work: _Work, outcome: _Outcome) -> None:
        calls, options, endpoint = self.describe_plan(work)
        account = options.pop("account")
        driver = AsyncDriver(session=aio_session_of(account), **options)
        try:
            for call in calls:
                response = await driver.call(call, endpoint)
                outcome.jobs += self.described(work, response, options["stats"], endpoint)
        finally:
            await driver.aclose()
            outcome.requests += options["stats"].requests

    async def _read(self, work: _Work) -> _Outcome:
        outcome = _Outcome(work)
        async with self._limit:
            for read in work.reads:
                if read.kind is ReadKind.DESCRIBE:
                    await self._describe(work, outcome)
                    continue
                for params in work.calls:
                    name = work.target.stream.spec.name
                    async with ajobs(name, **self.listing_kwargs(work, read, params)) as listing:
                        complete = True
                        progress = work.target.state.progress(read)
                        async for job in listing:
                            if progress.stop_before(job.created):
                                complete = False
                                break
                            outcome.jobs.append(job)
                            key = self.key(work.target.stream, job)
                            if progress.complete_after(key, job.created):
                                complete = False
                                break
                        outcome.requests += listing.stats.requests
                        if complete and read.kind is not ReadKind.MODIFIED:
                            outcome.scopes = self.remember_scopes(work, listing.cursor)
        return outcome

    async def poll(self) -> list[JobEvent]:
        """Make one poll now; its events."""
        self.pacer.start(time.monotonic())
        outcomes = await asyncio.gather(*(self._read(w) for w in self.plan()))
        return self.absorb(outcomes)

    @property
    def pending(self) -> int:
        """Events of the last poll not taken yet (0: the next one needs a new poll)."""
        return len(self._pending)

    def __aiter__(self) -> AsyncWatch:
        return self

    async def __anext__(self) -> JobEvent:
        while not self._pending:
            if self._closed:
                raise StopAsyncIteration
            pause = self.pacer.wait(time.monotonic())
            if pause is None:
                self._closed = True
                raise StopAsyncIteration
            if pause > 0:
                await asyncio.sleep(pause)
            self._pending.extend(await self.poll())
        return self._pending.popleft()

    async def aclose(self) -> None:
        """Stop watching."""
        self._closed = True

    async def __aenter__(self) -> AsyncWatch:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def watch(
    adapters: AdapterArg = None,
    *,
    regions: RegionArg = None,
    params: ParamsArg = None,
    session: boto3.Session | Sequence[boto3.Session] | None = None,
    profiles: Sequence[str] | None = None,
    name_contains: str | None = None,
    since: TimeArg = None,
    interval: float = DEFAULT_INTERVAL,
    until: TimeArg | float = None,
    include_existing: bool = False,
    endpoint_url: str | None = None,
    retry: RetryPolicy | None = None,
    pacing: bool = True,
    discover: bool = True,
    max_concurrency: int = 8,
) -> Watch:
    """Watch jobs: yield a ``JobEvent`` whenever a job appears or changes status.

    The selection is that of ``jobs()``: ``adapters``, ``regions``, ``params``, ``session``
    / ``profiles`` (several accounts), ``name_contains``; ``since`` limits the first poll to
    jobs created since then (None: every job the services keep). A poll starts every
    ``interval`` seconds (at least 1 s against AWS, 0.01 s against a loopback endpoint such
    as the emulator) until ``until`` (a datetime, a timedelta or seconds from now, or "30m";
    None: until closed). ``include_existing``: report the jobs found by the first poll as
    ``new`` (False: they are the baseline; only later changes are reported).

    Each change is reported once per job, in order; a job that went through two statuses
    between two polls is reported with the status it has when seen. Each poll reads only
    what can have changed (see docs/watch.md); adapters whose API can neither sort nor
    filter by time are listed whole at every poll (one warning says so).
    """
    return Watch(
        adapters,
        regions=regions,
        params=params,
        session=session,
        profiles=profiles,
        name_contains=name_contains,
        since=since,
        interval=interval,
        until=until,
        include_existing=include_existing,
        endpoint_url=endpoint_url,
        retry=retry,
        pacing=pacing,
        discover=discover,
        max_concurrency=max_concurrency,
    )


def awatch(
    adapters: AdapterArg = None,
    *,
    regions: RegionArg = None,
    params: ParamsArg = None,
    session: boto3.Session | Sequence[boto3.Session] | None = None,
    profiles: Sequence[str] | None = None,
    name_contains: str | None = None,
    since: TimeArg = None,
    interval: float = DEFAULT_INTERVAL,
    until: TimeArg | float = None,
    include_existing: bool = False,
    endpoint_url: str | None = None,
    retry: RetryPolicy | None = None,
    pacing: bool = True,
    discover: bool = True,
    max_concurrency: int = 8,
) -> AsyncWatch:
    """``watch()`` in ``async for`` (same arguments; ``session`` is a boto3 Session, whose
    profile and region are used)."""
    return AsyncWatch(
        adapters,
        regions=regions,
        params=params,
        session=session,
        profiles=profiles,
        name_contains=name_contains,
        since=since,
        interval=interval,
        until=until,
        include_existing=include_existing,
        endpoint_url=endpoint_url,
        retry=retry,
        pacing=pacing,
        discover=discover,
        max_concurrency=max_concurrency,
    )


# --------------------------------------------------------------------------- waiting


class _Waiting:
    """What ``wait()`` and ``await_jobs()`` share: the items, and after each poll whether
    every one of them has ended."""

    def __init__(
        self,
        jobs_or_names: Job | str | Sequence[Job | str],
        adapters: AdapterArg,
        timeout: float | None,
    ) -> None:
        items = [jobs_or_names] if isinstance(jobs_or_names, Job | str) else list(jobs_or_names)
        if not items:
            raise UsageError("nothing to wait for", hint="pass Job objects or job names")
        for item in items:
            if not isinstance(item, Job | str) or (isinstance(item, str) and not item):
                raise UsageError(
                    f"{item!r} is neither a Job nor a job name",
                    hint="pass the Job objects a listing returned, or names with adapters=",
                )
        names = [i for i in items if isinstance(i, str)]
        given = [i for i in items if isinstance(i, Job)]
        if names and adapters is None:
            raise UsageError(
                "waiting for jobs by name needs the adapter(s) they belong to",
                hint="e.g. wait(['my-job'], adapters='sagemaker.processing')",
            )
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0
        ):
            raise UsageError(
                f"timeout={timeout!r} is not a positive number of seconds",
                hint="e.g. timeout=3600, or None to wait as long as it takes",
            )
        self.items = items
        self.timeout = timeout
        seeds: dict[tuple[str, str], list[Job]] = {}
        for job in given:
            seeds.setdefault((job.adapter, job.region), []).append(job)
        self.seeds = seeds
        self.adapters: list[str] = sorted(
            {j.adapter for j in given}
            | {s.name for s in (resolve_adapters(adapters) if names else [])}  # type: ignore[arg-type]
        )
        self.regions: list[str] | None = sorted({j.region for j in given}) if given else None

    def resolve(self, watch: _Base) -> tuple[list[Job], list[Job], list[str]]:
        """After a poll: the jobs (as last seen) that ended, those still running, and the
        items not found."""
        by_name: dict[str, Job] = {}
        for target in watch.targets:
            for seen in target.state.seen.values():
                if seen.job.name is not None and not seen.gone:
                    by_name.setdefault(seen.job.name, seen.job)
        done: list[Job] = []
        running: list[Job] = []
        missing: list[str] = []
        for item in self.items:
            found: Job | None
            if isinstance(item, str):
                found = by_name.get(item)
            else:
                found = None
                for target in watch.targets:
                    if (
                        target.stream.spec.name != item.adapter
                        or target.stream.region != item.region
                    ):
                        continue
                    key = watch.key(target.stream, item)
                    if target.state.is_gone(key):
                        break
                    found = target.state.job(key)
                    if found is not None:
                        break
            if found is None:
                missing.append(item if isinstance(item, str) else str(item.name or item.id))
            elif found.status.is_terminal:
                done.append(found)
            else:
                running.append(found)
        return done, running, missing

    def finished(self, watch: _Base) -> list[Job] | None:
        """The final jobs in the given order once every one has ended; None before. Raises
        JobNotFoundError for items the poll did not find."""
        done, running, missing = self.resolve(watch)
        if missing:
            raise JobNotFoundError(missing)
        if running:
            return None
        return done

    @staticmethod
    def pause(watch: _Base) -> float | None:
        """Seconds until the next poll; the last one is made at the timeout itself. None
        once the timeout has passed."""
        now = time.monotonic()
        pacer = watch.pacer
        if pacer.expired(now):
            return None
        pause = pacer.wait(now)
        if pause is None:
            assert pacer.deadline is not None
            return pacer.deadline - now
        return pause

    def timed_out(self, watch: _Base) -> WaitTimeoutError:
        """The error of a timeout, with the jobs still running."""
        done, running, _ = self.resolve(watch)
        assert self.timeout is not None
        return WaitTimeoutError(self.timeout, running, done)


def _wait_kwargs(
    waiting: _Waiting,
    *,
    regions: RegionArg,
    params: ParamsArg,
    session: Any,
    profiles: Any,
    interval: float,
    endpoint_url: str | None,
    retry: RetryPolicy | None,
    pacing: bool,
    discover: bool,
    max_concurrency: int,
) -> dict[str, Any]:
    return {
        "regions": regions if regions is not None else waiting.regions,
        "params": params,
        "session": session,
        "profiles": profiles,
        "name_contains": None,
        "since": None,
        "interval": interval,
        "until": None,
        "include_existing": False,
        "endpoint_url": endpoint_url,
        "retry": retry,
        "pacing": pacing,
        "discover": discover,
        "max_concurrency": max_concurrency,
        "seeds": waiting.seeds,
    }


def wait(
    jobs_or_names: Job | str | Sequence[Job | str],
    *,
    adapters: AdapterArg = None,
    regions: RegionArg = None,
    params: ParamsArg = None,
    session: boto3.Session | Sequence[boto3.Session] | None = None,
    profiles: Sequence[str] | None = None,
    timeout: float | None = None,
    interval: float = DEFAULT_INTERVAL,
    endpoint_url: str | None = None,
    retry: RetryPolicy | None = None,
    pacing: bool = True,
    discover: bool = True,
    max_concurrency: int = 8,
) -> list[Job]:
    """Return when every given job has ended (a terminal status), with the final ``Job``s
    in the given order.

    ``jobs_or_names``: ``Job`` objects (from a listing; their adapter and region say where
    to look) or job names (then ``adapters=`` says which adapters, ``regions=`` which
    regions). Polls every ``interval`` seconds, reading only what can have changed, as
    ``watch()`` does. ``timeout`` (seconds, None: no limit): raises ``WaitTimeoutError``,
    whose ``running`` holds the jobs still running. A job the first poll does not find
    raises ``JobNotFoundError`` naming it.
    """
    waiting = _Waiting(jobs_or_names, adapters, timeout)
    given = [i for i in waiting.items if isinstance(i, Job)]
    if len(given) == len(waiting.items) and all(j.status.is_terminal for j in given):
        return given
    began = time.monotonic()
    watcher = Watch(
        waiting.adapters,
        **_wait_kwargs(
            waiting,
            regions=regions,
            params=params,
            session=session,
            profiles=profiles,
            interval=interval,
            endpoint_url=endpoint_url,
            retry=retry,
            pacing=pacing,
            discover=discover,
            max_concurrency=max_concurrency,
        ),
    )
    if timeout is not None:
        watcher.pacer.deadline = began + timeout
    with watcher:
        while True:
            watcher.poll()
            final = waiting.finished(watcher)
            if final is not None:
                return final
            pause = waiting.pause(watcher)
            if pause is None:
                raise waiting.timed_out(watcher)
            time.sleep(pause)


async def await_jobs(
    jobs_or_names: Job | str | Sequence[Job | str],
    *,
    adapters: AdapterArg = None,
    regions: RegionArg = None,
    params: ParamsArg = None,
    session: boto3.Session | Sequence[boto3.Session] | None = None,
    profiles: Sequence[str] | None = None,
    timeout: float | None = None,
    interval: float = DEFAULT_INTERVAL,
    endpoint_url: str | None = None,
    retry: RetryPolicy | None = None,
    pacing: bool = True,
    discover: bool = True,
    max_concurrency: int = 8,
) -> list[Job]:
    """``wait()`` in ``await`` (same arguments; the twin of ``wait``: ``await`` itself is a
    Python keyword)."""
    waiting = _Waiting(jobs_or_names, adapters, timeout)
    given = [i for i in waiting.items if isinstance(i, Job)]
    if len(given) == len(waiting.items) and all(j.status.is_terminal for j in given):
        return given
    began = time.monotonic()
    watcher = AsyncWatch(
        waiting.adapters,
        **_wait_kwargs(
            waiting,
            regions=regions,
            params=params,
            session=session,
            profiles=profiles,
            interval=interval,
            endpoint_url=endpoint_url,
            retry=retry,
            pacing=pacing,
            discover=discover,
            max_concurrency=max_concurrency,
        ),
    )
    if timeout is not None:
        watcher.pacer.deadline = began + timeout
    async with watcher:
        while True:
            await watcher.poll()
            final = waiting.finished(watcher)
            if final is not None:
                return final
            pause = waiting.pause(watcher)
            if pause is None:
                raise waiting.timed_out(watcher)
            await asyncio.sleep(pause)
