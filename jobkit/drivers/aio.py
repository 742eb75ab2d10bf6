"""The async driver: aiobotocore clients and ``tenacity.AsyncRetrying``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import tenacity
from aiobotocore.session import AioSession
from botocore import xform_name

from jobkit.core.fanout import Scheduler, Submission
from jobkit.core.limiter import AdaptiveLimiter, LimiterRegistry
from jobkit.core.plan import Call
from jobkit.core.policy import RetryPolicy
from jobkit.core.retrying import CallTracker
from jobkit.core.stats import Stats
from jobkit.drivers._config import client_config, identity_key
from jobkit.errors import JobkitError
from jobkit.model import Job

__all__ = ["AsyncDriver"]


class AsyncDriver:
    """Makes calls with aiobotocore clients, one per (service, region), and retries them."""

    def __init__(
        self,
        *,
        session: AioSession,
        policy: RetryPolicy,
        stats: Stats,
        limiters: LimiterRegistry | None,
        endpoint_url: str | None = None,
        max_connections: int = 10,
    ) -> None:
        self.session = session
        self.limiters = limiters
        self._identity: str | None = None
        self.policy = policy
        self.stats = stats
        self.endpoint_url = endpoint_url
        self._config = client_config(session, policy, max_pool_connections=max_connections)
        self._clients: dict[tuple[str, str], Any] = {}
        self._stack = contextlib.AsyncExitStack()
        self._lock = asyncio.Lock()

    async def client(self, service: str, region: str) -> Any:
        """The cached client for ``service`` in ``region``.

        Creation is shielded from cancellation: a task cancelled half way through entering a
        client's context would leak its aiohttp session (``aclose`` waits for a creation in
        progress, then closes it with the rest).
        """
        client = self._clients.get((service, region))
        if client is None:
            client = await asyncio.shield(self._create(service, region))
        return client

    async def _create(self, service: str, region: str) -> Any:
        key = (service, region)
        async with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = await self._stack.enter_async_context(
                    self.session.create_client(
                        service,
                        region_name=region,
                        endpoint_url=self.endpoint_url,
                        config=self._config,
                    )
                )
                self._clients[key] = client
        return client

    async def call(self, call: Call, endpoint: str) -> Mapping[str, Any]:
        """Make ``call``, retrying throttling and transient errors as the policy says."""
        tracker = CallTracker(call, endpoint, self.policy, self.stats)
        try:
            client = await self.client(call.service, call.region)
            method = getattr(client, xform_name(call.operation))
            tracker.limiter = await self.limiter(call)
            async for attempt in tenacity.AsyncRetrying(**tracker.tenacity_kwargs()):
                with attempt:
                    delay = tracker.before_attempt()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    response: Mapping[str, Any] = await method(**call.params)
        except Exception as exc:
            raise tracker.error(exc) from exc
        tracker.after_success()
        return response

    async def limiter(self, call: Call) -> AdaptiveLimiter | None:
        """The shared limiter of the endpoint ``call`` goes to (credentials x region x service)."""
        if self.limiters is None:
            return None
        if self._identity is None:
            credentials = await self.session.get_credentials()
            access_key = None
            if credentials is not None:
                access_key = (await credentials.get_frozen_credentials()).access_key
            self._identity = identity_key(access_key, self.endpoint_url)
        return self.limiters.get(self._identity, call.service, call.region)

    async def aclose(self) -> None:
        """Close every client (and its aiohttp session)."""
        async with self._lock:  # after any client creation in progress
            self._clients = {}
            await self._stack.aclose()


async def run_scheduler(
    scheduler: Scheduler, drivers: Mapping[str | None, AsyncDriver]
) -> AsyncGenerator[Job, None]:
    """Run a listing's calls as tasks; yield the jobs the scheduler releases.

    A task that finishes a call reports it to the scheduler and starts the calls that
    unlocked (the stream's next page, usually) itself, so consecutive pages of a stream do not
    wait for the consumer to be scheduled. Closing the generator (a ``break``, ``aclose()``, an
    error, the consuming task being cancelled) cancels every task still running and closes
    every client.
    """
    tasks: set[asyncio.Task[None]] = set()
    progress = asyncio.Event()  # set when a call completes (or fails the listing)
    fatal: list[BaseException] = []

    def start(subs: list[Submission]) -> None:
        for sub in subs:
            task = asyncio.ensure_future(run(sub))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    async def run(sub: Submission) -> None:
        try:
            response: Mapping[str, Any] | None = await drivers[sub.account].call(
                sub.call, sub.endpoint
            )
            error: JobkitError | None = None
        except JobkitError as exc:
            response, error = None, exc
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            fatal.append(exc)
            progress.set()
            return
        try:
            subs = scheduler.complete_and_continue(sub.ticket, response=response, error=error)
            await prepare(subs)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            # Raised by the consumer: a task's own error would go unread, its calls never
            # start and the listing would wait for them forever.
            fatal.append(exc)
            subs = []
        progress.set()
        start(subs)

    async def prepare(subs: list[Submission]) -> None:
        # Clients and credentials are ready before a call's task starts; only the first use of
        # a client awaits.
        for sub in subs:
            driver = drivers[sub.account]
            await driver.client(sub.call.service, sub.call.region)
            await driver.limiter(sub.call)

    try:
        subs = scheduler.submissions()
        await prepare(subs)
        start(subs)
        while True:
            if fatal:
                raise fatal[0]
            seen = scheduler.version
            for job in scheduler.take():
                yield job
                if fatal:
                    raise fatal[0]
            if scheduler.finished:
                return
            subs = scheduler.submissions()
            await prepare(subs)
            start(subs)
            if scheduler.version != seen:
                continue
            if scheduler.in_flight == 0:
                scheduler.check_progress()
                continue
            progress.clear()
            await progress.wait()
    finally:
        scheduler.stop()
        for task in list(tasks):
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for driver in drivers.values():
            await driver.aclose()
