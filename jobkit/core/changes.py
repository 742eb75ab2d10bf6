"""What can have changed in one stream since the last look, and the cheapest reads that find it.

Sans-I/O: the inventory (``jobkit.sync``) and, later, ``watch`` hand this module what they
know about a stream (its watermark, its jobs that were not yet terminal) and what the
stream's API can filter on; it answers with the reads to make. A job can have changed in
three ways, and each has its reads:

* it is new: it was created since the stream's watermark (the newest ``created`` seen, minus
  an *overlap* for clock skew and jobs that appear in a listing late). A service that sorts
  newest first is read in that order until the first job older than the bound; one that
  filters by creation time is asked for ``since=bound``; one that can do neither is listed
  whole.
* it was not terminal last time and its status moved on. Two ways to re-read them: widen
  the creation window back to the oldest such job (one read instead of two), or ask for the
  jobs modified since the last sync where the API filters by modification time (SageMaker's
  ``LastModifiedTimeAfter``, from the newest ``updated`` time seen, so the service's own clock
  is compared with itself). Terminal jobs never change status, so they are never re-read.
* it aged out of the service's retention: nothing to read; the inventory keeps it.

A status filter alone cannot re-read them: asked for the non-terminal statuses, a service
returns the jobs still in them, and a job that finished drops out of that answer, so its new
status has to be found by a creation window anyway (see docs/inventory.md). The status
push-down is therefore not planned here. A non-terminal job that a read covering its
creation time did not return has left the service (retention, deletion): the inventory marks
it gone and keeps it, and it no longer holds the window open.

The choice is a cost estimate in requests, from counts the inventory already has: a read
back to a bound costs the pages holding the jobs created since the bound; SageMaker applies
``MaxResults`` before its filters, so a filtered SageMaker read costs as many pages as a
full listing, and is worth it only for the bytes it saves. Ties go to the simpler plan.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from jobkit.core import pushdown
from jobkit.core.query import Query
from jobkit.core.spec import AdapterSpec
from jobkit.model import JobStatus

__all__ = [
    "DEFAULT_OVERLAP",
    "NON_TERMINAL",
    "Capabilities",
    "Read",
    "ReadKind",
    "StreamKnowledge",
    "capabilities",
    "coverage",
    "knowledge_of",
    "listing_arguments",
    "newest_page_size",
    "plan_reads",
]

#: How far before the watermark a later sync starts reading, by default.
DEFAULT_OVERLAP = dt.timedelta(minutes=10)

NON_TERMINAL: frozenset[JobStatus] = frozenset(s for s in JobStatus if not s.is_terminal)

#: Services whose list operations apply ``MaxResults`` before their filters: a filtered
#: listing reads as many pages as an unfiltered one (see docs/inventory.md).
WINDOW_FIRST_SERVICES = frozenset({"sagemaker"})

#: Request members that filter by modification time, in the order they are looked for.
MODIFIED_MEMBERS = ("LastModifiedTimeAfter",)

#: A request counts 1; a job transferred counts this much (bytes, parsing, writing), so
#: that between two plans with as many requests the one moving fewer jobs wins.
_JOB_WEIGHT = 0.01


class ReadKind(enum.Enum):
    """How one read selects jobs."""

    WHOLE = "whole"  # every job of the stream
    NEWEST = "newest"  # newest first, until the first job created before ``since``
    SINCE = "since"  # the service filters creation time >= ``since``
    MODIFIED = "modified"  # the service filters modification time > ``since``
    DESCRIBE = "describe"  # the non-terminal jobs by id, through a batch describe call


@attrs.frozen(kw_only=True)
class Capabilities:
    """What one adapter's API can do for an incremental read (from its spec and model)."""

    sorted_desc: bool  # the service lists newest first (possibly given a lower time bound)
    since: bool  # creation time pushed down
    status: bool  # status pushed down (one status word or a list)
    window_first: bool  # the service pages before it filters
    modified: str | None  # the request member filtering by modification time, if any
    page_size: int
    describe_batch: int = 0  # ids per batch describe call (0: the service has none)

    @property
    def incremental(self) -> bool:
        """True when new jobs can be read without listing the stream whole."""
        return self.sorted_desc or self.since


