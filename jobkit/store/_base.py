"""The narrow interface both backends implement, and the decisions they share.

A backend knows SQL and transactions; which rows are new, which changed status and which are
stale is decided here, once: ``Store.write`` runs ``decide`` inside the backend's
transaction, between reading the current rows (locked, in PostgreSQL) and writing.
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from jobkit.core.changes import StreamKnowledge, bounds
from jobkit.model import JobStatus
from jobkit.store import _sql

if TYPE_CHECKING:
    import pyarrow

__all__ = ["Existing", "JobRow", "PageResult", "PageWrite", "StateUpdate", "Store", "StreamState"]

_NON_TERMINAL = tuple(s.value for s in JobStatus if not s.is_terminal)


@attrs.frozen(kw_only=True)
class JobRow:
    """One job as the ``jobs`` table holds it (``first_seen``/``last_seen`` aside)."""

    job_key: str
    adapter: str
    service: str
    name: str | None
    id: str | None
    status: str
    raw_status: str | None
    created: dt.datetime | None
    ended: dt.datetime | None
    updated: dt.datetime | None
    region: str
    account: str | None
    problem: str | None
    extras: str  # JSON text
    raw: str  # JSON text
    stream: str
    #: A digest of every field above (``jobs.row_digest``): equal digests, equal columns
    #: (``first_seen``, ``last_seen`` and ``gone_since`` aside). Made with the row, on the
    #: listing's thread.
    digest: str = attrs.field(init=False)

    @digest.default
    def _digest(self) -> str:
        text = "\x1f".join("\x00" if v is None else str(v) for v in self._fields())
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def _fields(self) -> tuple[Any, ...]:
        return (
            self.job_key,
            self.adapter,
            self.service,
            self.name,
            self.id,
            self.status,
            self.raw_status,
            self.created,
            self.ended,
            self.updated,
            self.region,
            self.account,
            self.problem,
            self.extras,
            self.raw,
            self.stream,
        )

    def values(
        self, observed_at: dt.datetime, first_seen: dt.datetime | None = None
    ) -> tuple[Any, ...]:
        """The row's values in ``JOB_COLUMNS`` order, last seen at ``observed_at`` and first
        seen at ``first_seen`` (default: ``observed_at``)."""
        first = observed_at if first_seen is None else first_seen
        return (*self._fields(), first, observed_at, None, self.digest)


@attrs.frozen
class Existing:
    """What the inventory held for a job before a page was written."""

    status: str
    raw_status: str | None
    last_seen: dt.datetime
    first_seen: dt.datetime | None = None
    digest: str | None = None  # None: written before schema version 2
    rowid: int | None = None  # DuckDB's, valid in the transaction that read it


@attrs.frozen(kw_only=True)
class PageResult:
    """What writing one page did."""

    new: int
    updated: int
    changes: int
    stale: int


@attrs.frozen(kw_only=True)
class StateUpdate:
    """The end of one stream's sync: its watermarks and what the sync did."""

    stream: str
    adapter: str
    region: str
    account: str | None
    watermark: dt.datetime | None
    modified_watermark: dt.datetime | None
    started: dt.datetime
    finished: dt.datetime
    reads: str
    covered_since: dt.datetime | None  # jobs created since then and not seen are gone
    seen: int
    new: int
    changes: int
    scopes: list[dict[str, str]] | None = None  # discovered scopes to remember (None: keep)


def to_json(value: Any) -> str:
    """JSON text of a summary (datetimes as ISO-8601, bytes as text, the rest as str)."""
    return json.dumps(value, default=_default, separators=(",", ":"), sort_keys=True)


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def _first_change(row: JobRow, observed_at: dt.datetime) -> tuple[Any, ...]:
    """The ``job_status_changes`` row of a job's first sighting (no previous status)."""
    return (row.job_key, None, row.status, None, row.raw_status, observed_at, row.stream)


