"""The lazy k-way merge of ordered listings (``order="created-desc"`` / ``"created-asc"``).

Each stream buffers the jobs of the pages it has read. ``merge`` releases jobs in one global
order by ``created`` for as long as it can be sure of the order: it stops as soon as a stream
that has not ended runs out of buffered jobs, because that stream's next page may hold the
next job. The scheduler then fetches exactly that page, so ``limit=k`` over server-sorted
streams reads no page it does not need.

A stream the service cannot sort is read to its end first, then sorted once in memory (its
memory cost grows with it). Jobs without a creation time sort as the oldest. Ties keep stream
order. A heap keeps each released job O(log k) for k streams.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Protocol

from jobkit.model import Job

__all__ = ["Mergeable", "created_or_oldest", "merge"]

_OLDEST = datetime.min.replace(tzinfo=UTC)


class Mergeable(Protocol):
    """A stream as the merge sees it."""

    merged: deque[Job]  # jobs read and not yet released, in the stream's order
    server_sorted: bool  # the service returns this stream's jobs in the merge's order
    sorted_once: bool  # an unsorted stream, read in full, has been sorted

    @property
    def ended(self) -> bool:
        """No more jobs will come from this stream."""
        ...


def created_or_oldest(job: Job) -> datetime:
    """The sort key of a job: its creation time, or the oldest time when it has none."""
    return job.created or _OLDEST


def merge(streams: Sequence[Mergeable], *, descending: bool) -> Iterator[Job]:
    """Release jobs from ``streams`` in global order for as long as the order is certain."""
    for stream in streams:
        if not stream.server_sorted and not stream.sorted_once:
            if not stream.ended:
                return  # an unsorted stream takes part once it is read in full
            stream.merged = deque(sorted(stream.merged, key=created_or_oldest, reverse=descending))
            stream.sorted_once = True

    def key(job: Job) -> float:
        stamp = created_or_oldest(job).timestamp()
        return -stamp if descending else stamp

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
        yield stream.merged.popleft()
        if stream.merged:
            heapq.heapreplace(heap, (key(stream.merged[0]), index))
        elif stream.ended:
            heapq.heappop(heap)
        else:
            return  # its next page may hold the next job
