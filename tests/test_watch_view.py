"""The notebook's live view of a watch: what it shows, and when it redraws."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

from jobkit.core.polling import EventKind, JobEvent
from jobkit.model import Job, JobStatus
from jobkit.notebook import WatchBoard

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _event(name: str, status: JobStatus, previous: JobStatus | None, second: int) -> JobEvent:
    job = Job(
        adapter="sagemaker.training",
        service="sagemaker",
        name=name,
        id=f"arn:{name}",
        status=status,
        raw_status=status.value,
        created=T0,
        region="us-east-1",
    )
    kind = EventKind.NEW if previous is None else EventKind.CHANGED
    return JobEvent(
        kind=kind, job=job, previous=previous, observed=T0 + dt.timedelta(seconds=second)
    )


EVENTS = [
    _event("alpha", JobStatus.RUNNING, None, 1),
    _event("beta", JobStatus.RUNNING, None, 1),
    _event("alpha", JobStatus.FAILED, JobStatus.RUNNING, 2),
]


def test_board_shows_each_job_once_with_its_last_status() -> None:
    """The board keeps one row per job (its last status), newest change first, the counts
    per status and the latest events with both statuses."""
    board = WatchBoard()
    assert list(board.follow(EVENTS)) == EVENTS  # passed on unchanged
    html = board._repr_html_()
    assert 'class="jobkit-watchboard"' in html
    assert "2 job(s), 1 running, 3 event(s)" in html
    assert html.index(">alpha<") < html.index(">beta<")  # alpha changed last
    assert html.count(">alpha<") == 1 and html.count(" alpha: ") == 2  # one row, two events
    assert "FAILED 1" in html and "RUNNING 1" in html
    assert str(board) == "WatchBoard: 2 job(s), 3 event(s) (RUNNING 1, FAILED 1)"


class _Handle:
    def __init__(self) -> None:
        self.updates = 0

    def update(self, _: object) -> None:
        self.updates += 1


class _Polls:
    """Events as a watch hands them out: ``pending`` says how many of the poll remain."""

    def __init__(self, polls: list[list[JobEvent]]) -> None:
        self.polls = polls
        self.pending = 0

    def __iter__(self) -> Iterator[JobEvent]:
        for poll in self.polls:
            for index, event in enumerate(poll):
                self.pending = len(poll) - index - 1
                yield event


def test_board_redraws_after_the_last_event_of_each_poll() -> None:
    """With a long refresh, the displayed board is still redrawn after each poll's last
    event (and once at the end), never left behind until the next poll."""
    board = WatchBoard(refresh=3600)
    handle = _Handle()

    def show() -> None:
        board._handle, board._drawn = handle, time.monotonic()

    board.show = show  # type: ignore[method-assign]
    events = _Polls([EVENTS[:2], EVENTS[2:]])
    taken = []
    for event in board.follow(events):
        taken.append((event, handle.updates))
    assert [n for _, n in taken] == [0, 1, 2]
    assert handle.updates == 3  # the final redraw