def decide(
    rows: Sequence[JobRow],
    existing: Mapping[str, Existing],
    observed_at: dt.datetime,
) -> tuple[list[JobRow], list[JobRow], list[tuple[Any, ...]], int]:
    """Split a page into new rows, rows to update and status changes; count stale rows.

    A row whose job another sync saw later than ``observed_at`` is stale and left alone, so
    two syncs running at once never move a status backwards (and never record one change
    twice). A status change is a different ``status`` or ``raw_status``; a job seen for the
    first time gets a change from no status.
    """
    new: list[JobRow] = []
    update: list[JobRow] = []
    changes: list[tuple[Any, ...]] = []
    stale = 0
    for row in rows:
        old = existing.get(row.job_key)
        if old is None:
            new.append(row)
            changes.append(_first_change(row, observed_at))
            continue
        if old.last_seen > observed_at:
            stale += 1
            continue
        update.append(row)
        if (old.status, old.raw_status) != (row.status, row.raw_status):
            changes.append(
                (
                    row.job_key,
                    old.status,
                    row.status,
                    old.raw_status,
                    row.raw_status,
                    observed_at,
                    row.stream,
                )
            )
    return new, update, changes, stale


@attrs.frozen(kw_only=True)
class PageWrite:
    """One page to write: its rows, and the progress of its stream's sync (None: none)."""

    stream: str
    adapter: str
    region: str
    account: str | None
    rows: Sequence[JobRow]
    observed_at: dt.datetime
    progress: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class StreamState:
    """What ``sync_state`` holds for a stream besides its watermarks."""

    in_progress: dict[str, Any] | None = None
    scopes: list[dict[str, str]] | None = None
    scopes_at: dt.datetime | None = None


