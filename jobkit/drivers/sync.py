"""The sync driver: boto3 clients and ``tenacity.Retrying``."""

from __future__ import annotations

import threading
from collections.abc import Generator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import tenacity
from botocore import xform_name

from jobkit.core.fanout import Scheduler, Submission
from jobkit.core.limiter import AdaptiveLimiter, LimiterRegistry
from jobkit.core.plan import Call
from jobkit.core.policy import RetryPolicy
from jobkit.core.retrying import CallTracker
from jobkit.core.stats import Stats
from jobkit.drivers._config import client_config, identity_key
from jobkit.drivers._sessions import session_lock
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
        self._config = client_config(session, policy, max_pool_connections=max_connections)
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
            # boto3 sessions are not thread-safe when creating clients, and one session may
            # serve listings in several threads.
            with self._lock, session_lock(self.session):
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

    A pool thread that finishes a call reports it to the scheduler and goes straight on to
    the next call that unlocked (the stream's next page, usually) in the same thread, so
    consecutive pages of a stream never wait for the consumer's thread to be scheduled: under
    the GIL that wait is up to a switch interval (5 ms) per page. The scheduler is shared
    under one condition; the consumer releases jobs one at a time under it, so the cursor is
    exact at every job.

    Closing the generator (a ``break``, ``close()``, an error) cancels the calls not yet
    started, interrupts retry and pacing waits, joins every thread and closes every client.
    """
    pool = ThreadPoolExecutor(max_workers=scheduler.max_in_flight, thread_name_prefix="jobkit")
    cond = threading.Condition(threading.Lock())
    fatal: list[BaseException] = []  # an error that ends the listing, raised by the consumer
    closing = False

    def work(sub: Submission) -> None:
        while True:
            try:
                response: Mapping[str, Any] | None = drivers[sub.account].call(
                    sub.call, sub.endpoint
                )
                error: JobkitError | None = None
            except JobkitError as exc:
                response, error = None, exc
            except BaseException as exc:
                with cond:
                    fatal.append(exc)
                    cond.notify_all()
                return
            with cond:
                if closing:
                    return
                try:
                    subs = scheduler.complete_and_continue(
                        sub.ticket, response=response, error=error
                    )
                except BaseException as exc:
                    fatal.append(exc)
                    subs = []
                cond.notify_all()
                if not subs:
                    return
                sub = subs[0]
                for other in subs[1:]:
                    pool.submit(work, other)

    try:
        with cond:
            for sub in scheduler.submissions():
                pool.submit(work, sub)
        while True:
            taken = scheduler.take()
            while True:
                with cond:
                    if fatal:
                        raise fatal[0]
                    job = next(taken, None)
                    seen = scheduler.version
                if job is None:
                    break
                # Yield outside the lock: the calls go on while the caller works.
                yield job
            with cond:
                if scheduler.finished:
                    return
                for sub in scheduler.submissions():
                    pool.submit(work, sub)
                if scheduler.version != seen:
                    continue
                if scheduler.in_flight == 0:
                    scheduler.check_progress()
                    continue
                while scheduler.version == seen and not fatal:
                    cond.wait()
    finally:
        with cond:
            closing = True
            scheduler.stop()
        for driver in drivers.values():
            driver.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        for driver in drivers.values():
            driver.close()