def capabilities(spec: AdapterSpec, input_members: Iterable[str] = ()) -> Capabilities:
    """The capabilities of ``spec``, probed through its push-down strategy; ``input_members``
    are the operation's request members (to find a modification-time filter)."""
    since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    ordered = pushdown.plan(Query(order="created-desc"), spec)
    windowed = pushdown.plan(Query(since=since), spec)
    status_plan = pushdown.plan(Query(statuses=NON_TERMINAL), spec)
    one_status = pushdown.plan(Query(statuses=frozenset({JobStatus.RUNNING})), spec)
    status = spec.status_field is not None and (
        "status" in status_plan.pushed or "status" in one_status.pushed
    )
    members = set(input_members)
    return Capabilities(
        sorted_desc=ordered.order == "created-desc",
        since="since" in windowed.pushed,
        status=status,
        window_first=spec.service in WINDOW_FIRST_SERVICES,
        modified=next((m for m in MODIFIED_MEMBERS if m in members), None),
        page_size=spec.page_size,
        describe_batch=spec.describe.batch if spec.describe is not None else 0,
    )


@attrs.frozen(kw_only=True)
class StreamKnowledge:
    """What the inventory knows about one stream before a sync."""

    jobs: int = 0  # jobs of the stream in the inventory
    watermark: dt.datetime | None = None  # newest ``created`` seen (None: never synced)
    modified_watermark: dt.datetime | None = None  # newest ``updated`` seen (the service's clock)
    non_terminal: int = 0  # jobs whose last seen status was not terminal (and not gone)
    oldest_non_terminal: dt.datetime | None = None  # the oldest such job's ``created``
    created_since: dict[dt.datetime, int] = attrs.field(factory=dict)
    """For a few bounds: how many known jobs were created at or after it (cost estimates)."""

    def newer_than(self, bound: dt.datetime) -> int:
        """Known jobs created at or after ``bound`` (all of them when not given)."""
        return self.created_since.get(bound, self.jobs)


@attrs.frozen(kw_only=True)
class Read:
    """One listing to make: its kind and bound (a creation or modification time)."""

    kind: ReadKind
    since: dt.datetime | None = None
    member: str | None = None  # the request member of a MODIFIED read

    def describe(self) -> str:
        """A short text for reports and logs."""
        if self.kind is ReadKind.WHOLE:
            return "whole"
        if self.kind is ReadKind.DESCRIBE:
            return "describe the non-terminal jobs"
        assert self.since is not None
        return f"{self.kind.value} {self.since.isoformat()}"

    def past(self, created: dt.datetime | None) -> bool:
        """True when a job created at ``created`` ends a NEWEST read: the listing is newest
        first, so every job after it is older than the bound too."""
        return (
            self.kind is ReadKind.NEWEST
            and self.since is not None
            and created is not None
            and created < self.since
        )


def listing_arguments(read: Read, params: Mapping[str, Any]) -> dict[str, Any]:
    """The ``jobs()`` keywords that make ``read`` (with the stream's ``params``)."""
    if read.kind is ReadKind.DESCRIBE:
        raise ValueError("a describe read is not a listing: see jobkit.core.polling")
    if read.kind is ReadKind.NEWEST:
        return {"order": "created-desc", "params": dict(params)}
    if read.kind is ReadKind.SINCE:
        return {"since": read.since, "params": dict(params)}
    if read.kind is ReadKind.MODIFIED:
        assert read.since is not None and read.member is not None
        return {"params": {**params, read.member: read.since.isoformat()}}
    return {"params": dict(params)}


def knowledge_of(
    created: Iterable[dt.datetime | None],
    non_terminal: Iterable[dt.datetime | None],
    *,
    modified_watermark: dt.datetime | None,
    overlap: dt.timedelta,
    watermark: dt.datetime | None = None,
) -> StreamKnowledge:
    """``StreamKnowledge`` from jobs held in memory (a watch): the creation times of every
    known job and of the non-terminal ones; counts for the bounds ``plan_reads`` prices.
    ``watermark`` raises the computed one (a watch that started at ``since=``)."""
    times = sorted((c for c in created if c is not None), reverse=True)
    open_times = [c for c in non_terminal if c is not None]
    newest = times[0] if times else None
    if watermark is not None and (newest is None or watermark > newest):
        newest = watermark
    knowledge = StreamKnowledge(
        jobs=len(times),
        watermark=newest,
        modified_watermark=modified_watermark,
        non_terminal=len(open_times),
        oldest_non_terminal=min(open_times) if open_times else None,
    )
    counts = {
        bound: sum(1 for c in times if c >= bound)
        for bound in bounds(knowledge, overlap)
        if bound is not None
    }
    return attrs.evolve(knowledge, created_since=counts)


