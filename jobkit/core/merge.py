"""The lazy k-way merge of ordered listings (``order="created-desc"`` / ``"created-asc"``).

Each stream buffers the jobs of the pages it has read. ``merge`` releases jobs in one global
order by ``created`` for as long as it can be sure of the order: it stops as soon as a stream
that has not ended runs out of buffered jobs, because that stream's next page may hold the
next job. The scheduler then fetches exactly that page, so ``limit=k`` over server-sorted
streams reads no page it does not need.

A stream the service cannot sort is read to its end first, then sorted once in memory (its
memory cost grows with it); when a listing resumes from a cursor, the jobs up to the stream's
watermark are dropped then. Jobs without a creation time sort as the oldest. Ties keep stream
order. A heap keeps each released job O(log k) for k streams.

The streams hold ``Item`` tuples: a job and where it came from (the token of its page and how
many summaries of that page it ends), which the cursor records when the job is released.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Protocol

from jobkit.model import Job

__all__ = ["Item", "Mergeable", "created_or_oldest", "merge", "merge_key"]

_OLDEST = datetime.min.replace(tzinfo=UTC)

#: A job in a stream's merge buffer, with its page's token and the summaries it ends there.
Item = tuple[Job, str | None, int]


class Mergeable(Protocol):
    """A stream as the merge sees it."""

    merged: deque[Item]  # jobs read and not yet released, in the stream's order
    server_sorted: bool  # the service returns this stream's jobs in the merge's order
    sorted_once: bool  # an unsorted stream, read in full, has been sorted
    after: tuple[float, int] | None  # resume watermark of an unsorted stream: (key, ties)

    @property
    def ended(self) -> bool:
        """No more jobs will come from this stream."""
        ...


def created_or_oldest(job: Job) -> datetime:
    """The sort key of a job: its creation time, or the oldest time when it has none."""
    return job.created or _OLDEST


def merge_key(job: Job, *, descending: bool) -> float:
    """The number the merge orders by (smallest first)."""
    stamp = created_or_oldest(job).timestamp()
    return -stamp if descending else stamp


def merge(streams: Sequence[Mergeable], *, descending: bool) -> Iterator[tuple[int, Item]]:
    """Release jobs from ``streams`` in global order for as long as the order is certain;
    yields (index of the stream, item)."""

    def key(item: Item) -> float:
        return merge_key(item[0], descending=descending)

    for stream in streams:
        if not stream.server_sorted and not stream.sorted_once:
            if not stream.ended:
                return  # an unsorted stream takes part once it is read in full
            ordered = sorted(stream.merged, key=key)
            if stream.after is not None:
                ordered = _past(ordered, key, *stream.after)
            stream.merged = deque(ordered)
            stream.sorted_once = True

    heap: list[tuple[float, int]] = []
    for index, stream in enumerate(streams):
        if stream.merged:
            heap.append((key(stream.merged[0]), index))
        elif not stream.ended:
            return  # this stream's next job is not here yet
    heapq.heapify(heap)
    while heap:
        index = heap[0][1]
        stream = streams[index]
        yield index, stream.merged.popleft()
        if stream.merged:
            heapq.heapreplace(heap, (key(stream.merged[0]), index))
        elif stream.ended:
            heapq.heappop(heap)
        else:
            return  # its next page may hold the next job


def _past(ordered: list[Item], key: Callable[[Item], float], after: float, ties: int) -> list[Item]:
    """The items of a sorted stream after its watermark: keys below ``after``, and the first
    ``ties`` items with key ``after``, were released before the listing stopped."""
    start = 0
    while start < len(ordered) and key(ordered[start]) < after:
        start += 1
    while start < len(ordered) and ties > 0 and key(ordered[start]) == after:
        start += 1
        ties -= 1
    return ordered[start:]
