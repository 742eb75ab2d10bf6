"""The iterators a listing returns: ``JobIterator`` (sync) and ``AsyncJobIterator``.

``Listing`` holds what both share: planning every discovery and stream into one scheduler
(decided in ``jobkit.core.plan``), the stats, the cursor, failures and skipped regions. The
two iterators only make their drivers and run the scheduler with them.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import functools
import logging
import threading
import time
import warnings
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Callable,
    Collection,
    Generator,
    Iterator,
    Sequence,
)
from typing import Any, TypeVar

from jobkit.accounts import Account, aio_session_of, default_region, sync_session_of
from jobkit.core.availability import PLANNED_SKIPS, Skipped
from jobkit.core.fanout import Failure, Scheduler
from jobkit.core.flows import listing_flow
from jobkit.core.limiter import LimiterRegistry
from jobkit.core.plan import (
    ListingPart,
    choose_regions,
    discover_scopes,
    endpoint_key,
    missing_scopes,
    plan_streams,
)
from jobkit.core.spec import AdapterSpec
from jobkit.core.stats import Stats
from jobkit.drivers._clients import SYNC_CLIENTS
from jobkit.drivers._config import available_regions, partition_of
from jobkit.drivers.aio import AsyncDriver
from jobkit.drivers.aio import run_scheduler as aio_run
from jobkit.drivers.base import BaseDriver, Drivers
from jobkit.drivers.sync import SyncDriver
from jobkit.drivers.sync import run_scheduler as sync_run
from jobkit.errors import JobkitError, JobkitWarning
from jobkit.model import Job
from jobkit.options import ListingOptions
from jobkit.present.joblist import JobList
from jobkit.present.progress import make_progress

__all__ = ["LIMITERS", "AsyncJobIterator", "JobIterator", "Listing"]

log = logging.getLogger("jobkit")

#: Limiters are shared by every listing in the process that talks to the same endpoint.
LIMITERS = LimiterRegistry(clock=time.monotonic)


D = TypeVar("D", bound=BaseDriver)


def drivers_of(
    accounts: Sequence[Account], make: Callable[[Account, dict[Account, Any]], D]
) -> Drivers[D]:
    """A listing's drivers: made on each account's first call, but at once for accounts
    without a role (cheap cached sessions whose errors belong before the listing), with
    role-chain sessions shared by the accounts."""
    vias: dict[Account, Any] = {}
    return Drivers(
        lambda account: make(account, vias),
        {account.label: account for account in accounts},
        eager={account.label for account in accounts if account.role_arn is None},
    )


def warm_clients(
    options: ListingOptions, accounts: Sequence[Account], pairs: Collection[tuple[str, str]]
) -> threading.Thread | None:
    """Start making, on a thread, the clients a sync listing of ``accounts`` will ask for
    (``pairs`` of service and region), for the accounts whose clients jobkit keeps (sessions
    it made itself: ``jobkit.drivers._clients``); None when there are none. The caller's own
    set-up overlaps their creation (2-14 ms of CPU each; a sync opens its store and plans
    meanwhile, and DuckDB releases the GIL), and the listing finds them kept. An error is
    left for the listing, which makes the same call and raises it."""
    # An account assuming a role would assume it here (a request): left to the listing.
    plain = [a for a in accounts if a.role_arn is None]
    if not plain or not pairs:
        return None

    def make() -> None:
        for account in plain:
            try:
                session = sync_session_of(account)
                if not SYNC_CLIENTS.adopted(session):
                    continue  # a session passed in: its clients are its listing's own
                driver = SyncDriver(session=session, **Listing._driver_options(options, Stats()))
                try:
                    for service, region in pairs:
                        driver.client(service, region)
                finally:
                    driver.close()  # hands the kept clients back; closes none of them
            except Exception:
                continue

    thread = threading.Thread(target=make, name="jobkit-warm-clients", daemon=True)
    thread.start()
    return thread


class Listing:
    """What the sync and async iterators share: planning streams into a scheduler, the
    stats, the cursor and the failures. The iterators only run the scheduler."""

    def __init__(
        self,
        options: ListingOptions,
        accounts: Sequence[Account],
        first: BaseDriver,
    ) -> None:
        self.options = options
        self.stats: Stats = first.stats
        self._accounts = [account.label for account in accounts]
        self._default_region = default_region(first.session)
        self._regions = options.regions_or(self._default_region)
        options.cursor.record(regions=list(self._regions), accounts=self._accounts)
        self._progress = make_progress(options.progress)
        self._skipped_early: list[Skipped] = []  # skipped before any call (region, scope)
        self._scheduler = Scheduler(
            cursor=options.cursor,
            order=options.query.order,
            limit=options.query.limit,
            max_in_flight=options.max_concurrency,
            errors=options.errors,
            on_page=self._page_done,
            stats=self.stats,
        )

    @staticmethod
    def _driver_options(options: ListingOptions, stats: Stats) -> dict[str, Any]:
        """The keyword arguments of every driver of a listing, but its session."""
        return {
            "policy": options.retry,
            "stats": stats,
            "limiters": LIMITERS if options.pacing else None,
            "endpoint_url": options.endpoint_url,
            "max_connections": max(10, options.max_concurrency),
        }

    @property
    def failures(self) -> list[Failure]:
        """Streams that failed under ``errors="warn"`` or ``"collect"``, with their errors."""
        return list(self._scheduler.failures)

    @property
    def skipped(self) -> list[Skipped]:
        """Streams not listed because they are unavailable (access denied, region not
        enabled or not offered, a discovered scope gone, ...), each with its reason and
        error; empty under ``errors="raise"``, where they stop the listing instead."""
        return self._skipped_early + self._scheduler.skipped

    @property
    def cursor(self) -> dict[str, Any]:
        """Where the listing stands, per stream: pass it as ``cursor=`` to resume.

        JSON-serializable; valid at any moment, also after an error or a ``break``. An
        ordered listing's cursor resumes the same order (``order=`` must match).
        """
        return self.options.cursor.snapshot(self.options.query)

    def _page_done(self) -> None:
        if self._progress is not None:
            self._progress.update(self.stats)

    def _end(self) -> None:
        if self._progress is not None:
            self._progress.close()
        # One warning for the whole listing, not one per stream, for the streams the account
        # said no to; a region without the service, or an adapter nobody named whose scope no
        # API lists, is a fact of the plan: listed in .skipped and counted, not warned about.
        skipped = [one for one in self.skipped if one.reason not in PLANNED_SKIPS]
        if skipped:
            reasons = collections.Counter(one.reason for one in skipped)
            summary = ", ".join(f"{n} {reason}" for reason, n in reasons.most_common())
            warnings.warn(
                f"jobkit skipped {len(skipped)} unavailable stream(s) ({summary}); "
                "see the iterator's .skipped for each one and its error",
                JobkitWarning,
                stacklevel=3,
            )

    def _regions_of(self, spec: AdapterSpec) -> list[str]:
        chosen, not_offered = choose_regions(
            self._regions,
            available_regions(spec.service),
            available_regions(spec.service, partition_of(self._default_region)),
        )
        for account in self._accounts:
            self._skip(spec, not_offered, account, "not-offered")
        return chosen

    def _skip(
        self, spec: AdapterSpec, regions: Sequence[str], account: str | None, reason: str
    ) -> None:
        """Report streams that are not listed for a reason known before any call."""
        for region in regions:
            self._skipped_early.append(
                Skipped(adapter=spec.name, region=region, account=account, scope={}, reason=reason)
            )
            self.stats.count(skipped=1)
            log.info("jobkit: %s in %s skipped: %s", spec.name, region, reason)

    def _plan(self) -> Scheduler:
        """Put every discovery (and through it every stream) into the scheduler."""
        options = self.options
        if options.parts is not None:
            for part in options.parts:
                self._add_part(part)
            return self._scheduler
        regions = {spec.name: self._regions_of(spec) for spec in options.specs}
        for account in self._accounts:
            for spec in options.specs:
                given = options.scopes[spec.name]
                if options.every_adapter and missing_scopes(
                    spec, given, discover=options.discover, every=True
                ):
                    # Not named, and no API lists its parents (or listing them is unbounded):
                    # reported, not an error.
                    self._skip(spec, regions[spec.name], account, "scope-required")
                    continue
                for region in regions[spec.name]:
                    self._add_part(
                        ListingPart(
                            spec=spec,
                            region=region,
                            account=account,
                            query=options.query,
                            scopes=given,
                            extras=options.extras[spec.name],
                        )
                    )
        return self._scheduler

    def _add_part(self, part: ListingPart) -> None:
        """Discover the scopes of ``part`` (unless known) and add its streams."""
        if part.known is not None:
            self._add_streams(part, [dict(scope) for scope in part.known])
            return
        flow = discover_scopes(part.spec, part.region, part.scopes, discover=self.options.discover)
        self._scheduler.add_discovery(
            flow,
            adapter=part.spec.name,
            region=part.region,
            account=part.account,
            endpoint=endpoint_key(part.spec.service, part.region, part.account),
            on_done=functools.partial(self._add_streams, part),
        )

    @property
    def released_from(self) -> str | None:
        """The stream key of the job yielded last (a listing of several parts tells them
        apart by it: the key's first three items are the adapter, region and account)."""
        return self._scheduler.released_from

    def _add_streams(self, part: ListingPart, scopes: list[dict[str, str]]) -> None:
        options = self.options
        spec, region, account = part.spec, part.region, part.account
        planned = plan_streams(
            spec,
            region,
            scopes,
            query=part.query,
            params=part.extras,
            account=account,
            shards=options.shards,
            now=dt.datetime.now(dt.UTC),
        )
        given = part.scopes
        for plan in planned:
            stream = plan.stream
            start = options.cursor.start_of(stream.key)
            if start is None:
                continue
            self.stats.count(streams=1)
            token, skip = start
            pager = stream.pager(token, page_size=part.page_size or options.page_size)
            flow = listing_flow(
                stream, pager, self.stats, skip=skip, query=plan.query, stop_below=part.stop_below
            )
            self._scheduler.add_stream(
                flow,
                key=stream.key,
                adapter=spec.name,
                region=region,
                account=account,
                endpoint=stream.endpoint,
                server_sorted=plan.server_sorted,
                after=options.cursor.after_of(stream.key),
                scope=stream.scope,
                discovered=any(name not in given for name in stream.scope),
            )

    def _failed(self, error: JobkitError) -> None:
        """Attach the resume point to an error that stops the listing; the hint mentions it
        only where resuming helps (some jobs were listed, or some streams finished)."""
        if error.cursor is None:
            error.cursor = self.cursor
            if self.options.cursor.positions:
                resume = "resume where it stopped with jobs(..., cursor=error.cursor)"
                error.hint = f"{error.hint}; {resume}" if error.hint else resume


class JobIterator(Listing, Iterator[Job]):
    """The jobs of one listing, in a sync ``for`` loop.

    ``stats`` counts requests, pages, jobs, retries and throttles while it runs; ``cursor``
    says where it stands; ``failures`` lists streams that failed under errors="warn" or
    "collect". Close it (or use it as a context manager, or exhaust it) to stop its threads
    and release its connections.
    """

    def __init__(self, options: ListingOptions, accounts: Sequence[Account]) -> None:
        stats = Stats(on_retry=options.on_retry)
        shared = self._driver_options(options, stats)
        shared["init_gate"] = threading.BoundedSemaphore(options.max_initializing)
        self._drivers = drivers_of(
            accounts,
            lambda account, vias: SyncDriver(session=sync_session_of(account, vias), **shared),
        )
        super().__init__(options, accounts, self._drivers[accounts[0].label])
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


class AsyncJobIterator(Listing, AsyncIterator[Job]):
    """The jobs of one listing, in an ``async for`` loop (see ``JobIterator``)."""

    def __init__(self, options: ListingOptions, accounts: Sequence[Account]) -> None:
        stats = Stats(on_retry=options.on_retry)
        shared = self._driver_options(options, stats)
        shared["init_gate"] = asyncio.Semaphore(options.max_initializing)
        self._drivers = drivers_of(
            accounts,
            lambda account, vias: AsyncDriver(session=aio_session_of(account, vias), **shared),
        )
        super().__init__(options, accounts, self._drivers[accounts[0].label])
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