def bounds(
    knowledge: StreamKnowledge, overlap: dt.timedelta
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The lower bound for new jobs and the one reaching back to the oldest non-terminal."""
    if knowledge.watermark is None:
        return None, None
    new = knowledge.watermark - overlap
    if knowledge.oldest_non_terminal is None:
        return new, new
    return new, min(new, knowledge.oldest_non_terminal - overlap)


def _pages(jobs: int, page_size: int) -> int:
    # The page that ends the read (or the first job past the bound) is always read.
    return max(1, math.ceil((jobs + 1) / page_size))


def plan_reads(
    caps: Capabilities,
    knowledge: StreamKnowledge,
    *,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
    describe: bool = False,
) -> list[Read]:
    """The reads that find every job of the stream that can have changed since last time.
    ``describe``: the caller can re-read non-terminal jobs by id through the adapter's batch
    describe call (a watch can; the inventory does not)."""
    new_bound, wide_bound = bounds(knowledge, overlap)
    if new_bound is None or wide_bound is None or not caps.incremental:
        return [Read(kind=ReadKind.WHOLE)]
    window_kind = ReadKind.NEWEST if caps.sorted_desc else ReadKind.SINCE
    size = caps.page_size
    full_pages = _pages(knowledge.jobs, size)
    full = full_pages + knowledge.jobs * _JOB_WEIGHT

    def window_cost(bound: dt.datetime) -> float:
        jobs = knowledge.newer_than(bound)
        # A filter the service applies after paging reads every page (SageMaker).
        pages = full_pages if window_kind is ReadKind.SINCE and caps.window_first else None
        return (pages or _pages(jobs, size)) + jobs * _JOB_WEIGHT

    plans: list[tuple[float, list[Read]]] = [
        (window_cost(wide_bound), [Read(kind=window_kind, since=wide_bound)]),
    ]
    if (
        knowledge.non_terminal
        and wide_bound != new_bound
        and caps.modified is not None
        and knowledge.modified_watermark is not None
    ):
        changed = knowledge.non_terminal  # at most these change status
        pages = _pages(knowledge.jobs, size) if caps.window_first else _pages(changed, size)
        modified = Read(
            kind=ReadKind.MODIFIED,
            since=knowledge.modified_watermark - overlap,
            member=caps.modified,
        )
        plans.append(
            (
                window_cost(new_bound) + pages + changed * _JOB_WEIGHT,
                [Read(kind=window_kind, since=new_bound), modified],
            )
        )
    if describe and caps.describe_batch and knowledge.non_terminal and wide_bound != new_bound:
        calls = math.ceil(knowledge.non_terminal / caps.describe_batch)
        plans.append(
            (
                window_cost(new_bound) + calls + knowledge.non_terminal * _JOB_WEIGHT,
                [Read(kind=window_kind, since=new_bound), Read(kind=ReadKind.DESCRIBE)],
            )
        )
    plans.append((full, [Read(kind=ReadKind.WHOLE)]))
    # min() keeps the first of equal costs: the single window read, listed first, wins ties.
    return min(plans, key=lambda plan: plan[0])[1]


def newest_page_size(read: Read, knowledge: StreamKnowledge, caps: Capabilities) -> int | None:
    """The page size of a newest-first read: the jobs the inventory knows since its bound,
    doubled, plus 10 for the jobs that appeared since (at most the API's maximum). The read
    ends on the page holding the first older job, so a page sized to what is new spares
    the service and jobkit the rest of a full page (a low guess costs one more request,
    never a missed job). None for any other read: a filtered listing returns only what it
    matched, and fuller pages mean fewer requests."""
    if read.kind is not ReadKind.NEWEST or read.since is None:
        return None
    return max(10, min(caps.page_size, 2 * knowledge.newer_than(read.since) + 10))


#: The coverage of a whole listing: every creation time.
EVERYTHING = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


def coverage(reads: Iterable[Read]) -> dt.datetime | None:
    """The creation time from which ``reads``, once complete, returned every job the service
    still has (``EVERYTHING`` for a whole listing; None when no read is a creation window)."""
    out: dt.datetime | None = None
    for read in reads:
        if read.kind is ReadKind.WHOLE:
            return EVERYTHING
        if read.kind in (ReadKind.NEWEST, ReadKind.SINCE) and read.since is not None:
            out = read.since if out is None else min(out, read.since)
    return out
