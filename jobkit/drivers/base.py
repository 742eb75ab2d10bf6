"""What the sync and async drivers share, as httpx's ``BaseClient`` does for its two clients.

``BaseDriver`` holds everything a driver decides without I/O: the client configuration, the
client cache's keys, the limiter of an endpoint (credentials x region x service) and the
per-call retry tracker. ``RunState`` holds what a run loop shares with its workers: the
scheduler and the first error that must end the listing. The subclasses write out only the
send path: creating a client, sleeping, calling and awaiting.
"""

from __future__ import annotations

import contextvars
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from jobkit.core.fanout import Scheduler, Submission
from jobkit.core.limiter import AdaptiveLimiter, LimiterRegistry
from jobkit.core.plan import Call
from jobkit.core.policy import RetryPolicy
from jobkit.core.retrying import CallTracker
from jobkit.core.stats import Stats
from jobkit.drivers._config import client_config, identity_key
from jobkit.errors import JobkitError

__all__ = ["BaseDriver", "Drivers", "RunState"]

#: The call the current thread or task is making: botocore's ``before-send`` event counts its
#: request there, at the last moment before it goes on the wire (an attempt cancelled while it
#: waited for its turn, signed or not, was never sent and is not counted).
_CURRENT: contextvars.ContextVar[CallTracker | None] = contextvars.ContextVar(
    "jobkit_call", default=None
)


_PREFIXED_LOOPBACK = re.compile(
    r"^(?P<scheme>https?://)[A-Za-z0-9.-]+?[.-]"
    r"(?P<host>localhost|\d{1,3}(?:\.\d{1,3}){3})(?P<rest>[:/].*|)$"
)


def _unprefix_loopback(request: Any, **_: Any) -> None:
    """Some operations put a prefix in front of the endpoint's host, also of a custom endpoint:
    S3 Control the account id (``http://123456789012.127.0.0.1:4566``), others a
    ``hostPrefix`` (``data.``, ``analytics-``). No resolver knows such a name when the host
    is an IP address or ``localhost``: send the request to the endpoint as configured (S3
    Control's account id still travels in its ``x-amz-account-id`` header), before signing."""
    match = _PREFIXED_LOOPBACK.match(request.url)
    if match is not None:
        request.url = f"{match['scheme']}{match['host']}{match['rest']}"


def _count_sent(**_: Any) -> None:
    tracker = _CURRENT.get()
    if tracker is not None:
        tracker.sending()


class BaseDriver:
    """The I/O-free half of a driver: configuration, client keys, limiters, trackers."""

    def __init__(
        self,
        *,
        session: Any,
        policy: RetryPolicy,
        stats: Stats,
        limiters: LimiterRegistry | None,
        endpoint_url: str | None = None,
        max_connections: int = 10,
        init_gate: Any = None,
    ) -> None:
        self.session = session
        #: Bounds how many accounts of a listing resolve their credentials (assume a role)
        #: at once: a semaphore shared by the listing's drivers (sync or async kind).
        self.init_gate = init_gate
        self.policy = policy
        self.stats = stats
        self.limiters = limiters
        self.endpoint_url = endpoint_url
        self._config = client_config(session, policy, max_pool_connections=max_connections)
        self._clients: dict[tuple[str, str], Any] = {}
        self._identity: str | None = None
        self._refreshable = False  # the credentials refresh themselves (learned on first use)

    def _client_kwargs(self, region: str) -> dict[str, Any]:
        """The keyword arguments of every client this driver creates in ``region``."""
        return {"region_name": region, "endpoint_url": self.endpoint_url, "config": self._config}

    @property
    def _needs_identity(self) -> bool:
        """Whether the credentials have not been resolved yet (the account initializes on
        its first call: a role is assumed then)."""
        return self._identity is None

    def _learn_identity(self, access_key: str | None) -> None:
        """Remember whose credentials these are (the access key is hashed, never kept)."""
        self._identity = identity_key(access_key, self.endpoint_url)

    def _limiter_for(self, call: Call) -> AdaptiveLimiter | None:
        """The shared limiter of the endpoint ``call`` goes to (after ``_learn_identity``)."""
        if self.limiters is None or self._identity is None:
            return None
        return self.limiters.get(self._identity, call.service, call.region)

    def tracker(self, call: Call, endpoint: str) -> CallTracker:
        """The retry decisions and accounting of one call; requests the current thread or
        task sends from now on are counted on it."""
        tracker = CallTracker(call, endpoint, self.policy, self.stats)
        _CURRENT.set(tracker)
        return tracker

    @staticmethod
    def _watch(client: Any) -> Any:
        """Count each request ``client`` sends, as it is sent (botocore's public
        ``before-send`` event). Registered once per client, however often this is called
        (``unique_id``): a client kept across listings must count each request once; the
        count goes to the call the sending thread or task makes (``_CURRENT``), so listings
        sharing a client each count their own."""
        events = client.meta.events
        events.register("before-send", _count_sent, unique_id="jobkit-count-sent")
        events.register("before-sign", _unprefix_loopback, unique_id="jobkit-unprefix-loopback")
        return client


class RunState:
    """What a run loop shares with its workers: the scheduler, and the first error that must
    end the listing (raised by the consumer: a worker's own error would go unread)."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        self.fatal: list[BaseException] = []

    def finish(
        self,
        sub: Submission,
        response: Mapping[str, Any] | None,
        error: JobkitError | None,
    ) -> list[Submission]:
        """Report a call's outcome; the calls it unlocked, which the worker starts itself.
        A scheduler error is kept for the consumer, and no call follows it."""
        try:
            return self.scheduler.complete_and_continue(sub.ticket, response=response, error=error)
        except BaseException as exc:
            self.fatal.append(exc)
            return []

    def fail(self, exc: BaseException) -> None:
        """A worker met an error that is not a call's outcome: end the listing with it."""
        self.fatal.append(exc)

    def raise_fatal(self) -> None:
        """Raise the error that ends the listing, if there is one."""
        if self.fatal:
            raise self.fatal[0]


D = TypeVar("D", bound=BaseDriver)


class Drivers(Mapping[str | None, D], Generic[D]):
    """A listing's drivers by account label, each made on its account's first call and
    dropped once the account is done (``release``).

    An organization of a thousand accounts would otherwise start with a thousand sessions
    (about 5 ms of CPU and 0.13 MB each) and keep every one to the end. ``eager`` labels are
    made at once: their sessions are cheap, cached, and their errors (a profile that does
    not exist) belong before the listing starts.
    """

    def __init__(
        self, make: Callable[[Any], D], accounts: Mapping[str | None, Any], eager: set[str | None]
    ) -> None:
        self._make = make
        self._accounts = dict(accounts)
        self._made: dict[str | None, D] = {}
        self._lock = threading.Lock()
        for label in eager:
            self[label]

    def __getitem__(self, label: str | None) -> D:
        driver = self._made.get(label)
        if driver is None:
            with self._lock:  # sync workers may ask for the same account at once
                driver = self._made.get(label)
                if driver is None:
                    driver = self._made[label] = self._make(self._accounts[label])
        return driver

    def __iter__(self) -> Iterator[str | None]:
        return iter(list(self._made))  # the drivers made and not released

    def __len__(self) -> int:
        return len(self._made)

    def release(self, label: str | None) -> D | None:
        """Forget ``label``'s driver (its account is done); the caller closes it."""
        with self._lock:
            return self._made.pop(label, None)
