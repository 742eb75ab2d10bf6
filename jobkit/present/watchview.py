"""A live view of watched jobs: ``WatchBoard`` (counts per status, the jobs by their last
change, the latest events), refreshed in place in Jupyter as events come in.

Presentation only: it is fed ``JobEvent`` s (from ``jobkit.watch`` / ``awatch``, or any
iterable of them) and imports nothing above ``core`` and ``model``. In a notebook,
``board.follow(watch)`` shows the board once and refreshes that one output as events come
(at most every ``refresh`` seconds, and at the end); elsewhere it only passes the events on.
"""

from __future__ import annotations

import collections
import datetime as dt
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Any

from jobkit.core.polling import JobEvent
from jobkit.model import Job, JobStatus
from jobkit.present.html import _badges, _e, _table, _time_cell, badge

__all__ = ["WatchBoard"]


class WatchBoard:
    """The jobs a watch reported, as a table that refreshes in place in Jupyter.

    ``rows``: jobs shown (most recently changed first); ``recent``: events listed under the
    table; ``refresh``: seconds between two redraws at most.
    """

    def __init__(self, *, rows: int = 30, recent: int = 10, refresh: float = 0.5) -> None:
        self.rows = rows
        self.refresh = refresh
        self.jobs: dict[tuple[str, str, str, str], Job] = {}
        self.changed: dict[tuple[str, str, str, str], dt.datetime] = {}
        self.events: collections.deque[JobEvent] = collections.deque(maxlen=recent)
        self.total = 0
        self._handle: Any = None
        self._drawn = 0.0

    @staticmethod
    def _key(job: Job) -> tuple[str, str, str, str]:
        return (job.adapter, job.account or "", job.region, job.id or job.name or "")

    def add(self, event: JobEvent) -> None:
        """Take one event into the board (no redraw)."""
        key = self._key(event.job)
        self.jobs[key] = event.job
        self.changed[key] = event.observed
        self.events.append(event)
        self.total += 1

    def counts(self) -> list[tuple[JobStatus, int]]:
        """Jobs per status, in JobStatus order."""
        tally = collections.Counter(job.status for job in self.jobs.values())
        return [(status, tally[status]) for status in JobStatus if tally[status]]

    @property
    def running(self) -> int:
        """Jobs whose last seen status is not terminal."""
        return sum(1 for job in self.jobs.values() if not job.status.is_terminal)

    def _repr_html_(self) -> str:
        order = sorted(self.jobs, key=lambda k: self.changed[k], reverse=True)
        rows = [
            (
                _e(self.jobs[k].name or self.jobs[k].id),
                _e(self.jobs[k].adapter),
                _e(self.jobs[k].region),
                badge(self.jobs[k].status),
                _time_cell(self.changed[k]),
            )
            for k in order[: self.rows]
        ]
        table = _table("jobkit-watch", ["name", "adapter", "region", "status", "seen (UTC)"], rows)
        more = len(order) - self.rows
        hidden = f"<p>... and {more} more job(s)</p>" if more > 0 else ""
        latest = "".join(
            f"<li>{_e(f'{e.observed:%H:%M:%S}')} {_e(e.job.name or e.job.id)}: "
            + (f"{badge(e.previous)} &rarr; " if e.previous else "new ")
            + f"{badge(e.job.status)}</li>"
            for e in reversed(self.events)
        )
        return (
            f'<div class="jobkit-watchboard"><p>{len(self.jobs)} job(s), {self.running} '
            f"running, {self.total} event(s) {_badges(self.counts())}</p>{table}{hidden}"
            f"<p>latest events</p><ul>{latest}</ul></div>"
        )

    def __str__(self) -> str:
        counts = ", ".join(f"{status.value} {n}" for status, n in self.counts())
        return f"WatchBoard: {len(self.jobs)} job(s), {self.total} event(s) ({counts})"

    # ------------------------------------------------------------------ live display

    def show(self) -> None:
        """Display the board in the running notebook (a no-op outside IPython)."""
        try:
            from IPython import get_ipython  # noqa: PLC0415
            from IPython.display import display  # noqa: PLC0415
        except ImportError:
            return
        if get_ipython() is None:
            return
        self._handle = display(self, display_id=True)  # type: ignore[no-untyped-call]
        self._drawn = time.monotonic()

    def redraw(self, *, force: bool = False) -> None:
        """Refresh the displayed board (at most every ``refresh`` seconds unless forced)."""
        if self._handle is None:
            return
        now = time.monotonic()
        if force or now - self._drawn >= self.refresh:
            self._handle.update(self)
            self._drawn = now

    @staticmethod
    def _last_of_poll(events: object) -> bool:
        # A watch says how many events of its last poll are still to be taken: the board is
        # redrawn after the last one, so it never waits a whole interval to show a change.
        pending = getattr(events, "pending", None)
        return isinstance(pending, int) and pending == 0

    def follow(self, events: Iterable[JobEvent]) -> Iterator[JobEvent]:
        """Show the board, take each event in, refresh, and pass the event on."""
        self.show()
        try:
            for event in events:
                self.add(event)
                self.redraw(force=self._last_of_poll(events))
                yield event
        finally:
            self.redraw(force=True)

    async def afollow(self, events: AsyncIterable[JobEvent]) -> AsyncIterator[JobEvent]:
        """``follow`` for ``async for`` (e.g. ``jobkit.awatch``)."""
        self.show()
        try:
            async for event in events:
                self.add(event)
                self.redraw(force=self._last_of_poll(events))
                yield event
        finally:
            self.redraw(force=True)
