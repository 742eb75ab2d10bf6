"""The sync driver: boto3 clients and ``tenacity.Retrying``."""

from __future__ import annotations

import threading
from collections.abc import Generator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import boto3
import tenacity
from botocore import xform_name

from jobkit.core.fanout import Scheduler
from jobkit.core.limiter import AdaptiveLimiter, LimiterRegistry
from jobkit.core.plan import Call
from jobkit.core.policy import RetryPolicy
from jobkit.core.retrying import CallTracker
from jobkit.core.stats import Stats
from jobkit.drivers._config import client_config, identity_key
from jobkit.errors import Cancelled, JobkitError
from jobkit.model import Job

__all__ = ["SyncDriver"]


class SyncDriver:
    """Makes calls with boto3 clients, one per (service, region), and retries them.

    botocore clients are thread-safe (sessions are not: clients are created under a lock),
    so the threads of a listing share them; each client's connection pool is as large as the
    listing's concurrency.
    """

    def __init__(
        self,
        *,
        session: boto3.Session,
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
        self._lock = threading.Lock()
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        """Make calls in progress give up at their next wait (pacing or backoff)."""
        self._cancelled.set()

    def _sleep(self, seconds: float) -> None:
        if self._cancelled.wait(seconds):
            raise Cancelled("the listing was closed")

    def client(self, service: str, region: str) -> Any:
        """The cached client for ``service`` in ``region``."""
        key = (service, region)
        client = self._clients.get(key)
        if client is None:
            # boto3 sessions are not thread-safe when creating clients.
            with self._lock:
                client = self._clients.get(key)
                if client is None:
                    client = self.session.client(
                        service,
                        region_name=region,
                        endpoint_url=self.endpoint_url,
                        config=self._config,
                    )
                    self._clients[key] = client
        return client

    def call(self, call: Call, endpoint: str) -> Mapping[str, Any]:
        """Make ``call``, retrying throttling and transient errors as the policy says."""
        tracker = CallTracker(call, endpoint, self.policy, self.stats)
        try:
            method = getattr(self.client(call.service, call.region), xform_name(call.operation))
            tracker.limiter = self.limiter(call)
            for attempt in tenacity.Retrying(sleep=self._sleep, **tracker.tenacity_kwargs()):
                with attempt:
                    if self._cancelled.is_set():
                        raise Cancelled("the listing was closed")
                    delay = tracker.before_attempt()
                    if delay > 0:
                        self._sleep(delay)
                    response: Mapping[str, Any] = method(**call.params)
        except Exception as exc:
            raise tracker.error(exc) from exc
        tracker.after_success()
        return response

    def limiter(self, call: Call) -> AdaptiveLimiter | None:
        """The shared limiter of the endpoint ``call`` goes to (credentials x region x service)."""
        if self.limiters is None:
            return None
        if self._identity is None:
            credentials = self.session.get_credentials()
            access_key = credentials.access_key if credentials is not None else None
            self._identity = identity_key(access_key, self.endpoint_url)
        return self.limiters.get(self._identity, call.service, call.region)

    def close(self) -> None:
        """Close every client's connection pool."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


def run_scheduler(
    scheduler: Scheduler, drivers: Mapping[str | None, SyncDriver]
) -> Generator[Job, None, None]:
    """Run a listing's calls on a thread pool; yield the jobs the scheduler releases.

    Closing the generator (a ``break``, ``close()``, an error) cancels the calls not yet
    started, interrupts retry and pacing waits, joins every thread and closes every client.
    """
    pool = ThreadPoolExecutor(max_workers=scheduler.max_in_flight, thread_name_prefix="jobkit")
    futures: dict[Future[Mapping[str, Any]], int] = {}
    try:

        def submit() -> None:
            for sub in scheduler.submissions():
                driver = drivers[sub.account]
                futures[pool.submit(driver.call, sub.call, sub.endpoint)] = sub.ticket

        while True:
            # Submit before releasing jobs, so the next pages load while the caller works.
            submit()
            yield from scheduler.take()
            if scheduler.finished:
                return
            submit()
            if not futures:
                scheduler.check_progress()
                continue
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in done:
                ticket = futures.pop(future)
                try:
                    response = future.result()
                except JobkitError as error:
                    scheduler.complete(ticket, error=error)
                else:
                    scheduler.complete(ticket, response=response)
    finally:
        scheduler.stop()
        for driver in drivers.values():
            driver.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        for driver in drivers.values():
            driver.close()
