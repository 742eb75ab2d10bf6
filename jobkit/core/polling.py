"""Watching streams: which reads each poll makes, and which events what they return means.

Sans-I/O, like the listing flows: ``jobkit.watch`` / ``awatch`` / ``wait`` / ``await_jobs``
(``jobkit/watching.py``) run the reads a ``StreamWatch`` plans through ``jobs()`` or
``ajobs()`` (so through the same retry policy and the same per-endpoint limiters as every
listing), hand back each job read, and sleep what ``Pacer`` says. What can have changed
since the last poll is decided by ``jobkit.core.changes``, the planner the inventory uses
too: jobs created since the newest one seen (minus an overlap), and the jobs not yet
terminal, through a creation window reaching back to the oldest of them or a
modification-time filter, whichever costs fewer requests. A stream whose API can neither
sort nor filter by time is listed whole at each poll.

Events: a job not seen before is ``new``; a known job whose status differs from the one last
seen is ``changed``, with the previous status. A job that went through two statuses between
two polls is reported once, with the status it has when seen. Terminal jobs never change,
so they are not re-read; a non-terminal job that a read covering its creation time no
longer returns has left the service (retention, deletion) and stops holding the window open.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

import attrs

from jobkit.core.changes import (
    EVERYTHING,
    Capabilities,
    Read,
    ReadKind,
    bounds,
    coverage,
    knowledge_of,
    plan_reads,
)
from jobkit.core.plan import Call
from jobkit.core.spec import AdapterSpec
from jobkit.errors import UsageError
from jobkit.model import Job, JobStatus

__all__ = [
    "DEFAULT_INTERVAL",
    "LOCAL_MIN_INTERVAL",
    "MIN_INTERVAL",
    "WATCH_OVERLAP",
    "EventKind",
    "JobEvent",
    "Pacer",
    "ReadProgress",
    "StreamWatch",
    "check_interval",
    "describe_calls",
    "min_interval",
    "order_events",
]

#: Seconds between two polls by default.
DEFAULT_INTERVAL = 60.0
#: The shortest interval against AWS: a watch shares the account's list quota with
#: everything else (SageMaker's ``ListTrainingJobs``: about 2 requests a second).
MIN_INTERVAL = 1.0
#: The shortest interval against a loopback endpoint (the emulator), which has no quota:
#: tests and benchmarks compress time there.
LOCAL_MIN_INTERVAL = 0.01
#: How far before its watermark a watch re-reads (clock skew, jobs listed late).
WATCH_OVERLAP = dt.timedelta(minutes=2)

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class EventKind(enum.Enum):
    """What a ``JobEvent`` reports."""

    NEW = "new"  # a job not seen before
    CHANGED = "changed"  # a known job whose status moved on

    def __str__(self) -> str:
        return self.value


@attrs.frozen(kw_only=True, slots=True)
class JobEvent:
    """A job that appeared or changed status, as one poll saw it.

    ``previous`` is the status last seen (None for a new job); ``observed`` is when the poll
    that saw it ran (UTC). A job that passed through several statuses between two polls is
    reported once, with the status it had when seen.
    """

    kind: EventKind
    job: Job
    previous: JobStatus | None
    observed: dt.datetime

    @property
    def status(self) -> JobStatus:
        """The job's status when seen."""
        return self.job.status

    def to_dict(self) -> dict[str, object]:
        """A plain dict for JSON: the kind, statuses, when, and the job's fields."""
        return {
            "kind": self.kind.value,
            "status": self.job.status.value,
            "previous": self.previous.value if self.previous else None,
            "observed": self.observed.isoformat(),
            "job": self.job.to_dict(),
        }

    def __str__(self) -> str:
        was = f"{self.previous.value} -> " if self.previous else ""
        return (
            f"{self.observed:%H:%M:%S} {self.kind.value:<7} {self.job.adapter} "
            f"{self.job.region} {self.job.name or self.job.id} {was}{self.job.status.value}"
        )


def min_interval(endpoint_url: str | None) -> float:
    """The shortest interval allowed against ``endpoint_url`` (None: AWS)."""
    host = urlsplit(endpoint_url).hostname if endpoint_url else None
    return LOCAL_MIN_INTERVAL if host in _LOOPBACK else MIN_INTERVAL


