"""An inventory that stays current: ``sync()`` into DuckDB or PostgreSQL, ``inventory()`` back.

``sync()`` lists each stream (adapter x region x account) through ``jobkit.jobs()`` with the
reads ``jobkit.core.changes`` plans from what the inventory already knows: everything the
first time, afterwards only what can have changed. Pages are written as they come, each with
the stream's progress in one transaction (``jobkit.store``); a stream's watermark moves only
when all its reads are complete, so a sync killed at any moment loses nothing and the next
one completes it. See docs/inventory.md for the tables.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import boto3

from jobkit.accounts import (
    Account,
    AccountsArg,
    default_region,
    resolve_accounts,
    sync_session_of,
)
from jobkit.core.changes import (
    DEFAULT_OVERLAP,
    Capabilities,
    Read,
    ReadKind,
    StreamKnowledge,
    capabilities,
    coverage,
    newest_page_size,
    plan_reads,
)
from jobkit.core.cursor import CURSOR_VERSION, CursorState
from jobkit.core.plan import ListingPart, choose_regions, missing_scopes
from jobkit.core.policy import RetryPolicy
from jobkit.core.query import Query
from jobkit.core.spec import AdapterSpec
from jobkit.core.stats import RetryEvent, Stats
from jobkit.drivers._config import available_regions, partition_of
from jobkit.errors import UsageError
from jobkit.listing import JobIterator, warm_clients
from jobkit.model import Job, JobStatus
from jobkit.options import AdapterArg, ListingOptions, ParamsArg, RegionArg
from jobkit.store import JobRow, PageWrite, StateUpdate, Store, StreamState, open_store, to_json

if TYPE_CHECKING:
    import pandas
    import pyarrow

__all__ = [
    "Inventory",
    "StreamReport",
    "SyncReport",
    "inventory",
    "job_key",
    "reads_markdown",
    "sync",
]

#: Jobs per write transaction at most; a slower listing is written at least every second.
CHUNK_JOBS = 2000
#: Jobs listed but not yet written, at most (a faster listing waits for the store).
MAX_BUFFERED = 2 * CHUNK_JOBS
_FLUSH_SECONDS = 1.0


# --------------------------------------------------------------------------- identity


def job_key(job: Job, *, scope_names: Sequence[str] = (), account: str | None = None) -> str:
    """The stable identity of ``job``: adapter, account, region and its id or ARN.

    Operations whose summaries carry no id (Transcribe, Clean Rooms ML) are keyed by the
    name, under the parent scope the name is unique in (the trained model's ARN); a record
    with neither is keyed by a hash of its raw summary.
    """
    ident = job.id
    if not ident and job.name:
        parents = [str(job.raw[n]) for n in scope_names if job.raw.get(n)]
        ident = "/".join([*parents, job.name])
    if not ident:
        ident = "sha1:" + hashlib.sha1(to_json(dict(job.raw)).encode()).hexdigest()
    return "|".join((job.adapter, job.account or account or "", job.region, ident))


def _row(job: Job, stream: str, scope_names: Sequence[str], account: str | None) -> JobRow:
    return JobRow(
        job_key=job_key(job, scope_names=scope_names, account=account),
        adapter=job.adapter,
        service=job.service,
        name=job.name,
        id=job.id,
        status=job.status.value,
        raw_status=job.raw_status,
        created=job.created,
        ended=job.ended,
        updated=job.updated,
        region=job.region,
        account=job.account or account,
        problem=job.problem,
        extras=to_json(dict(job.extras)),
        raw=to_json(dict(job.raw)),
        stream=stream,
    )


# --------------------------------------------------------------------------- reports


@attrs.frozen(kw_only=True)
class StreamReport:
    """What one stream's sync did."""

    stream: str
    adapter: str
    region: str
    account: str | None
    reads: tuple[str, ...]
    requests: int
    seen: int
    new: int
    changes: int
    resumed: bool


@attrs.frozen(kw_only=True)
class SyncReport:
    """What ``sync()`` did: per stream, and in total."""

    target: str
    streams: tuple[StreamReport, ...]
    seconds: float
    #: Adapters left out of a sync of every adapter: their scope parameter is not listed by
    #: any API and was not given in ``params=`` (as ``jobs()`` reports them, "scope-required").
    skipped: tuple[str, ...] = ()
    #: Listings the sync ran: one per round of reads (most syncs have one), whatever the
    #: number of streams.
    listings: int = 1

    @property
    def requests(self) -> int:
        """Requests sent, discovery included."""
        return sum(s.requests for s in self.streams)

    @property
    def seen(self) -> int:
        """Jobs listed (a job read twice counts twice)."""
        return sum(s.seen for s in self.streams)

    @property
    def new(self) -> int:
        """Jobs the inventory did not hold before."""
        return sum(s.new for s in self.streams)

    @property
    def changes(self) -> int:
        """Rows added to ``job_status_changes`` (first sightings included)."""
        return sum(s.changes for s in self.streams)

    def __str__(self) -> str:
        return (
            f"synced {len(self.streams)} stream(s) into {self.target} in {self.seconds:.2f}s: "
            f"{self.requests} requests, {self.seen} jobs listed, {self.new} new, "
            f"{self.changes} status change(s)"
        )


# --------------------------------------------------------------------------- planning


def _stream_key(
    spec: AdapterSpec, region: str, account: str | None, params: Mapping[str, Any]
) -> str:
    """``adapter|region|account``, plus the parameters when some narrow the listing: a sync
    of one queue keeps its own watermark and never marks another queue's jobs gone."""
    parts = [spec.name, region, account or ""]
    if params:
        parts.append(json.dumps(dict(params), sort_keys=True, separators=(",", ":")))
    return "|".join(parts)


@attrs.frozen(kw_only=True)
class _SyncStream:
    spec: AdapterSpec
    region: str
    label: str | None  # the account's label in the listing (None: a single account)
    account: str | None  # the resolved account id where known, else the label
    params: Mapping[str, Any]

    @property
    def key(self) -> str:
        """The stream's key in ``sync_state`` (see ``_stream_key``)."""
        return _stream_key(self.spec, self.region, self.account, self.params)

    @property
    def lane(self) -> tuple[str, str, str | None]:
        """The first three items of the listing's stream keys of this stream."""
        return (self.spec.name, self.region, self.label)

    def requests(self, stats: Stats) -> int:
        """Requests the listing sent for this stream (its discovery included)."""
        where = f"{self.region}@{self.label}" if self.label else self.region
        return sum(
            n
            for (endpoint, adapter), n in stats.adapter_requests.items()
            if adapter == self.spec.name and endpoint.partition("/")[2] == where
        )


@functools.lru_cache(maxsize=128)
def _members(service: str, operation: str) -> frozenset[str]:
    import botocore.session  # noqa: PLC0415

    model = botocore.session.get_session().get_service_model(service)
    return frozenset(model.operation_model(operation).input_shape.members)


_CAPS: dict[int, tuple[AdapterSpec, Capabilities]] = {}


def _caps(spec: AdapterSpec) -> Capabilities:
    # Specs hold mapping proxies (unhashable): cached by identity, kept alive with the spec.
    entry = _CAPS.get(id(spec))
    if entry is None or entry[0] is not spec:
        entry = _CAPS[id(spec)] = (spec, capabilities(spec, _members(spec.service, spec.operation)))
    return entry[1]


def _sync_regions(options: ListingOptions, spec: AdapterSpec, default: str | None) -> list[str]:
    """The regions to sync ``spec`` in, chosen as a listing chooses them."""
    chosen, _ = choose_regions(
        options.regions_or(default),
        available_regions(spec.service),
        available_regions(spec.service, partition_of(default)),
    )
    return chosen


# The per-stream helpers of a watch (jobkit.watching lists each stream with jobs()).


@attrs.frozen(kw_only=True)
class _Stream:
    spec: AdapterSpec
    region: str
    account: str | None  # the label (profile or session label)
    session: Any  # a boto3 Session, or None for the default chain
    params: Mapping[str, Any]

    @property
    def key(self) -> str:
        """The stream's key in ``sync_state`` (see ``_stream_key``)."""
        return _stream_key(self.spec, self.region, self.account, self.params)


def _sessions(
    session: boto3.Session | Sequence[boto3.Session] | None, profiles: Sequence[str] | None
) -> list[tuple[str | None, Any]]:
    if profiles:
        names = [profiles] if isinstance(profiles, str) else list(dict.fromkeys(profiles))
        return [(p, boto3.Session(profile_name=p)) for p in names]
    if session is None or isinstance(session, boto3.Session):
        return [(None, session)]
    many = list(session)
    if len(many) == 1:
        return [(None, many[0])]
    return [
        (s.profile_name if s.profile_name != "default" else f"session{i}", s)
        for i, s in enumerate(many)
    ]


def _regions(regions: str | Sequence[str] | None, spec: AdapterSpec, session: Any) -> list[str]:
    if regions is None:
        region = (session or boto3.Session()).region_name
        if not region:
            raise UsageError(
                "no region given and none configured",
                hint="pass regions=['us-east-1'], or set AWS_DEFAULT_REGION or a profile region",
            )
        return [region]
    if regions == "all":
        return list((session or boto3.Session()).get_available_regions(spec.service))
    return [regions] if isinstance(regions, str) else list(dict.fromkeys(regions))


def _split_params(
    specs: Sequence[AdapterSpec], params: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    params = dict(params or {})
    out: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for spec in specs:
        members = _members(spec.service, spec.operation) if params else frozenset()
        mine = {k: v for k, v in params.items() if k in spec.scope_names or k in members}
        out[spec.name] = mine
        used |= mine.keys()
    unknown = sorted(set(params) - used)
    if unknown:
        raise UsageError(
            f"no selected adapter takes the parameter(s) {', '.join(map(repr, unknown))}",
            hint="pass scope parameters or request members of the selected adapters' operations",
        )
    return out


# --------------------------------------------------------------------------- the sync


@attrs.define
class _Chunk:
    stream: _SyncStream
    rows: list[JobRow]
    progress: dict[str, Any]
    observed_at: dt.datetime


@attrs.define
class _Done:
    stream: _SyncStream
    reads: list[Read]
    started: dt.datetime
    requests: int
    seen: int
    watermark: dt.datetime | None
    modified_watermark: dt.datetime | None
    resumed: bool
    scopes: list[dict[str, str]] | None  # scopes discovered by a complete read (to remember)


@attrs.frozen(kw_only=True)
class _Plan:
    reads: list[Read]
    first: int = 0  # the read to start with (an unfinished sync's next read)
    cursor: Any = None  # where that read resumes
    started: dt.datetime | None = None  # when the unfinished sync started
    resumed: bool = False
    scopes: list[dict[str, str]] | None = None  # remembered scopes: no discovery
    page_size: int | None = None  # of the first read (a newest-first read of a few jobs)


@attrs.define
class _Failed:
    stream: _SyncStream | None
    error: BaseException


@attrs.define
class _Progress:
    """One stream's state while the listings of a sync run."""

    stream: _SyncStream
    plan: _Plan
    started: dt.datetime
    read: int  # the index of the read being made
    cursor: Mapping[str, Any] | None  # where that read resumes (listing stream positions)
    scopes: list[dict[str, str]] | None
    encoded: list[dict[str, Any]]
    rows: list[JobRow] = attrs.field(factory=list)
    flushed: float = attrs.field(factory=time.monotonic)
    seen: int = 0
    requests: int = 0
    newest: dt.datetime | None = None
    newest_update: dt.datetime | None = None
    discovered: list[dict[str, str]] | None = None

    @property
    def current(self) -> Read:
        return self.plan.reads[self.read]

    @property
    def resumable(self) -> bool:
        # A newest-first read restarts whole: a token of a sorted listing moves as jobs appear.
        return self.current.kind is not ReadKind.NEWEST


def _encode_reads(reads: Sequence[Read]) -> list[dict[str, Any]]:
    return [
        {
            "kind": r.kind.value,
            "since": r.since.isoformat() if r.since else None,
            "member": r.member,
        }
        for r in reads
    ]


def _decode_reads(value: Any) -> list[Read] | None:
    try:
        return [
            Read(
                kind=ReadKind(r["kind"]),
                since=dt.datetime.fromisoformat(r["since"]) if r["since"] else None,
                member=r["member"],
            )
            for r in value
        ]
    except (KeyError, TypeError, ValueError):
        return None


def _discovers(stream: _SyncStream | _Stream) -> bool:
    """True when the stream's listing discovers scopes (the caller gave none of them)."""
    return bool(stream.spec.scope) and not any(n in stream.params for n in stream.spec.scope_names)


def _lane_of(key: str) -> tuple[str, str, str | None]:
    """The adapter, region and account label of a listing stream key."""
    parsed = json.loads(key)
    return (parsed[0], parsed[1], parsed[2])


def _positions(cursor: Mapping[str, Any], stream: _SyncStream) -> dict[str, Any]:
    """The stream positions of a listing's cursor that belong to ``stream``."""
    return {k: v for k, v in cursor.get("streams", {}).items() if _lane_of(k) == stream.lane}


def _scopes_of(cursor: Mapping[str, Any], spec: AdapterSpec) -> list[dict[str, str]]:
    """The scopes a listing ran, read from its cursor's stream keys."""
    found: dict[str, dict[str, str]] = {}
    for key in cursor.get("streams", {}):
        try:
            scope = {str(k): str(v) for k, v in json.loads(key)[3] if k in spec.scope_names}
        except (ValueError, TypeError, IndexError):
            continue
        if len(scope) == len(spec.scope_names):
            found[json.dumps(scope, sort_keys=True)] = scope
    return [found[k] for k in sorted(found)]


def _part(options: ListingOptions, progress: _Progress) -> ListingPart:
    """The listing part that makes ``progress``'s current read."""
    stream, read = progress.stream, progress.current
    spec = stream.spec
    extras = dict(options.extras[spec.name])
    query = Query()
    stop_below = None
    if read.kind is ReadKind.NEWEST:
        query, stop_below = Query(order="created-desc"), read.since
    elif read.kind is ReadKind.SINCE:
        query = Query(since=read.since)
    elif read.kind is ReadKind.MODIFIED:
        assert read.since is not None and read.member is not None
        extras[read.member] = read.since.isoformat()
    elif read.kind is ReadKind.DESCRIBE:
        raise ValueError("a describe read is not a listing: see jobkit.core.polling")
    known = progress.scopes
    return ListingPart(
        spec=spec,
        region=stream.region,
        account=stream.label,
        query=query,
        scopes=options.scopes[spec.name],
        extras=extras,
        known=tuple(known) if known is not None else None,
        stop_below=stop_below,
        page_size=progress.plan.page_size if progress.read == 0 else None,
    )


def _calls(stream: _Stream, scopes: list[dict[str, str]] | None) -> list[dict[str, Any]]:
    """The ``params`` of each listing of one read: one listing, or, with remembered scopes
    of several parameters (a collaboration and a model), one per value of the first ones."""
    if scopes is None:
        return [dict(stream.params)]
    # Grouped by every parameter but the last: a listing expands the given values as a
    # product, which here is exactly the scopes of the group (a collaboration's models).
    *heads, last = stream.spec.scope_names
    groups: dict[tuple[str, ...], list[str]] = {}
    for scope in scopes:
        groups.setdefault(tuple(scope[h] for h in heads), []).append(scope[last])
    return [
        {**stream.params, **dict(zip(heads, head, strict=True)), last: values}
        for head, values in groups.items()
    ]


class _Runner:
    """Lists every stream of a sync in one listing per round of reads (one driver run, one
    set of clients, the streams fanned out together) on a worker thread; the calling thread
    writes every page. Most syncs have one round; a stream whose plan has a second read (a
    modification-time read after a window) makes a second one."""

    def __init__(
        self,
        store: Store,
        streams: list[_SyncStream],
        options: ListingOptions,
        accounts: Sequence[Account],
        *,
        full: bool,
        overlap: dt.timedelta,
        rediscover: dt.timedelta,
    ) -> None:
        self.store = store
        self.streams = streams
        self.options = options
        self.accounts = accounts
        self.full = full
        self.overlap = overlap
        self.rediscover = rediscover
        self.queue: queue.Queue[_Chunk | _Done | _Failed] = queue.Queue()
        self.stop = threading.Event()
        # Rows listed but not yet written, bounded so that a listing faster than the store
        # waits instead of piling pages up in memory.
        self.buffered = 0
        self.room = threading.Condition()
        #: Listings run (rounds), for tests: one per round of reads, never one per stream.
        self.listings = 0

    def plan(self, stream: _SyncStream, state: StreamState, knowledge: StreamKnowledge) -> _Plan:
        """The reads of ``stream``, from what the inventory holds about it; an unfinished
        earlier sync's plan is resumed; scopes discovered less than ``rediscover`` ago are
        reused."""
        scopes = None
        if (
            not self.full
            and _discovers(stream)
            and state.scopes is not None
            and state.scopes_at is not None
            and dt.datetime.now(dt.UTC) - state.scopes_at < self.rediscover
        ):
            scopes = state.scopes
        progress = None if self.full else state.in_progress
        if progress is not None:
            reads = _decode_reads(progress.get("reads"))
            if reads:
                started = progress.get("started")
                return _Plan(
                    reads=reads,
                    first=int(progress.get("read", 0)),
                    cursor=progress.get("cursor"),
                    started=dt.datetime.fromisoformat(started) if started else None,
                    resumed=True,
                    scopes=scopes,
                )
        if self.full:
            return _Plan(reads=[Read(kind=ReadKind.WHOLE)])
        caps = _caps(stream.spec)
        reads = plan_reads(caps, knowledge, overlap=self.overlap)
        size = newest_page_size(reads[0], knowledge, caps)
        return _Plan(reads=reads, scopes=scopes, page_size=size)

    def run(self) -> list[StreamReport]:
        held = self.store.streams([s.key for s in self.streams], self.overlap)
        plans = {s.key: self.plan(s, *held[s.key]) for s in self.streams}
        reports: list[StreamReport] = []
        counts: dict[str, list[int]] = {s.key: [0, 0] for s in self.streams}
        worker = threading.Thread(
            target=self.list_all, args=(plans,), name="jobkit-sync", daemon=True
        )
        worker.start()
        pending = len(self.streams)
        try:
            while pending:
                batch = self.take()
                done = [item for item in batch if isinstance(item, _Done)]
                pages = [item for item in batch if isinstance(item, _Chunk)]
                results = self.store.write(
                    [
                        PageWrite(
                            stream=c.stream.key,
                            adapter=c.stream.spec.name,
                            region=c.stream.region,
                            account=c.stream.account,
                            rows=c.rows,
                            observed_at=c.observed_at,
                            progress=c.progress,
                        )
                        for c in pages
                    ],
                    [self.state(d, counts[d.stream.key]) for d in done],
                )
                self.release(sum(len(c.rows) for c in pages))
                for chunk, result in zip(pages, results, strict=True):
                    counts[chunk.stream.key][0] += result.new
                    counts[chunk.stream.key][1] += result.changes
                reports += [self.report(d, counts[d.stream.key]) for d in done]
                pending -= len(done)
        finally:
            self.stop.set()
            with self.room:
                self.room.notify_all()
            while True:  # drop what the worker queued
                try:
                    self.queue.get_nowait()
                except queue.Empty:
                    break
            worker.join()
        return reports

    def take(self) -> list[_Chunk | _Done]:
        """The next item and whatever else is already queued (up to a bound): written in
        one transaction, so a re-sync of many small streams commits a few times, not once
        per page. A failed listing raises here."""
        items: list[_Chunk | _Done] = []
        rows = 0
        item = self.queue.get()
        while True:
            if isinstance(item, _Failed):
                raise item.error
            items.append(item)
            rows += len(item.rows) if isinstance(item, _Chunk) else 0
            if rows >= CHUNK_JOBS:
                return items
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                return items

    def state(self, done: _Done, counts: list[int]) -> StateUpdate:
        s = done.stream
        return StateUpdate(
            stream=s.key,
            adapter=s.spec.name,
            region=s.region,
            account=s.account,
            watermark=done.watermark,
            modified_watermark=done.modified_watermark,
            started=done.started,
            finished=dt.datetime.now(dt.UTC),
            reads="; ".join(r.describe() for r in done.reads),
            covered_since=coverage(done.reads),
            seen=done.seen,
            new=counts[0],
            changes=counts[1],
            scopes=done.scopes,
        )

    def report(self, done: _Done, counts: list[int]) -> StreamReport:
        s = done.stream
        return StreamReport(
            stream=s.key,
            adapter=s.spec.name,
            region=s.region,
            account=s.account,
            reads=tuple(r.describe() for r in done.reads),
            requests=done.requests,
            seen=done.seen,
            new=counts[0],
            changes=counts[1],
            resumed=done.resumed,
        )

    def put(self, item: _Chunk | _Done | _Failed) -> None:
        rows = len(item.rows) if isinstance(item, _Chunk) else 0
        with self.room:
            # A chunk waits while the rows not yet written would pass the bound (one chunk
            # always fits, so the listing never waits on itself).
            while (
                rows
                and self.buffered
                and self.buffered + rows > MAX_BUFFERED
                and not self.stop.is_set()
            ):
                self.room.wait(0.1)
            if self.stop.is_set():
                return
            self.buffered += rows
        self.queue.put(item)

    def release(self, rows: int) -> None:
        """``rows`` were written: room for more."""
        with self.room:
            self.buffered -= rows
            self.room.notify_all()

    def flush(self, p: _Progress, read: int, cursor: Mapping[str, Any] | None) -> None:
        """Hand ``p``'s rows to the writer with the progress they complete."""
        progress = {"started": p.started.isoformat(), "reads": p.encoded, "read": read}
        progress["cursor"] = {"streams": dict(cursor)} if cursor else None
        self.put(_Chunk(p.stream, p.rows, progress, dt.datetime.now(dt.UTC)))
        p.rows, p.flushed = [], time.monotonic()

    def list_all(self, plans: Mapping[str, _Plan]) -> None:
        try:
            self._list_all(plans)
        except BaseException as error:
            self.put(_Failed(None, error))

    def _list_all(self, plans: Mapping[str, _Plan]) -> None:
        active: list[_Progress] = []
        for stream in self.streams:
            plan = plans[stream.key]
            cursor = plan.cursor.get("streams") if isinstance(plan.cursor, Mapping) else None
            active.append(
                _Progress(
                    stream=stream,
                    plan=plan,
                    started=plan.started or dt.datetime.now(dt.UTC),
                    read=plan.first,
                    cursor=cursor,
                    scopes=plan.scopes,
                    encoded=_encode_reads(plan.reads),
                )
            )
        active = [p for p in active if self.finish_read(p, advance=False)]
        while active and not self.stop.is_set():
            self.list_round(active)
            active = [p for p in active if self.finish_read(p)]

    def finish_read(self, p: _Progress, *, advance: bool = True) -> bool:
        """Move ``p`` past its current read; True while it has a read left to make. A
        stream with no read left hands its last rows and its end to the writer (one
        transaction: its progress is cleared and its watermark moves)."""
        if advance:
            p.read += 1
            p.cursor = None
            if p.read < len(p.plan.reads):
                # The read is complete: its last rows go with a progress pointing at the next.
                self.flush(p, p.read, None)
        if p.read < len(p.plan.reads):
            return True
        if p.rows:
            self.flush(p, len(p.plan.reads), None)
        self.put(
            _Done(
                p.stream,
                p.plan.reads,
                p.started,
                p.requests,
                p.seen,
                p.newest,
                p.newest_update,
                p.plan.resumed,
                p.discovered,
            )
        )
        return False

    def list_round(self, active: list[_Progress]) -> None:
        """One listing of the current read of every stream in ``active``."""
        by_lane = {p.stream.lane: p for p in active}
        resume: dict[str, Any] = {}
        for p in active:
            if p.cursor and p.resumable:
                resume.update(p.cursor)
        options = attrs.evolve(
            self.options,
            parts=tuple(_part(self.options, p) for p in active),
            cursor=CursorState.load({"v": CURSOR_VERSION, "streams": resume}),
        )
        self.listings += 1
        with JobIterator(options, self.accounts) as listing:
            for job in listing:
                if self.stop.is_set():
                    return
                key = listing.released_from
                assert key is not None  # every job comes from a stream
                at = by_lane[_lane_of(key)]
                if at.current.past(job.created):
                    continue  # older than a newest-first read's bound: the page ends it
                at.seen += 1
                if job.created is not None and (at.newest is None or job.created > at.newest):
                    at.newest = job.created
                if job.updated is not None and (
                    at.newest_update is None or job.updated > at.newest_update
                ):
                    at.newest_update = job.updated
                stream = at.stream
                at.rows.append(_row(job, stream.key, stream.spec.scope_names, stream.account))
                if len(at.rows) >= CHUNK_JOBS or time.monotonic() - at.flushed > _FLUSH_SECONDS:
                    mine = _positions(listing.cursor, stream) if at.resumable else None
                    self.flush(at, at.read, mine)
            cursor = listing.cursor
            for p in active:
                p.requests += p.stream.requests(listing.stats)
                if p.scopes is None and _discovers(p.stream) and not p.cursor:
                    p.discovered = p.scopes = _scopes_of(
                        {"streams": _positions(cursor, p.stream)}, p.stream.spec
                    )


def sync(
    target: str | os.PathLike[str] | None = None,
    adapters: AdapterArg = None,
    *,
    session: boto3.Session | Sequence[boto3.Session] | None = None,
    profiles: Sequence[str] | None = None,
    accounts: AccountsArg = None,
    role_name: str | None = None,
    regions: RegionArg = None,
    params: ParamsArg = None,
    endpoint_url: str | None = None,
    retry: RetryPolicy | None = None,
    on_retry: Callable[[RetryEvent], None] | None = None,
    discover: bool = True,
    pacing: bool = True,
    max_concurrency: int = 8,
    max_initializing: int = 4,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
    full: bool = False,
    rediscover: dt.timedelta = dt.timedelta(hours=1),
) -> SyncReport:
    """Bring the inventory at ``target`` up to date and say what was done.

    ``target``: a DuckDB file path (default ``jobkit.duckdb`` in the current directory; the
    ``jobkit[duckdb]`` extra) or a ``postgresql://user:password@host/db`` URL
    (``jobkit[postgres]``). The selection arguments are those of ``jobs()``: ``adapters``,
    ``regions`` (``"all"`` too), ``params``, the accounts (``session`` / ``profiles``, or
    ``accounts=`` with a ``jobkit.Organization`` or account ids and ``role_name=``; one
    stream set per account, keyed by its account id where it is known), ``endpoint_url``,
    ``retry``, ``on_retry``, ``discover``, ``pacing``, ``max_concurrency`` (calls at once)
    and ``max_initializing``.

    Every stream is listed in one listing (one set of clients; the streams fanned out
    together), each with its own reads. The first sync of a stream lists it whole; later
    ones read only what can have changed (``jobkit.core.changes``): jobs created since the
    stream's watermark minus ``overlap``, and the jobs that were not terminal, through a
    wider creation window or a modification-time filter. ``full=True`` lists every stream
    whole (for instance to pick up jobs that appeared later than ``overlap`` allows).
    Scopes discovered by a sync (work teams, job queues, collaborations, ...) are reused for
    ``rediscover`` (one hour), so a re-sync does not ask for them again; ``full=True``
    always discovers. A stream that fails raises its error; the pages written before it
    stay, and the next sync completes them.
    """
    if not isinstance(overlap, dt.timedelta) or overlap < dt.timedelta(0):
        raise UsageError(
            f"overlap={overlap!r} is not a non-negative timedelta",
            hint="e.g. overlap=datetime.timedelta(minutes=10)",
        )
    began = time.monotonic()
    # Checked as jobs() checks them, before the store is opened: a wrong argument changes
    # nothing.
    options = ListingOptions.build(
        adapters,
        regions=regions,
        params=params,
        endpoint_url=endpoint_url,
        retry=retry,
        on_retry=on_retry,
        discover=discover,
        pacing=pacing,
        max_concurrency=max_concurrency,
        max_initializing=max_initializing,
    )
    found = resolve_accounts(
        session=session, profiles=profiles, accounts=accounts, role_name=role_name
    )
    specs = list(options.specs)
    left_out: tuple[str, ...] = ()
    if options.every_adapter:
        left_out = tuple(
            s.name
            for s in specs
            if missing_scopes(s, options.scopes[s.name], discover=options.discover, every=True)
        )
        specs = [s for s in specs if s.name not in left_out]
    default = default_region(sync_session_of(found[0]))
    regions_of = {spec.name: _sync_regions(options, spec, default) for spec in specs}
    streams = [
        _SyncStream(
            spec=spec,
            region=region,
            label=account.label,
            account=account.account_id or account.label,
            params={**options.scopes[spec.name], **options.extras[spec.name]},
        )
        for account in found
        for spec in specs
        for region in regions_of[spec.name]
    ]
    # The listing's clients are made while the store opens and the reads are planned.
    pairs = {(service, s.region) for s in streams for service in s.spec.services}
    warming = warm_clients(options, found, pairs)
    try:
        with open_store(target) as store:
            runner = _Runner(
                store, streams, options, found, full=full, overlap=overlap, rediscover=rediscover
            )
            reports = runner.run()
            name = store.target
    finally:
        if warming is not None:
            warming.join()
    order = {s.key: i for i, s in enumerate(streams)}
    reports.sort(key=lambda r: order[r.stream])
    return SyncReport(
        target=name,
        streams=tuple(reports),
        seconds=time.monotonic() - began,
        skipped=left_out,
        listings=runner.listings,
    )


# --------------------------------------------------------------------------- reading back


class Inventory:
    """The inventory at a target, read back: ``to_arrow()`` / ``to_pandas()`` per table."""

    TABLES = ("jobs", "job_status_changes", "sync_state")

    def __init__(self, target: str | os.PathLike[str] | None = None) -> None:
        self.target = target

    @contextlib.contextmanager
    def _store(self) -> Iterator[Store]:
        store = open_store(self.target)
        try:
            yield store
        finally:
            store.close()

    def to_arrow(self, table: str = "jobs") -> pyarrow.Table:
        """``table`` (``jobs``, ``job_status_changes`` or ``sync_state``) as Arrow."""
        try:
            import pyarrow  # noqa: F401, PLC0415
        except ImportError as exc:
            from jobkit.errors import MissingDependencyError  # noqa: PLC0415

            raise MissingDependencyError("Arrow export", "arrow", "pyarrow") from exc
        with self._store() as store:
            return store.to_arrow(table)

    def to_pandas(self, table: str = "jobs") -> pandas.DataFrame:
        """``table`` as a DataFrame; ``status`` columns are categories in JobStatus order."""
        try:
            import pandas as pd  # noqa: PLC0415
        except ImportError as exc:
            from jobkit.errors import MissingDependencyError  # noqa: PLC0415

            raise MissingDependencyError("DataFrame export", "pandas", "pandas") from exc
        frame = self.to_arrow(table).to_pandas(types_mapper=_types_mapper(pd))
        order = [s.value for s in JobStatus]
        for column in ("status", "previous_status", "new_status"):
            if column in frame.columns:
                frame[column] = pd.Categorical(frame[column], categories=order)
        return frame


def _types_mapper(pd: Any) -> Callable[[Any], Any]:
    import pyarrow as pa  # noqa: PLC0415

    def mapper(arrow_type: Any) -> Any:
        if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
            return pd.StringDtype()
        return None

    return mapper


def inventory(target: str | os.PathLike[str] | None = None) -> Inventory:
    """The inventory at ``target`` (as for ``sync()``), to read back as Arrow or pandas."""
    return Inventory(target)


def reads_markdown() -> str:
    """The table of docs/inventory.md saying how each adapter is re-read (from the specs)."""
    from jobkit.adapters import REGISTRY  # noqa: PLC0415

    lines = [
        "| adapter | new jobs | status changes of non-terminal jobs |",
        "| --- | --- | --- |",
    ]
    for name, spec in sorted(REGISTRY.items()):
        caps = _caps(spec)
        if caps.sorted_desc:
            new = "newest first, until the watermark"
        elif caps.since:
            new = "creation-time filter" + (
                " (pages before filtering)" if caps.window_first else ""
            )
        else:
            new = "**listed whole**"
        if not caps.incremental:
            status = "**listed whole**"
        elif caps.modified:
            status = f"wider window, or `{caps.modified}` (cheaper)"
        else:
            status = "wider window (back to the oldest non-terminal job)"
        lines.append(f"| `{name}` | {new} | {status} |")
    return "\n".join(lines)
