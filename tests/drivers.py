"""One handle over both drivers, so that a test body is written once for ``jobs()`` and
``ajobs()``.

Tests that take the ``driver`` fixture are ``async def`` (pytest-asyncio, auto mode). The sync
variant calls ``jobkit.jobs`` directly on the test's thread: it blocks the event loop while it
runs, which is harmless because nothing else runs on that loop (the emulator serves from its own
threads), and it keeps warnings, exceptions and thread checks on the caller's thread exactly as
a user's plain ``for`` loop sees them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import jobkit
from jobkit.notebook import JobList

#: Either iterator; both share ``stats``, ``cursor``, ``failures`` and ``skipped``.
Listing = jobkit.JobIterator | jobkit.AsyncJobIterator

DRIVERS = ("sync", "async")


def jobkit_threads() -> list[threading.Thread]:
    """jobkit's own worker threads (the emulator's server threads are not jobkit's)."""
    return [t for t in threading.enumerate() if t.name.startswith("jobkit_")]


class Driver:
    """Runs a listing with ``jobkit.jobs`` (``"sync"``) or ``jobkit.ajobs`` (``"async"``)."""

    def __init__(self, name: str) -> None:
        if name not in DRIVERS:
            raise ValueError(f"driver must be one of {DRIVERS}, got {name!r}")
        self.name = name

    def __repr__(self) -> str:
        return f"Driver({self.name!r})"

    @property
    def is_async(self) -> bool:
        """True for ``ajobs()``."""
        return self.name == "async"

    def open(self, adapters: Any = None, **options: Any) -> Listing:
        """The iterator, not started: ``jobs(...)`` or ``ajobs(...)``."""
        entry = jobkit.ajobs if self.is_async else jobkit.jobs
        return entry(adapters, **options)

    async def drain(
        self, it: Listing, on_job: Callable[[jobkit.Job], None] | None = None
    ) -> list[jobkit.Job]:
        """Every remaining job of ``it``, in the order the iterator yields them; ``on_job`` is
        called with each one as it comes (so a test can act mid-listing)."""
        got: list[jobkit.Job] = []
        if isinstance(it, jobkit.AsyncJobIterator):
            async for job in it:
                got.append(job)
                if on_job is not None:
                    on_job(job)
        else:
            for job in it:
                got.append(job)
                if on_job is not None:
                    on_job(job)
        return got

    async def collect(
        self, adapters: Any = None, **options: Any
    ) -> tuple[list[jobkit.Job], Listing]:
        """Run a listing to its end: the jobs and the iterator (for stats, cursor, ...)."""
        it = self.open(adapters, **options)
        return await self.drain(it), it

    async def take(
        self, count: int, adapters: Any = None, **options: Any
    ) -> tuple[list[jobkit.Job], Listing]:
        """Read at most ``count`` jobs, break out of the loop and close the iterator."""
        it = self.open(adapters, **options)
        return await self.take_from(it, count), it

    async def take_from(self, it: Listing, count: int) -> list[jobkit.Job]:
        """At most ``count`` more jobs of ``it``; then ``it`` is closed (a ``break``)."""
        got: list[jobkit.Job] = []
        if count <= 0:
            await self.close(it)
            return got
        if isinstance(it, jobkit.AsyncJobIterator):
            async for job in it:
                got.append(job)
                if len(got) == count:
                    break
        else:
            for job in it:
                got.append(job)
                if len(got) == count:
                    break
        await self.close(it)
        return got

    async def close(self, it: Listing) -> None:
        """``close()`` or ``await aclose()``."""
        if isinstance(it, jobkit.AsyncJobIterator):
            await it.aclose()
        else:
            it.close()

    async def joblist(self, adapters: Any = None, **options: Any) -> tuple[JobList, Listing]:
        """``collect()`` of a listing (a ``JobList``), and its iterator."""
        it = self.open(adapters, **options)
        if isinstance(it, jobkit.AsyncJobIterator):
            return await it.collect(), it
        return it.collect(), it

    def leftovers(self) -> list[str]:
        """What a closed listing left running: jobkit threads (sync) or tasks (async)."""
        if self.is_async:
            current = asyncio.current_task()
            return [repr(t) for t in asyncio.all_tasks() if t is not current]
        return [t.name for t in jobkit_threads()]
