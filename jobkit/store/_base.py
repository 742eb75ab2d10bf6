"""The narrow interface both backends implement, and the decisions they share.

A backend knows SQL and transactions; which rows are new, which changed status and which are
stale is decided here, once: ``Store.write_page`` runs ``_decide`` inside the backend's
transaction, between reading the current rows (locked, in PostgreSQL) and writing.
"""

from __future__ import annotations

import abc
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from jobkit.core.changes import StreamKnowledge
from jobkit.model import JobStatus

if TYPE_CHECKING:
    import pyarrow

__all__ = ["Existing", "JobRow", "PageResult", "StateUpdate", "Store"]

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

    def values(self, observed_at: dt.datetime) -> tuple[Any, ...]:
        """The row's values in ``JOB_COLUMNS`` order, first and last seen at ``observed_at``."""
        return (*attrs.astuple(self, recurse=False), observed_at, observed_at, None)


@attrs.frozen
class Existing:
    """What the inventory held for a job before a page was written."""

    status: str
    raw_status: str | None
    last_seen: dt.datetime


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


def _dedupe(rows: Iterable[JobRow]) -> list[JobRow]:
    """One row per key (the last one), in key order: PostgreSQL locks rows in that order."""
    return sorted({row.job_key: row for row in rows}.values(), key=lambda r: r.job_key)


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
            changes.append(
                (row.job_key, None, row.status, None, row.raw_status, observed_at, row.stream)
            )
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


class Store(abc.ABC):
    """An inventory: the ``jobs``, ``job_status_changes`` and ``sync_state`` tables."""

    #: The target as given, without any password.
    target: str

    @abc.abstractmethod
    def knowledge(self, stream: str, overlap: dt.timedelta) -> StreamKnowledge:
        """What the inventory knows about ``stream`` (see ``jobkit.core.changes``)."""

    @abc.abstractmethod
    def in_progress(self, stream: str) -> dict[str, Any] | None:
        """The progress an unfinished sync of ``stream`` left behind, if any."""

    @abc.abstractmethod
    def write_page(
        self,
        stream: str,
        rows: Sequence[JobRow],
        observed_at: dt.datetime,
        progress: Mapping[str, Any],
        *,
        adapter: str,
        region: str,
        account: str | None,
    ) -> PageResult:
        """Write one page's rows, their status changes and the stream's progress, in one
        transaction."""

    @abc.abstractmethod
    def finish(self, update: StateUpdate) -> None:
        """Record a finished stream sync: watermarks (never moved back), counts; clear its
        progress."""

    @abc.abstractmethod
    def to_arrow(self, table: str) -> pyarrow.Table:
        """One of the three tables as an Arrow table."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close the connection."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @staticmethod
    def _rows(rows: Sequence[JobRow]) -> list[JobRow]:
        return _dedupe(rows)


def non_terminal_values() -> tuple[str, ...]:
    """The ``status`` values of jobs that can still change status."""
    return _NON_TERMINAL


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
