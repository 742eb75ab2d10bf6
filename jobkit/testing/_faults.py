"""Fault injection for the emulator: what to break, and the per-endpoint state that decides when.

An endpoint is a (signing service, region) pair, like AWS's own throttling scope. Every endpoint
owns a seeded random generator and a token bucket, so a given sequence of requests to one endpoint
sees the same faults on every run. Decisions are drawn in a fixed order (throttle, expired token,
server error, reset, slow) so that turning one knob on does not reshuffle the others.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from enum import Enum

import attrs

__all__ = ["FaultDecision", "FaultKind", "FaultState", "Faults"]


def _probability(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be a probability in [0, 1], got {value!r}")


def _non_negative(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


def _optional_positive(
    _instance: object, attribute: attrs.Attribute[float | None], value: float | None
) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"{attribute.name} must be > 0 or None, got {value!r}")


@attrs.frozen(kw_only=True)
class Faults:
    """Faults to inject on an endpoint (signing service x region); deterministic under ``seed``.

    Probabilities are drawn per request from a generator seeded with ``(seed, service, region)``.
    ``rate_limit`` is a token bucket of ``burst`` tokens refilled at ``rate_limit`` tokens/s;
    a request that finds no token gets the service's throttling error.
    """

    seed: int = 0
    rate_limit: float | None = attrs.field(default=None, validator=_optional_positive)
    burst: float = attrs.field(default=1.0, validator=_non_negative)
    throttle: float = attrs.field(default=0.0, validator=_probability)
    server_error: float = attrs.field(default=0.0, validator=_probability)
    reset: float = attrs.field(default=0.0, validator=_probability)
    latency: float = attrs.field(default=0.0, validator=_non_negative)
    slow: float = attrs.field(default=0.0, validator=_probability)
    slow_delay: float = attrs.field(default=5.0, validator=_non_negative)
    expired_token: float = attrs.field(default=0.0, validator=_probability)
    access_denied: bool = False
    retry_after: float | None = attrs.field(default=None, validator=_optional_positive)


class FaultKind(Enum):
    """What the server does instead of (or on top of) answering normally."""

    NONE = "none"
    ACCESS_DENIED = "access_denied"
    RATE_LIMITED = "rate_limited"
    THROTTLE = "throttle"
    EXPIRED_TOKEN = "expired_token"
    SERVER_ERROR = "server_error"
    RESET = "reset"


@attrs.frozen
class FaultDecision:
    """The outcome of one request's draw: a fault kind, the 5xx status, and the delay to add."""

    kind: FaultKind
    delay: float = 0.0
    status: int = 500


class FaultState:
    """Mutable per-endpoint state (generator and bucket); thread-safe."""

    def __init__(self, faults: Faults, service: str, region: str) -> None:
        self.faults = faults
        self.service = service
        self.region = region
        digest = hashlib.blake2b(
            f"{faults.seed}|{service}|{region}".encode(), digest_size=8
        ).digest()
        self._rng = random.Random(int.from_bytes(digest, "big"))
        self._tokens = faults.burst
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def _take_token(self) -> bool:
        rate = self.faults.rate_limit
        if rate is None:
            return True
        now = time.monotonic()
        self._tokens = min(self.faults.burst, self._tokens + (now - self._stamp) * rate)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def decide(self) -> FaultDecision:
        """Draw one request's fault; every knob consumes its draw, so knobs stay independent."""
        f = self.faults
        with self._lock:
            allowed = self._take_token()
            draws = [self._rng.random() for _ in range(6)]
        delay = f.latency + (f.slow_delay if draws[4] < f.slow else 0.0)
        if f.access_denied:
            return FaultDecision(FaultKind.ACCESS_DENIED, delay)
        if not allowed:
            return FaultDecision(FaultKind.RATE_LIMITED, delay)
        if draws[0] < f.throttle:
            return FaultDecision(FaultKind.THROTTLE, delay)
        if draws[1] < f.expired_token:
            return FaultDecision(FaultKind.EXPIRED_TOKEN, delay)
        if draws[2] < f.server_error:
            return FaultDecision(FaultKind.SERVER_ERROR, delay, 503 if draws[5] < 0.5 else 500)
        if draws[3] < f.reset:
            return FaultDecision(FaultKind.RESET, delay)
        return FaultDecision(FaultKind.NONE, delay)
