"""The sync driver: boto3 clients and ``tenacity.Retrying``."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator, Mapping
from typing import Any, TypeVar

import boto3
import tenacity
from botocore import xform_name

from jobkit.core.cursor import Page
from jobkit.core.flows import Flow
from jobkit.core.limiter import AdaptiveLimiter, LimiterRegistry
from jobkit.core.plan import Call
from jobkit.core.policy import RetryPolicy
from jobkit.core.retrying import CallTracker
from jobkit.core.stats import Stats
from jobkit.drivers._config import client_config, identity_key

__all__ = ["SyncDriver"]

T = TypeVar("T")


class SyncDriver:
    """Makes calls with boto3 clients, one per (service, region, thread), and retries them."""

    def __init__(
        self,
        *,
        session: boto3.Session,
        policy: RetryPolicy,
        stats: Stats,
        limiters: LimiterRegistry | None,
        endpoint_url: str | None = None,
    ) -> None:
        self.session = session
        self.limiters = limiters
        self._identity: str | None = None
        self.policy = policy
        self.stats = stats
        self.endpoint_url = endpoint_url
        self._config = client_config()
        self._clients: dict[tuple[str, str, int], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str) -> Any:
        """The cached client for ``service`` in ``region`` for the calling thread."""
        key = (service, region, threading.get_ident())
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
        method = getattr(self.client(call.service, call.region), xform_name(call.operation))
        tracker = CallTracker(call, endpoint, self.policy, self.stats, self.limiter(call))
        try:
            for attempt in tenacity.Retrying(**tracker.tenacity_kwargs()):
                with attempt:
                    delay = tracker.before_attempt()
                    if delay > 0:
                        time.sleep(delay)
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

    def run_flow(self, flow: Generator[Call, Mapping[str, Any], T], endpoint_of: Any) -> T:
        """Drive a core flow generator: answer each ``Call`` it yields, return its result."""
        try:
            call = next(flow)
            while True:
                call = flow.send(self.call(call, endpoint_of(call)))
        except StopIteration as stop:
            result: T = stop.value
            return result

    def iterate(self, flow: Flow, endpoint: str) -> Iterator[Page]:
        """Run a listing flow, yielding its pages."""
        reply: Mapping[str, Any] | None = None
        while True:
            try:
                item = flow.send(reply)
            except StopIteration:
                return
            if isinstance(item, Call):
                reply = self.call(item, endpoint)
            else:
                reply = None
                yield item

    def close(self) -> None:
        """Close every client's connection pool."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()