class Store(abc.ABC):
    """An inventory: the ``jobs``, ``job_status_changes`` and ``sync_state`` tables.

    Backends implement the SQL primitives (``_lookup`` ... ``_finish``) and a transaction;
    ``write`` decides, once for both, what each page does to the tables.
    """

    #: The target as given, without any password.
    target: str
    #: The backend's parameter placeholder (DB-API paramstyle: ``?`` or ``%s``).
    _mark: str

    def _reading(self) -> contextlib.AbstractContextManager[None]:
        """Where several reads must see one snapshot (a transaction where it matters)."""
        return contextlib.nullcontext()

    def streams(
        self, keys: Sequence[str], overlap: dt.timedelta
    ) -> dict[str, tuple[StreamState, StreamKnowledge]]:
        """What the inventory holds about each stream of ``keys``: its ``sync_state`` row and
        what it knows about its jobs (see ``jobkit.core.changes``). Three queries for all the
        streams of a sync, read in one snapshot, whatever their number."""
        p = self._mark
        nt = ", ".join(f"'{s}'" for s in non_terminal_values())
        states: dict[str, tuple[Any, ...]] = {}
        counts: dict[str, tuple[Any, ...]] = {}
        seen: dict[tuple[str, dt.datetime], int] = {}
        with self._reading():
            for part in chunks(keys, _KEYS_PER_QUERY):
                marks = ", ".join([p] * len(part))
                for row in self._rows(_sql.STATES.format(marks=marks), list(part)):
                    states[row[0]] = row[1:]
                for row in self._rows(_sql.KNOWLEDGE.format(nt=nt, marks=marks), list(part)):
                    counts[row[0]] = row[1:]
            known: dict[str, StreamKnowledge] = {}
            for key in keys:
                state = states.get(key)
                jobs, non_terminal, oldest = counts.get(key, (0, 0, None))
                known[key] = StreamKnowledge(
                    jobs=int(jobs),
                    watermark=utc(state[0]) if state else None,
                    modified_watermark=utc(state[1]) if state else None,
                    non_terminal=int(non_terminal),
                    oldest_non_terminal=utc(oldest),
                )
            wanted = sorted(
                {(k, b) for k, kn in known.items() for b in bounds(kn, overlap) if b is not None}
            )
            for part in chunks(wanted, _KEYS_PER_QUERY):
                rows = ", ".join([_sql.NOW_SEEN_ROW.format(p=p)] * len(part))
                params = [x for i, (key, bound) in enumerate(part) for x in (i, key, bound)]
                for i, found in self._rows(_sql.NOW_SEEN.format(rows=rows), params):
                    seen[part[int(i)]] = int(found)
        out: dict[str, tuple[StreamState, StreamKnowledge]] = {}
        for key in keys:
            state = states.get(key)
            stream_state = StreamState()
            if state is not None:
                stream_state = StreamState(
                    in_progress=self._json(state[2]),
                    scopes=self._json(state[3]),
                    scopes_at=utc(state[4]),
                )
            kn = known[key]
            since = {b: seen.get((key, b), 0) for b in bounds(kn, overlap) if b is not None}
            out[key] = (stream_state, attrs.evolve(kn, created_since=since))
        return out

    @abc.abstractmethod
    def _rows(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Every row of a query."""

    def _json(self, value: Any) -> Any:
        """A JSON column's value read back, as Python objects."""
        return value

    @abc.abstractmethod
    def to_arrow(self, table: str) -> pyarrow.Table:
        """One of the three tables as an Arrow table."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close the connection."""

    @abc.abstractmethod
    def _transaction(self) -> contextlib.AbstractContextManager[None]:
        """One transaction: committed on exit, rolled back on an exception."""

    @abc.abstractmethod
    def _lookup(self, keys: Sequence[str]) -> dict[str, Existing]:
        """The current rows of ``keys`` (locked until the transaction ends, where it matters)."""

    @abc.abstractmethod
    def _insert_new(self, rows: Sequence[JobRow], seen: Mapping[str, dt.datetime]) -> set[str]:
        """Insert rows that did not exist, each seen at ``seen[key]``; returns the keys
        inserted (another writer may have inserted some of them meanwhile)."""

    @abc.abstractmethod
    def _touch(
        self,
        keys: Sequence[str],
        seen: Mapping[str, dt.datetime],
        existing: Mapping[str, Existing],
    ) -> None:
        """Existing rows listed again unchanged (``existing[key]`` as ``_lookup`` read them
        in this transaction): ``last_seen`` moves to ``seen[key]``, ``gone_since`` is
        cleared."""

    @abc.abstractmethod
    def _upsert(
        self,
        rows: Sequence[JobRow],
        seen: Mapping[str, dt.datetime],
        existing: Mapping[str, Existing],
    ) -> None:
        """Overwrite existing rows with what the listing says, each last seen at
        ``seen[key]``; ``first_seen`` stays (``existing[key]`` is the row as ``_lookup``
        read it in this transaction)."""

    @abc.abstractmethod
    def _insert_changes(self, changes: Sequence[tuple[Any, ...]]) -> None:
        """Append rows to ``job_status_changes``."""

    @abc.abstractmethod
    def _progress(self, page: PageWrite) -> None:
        """Record the progress of ``page``'s stream."""

    @abc.abstractmethod
    def _run(self, sql: str, params: Sequence[Any]) -> None:
        """Execute a statement that returns nothing."""

    @abc.abstractmethod
    def _json_param(self, value: Any) -> Any:
        """``value`` as the parameter of a JSON column."""

    def _finish(self, updates: Sequence[StateUpdate]) -> None:
        """For each stream of ``updates``: mark jobs gone, move the watermarks forward,
        record the counts, clear progress: one statement of each kind for them all."""
        p = self._mark
        gone = [u for u in updates if u.covered_since is not None]
        for part in chunks(gone, _ROWS_PER_STATEMENT):
            self._run(
                _sql.GONE.format(rows=", ".join([_sql.GONE_ROW.format(p=p)] * len(part))),
                [x for u in part for x in (u.stream, u.finished, u.started, u.covered_since)],
            )
        for part in chunks(updates, _ROWS_PER_STATEMENT):
            params: list[Any] = []
            for u in part:
                scopes = self._json_param(u.scopes) if u.scopes is not None else None
                params += _sql.finish_params(u, scopes)
            self._run(
                _sql.FINISH.format(rows=", ".join([_sql.FINISH_ROW.format(p=p)] * len(part))),
                params,
            )

    def write(
        self, pages: Sequence[PageWrite], finished: Sequence[StateUpdate] = ()
    ) -> list[PageResult]:
        """Write ``pages`` (rows, status changes, progress), then ``finished`` streams'
        states, all in one transaction. Counts of these pages are added to the finished
        streams' counts."""
        with self._transaction():
            results = self._write_pages(pages)
            ending = {u.stream for u in finished}
            for page in pages:
                # A stream that finishes in this transaction clears its progress anyway.
                if page.progress is not None and page.stream not in ending:
                    self._progress(page)
            ended = []
            for update in finished:
                mine = [r for p, r in zip(pages, results, strict=True) if p.stream == update.stream]
                ended.append(
                    attrs.evolve(
                        update,
                        new=update.new + sum(r.new for r in mine),
                        changes=update.changes + sum(r.changes for r in mine),
                    )
                )
            if ended:
                self._finish(ended)
        return results

    def _write_pages(self, pages: Sequence[PageWrite]) -> list[PageResult]:
        """The rows of every page: looked up, decided, written with one statement each."""
        # A job on two pages of the batch (two reads of one sync) counts as its later sighting.
        latest: dict[str, tuple[int, JobRow]] = {}
        for number, page in enumerate(pages):
            for row in page.rows:
                latest[row.job_key] = (number, row)
        keys = sorted(latest)
        existing = self._lookup(keys) if keys else {}
        fresh = [k for k in keys if k not in existing]
        stamps = {k: pages[latest[k][0]].observed_at for k in keys}
        inserted = self._insert_new([latest[k][1] for k in fresh], stamps) if fresh else set()
        raced = [k for k in fresh if k not in inserted]
        if raced:  # another sync inserted them after our lookup: they exist now
            existing.update(self._lookup(raced))
        counts = [[0, 0, 0, 0] for _ in pages]  # new, updated, changes, stale per page
        updates: list[JobRow] = []
        changes: list[tuple[Any, ...]] = []
        for key in keys:
            number, row = latest[key]
            observed_at = pages[number].observed_at
            if key in inserted:
                new, update, change, stale = decide([row], {}, observed_at)
            else:
                new, update, change, stale = decide([row], existing, observed_at)
            updates += update
            changes += change
            tally = counts[number]
            tally[0] += len(new)
            tally[1] += len(update)
            tally[2] += len(change)
            tally[3] += stale
        # A job listed again as it was (the usual case in a re-sync) has only last_seen moved:
        # told by its digest, without reading its columns (DuckDB would rewrite every updated
        # column of the row group on its next checkpoint, and raw is most of a row).
        same: list[str] = []
        changed: list[JobRow] = []
        for row in updates:
            if existing[row.job_key].digest == row.digest:
                same.append(row.job_key)
            else:
                changed.append(row)
        if same:
            self._touch(same, stamps, existing)
        if changed:
            self._upsert(changed, stamps, existing)
        if changes:
            self._insert_changes(changes)
        return [PageResult(new=a, updated=b, changes=c, stale=d) for a, b, c, d in counts]

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def utc(value: Any) -> dt.datetime | None:
    """A timestamp read back, in UTC (DuckDB returns naive UTC ones)."""
    if value is None:
        return None
    assert isinstance(value, dt.datetime)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def non_terminal_values() -> tuple[str, ...]:
    """The ``status`` values of jobs that can still change status."""
    return _NON_TERMINAL


#: Stream keys in one ``IN`` list (an organization's sync has tens of thousands of streams).
_KEYS_PER_QUERY = 1000
#: Rows of ``VALUES`` in one statement (PostgreSQL takes at most 65,535 parameters).
_ROWS_PER_STATEMENT = 500


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