def check_interval(interval: object, endpoint_url: str | None) -> float:
    """``interval`` as seconds, or a UsageError when it is not a number above the floor."""
    floor = min_interval(endpoint_url)
    if (
        isinstance(interval, bool)
        or not isinstance(interval, int | float)
        or not math.isfinite(interval)
        or interval < floor
    ):
        raise UsageError(
            f"interval={interval!r} is not a number of seconds >= {floor:g}",
            hint=f"poll at most every {MIN_INTERVAL:g} s against AWS (the list quotas are "
            f"shared by the account); e.g. interval={DEFAULT_INTERVAL:g}",
        )
    return float(interval)


@attrs.define
class Pacer:
    """When the next poll starts: ``interval`` after the start of the last one, never past
    ``deadline`` (a monotonic instant, None: no end). The drivers only sleep."""

    interval: float
    deadline: float | None = None
    started: float | None = None

    def start(self, now: float) -> None:
        """A poll starts at ``now``."""
        self.started = now

    def expired(self, now: float) -> bool:
        """True once the deadline has passed."""
        return self.deadline is not None and now >= self.deadline

    def wait(self, now: float) -> float | None:
        """Seconds to sleep before the next poll; None once the deadline has passed. A poll
        due after the deadline is brought forward to it: the last poll is at the deadline,
        so a wait never gives up before its time."""
        due = now if self.started is None else self.started + self.interval
        if self.deadline is not None and due >= self.deadline:
            if now >= self.deadline:
                return None
            return self.deadline - now
        return max(0.0, due - now)


@attrs.define
class ReadProgress:
    """Where one read stands, job by job, on the thread that makes it: whether the next job
    ends the read, or the one just read completes it.

    A newest-first read is complete once it has returned every job that was not terminal
    at the last poll and gone past the bound for new jobs: the jobs further down are
    terminal or older than anything new, so the page that would only show the first job
    past the bound is not fetched.
    """

    read: Read
    open: set[str]  # keys of the non-terminal jobs still to be returned
    new_bound: dt.datetime | None  # jobs created at or after it can be new

    def stop_before(self, created: dt.datetime | None) -> bool:
        """True when a job created at ``created`` is past the read's bound."""
        return self.read.past(created)

    def complete_after(self, key: str, created: dt.datetime | None) -> bool:
        """True when the job just returned (``key``) completes the read."""
        self.open.discard(key)
        return (
            self.read.kind is ReadKind.NEWEST
            and not self.open
            and self.new_bound is not None
            and created is not None
            and created < self.new_bound
        )


@attrs.define
class _Seen:
    status: JobStatus
    created: dt.datetime | None
    job: Job
    gone: bool = False


