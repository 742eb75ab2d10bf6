"""Resume state of a listing: per stream, where the next job comes from.

A cursor is a small JSON value::

    {"v": 1, "streams": {"<stream key>": ["<page token or null>", <jobs of that page taken>],
                         "<another stream key>": "done"}}

A stream's entry names the token of the page the last yielded job came from and how many
jobs of that page were yielded, so resuming re-reads that page and skips exactly those: no job
is repeated or missed, whether the listing stopped on a page boundary or in the middle of one.
Streams missing from the cursor had not started and are listed from the beginning.

An ordered listing (``order=``) adds ``"order"``. Its server-sorted streams release jobs in
stream order, so they keep ``[token, offset]`` entries. A stream the service cannot sort is
read in full and sorted in memory, so its jobs leave out of stream order; its entry is a
watermark instead, ``{"after": <merge key of the last job released>, "ties": <jobs released
with that key>}``: on resume the stream is read again, sorted, and the jobs up to the
watermark are dropped. (Jobs created in between sort before the watermark in newest-first
order and are not listed, as they would not be on the pages a token resumes either.)
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from jobkit.core.paging import DONE
from jobkit.core.query import Query
from jobkit.errors import UsageError
from jobkit.model import Job

__all__ = ["CURSOR_VERSION", "CursorState", "Page"]

CURSOR_VERSION = 1


@attrs.frozen
class Page:
    """A page of one stream's jobs, requested with ``start`` (None for the first page).

    ``ends[i]`` is how many of the page's summaries are consumed once ``jobs[i]`` is yielded
    (summaries skipped on resume or filtered out on the client are counted too).
    """

    start: str | None
    jobs: list[Job]
    ends: list[int]


def _bad(reason: str) -> UsageError:
    return UsageError(
        f"invalid cursor: {reason}",
        hint="pass the value of an iterator's .cursor (or its JSON) unchanged",
    )


@attrs.define
class CursorState:
    """Positions of every stream of one listing; safe to update from several threads."""

    positions: dict[str, Any] = attrs.field(factory=dict)
    since: str | None = None  # the time window of the listing the cursor came from
    until: str | None = None
    order: str | None = None  # the order of the listing the cursor came from
    #: What the cursor is a cursor of (adapters, regions, accounts, filters): a resume must
    #: ask for the same, or it would silently list something else.
    of: dict[str, Any] = attrs.field(factory=dict)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    @classmethod
    def load(cls, value: Mapping[str, Any] | str | None) -> CursorState:
        """A state from a cursor value (or its JSON text); None starts from scratch."""
        if value is None:
            return cls()
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise _bad("not JSON") from exc
        if not isinstance(value, Mapping) or value.get("v") != CURSOR_VERSION:
            raise _bad(f"expected an object with v={CURSOR_VERSION}")
        streams = value.get("streams")
        if not isinstance(streams, Mapping):
            raise _bad("'streams' must be an object")
        positions: dict[str, Any] = {}
        for key, entry in streams.items():
            if entry == DONE:
                positions[key] = DONE
            elif (
                isinstance(entry, list)
                and len(entry) == 2
                and (entry[0] is None or isinstance(entry[0], str))
                and isinstance(entry[1], int)
                and entry[1] >= 0
            ):
                positions[key] = [entry[0], entry[1]]
            elif (
                isinstance(entry, Mapping)
                and set(entry) == {"after", "ties"}
                and isinstance(entry["after"], int | float)
                and not isinstance(entry["after"], bool)
                and isinstance(entry["ties"], int)
                and entry["ties"] >= 1
            ):
                positions[key] = {"after": float(entry["after"]), "ties": entry["ties"]}
            else:
                raise _bad(
                    f"stream entry {entry!r} is neither 'done', [token, offset] nor "
                    '{"after": key, "ties": n}'
                )
        window = value.get("window") or {}
        if not isinstance(window, Mapping):
            raise _bad("'window' must be an object")
        order = value.get("order")
        if order is not None and not isinstance(order, str):
            raise _bad("'order' must be a string")
        of = value.get("of") or {}
        if not isinstance(of, Mapping):
            raise _bad("'of' must be an object")
        return cls(positions, window.get("since"), window.get("until"), order, dict(of))

    def record(self, **parts: Any) -> None:
        """Record parts of what this is a cursor of (JSON values), checking each against what
        a resumed cursor was taken of: a part that differs is a UsageError naming it."""
        for name, value in parts.items():
            if name in self.of and self.of[name] != value:
                raise UsageError(
                    f"the cursor is of a listing with {name}={self.of[name]!r}, "
                    f"not {name}={value!r}",
                    hint="resume with the arguments of the listing the cursor came from, or "
                    "start a new listing without cursor=",
                )
            self.of[name] = value

    def record_query(self, query: Query) -> None:
        """Record the filters of ``query`` (before the cursor's window is applied: a
        relative since= on resume means the cursor's instants, but a window given or left
        out must match)."""
        statuses = sorted(s.value for s in query.statuses) if query.statuses else None
        self.record(
            status=statuses,
            name_contains=query.name_contains,
            since=query.since is not None,
            until=query.until is not None,
        )

    def check_order(self, order: str | None) -> None:
        """Raise unless the listing being resumed has the order of the one the cursor is of."""
        if self.positions and order != self.order:
            raise UsageError(
                f"the cursor is of a listing with order={self.order!r}, not order={order!r}",
                hint=f"resume with order={self.order!r}",
            )

    def window(self, query: Query) -> Query:
        """``query`` with the time window of the listing this cursor resumes, if it had one."""
        if self.since is None and self.until is None:
            return query
        try:
            since = dt.datetime.fromisoformat(self.since) if self.since else None
            until = dt.datetime.fromisoformat(self.until) if self.until else None
        except ValueError as exc:
            raise _bad("its window is not ISO-8601") from exc
        return attrs.evolve(query, since=since, until=until)

    def start_of(self, key: str) -> tuple[str | None, int] | None:
        """Where stream ``key`` resumes: (token, jobs to skip), or None if it is done."""
        with self._lock:
            entry = self.positions.get(key)
        if entry == DONE:
            return None
        if entry is None or isinstance(entry, dict):
            return (None, 0)  # a watermark: read again from the start
        return (entry[0], entry[1])

    def after_of(self, key: str) -> tuple[float, int] | None:
        """The watermark stream ``key`` resumes after (merge key, ties), if it has one."""
        with self._lock:
            entry = self.positions.get(key)
        if isinstance(entry, dict):
            return (entry["after"], entry["ties"])
        return None

    def mark_after(self, key: str, after: float) -> None:
        """Record that a job with merge key ``after`` of unsorted stream ``key`` was released."""
        with self._lock:
            entry = self.positions.get(key)
            if isinstance(entry, dict) and entry["after"] == after:
                entry["ties"] += 1
            else:
                self.positions[key] = {"after": after, "ties": 1}

    def mark(self, key: str, start: str | None, taken: int) -> None:
        """Record that ``taken`` jobs of the page requested with ``start`` were yielded."""
        with self._lock:
            self.positions[key] = [start, taken]

    def finish(self, key: str) -> None:
        """Record that stream ``key`` yielded its last job."""
        with self._lock:
            self.positions[key] = DONE

    def snapshot(self, query: Query | None = None) -> dict[str, Any]:
        """The cursor value: JSON-serializable, independent of later progress."""
        with self._lock:
            streams = {
                k: (v if v == DONE else dict(v) if isinstance(v, dict) else list(v))
                for k, v in self.positions.items()
            }
        value: dict[str, Any] = {"v": CURSOR_VERSION, "streams": streams}
        if self.of:
            value["of"] = dict(self.of)
        if query is not None and query.order is not None:
            value["order"] = query.order
        if query is not None and (query.since or query.until):
            value["window"] = {
                "since": query.since.isoformat() if query.since else None,
                "until": query.until.isoformat() if query.until else None,
            }
        return value

    def emit(self, key: str, page: Page) -> Iterator[Job]:
        """Yield a page's jobs, moving the position before each so a stop loses nothing."""
        for taken, job in zip(page.ends, page.jobs, strict=True):
            self.mark(key, page.start, taken)
            yield job
