"""The async driver: aiobotocore clients, ``tenacity.AsyncRetrying`` and asyncio tasks."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncGenerator, Mapping
from typing import Any, ClassVar

import tenacity
from aiobotocore.config import AioConfig
from aiobotocore.credentials import AioRefreshableCredentials
from aiobotocore.httpsession import AIOHTTPSession
from aiobotocore.session import AioSession
from botocore import xform_name

from jobkit.core.fanout import Next, Scheduler, Submission
from jobkit.core.limiter import AdaptiveLimiter
from jobkit.core.plan import Call
from jobkit.drivers.base import BaseDriver, Drivers, RunState
from jobkit.errors import JobkitError
from jobkit.model import Job

__all__ = ["AsyncDriver", "SharedTLSSession", "run_scheduler"]


class SharedTLSSession(AIOHTTPSession):  # type: ignore[misc]
    """aiobotocore's HTTP session, with one TLS context per CA bundle for the process.

    aiobotocore builds a TLS context for every client, loading the whole CA bundle (about
    18 ms of CPU); an organization listing makes thousands of clients (services x regions x
    accounts). A context without a client certificate or a proxy depends only on the
    ``verify`` setting and is safe to share, so it is built once per setting; any other is
    built as aiobotocore does. ``built`` counts the contexts built here.
    """

    built: ClassVar[int] = 0
    _contexts: ClassVar[dict[object, tuple[Any, Any]]] = {}
    _guard: ClassVar[threading.Lock] = threading.Lock()

    def _build_ssl_contexts(self, proxy_url: Any) -> tuple[Any, Any]:
        if proxy_url or self._cert_file:
            return super()._build_ssl_contexts(proxy_url)  # type: ignore[no-any-return]
        with self._guard:  # held while building: clients made at once wait for the first
            found = self._contexts.get(self._verify)
            if found is None:
                found = self._contexts[self._verify] = super()._build_ssl_contexts(None)
                SharedTLSSession.built += 1
        return found


class AsyncDriver(BaseDriver):
    """Makes calls with aiobotocore clients, one per (service, region), and retries them."""

    session: AioSession

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        default = self.session.get_default_client_config()
        if default is None or "http_session_cls" not in default._user_provided_options:
            # Keep an HTTP session class the caller's session chose (httpx, say).
            self._config = AioConfig(http_session_cls=SharedTLSSession).merge(self._config)
        self._stack = contextlib.AsyncExitStack()
        self._lock = asyncio.Lock()
        self._sending: set[asyncio.Future[Any]] = set()

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
                client = self._watch(
                    await self._stack.enter_async_context(
                        self.session.create_client(service, **self._client_kwargs(region))
                    )
                )
                self._clients[key] = client
        return client

    async def call(self, call: Call, endpoint: str) -> Mapping[str, Any]:
        """Make ``call``, retrying throttling and transient errors as the policy says."""
        tracker = self.tracker(call, endpoint)
        try:
            client = await self.client(call.service, call.region)
            method = getattr(client, xform_name(call.operation))
            tracker.limiter = await self.limiter(call)
            tracker.refreshable = self._refreshable
            async for attempt in tenacity.AsyncRetrying(**tracker.tenacity_kwargs()):
                with attempt:
                    if tracker.refresh_pending:
                        await self._refresh_credentials()
                        tracker.refresh_pending = False
                    delay = tracker.before_attempt()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    response: Mapping[str, Any] = await self._send(method, call)
        except Exception as exc:
            raise tracker.error(exc) from exc
        tracker.after_success()
        return response

    async def _send(self, method: Any, call: Call) -> Any:
        """Send the request in a task of its own, shielded: when the listing closes, a
        request already started finishes (``drain``) instead of being cut off half-written,
        so what was counted as sent is what the server received."""
        request = asyncio.ensure_future(method(**call.params))
        self._sending.add(request)
        request.add_done_callback(self._sending.discard)
        return await asyncio.shield(request)

    async def drain(self, timeout: float = 5.0) -> None:
        """Let requests already started finish (cancel them after ``timeout`` seconds)."""
        pending = list(self._sending)
        if not pending:
            return
        _, late = await asyncio.wait(pending, timeout=timeout)
        for request in late:
            request.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def limiter(self, call: Call) -> AdaptiveLimiter | None:
        """The shared limiter of the endpoint ``call`` goes to (credentials x region x service)."""
        if self._needs_identity:
            async with self.init_gate or contextlib.nullcontext():
                if self._needs_identity:
                    credentials = await self.session.get_credentials()
                    access_key = None
                    if credentials is not None:
                        access_key = (await credentials.get_frozen_credentials()).access_key
                    self._refreshable = isinstance(credentials, AioRefreshableCredentials)
                    self._learn_identity(access_key)
        return self._limiter_for(call)

    async def _refresh_credentials(self) -> None:
        """Fetch new credentials now (they said they were valid; the service disagreed)."""
        credentials = await self.session.get_credentials()
        if isinstance(credentials, AioRefreshableCredentials):
            # aiobotocore's own refresh, made mandatory: the path its expiry check takes.
            await credentials._protected_refresh(is_mandatory=True)

    async def aclose(self) -> None:
        """Close every client (and its aiohttp session)."""
        async with self._lock:  # after any client creation in progress
            self._clients = {}
            await self._stack.aclose()


async def run_scheduler(
    scheduler: Scheduler, drivers: Drivers[AsyncDriver]
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
    state = RunState(scheduler)

    def start(subs: list[Submission]) -> None:
        for sub in subs:
            task = asyncio.ensure_future(run(sub))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    async def run(sub: Submission) -> None:
        response: Mapping[str, Any] | None = None
        error: JobkitError | None = None
        try:
            response = await drivers[sub.account].call(sub.call, sub.endpoint)
        except JobkitError as exc:
            error = exc
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            state.fail(exc)
            progress.set()
            return
        start(state.finish(sub, response, error))
        progress.set()

    try:
        start(scheduler.submissions())
        while True:
            state.raise_fatal()
            seen = scheduler.version
            for job in scheduler.take():
                yield job
                state.raise_fatal()
            action, subs = scheduler.decide(seen)
            start(subs)
            for account in scheduler.idle_accounts():
                done = drivers.release(account)  # no call of that account follows
                if done is not None:
                    await done.aclose()
            if action is Next.FINISHED:
                return
            if action is Next.WAIT and scheduler.version == seen:  # none completed meanwhile
                progress.clear()
                await progress.wait()
    finally:
        scheduler.stop()
        for task in list(tasks):
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for driver in drivers.values():
            await driver.drain()
            await driver.aclose()
