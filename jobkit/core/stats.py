"""Counters of one listing, readable while it runs and after it ends."""

from __future__ import annotations

import threading
from collections.abc import Callable

import attrs

__all__ = ["EndpointStats", "RetryEvent", "Stats"]


@attrs.frozen(kw_only=True)
class RetryEvent:
    """One retry, as handed to the ``on_retry`` hook (and logged at DEBUG)."""

    adapter: str
    service: str
    operation: str
    region: str
    attempt: int  # the attempt that failed, 1 for the first call
    wait: float  # seconds jobkit waits before the next attempt
    kind: str  # "throttle" or "transient"
    code: str | None
    http_status: int | None


@attrs.define(kw_only=True)
class EndpointStats:
    """Counters for one endpoint (service x region x account)."""

    requests: int = 0  # requests sent (a call given up during its pacing wait is not)
    pages: int = 0
    jobs: int = 0  # jobs released to the caller
    jobs_read: int = 0  # jobs read that the query matched (a limit may release fewer)
    retries: int = 0
    throttles: int = 0
    transient_errors: int = 0
    wait_seconds: float = 0.0


@attrs.define
class Stats:
    """Counters of one listing, per endpoint and in total. Safe to read from any thread.

    ``unnormalized`` counts records yielded with ``Job.problem`` set; ``unmapped_statuses``
    counts records whose status word no mapping knows (yielded as UNKNOWN).
    """

    endpoints: dict[str, EndpointStats] = attrs.field(factory=dict)
    unnormalized: int = 0
    unmapped_statuses: int = 0
    streams: int = 0
    streams_done: int = 0
    skipped: int = 0  # streams (and discoveries) skipped as unavailable
    #: Requests sent per (endpoint, adapter): what one adapter's streams (discovery
    #: included) cost where several adapters share an endpoint (the inventory's reports).
    adapter_requests: dict[tuple[str, str], int] = attrs.field(factory=dict)
    on_retry: Callable[[RetryEvent], None] | None = attrs.field(default=None, repr=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def add(self, key: str, **deltas: float) -> None:
        """Add to the named counters of endpoint ``key``."""
        with self._lock:
            ep = self.endpoints.setdefault(key, EndpointStats())
            for name, delta in deltas.items():
                setattr(ep, name, getattr(ep, name) + delta)

    def sent(self, key: str, adapter: str) -> None:
        """Count a request sent to endpoint ``key`` for ``adapter``."""
        with self._lock:
            self.endpoints.setdefault(key, EndpointStats()).requests += 1
            pair = (key, adapter)
            self.adapter_requests[pair] = self.adapter_requests.get(pair, 0) + 1

    def endpoint(self, key: str) -> EndpointStats:
        """The counters of endpoint ``key`` (created on first use)."""
        with self._lock:
            return self.endpoints.setdefault(key, EndpointStats())

    def count(self, **deltas: int) -> None:
        """Add to the listing-wide counters (``unnormalized``, ``streams_done``, ...)."""
        with self._lock:
            for name, delta in deltas.items():
                setattr(self, name, getattr(self, name) + delta)

    def _total(self, name: str) -> float:
        with self._lock:
            return float(sum(getattr(ep, name) for ep in self.endpoints.values()))

    @property
    def requests(self) -> int:
        """Requests sent, retries included (a call given up while it waited for its turn
        was never sent and is not counted)."""
        return int(self._total("requests"))

    @property
    def pages(self) -> int:
        """Pages read."""
        return int(self._total("pages"))

    @property
    def jobs(self) -> int:
        """Jobs released to the caller."""
        return int(self._total("jobs"))

    @property
    def jobs_read(self) -> int:
        """Jobs read from pages that the query matched; more than ``jobs`` when a limit or
        a close stopped the listing part-way through a page."""
        return int(self._total("jobs_read"))

    @property
    def retries(self) -> int:
        """Calls repeated after a throttling or transient error."""
        return int(self._total("retries"))

    @property
    def throttles(self) -> int:
        """Calls answered with a throttling error."""
        return int(self._total("throttles"))

    @property
    def wait_seconds(self) -> float:
        """Time spent waiting on backoff and rate limits, summed over streams."""
        return self._total("wait_seconds")

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly snapshot."""
        with self._lock:
            endpoints = {k: attrs.asdict(v) for k, v in self.endpoints.items()}
        return {
            "requests": self.requests,
            "pages": self.pages,
            "jobs": self.jobs,
            "jobs_read": self.jobs_read,
            "retries": self.retries,
            "throttles": self.throttles,
            "wait_seconds": round(self.wait_seconds, 6),
            "unnormalized": self.unnormalized,
            "unmapped_statuses": self.unmapped_statuses,
            "streams": self.streams,
            "streams_done": self.streams_done,
            "skipped": self.skipped,
            "endpoints": endpoints,
        }