class StreamWatch:
    """One stream's watch: the jobs it has seen, the reads of the next poll, the events.

    ``report_existing``: the jobs found by the first poll are reported as ``new`` (False:
    they are the baseline, only later changes are reported). ``since``: the first poll reads
    only jobs created since then (None: the whole stream). ``seed``: jobs already known (a
    ``wait()`` on jobs from a listing), so the first poll need not list the stream whole.
    """

    def __init__(
        self,
        caps: Capabilities,
        *,
        report_existing: bool = False,
        since: dt.datetime | None = None,
        overlap: dt.timedelta = WATCH_OVERLAP,
        seed: Iterable[tuple[str, Job]] = (),
    ) -> None:
        self.caps = caps
        self.overlap = overlap
        self.since = since
        self.report_existing = report_existing
        self.polls = 0
        self.seen: dict[str, _Seen] = {}
        self.modified_watermark: dt.datetime | None = None
        self._visited: set[str] = set()
        self._asked: set[str] = set()  # keys a describe read asks for
        self._reads: list[Read] = []
        for key, job in seed:
            self._remember(key, job)
        self._seeded = bool(self.seen)

    # ------------------------------------------------------------------ planning

    @property
    def listed_whole(self) -> bool:
        """True when every poll lists the stream whole (no time sort nor filter)."""
        return not self.caps.incremental

    def plan(self) -> list[Read]:
        """The reads of the next poll."""
        if self.polls == 0 and not self._seeded:
            if self.since is None or not self.caps.incremental:
                reads = [Read(kind=ReadKind.WHOLE)]
            else:
                kind = ReadKind.NEWEST if self.caps.sorted_desc else ReadKind.SINCE
                reads = [Read(kind=kind, since=self.since)]
        else:
            live = [s for s in self.seen.values() if not s.gone]
            knowledge = knowledge_of(
                (s.created for s in live),
                (s.created for s in live if not s.status.is_terminal),
                modified_watermark=self.modified_watermark,
                overlap=self.overlap,
                watermark=self.since,
            )
            # Jobs without an id cannot be described: then the windows re-read them.
            by_id = all(s.job.id for s in live if not s.status.is_terminal)
            reads = plan_reads(self.caps, knowledge, overlap=self.overlap, describe=by_id)
        self._reads = reads
        self._visited = set()
        self._asked = (
            {key for key, _ in self.open_ids()}
            if any(r.kind is ReadKind.DESCRIBE for r in reads)
            else set()
        )
        return reads

    def open_ids(self) -> list[tuple[str, str]]:
        """(key, id) of every job not terminal when last seen (and not gone), by key."""
        return sorted(
            (key, seen.job.id)
            for key, seen in self.seen.items()
            if not seen.gone and not seen.status.is_terminal and seen.job.id
        )

    def progress(self, read: Read) -> ReadProgress:
        """A fresh ``ReadProgress`` for one of the reads ``plan()`` returned."""
        live = {k: s for k, s in self.seen.items() if not s.gone}
        new_bound = None
        if live and (self.polls > 0 or self._seeded):
            knowledge = knowledge_of(
                (s.created for s in live.values()),
                (),
                modified_watermark=None,
                overlap=self.overlap,
                watermark=self.since,
            )
            new_bound = bounds(knowledge, self.overlap)[0]
        return ReadProgress(
            read=read,
            open={k for k, s in live.items() if not s.status.is_terminal},
            new_bound=new_bound,
        )

    # ------------------------------------------------------------------ observing

    def _remember(self, key: str, job: Job) -> None:
        self.seen[key] = _Seen(status=job.status, created=job.created, job=job)
        if job.updated is not None and (
            self.modified_watermark is None or job.updated > self.modified_watermark
        ):
            self.modified_watermark = job.updated

    def observe(self, key: str, job: Job, observed: dt.datetime) -> JobEvent | None:
        """A job one of the poll's reads returned; the event it makes, if any."""
        self._visited.add(key)
        before = self.seen.get(key)
        self._remember(key, job)
        if before is None:
            if self.polls == 0 and not self.report_existing:
                return None
            return JobEvent(kind=EventKind.NEW, job=job, previous=None, observed=observed)
        if before.status is job.status:
            return None
        return JobEvent(kind=EventKind.CHANGED, job=job, previous=before.status, observed=observed)

    def finish(self) -> list[Job]:
        """The poll's reads are complete: the non-terminal jobs that left the service (a
        read covering their creation time did not return them); they are not waited for."""
        covered = coverage(self._reads)
        gone: list[Job] = []
        for key in self._asked - self._visited:  # described by id, and not returned
            seen = self.seen[key]
            if not seen.gone and not seen.status.is_terminal:
                seen.gone = True
                gone.append(seen.job)
        if covered is not None:
            for key, seen in self.seen.items():
                if seen.gone or seen.status.is_terminal or key in self._visited:
                    continue
                if covered is EVERYTHING or (seen.created is not None and seen.created >= covered):
                    seen.gone = True
                    gone.append(seen.job)
        self.polls += 1
        return gone

    def job(self, key: str) -> Job | None:
        """The job last seen under ``key``."""
        seen = self.seen.get(key)
        return None if seen is None else seen.job

    def is_gone(self, key: str) -> bool:
        """True when ``key`` was seen and then left the service."""
        seen = self.seen.get(key)
        return seen is not None and seen.gone


def describe_calls(spec: AdapterSpec, region: str, ids: Sequence[str]) -> list[Call]:
    """The batch describe calls that re-read the jobs ``ids`` (``spec.describe``)."""
    describe = spec.describe
    if describe is None:
        raise ValueError(f"{spec.name} has no batch describe call")
    return [
        Call(
            service=spec.service,
            region=region,
            operation=describe.operation,
            params={describe.ids_member: list(ids[at : at + describe.batch])},
            adapter=spec.name,
        )
        for at in range(0, len(ids), describe.batch)
    ]


def order_events(events: Sequence[JobEvent]) -> list[JobEvent]:
    """One poll's events in the order they happened, as far as the service says: by the
    job's modification (else end, else creation) time; ties keep the reading order."""

    def when(event: JobEvent) -> dt.datetime:
        job = event.job
        return job.updated or job.ended or job.created or EVERYTHING

    return sorted(events, key=when)
