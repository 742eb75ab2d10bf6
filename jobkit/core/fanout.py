"""Many streams at once, without I/O: which calls to make next, which job comes next.

``Scheduler`` holds the flows of every stream (and of every scope discovery) of a listing.
The drivers ask it for ``submissions()`` (calls to start, never more than ``max_in_flight`` at
once), run them concurrently (threads or tasks), hand each outcome to ``complete()``, and yield
what ``take()`` releases. Everything that decides lives here, so the sync and async drivers
behave the same:

- unordered listings release pages in the order they arrive, each stream prefetching one page
  while the caller consumes (bounded by ``max_buffered`` pages in all);
- ordered listings (``order=``) merge the streams lazily (``core.merge``): a stream the
  service sorts is read one page at a time, only when the merge needs its next job, so
  ``limit=k`` reads no page it does not need; a stream the service cannot sort is read to its
  end and sorted in memory;
- a stream the account may not read (access denied, region not enabled, a discovered scope
  deleted meanwhile: ``core.availability``) is skipped and listed in ``skipped``, except under
  ``errors="raise"``; ``errors="skip"`` (the default) and ``"raise"`` stop at the first failed
  stream; ``"warn"`` and ``"collect"`` record the failure (``failures``) and go on.
"""

from __future__ import annotations

import enum
import itertools
import logging
import warnings
from collections import deque
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import Any, Literal, get_args

import attrs

from jobkit.core.availability import Skipped, unavailable_reason
from jobkit.core.cursor import CursorState, Page
from jobkit.core.merge import Item, merge, merge_key
from jobkit.core.plan import Call
from jobkit.core.query import Order
from jobkit.core.stats import EndpointStats, Stats
from jobkit.errors import JobkitError, JobkitWarning, PaginationError
from jobkit.model import Job

__all__ = ["ERROR_MODES", "ErrorMode", "Failure", "Next", "Scheduler", "Submission"]

log = logging.getLogger("jobkit")

#: What a failed stream does to the listing. "skip" (the default): an *unavailable* stream
#: (``core.availability``) is skipped and reported, any other failure stops the listing;
#: "raise": both stop it; "warn" / "collect": failures are recorded (and warned about) and the
#: others go on, unavailable streams are skipped.
ErrorMode = Literal["skip", "raise", "warn", "collect"]
ERROR_MODES: tuple[ErrorMode, ...] = get_args(ErrorMode)


class Next(enum.Enum):
    """What a driver's run loop does next, as ``Scheduler.decide()`` answers it."""

    FINISHED = "finished"  # nothing left to call or release: return
    AGAIN = "again"  # something changed: release what is ready, then decide again
    WAIT = "wait"  # calls are in flight and nothing is ready: wait for one to complete


@attrs.frozen
class Submission:
    """A call the driver should start now; report its outcome with ``ticket``."""

    ticket: int
    call: Call
    endpoint: str
    account: str | None


@attrs.frozen
class Failure:
    """A stream (or a discovery) that failed under ``errors="warn"`` or ``"collect"``."""

    adapter: str
    region: str
    account: str | None
    stream: str | None  # the stream key (None for a discovery)
    error: JobkitError


@attrs.define(eq=False)
class _Lane:
    """One flow in the scheduler: a stream's listing, or a discovery."""

    flow: Generator[Any, Any, Any]
    adapter: str
    region: str
    account: str | None
    endpoint: str
    key: str | None = None  # stream key; None for a discovery
    server_sorted: bool = False
    on_done: Callable[[Any], None] | None = None  # a discovery's result goes here
    pending: Call | None = None  # the call the flow waits on, not yet submitted
    in_flight: bool = False
    needs_step: bool = True  # the flow wants send(None): first step, or after a page
    done: bool = False
    failed: bool = False
    pages: deque[Page] = attrs.field(factory=deque)  # pages not yet released
    merged: deque[Item] = attrs.field(factory=deque)  # ordered mode: jobs not yet merged
    sorted_once: bool = False  # an unsorted stream, read in full, has been sorted
    after: tuple[float, int] | None = None  # ordered resume watermark of an unsorted stream
    counters: EndpointStats | None = None  # the endpoint's counters (released jobs)
    scope: Mapping[str, str] = attrs.field(factory=dict)  # the stream's scope values
    discovered: bool = False  # some of the scope values came from discovery

    @property
    def ended(self) -> bool:
        """No more jobs will come from this lane (done, or failed under warn/collect)."""
        return self.done or self.failed


