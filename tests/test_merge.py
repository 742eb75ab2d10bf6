"""core.merge: the lazy k-way merge gives one global order and asks for no page early."""

from __future__ import annotations

from collections import Counter, deque
from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st

from jobkit.core.merge import Item, merge
from jobkit.model import Job, JobStatus

BASE = datetime(2026, 1, 1, tzinfo=UTC)


def _job(stream: int, seconds: int | None) -> Job:
    return Job(
        adapter="a",
        service="s",
        name=f"{stream}-{seconds}",
        id=None,
        status=JobStatus.SUCCEEDED,
        raw_status=None,
        created=None if seconds is None else BASE + timedelta(seconds=seconds),
        region="us-east-1",
    )


@attrs.define
class _Stream:
    pages: list[list[Job]]
    server_sorted: bool
    merged: deque[Item] = attrs.field(factory=deque)
    sorted_once: bool = False
    after: tuple[float, int] | None = None
    read: int = 0

    @property
    def ended(self) -> bool:
        return self.read == len(self.pages)

    def fetch(self) -> None:
        self.merged.extend((job, None, 0) for job in self.pages[self.read])
        self.read += 1


streams_strategy = st.lists(
    st.tuples(
        st.lists(st.one_of(st.none(), st.integers(0, 500)), max_size=30),
        st.integers(1, 7),  # page size
        st.booleans(),  # server-sorted?
    ),
    min_size=1,
    max_size=6,
)


@given(streams_strategy, st.booleans())
def test_merge_is_the_global_order_and_reads_only_needed_pages(
    specs: list[tuple[list[int | None], int, bool]], descending: bool
) -> None:
    def order(seconds: int | None) -> float:
        value = -1e18 if seconds is None else seconds
        return -value if descending else value

    streams = []
    for index, (stamps, size, server_sorted) in enumerate(specs):
        ordered = sorted(stamps, key=order) if server_sorted else stamps
        jobs = [_job(index, s) for s in ordered]
        pages = [jobs[i : i + size] for i in range(0, len(jobs), size)]
        streams.append(_Stream(pages, server_sorted))
    out: list[Job] = []
    for _ in range(10_000):
        out.extend(item[0] for _, item in merge(streams, descending=descending))
        waiting = [s for s in streams if not s.ended and (not s.merged or not s.server_sorted)]
        if not waiting and all(s.ended and not s.merged for s in streams):
            break
        # The merge stopped: it needs a page of a stream whose buffer ran dry (or an unsorted
        # stream that is not read in full). Fetch one and go on.
        assert waiting, "the merge stopped although every stream has jobs in hand"
        waiting[0].fetch()
    every = [j for s in streams for page in s.pages for j in page]
    assert Counter(j.name for j in out) == Counter(j.name for j in every)
    keys = [order(None if j.created is None else _seconds(j.created)) for j in out]
    assert keys == sorted(keys)


def _seconds(created: datetime) -> int:
    return int((created - BASE).total_seconds())


def test_top_k_reads_one_page_per_sorted_stream() -> None:
    """The first job needs one page from each sorted stream, and no more."""
    streams = [
        _Stream([[_job(i, 100 - n) for n in range(p * 5, p * 5 + 5)] for p in range(4)], True)
        for i in range(3)
    ]
    for stream in streams:
        stream.fetch()
    _, (first, _, _) = next(merge(streams, descending=True))
    assert first.created == BASE + timedelta(seconds=100)
    assert [s.read for s in streams] == [1, 1, 1]
