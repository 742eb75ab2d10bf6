"""The sync driver: boto3 clients, ``tenacity.Retrying`` and a thread pool."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Generator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import tenacity
from botocore import xform_name
from botocore.credentials import RefreshableCredentials

from jobkit.core.fanout import Next, Scheduler, Submission
from jobkit.core.limiter import AdaptiveLimiter
from jobkit.core.plan import Call
from jobkit.drivers._clients import SYNC_CLIENTS, Lease
from jobkit.drivers._config import config_key
from jobkit.drivers._sessions import session_lock
from jobkit.drivers.base import BaseDriver, Drivers, RunState
from jobkit.errors import Cancelled, JobkitError
from jobkit.model import Job

__all__ = ["SyncDriver", "run_scheduler"]


class SyncDriver(BaseDriver):
    """Makes calls with boto3 clients, one per (service, region), and retries them.

    botocore clients are thread-safe (sessions are not: clients are created under a lock),
    so the threads of a listing share them; each client's connection pool is as large as the
    listing's concurrency. The clients of a session jobkit keeps are kept across listings
    (``jobkit.drivers._clients``); those of a session passed in or assuming a role are made
    for the listing and closed with it.
    """

    session: boto3.Session

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._owned: list[Any] = []  # clients this driver made and closes
        self._leases: list[Lease] = []  # kept clients it uses (SYNC_CLIENTS)

    def cancel(self) -> None:
        """Make calls in progress give up at their next wait (pacing or backoff)."""
        self._cancelled.set()

    def _sleep(self, seconds: float) -> None:
        if self._cancelled.wait(seconds):
            raise Cancelled("the listing was closed")

    def client(self, service: str, region: str) -> Any:
        """The client for ``service`` in ``region``: kept across listings if jobkit keeps
        the session (``SYNC_CLIENTS``), else this driver's own."""
        key = (service, region)
        client = self._clients.get(key)
        if client is None:
            # boto3 sessions are not thread-safe when creating clients, and one session may
            # serve listings in several threads.
            with self._lock, session_lock(self.session):
                client = self._clients.get(key)
                if client is None:
                    client, lease = SYNC_CLIENTS.get(
                        self.session,
                        (service, region, self.endpoint_url, config_key(self._config)),
                        lambda: self._watch(
                            self.session.client(service, **self._client_kwargs(region))
                        ),
                    )
                    self._clients[key] = client
                    if lease is None:
                        self._owned.append(client)
                    else:
                        self._leases.append(lease)
        return client

    def call(self, call: Call, endpoint: str) -> Mapping[str, Any]:
        """Make ``call``, retrying throttling and transient errors as the policy says."""
        tracker = self.tracker(call, endpoint)
        try:
            method = getattr(self.client(call.service, call.region), xform_name(call.operation))
            tracker.limiter = self.limiter(call)
            tracker.refreshable = self._refreshable
            for attempt in tenacity.Retrying(sleep=self._sleep, **tracker.tenacity_kwargs()):
                with attempt:
                    if self._cancelled.is_set():
                        raise Cancelled("the listing was closed")
                    if tracker.refresh_pending:
                        self._refresh_credentials()
                        tracker.refresh_pending = False
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
        if self._needs_identity:
            with self.init_gate or contextlib.nullcontext():
                if self._needs_identity:
                    credentials = self.session.get_credentials()
                    access_key = credentials.access_key if credentials is not None else None
                    self._refreshable = isinstance(credentials, RefreshableCredentials)
                    self._learn_identity(access_key)
        return self._limiter_for(call)

    def _refresh_credentials(self) -> None:
        """Fetch new credentials now (they said they were valid; the service disagreed)."""
        credentials = self.session.get_credentials()
        if isinstance(credentials, RefreshableCredentials):
            # botocore's own refresh, made mandatory: the same path its expiry check takes.
            credentials._protected_refresh(is_mandatory=True)

    def close(self) -> None:
        """Close the connection pools of this driver's own clients; hand the kept ones back
        to the cache (which closes them when it lets them go)."""
        with self._lock:
            owned, leases = self._owned, self._leases
            self._clients, self._owned, self._leases = {}, [], []
        for client in owned:
            client.close()
        for lease in leases:
            SYNC_CLIENTS.release(lease)


def run_scheduler(scheduler: Scheduler, drivers: Drivers[SyncDriver]) -> Generator[Job, None, None]:
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
    state = RunState(scheduler)
    closing = False

    def start(subs: list[Submission]) -> None:
        for sub in subs:
            pool.submit(work, sub)

    def work(sub: Submission | None) -> None:
        while sub is not None:
            response: Mapping[str, Any] | None = None
            error: JobkitError | None = None
            try:
                response = drivers[sub.account].call(sub.call, sub.endpoint)
            except JobkitError as exc:
                error = exc
            except BaseException as exc:
                with cond:
                    state.fail(exc)
                    cond.notify_all()
                return
            with cond:
                if closing:
                    return
                subs = state.finish(sub, response, error)
                cond.notify_all()
                # Go on with the first call this one unlocked; hand the others to the pool
                # (under the lock: the pool is shut down only once ``closing`` is set).
                sub = subs[0] if subs else None
                start(subs[1:])

    try:
        with cond:
            start(scheduler.submissions())
        while True:
            taken = scheduler.take()
            while True:
                with cond:
                    state.raise_fatal()
                    job = next(taken, None)
                    seen = scheduler.version
                if job is None:
                    break
                # Yield outside the lock: the calls go on while the caller works.
                yield job
            with cond:
                action, subs = scheduler.decide(seen)
                start(subs)
                for account in scheduler.idle_accounts():
                    done = drivers.release(account)  # no call of that account follows
                    if done is not None:
                        done.close()
                if action is Next.FINISHED:
                    return
                while action is Next.WAIT and scheduler.version == seen and not state.fatal:
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
