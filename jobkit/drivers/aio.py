"""The async driver: aiobotocore clients and ``tenacity.AsyncRetrying``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import tenacity
from aiobotocore.session import AioSession
from botocore import xform_name

from jobkit.core.fanout import Scheduler
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
        self._config = client_config(
            max_pool_connections=max_connections,
            connect_timeout=policy.connect_timeout,
            read_timeout=policy.read_timeout,
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._stack = contextlib.AsyncExitStack()
        self._lock = asyncio.Lock()

    async def client(self, service: str, region: str) -> Any:
        """The cached client for ``service`` in ``region``."""
        key = (service, region)
        client = self._clients.get(key)
        if client is None:
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
        self._clients = {}
        await self._stack.aclose()


async def run_scheduler(
    scheduler: Scheduler, drivers: Mapping[str | None, AsyncDriver]
) -> AsyncGenerator[Job, None]:
    """Run a listing's calls as tasks; yield the jobs the scheduler releases.

    Closing the generator (a ``break``, ``aclose()``, an error, the consuming task being
    cancelled) cancels every task still running and closes every client.
    """
    tasks: dict[asyncio.Task[Mapping[str, Any]], int] = {}
    try:

        async def submit() -> None:
            for sub in scheduler.submissions():
                driver = drivers[sub.account]
                # Create the client here, not in the task: a task cancelled half way through
                # entering a client's context would leak its aiohttp session.
                await driver.client(sub.call.service, sub.call.region)
                await driver.limiter(sub.call)
                task = asyncio.ensure_future(driver.call(sub.call, sub.endpoint))
                tasks[task] = sub.ticket

        while True:
            # Submit before releasing jobs, so the next pages load while the caller works.
            await submit()
            for job in scheduler.take():
                yield job
            if scheduler.finished:
                return
            await submit()
            if not tasks:
                scheduler.check_progress()
                continue
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                ticket = tasks.pop(task)
                error = task.exception()
                if error is None:
                    scheduler.complete(ticket, response=task.result())
                elif isinstance(error, JobkitError):
                    scheduler.complete(ticket, error=error)
                else:
                    raise error
    finally:
        scheduler.stop()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for driver in drivers.values():
            await driver.aclose()
