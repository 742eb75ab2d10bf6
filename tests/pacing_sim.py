"""A discrete-event simulation of streams sharing one ``AdaptiveLimiter`` against an endpoint
(a token bucket and/or random throttles), on a fake clock: the limiter's own code, driven the
way ``CallTracker`` drives it, with the retry policy's full-jitter backoff. Deterministic
under ``seed``; a run of thousands of requests takes milliseconds."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable

import attrs

from jobkit.core.limiter import AdaptiveLimiter, Ticket


class SimClock:
    """The simulation's clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@attrs.define
class SimResult:
    """What a simulated listing did: each request's send time and whether it was throttled."""

    sends: list[tuple[float, bool]]
    pages: int
    wall: float

    def throttled_share(self, first: int | None = None) -> float:
        """The share of requests throttled (of the first ``first``, if given)."""
        outcomes = [t for _, t in sorted(self.sends)][:first]
        return sum(outcomes) / max(1, len(outcomes))

    def goodput(self) -> float:
        """Pages per second of wall time."""
        return self.pages / self.wall


def simulate(
    *,
    streams: int = 8,
    pages: int = 18,
    rate_limit: float | None = 10.0,
    burst: float = 2.0,
    throttle: float = 0.0,
    rtt: float = 0.005,
    backoff_base: float = 0.1,
    backoff_cap: float = 20.0,
    max_attempts: int = 10,
    seed: int = 0,
    make: Callable[[SimClock], AdaptiveLimiter] | None = None,
) -> tuple[SimResult, AdaptiveLimiter]:
    """Run ``streams`` streams of ``pages`` pages each; return the result and the limiter."""
    clock = SimClock()
    limiter = make(clock) if make is not None else AdaptiveLimiter(clock=clock)
    rng = random.Random(seed)
    tokens, stamp = burst, 0.0
    left = [pages] * streams
    attempt = [1] * streams
    sends: list[tuple[float, bool]] = []
    # (time, order, stream, what): a stream wants to send, its request arrives, or its
    # response comes back.
    events: list[tuple[float, int, int, str]] = []
    tickets: dict[int, Ticket] = {}
    outcome: dict[int, bool] = {}
    order = 0

    def push(at: float, i: int, what: str) -> None:
        nonlocal order
        heapq.heappush(events, (at, order, i, what))
        order += 1

    for i in range(streams):
        push(0.0, i, "want")
    done = 0
    finished_at = 0.0
    while events:
        now, _, i, what = heapq.heappop(events)
        clock.now = now
        if what == "want":
            tickets[i] = limiter.reserve()
            push(now + tickets[i].delay + rtt / 2, i, "arrive")
        elif what == "arrive":
            if rate_limit is not None:
                tokens = min(burst, tokens + (now - stamp) * rate_limit)
                stamp = now
            allowed = rate_limit is None or tokens >= 1.0
            if allowed and rate_limit is not None:
                tokens -= 1.0
            outcome[i] = not allowed or rng.random() < throttle
            sends.append((now - rtt / 2, outcome[i]))
            push(now + rtt / 2, i, "respond")
        elif outcome[i]:
            limiter.on_throttle(tickets[i])
            bound = min(backoff_cap, backoff_base * 2 ** (attempt[i] - 1))
            attempt[i] = attempt[i] % max_attempts + 1  # giving up resumes from the cursor
            push(now + rng.uniform(0, bound), i, "want")
        else:
            limiter.on_success(tickets[i])
            done += 1
            attempt[i] = 1
            left[i] -= 1
            if left[i]:
                push(now, i, "want")
            else:
                finished_at = max(finished_at, now)
    return SimResult(sends, done, finished_at), limiter
