"""The retry loop's decisions for one call, packaged for tenacity.

``CallTracker`` builds the keyword arguments for ``tenacity.Retrying`` and
``tenacity.AsyncRetrying``: which errors retry, how long to wait, when to stop, and what to
count and report on each attempt. The drivers only run the loop; they decide nothing.
"""

from __future__ import annotations

import logging
import random
from typing import Any

import attrs
import tenacity

from jobkit.core.limiter import AdaptiveLimiter, Ticket
from jobkit.core.plan import Call
from jobkit.core.policy import (
    EXPIRED_CODES,
    ErrorKind,
    RetryPolicy,
    Verdict,
    classify,
    translate,
)
from jobkit.core.stats import RetryEvent, Stats
from jobkit.errors import JobkitError

__all__ = ["CallTracker"]

log = logging.getLogger("jobkit")


class _Stop(tenacity.stop.stop_base):
    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        return self.policy.should_stop(
            retry_state.attempt_number,
            retry_state.seconds_since_start or 0.0,
            retry_state.upcoming_sleep,
        )


# Jitter needs no seed of its own per call (seeding a Random costs about 20 us).
_JITTER = random.Random()


@attrs.define
class CallTracker:
    """Retry decisions and accounting for one call (one page or one discovery page)."""

    call: Call
    endpoint: str
    policy: RetryPolicy
    stats: Stats
    limiter: AdaptiveLimiter | None = None
    rng: random.Random = attrs.field(factory=lambda: _JITTER)
    attempts: int = 0
    last_verdict: Verdict | None = None
    #: The credentials refresh themselves (assumed role, SSO, container): an expired-token
    #: answer then refreshes them and retries the page once.
    refreshable: bool = False
    #: The driver must refresh the credentials before the next attempt.
    refresh_pending: bool = False
    _refreshed: bool = False
    _ticket: Ticket | None = None
    _sent: bool = False  # whether the current attempt went out

    def before_attempt(self) -> float:
        """Take the attempt's turn at the endpoint; return the seconds to wait before
        sending (the driver waits; ``sending()`` is called as the request goes out)."""
        self.attempts += 1
        self._sent = False
        delay = 0.0
        if self.limiter is not None:
            self._ticket = self.limiter.reserve()
            delay = self._ticket.delay
        if delay > 0:
            self.stats.add(self.endpoint, wait_seconds=delay)
        return delay

    def sending(self) -> None:
        """Count the request the driver sends now: an attempt given up during its wait
        (the listing was closed) was never sent and is not counted."""
        self._sent = True
        self.stats.sent(self.endpoint, self.call.adapter)

    def after_success(self) -> None:
        """The call succeeded: let the endpoint's limiter speed up."""
        if self.limiter is not None:
            self.limiter.on_success(self._ticket)

    def _retryable(self, error: BaseException) -> bool:
        verdict = classify(error)
        self.last_verdict = verdict
        if verdict.code in EXPIRED_CODES and self.refreshable and not self._refreshed:
            # The service says the token expired before the credentials thought so (clock
            # skew, a token revoked early): refresh them and retry the same page, once.
            self._refreshed = self.refresh_pending = True
            return True
        if verdict.kind is ErrorKind.THROTTLE:
            self.stats.add(self.endpoint, throttles=1)
            if self.limiter is not None and self._ticket is not None:
                self.limiter.on_throttle(self._ticket)
        else:
            if verdict.kind is ErrorKind.TRANSIENT:
                self.stats.add(self.endpoint, transient_errors=1)
            if self.limiter is not None and self._ticket is not None:
                self.limiter.release(self._ticket, sent=self._sent)
        return verdict.retryable

    def _wait(self, retry_state: tenacity.RetryCallState) -> float:
        if self.refresh_pending:
            return 0.0  # new credentials need no backoff
        verdict = self.last_verdict or Verdict(ErrorKind.TRANSIENT)
        return self.policy.wait(retry_state.attempt_number, verdict, self.rng)

    def _before_sleep(self, retry_state: tenacity.RetryCallState) -> None:
        verdict = self.last_verdict or Verdict(ErrorKind.TRANSIENT)
        wait = retry_state.upcoming_sleep
        self.stats.add(self.endpoint, retries=1, wait_seconds=wait)
        event = RetryEvent(
            adapter=self.call.adapter,
            service=self.call.service,
            operation=self.call.operation,
            region=self.call.region,
            attempt=retry_state.attempt_number,
            wait=wait,
            kind=verdict.kind.value,
            code=verdict.code,
            http_status=verdict.http_status,
        )
        log.debug(
            "retrying %s in %s after %s (%s, HTTP %s) on attempt %d; waiting %.3fs",
            event.operation,
            event.region,
            event.kind,
            event.code,
            event.http_status,
            event.attempt,
            wait,
        )
        if self.stats.on_retry is not None:
            self.stats.on_retry(event)

    def tenacity_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``tenacity.Retrying`` / ``AsyncRetrying``."""
        return {
            "retry": tenacity.retry_if_exception(self._retryable),
            "wait": self._wait,
            "stop": _Stop(self.policy),
            "before_sleep": self._before_sleep,
            "reraise": True,
        }

    def error(self, exc: BaseException) -> JobkitError:
        """The typed error to raise (``from exc``) when the call finally failed."""
        return translate(
            exc,
            adapter=self.call.adapter,
            region=self.call.region,
            operation=self.call.operation,
            attempts=self.attempts,
        )