class Scheduler:
    """The sans-I/O core of a concurrent listing (see the module docstring)."""

    def __init__(
        self,
        *,
        cursor: CursorState,
        order: Order | None = None,
        limit: int | None = None,
        max_in_flight: int = 8,
        errors: ErrorMode = "skip",
        max_buffered: int | None = None,
        on_page: Callable[[], None] | None = None,
        stats: Stats | None = None,
    ) -> None:
        self.cursor = cursor
        self.order = order
        self.limit = limit
        self.max_in_flight = max_in_flight
        self.errors = errors
        self.max_buffered = max_buffered or 2 * max_in_flight
        self.on_page = on_page
        self.stats = stats or Stats()
        self.failures: list[Failure] = []
        self.skipped: list[Skipped] = []
        self.yielded = 0
        self._lanes: list[_Lane] = []
        # Kept up to date so that no step scans every lane (an organization has thousands):
        # Lanes not ended, per account, accounts in the order they first appeared: calls go
        # to the oldest account's lanes first, so an organization is listed account after
        # account (its clients closed as each ends), not every account's discovery at once.
        self._live: dict[str | None, dict[_Lane, None]] = {}
        self._unsettled: dict[_Lane, None] = {}  # ended stream lanes the cursor has not closed
        self._discoveries_open = 0
        self._idle_accounts: list[str | None] = []  # no lane left: their clients may go
        self._tickets: dict[int, _Lane] = {}
        self._counter = itertools.count()
        self._arrivals: deque[tuple[_Lane, Page]] = deque()
        self._stopped = False
        self._version = 0  # bumped whenever a call completes, a flow steps, a job is released
        self._checked = -1
        #: The stream key of the job ``take()`` released last (read by the consumer, the
        #: only thread that takes): a listing of several selections tells them apart by it.
        self.released_from: str | None = None

    # ------------------------------------------------------------------ building

    def add_discovery(
        self,
        flow: Generator[Call, Mapping[str, Any], Any],
        *,
        adapter: str,
        region: str,
        account: str | None,
        endpoint: str,
        on_done: Callable[[Any], None],
    ) -> None:
        """Run a discovery flow; ``on_done`` receives its result (and may add streams)."""
        self._add(_Lane(flow, adapter, region, account, endpoint, on_done=on_done))

    def add_stream(
        self,
        flow: Generator[Any, Any, None],
        *,
        key: str,
        adapter: str,
        region: str,
        account: str | None,
        endpoint: str,
        server_sorted: bool = False,
        after: tuple[float, int] | None = None,
        scope: Mapping[str, str] | None = None,
        discovered: bool = False,
    ) -> None:
        """Run a stream's listing flow (``after``: the watermark an unsorted stream of an
        ordered listing resumes after; ``scope``: its scope values, ``discovered`` when some
        came from discovery)."""
        self._add(
            _Lane(
                flow,
                adapter,
                region,
                account,
                endpoint,
                key=key,
                server_sorted=server_sorted,
                after=after,
                counters=self.stats.endpoint(endpoint),
                scope=dict(scope or {}),
                discovered=discovered,
            )
        )

    def _add(self, lane: _Lane) -> None:
        self._lanes.append(lane)
        self._live.setdefault(lane.account, {})[lane] = None
        if lane.key is None:
            self._discoveries_open += 1
        self._version += 1

    def _ended(self, lane: _Lane) -> None:
        """Book-keeping once a lane is done or failed (a discovery's streams are added
        before it ends, so an account runs out of lanes only when it is finished)."""
        lanes = self._live.get(lane.account, {})
        if lane not in lanes:
            return  # booked already
        del lanes[lane]
        if lane.key is None:
            self._discoveries_open -= 1
        else:
            self._unsettled[lane] = None
        if not lanes:
            del self._live[lane.account]
            self._idle_accounts.append(lane.account)

    def idle_accounts(self) -> list[str | None]:
        """Accounts whose every lane has ended since the last call: no call of theirs will
        follow, so a driver may close their clients (an organization of hundreds of accounts
        would otherwise hold every account's clients to the end)."""
        out, self._idle_accounts = self._idle_accounts, []
        return out

    # ------------------------------------------------------------------ state

    @property
    def in_flight(self) -> int:
        """Calls submitted and not yet completed."""
        return len(self._tickets)

    @property
    def version(self) -> int:
        """Changes whenever a call completes, a flow steps or a job is released: a driver
        waiting for progress compares it before and after."""
        return self._version

    @property
    def finished(self) -> bool:
        """True when nothing is left to call or to release."""
        if self._stopped:
            return True
        return not self._live and not self._arrivals and not self._unsettled

    def check_progress(self) -> None:
        """Called when no call is in flight: raise if nothing changed since the last check,
        so that a scheduling bug fails loudly instead of hanging the caller."""
        if self._version == self._checked:
            raise PaginationError("the listing stalled with no call in flight (a jobkit bug)")
        self._checked = self._version

    def decide(self, seen: int) -> tuple[Next, list[Submission]]:
        """What a driver does after releasing what ``take()`` gave (``seen``: the
        ``version`` before that): the answer, and the calls to start now.

        Raises PaginationError when nothing is in flight and nothing changed twice in a row
        (a stalled listing fails loudly instead of hanging the caller).
        """
        if self.finished:
            return Next.FINISHED, []
        subs = self.submissions()
        if self._version != seen:
            return Next.AGAIN, subs
        if self.in_flight == 0:
            self.check_progress()
            return Next.AGAIN, subs
        return Next.WAIT, subs

    def stop(self) -> None:
        """Stop the listing (limit reached, or the caller closed it)."""
        self._stopped = True

    # ------------------------------------------------------------------ stepping flows

    def _discovering(self) -> bool:
        return self._discoveries_open > 0

    def _may_step(self, lane: _Lane) -> bool:
        """Whether a lane that just delivered a page may fetch its next one now."""
        if lane.key is None or (not lane.pages and not lane.merged):
            return True
        if self.order is None:
            if self.limit is not None:
                # Prefetch only while the jobs in hand fall short of the limit.
                in_hand = sum(len(page.jobs) for _, page in self._arrivals)
                if self.yielded + in_hand >= self.limit:
                    return False
            return len(self._arrivals) < self.max_buffered
        # Ordered: a sorted stream fetches only when the merge has used up what it has; an
        # unsorted one must be read to its end before it can take part.
        return not lane.server_sorted

    def _step(self, lane: _Lane, reply: Mapping[str, Any] | None) -> None:
        self._version += 1
        lane.needs_step = False
        try:
            item = lane.flow.send(reply)
        except StopIteration as stop:
            lane.done = True
            try:
                if lane.on_done is not None:
                    lane.on_done(stop.value)
            finally:
                self._ended(lane)
            return
        except JobkitError as error:
            self._fail(lane, error)
            return
        if isinstance(item, Call):
            lane.pending = item
            return
        page: Page = item
        lane.needs_step = True
        if self.on_page is not None:
            self.on_page()
        if self.order is None:
            lane.pages.append(page)
            self._arrivals.append((lane, page))
        else:
            lane.merged.extend(zip(page.jobs, itertools.repeat(page.start), page.ends))

    def _fail(self, lane: _Lane, error: JobkitError) -> None:
        lane.failed = True
        lane.pending = None
        self._ended(lane)
        reason = unavailable_reason(error, discovered_scope=lane.discovered)
        if reason is not None and self.errors != "raise":
            skipped = Skipped(
                adapter=lane.adapter,
                region=lane.region,
                account=lane.account,
                scope=dict(lane.scope),
                reason=reason,
                error=error,
            )
            self.skipped.append(skipped)
            self.stats.count(skipped=1)
            log.info("jobkit: skipped %s (%s)", skipped, error.message)
            return
        if self.errors in ("raise", "skip"):
            raise error
        failure = Failure(lane.adapter, lane.region, lane.account, lane.key, error)
        self.failures.append(failure)
        log.info("jobkit: %s in %s failed: %s", lane.adapter, lane.region, error.message)
        if self.errors == "warn":
            warnings.warn(
                f"{lane.adapter} in {lane.region} failed and was skipped: {error}",
                JobkitWarning,
                stacklevel=2,
            )

    def submissions(self) -> list[Submission]:
        """Calls to start now, within the in-flight bound."""
        out: list[Submission] = []
        if self._stopped:
            return out
        for lane in [lane for lanes in self._live.values() for lane in lanes]:
            if self.in_flight >= self.max_in_flight:  # counts the tickets handed out below
                break
            if lane.done or lane.failed or lane.in_flight:
                continue
            if lane.pending is None and lane.needs_step and self._may_step(lane):
                self._step(lane, None)
            if lane.pending is not None and not lane.in_flight:
                ticket = next(self._counter)
                self._tickets[ticket] = lane
                lane.in_flight = True
                out.append(Submission(ticket, lane.pending, lane.endpoint, lane.account))
        return out

    def complete(
        self,
        ticket: int,
        *,
        response: Mapping[str, Any] | None = None,
        error: JobkitError | None = None,
    ) -> None:
        """Report the outcome of a submitted call (after the driver's retries)."""
        self._version += 1
        lane = self._tickets.pop(ticket)
        lane.in_flight = False
        lane.pending = None
        if error is not None:
            self._fail(lane, error)
            return
        self._step(lane, response)

    def complete_and_continue(
        self,
        ticket: int,
        *,
        response: Mapping[str, Any] | None = None,
        error: JobkitError | None = None,
    ) -> list[Submission]:
        """``complete()``, then the ``submissions()`` it unlocked: what a driver's worker does
        when its call returns, so the stream's next call starts without a hand-off."""
        self.complete(ticket, response=response, error=error)
        return self.submissions()

    # ------------------------------------------------------------------ releasing jobs

    def take(self) -> Iterator[Job]:
        """The jobs that may be released now, in order; marks the cursor before each."""
        if self._stopped:
            return
        if self.order is None:
            yield from self._take_arrivals()
        else:
            yield from self._take_merged()

    def _count(self, lane: _Lane) -> bool:
        """Count a released job (the listing's and its endpoint's); True when the limit
        stops the listing."""
        self._version += 1
        self.yielded += 1
        if lane.counters is not None:
            # Only the releasing thread writes ``jobs``: no lock needed per job.
            lane.counters.jobs += 1
        if self.limit is not None and self.yielded >= self.limit:
            self._stopped = True
        return self._stopped

    def _take_arrivals(self) -> Iterator[Job]:
        while self._arrivals:
            lane, page = self._arrivals.popleft()
            lane.pages.popleft()
            for job in self.cursor.emit(lane.key or "", page):
                # Counted before it is handed over: a caller that breaks right after taking
                # it closes this generator at the yield.
                stop = self._count(lane)
                self.released_from = lane.key
                yield job
                if stop:
                    return
            self._finish_if_drained(lane)
        self._settle()

    def _settle(self) -> None:
        """Close the cursor of every ended stream with nothing left to release."""
        for lane in list(self._unsettled):
            self._finish_if_drained(lane)

    def _finish_if_drained(self, lane: _Lane) -> None:
        if lane.key is None or lane.pages or lane.merged or not (lane.done or lane.failed):
            return
        if lane.done:
            self.cursor.finish(lane.key)
        self._unsettled.pop(lane, None)

    def _take_merged(self) -> Iterator[Job]:
        if self._discovering():
            return
        descending = self.order == "created-desc"
        streams = [lane for lane in self._lanes if lane.key is not None]
        for index, (job, start, taken) in merge(streams, descending=descending):
            lane = streams[index]
            key = lane.key or ""
            # The cursor moves before the job is released: a sorted stream by page token and
            # offset, an unsorted one (released out of stream order) by its watermark.
            if lane.server_sorted:
                self.cursor.mark(key, start, taken)
            else:
                self.cursor.mark_after(key, merge_key(job, descending=descending))
            stop = self._count(lane)
            self.released_from = lane.key
            yield job
            if stop:
                return
            self._finish_if_drained(lane)
        self._settle()
