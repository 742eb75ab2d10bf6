"""Adaptive client-side rate limiting per endpoint, as arithmetic on an injected clock.

Every stream and every thread or task that talks to one endpoint (credentials x region x
service) shares one ``AdaptiveLimiter``. It paces requests at ``rate`` (requests per second)
from the first request on, and learns what the endpoint allows:

- **Slow start.** A new endpoint starts at ``start_rate`` (8 requests/s, or half of what an
  endpoint of the same service learned earlier in the process, see ``LimiterRegistry``) and
  each success adds ``growth`` (1) request/s, so at full use the rate doubles about every
  0.7 s. Slow start paces concurrency: a caller alone at the endpoint (a sequential stream)
  goes at once, its followers are paced. So a fresh process with many streams does not fire
  them all at once at an endpoint it knows nothing about, and an unthrottled one is soon
  effectively unpaced.
- **Drop to what got through.** A throttle after a clean run (the share of this epoch's
  requests throttled under ``noise_floor``) makes the ceiling ``w_max`` the rate in force,
  but never above the goodput of the last two seconds (successes per second) nor below half
  the rate: a token bucket lets through about its rate, so one throttle learns the
  endpoint's rate instead of a dozen ``beta`` steps. The rate drops to ``beta * w_max``
  (0.85) and climbs back along TCP CUBIC's curve ``w_max * (1 + scale * (t - K) ** 3)``,
  flat around ``w_max`` and probing above it slowly (``scale``: 0.001 of ``w_max`` per s^3).
- **Throttles that do not answer to the rate.** Every drop is an experiment: the share of
  throttles among the next ``TEST_OUTCOMES`` requests must fall under ``noise_floor``. If it
  does not, the limiter drops once more (the first drop may not have been deep enough); if
  the share still does not fall, the throttles are not ours to fix (random throttles, a quota
  drained by other clients): the drops are undone, the share is kept as ``noise``, and from
  then on only a share well above it (three standard deviations) lowers the rate. A share
  that is steady from an epoch's first requests on is not a throttle after a clean run: it
  is gathered over ``2 * TEST_OUTCOMES`` requests, then tested with a shallow drop. Throttles
  as thick as ``THICK`` of the last ``SLOW_START_WINDOW`` requests drop the rate at once.
  Each retry still backs off on its own (the retry policy); the rate does not collapse.

A throttle of a request sent before the rate last changed (its ``epoch``) says nothing about
the new rate (it was in flight), so it does not lower the rate again. The rate climbs no
higher than ``demand_cap`` times the rate requests are really sent at, unless callers are
waiting for slots (then the limiter is what holds them back).

The limiter never sleeps: ``reserve()`` returns the delay the caller must wait before sending,
and slots are handed out in order, so concurrent callers are spread evenly over time; a slot
of an attempt that was never sent goes back (``release``). ``benchmarks/pacing.py`` measures
it against a token bucket and random throttles over HTTP; ``tests/pacing_sim.py`` simulates
it on a fake clock.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["AdaptiveLimiter", "LimiterRegistry", "Ticket"]

#: Outcomes of an epoch's requests before a throttle may lower the rate.
MIN_OUTCOMES = 4
#: Throttles this thick among the latest requests lower the rate, however steady.
SLOW_START_WINDOW = 8
THICK = 6
#: Outcomes after a drop before judging whether it lowered the throttle share.
TEST_OUTCOMES = 12
#: Outcome counts are halved past this, so the share is a recent one.
WINDOW = 64
#: Seconds the rate a chain of drops began at is remembered, to restore it on an undo.
PEAK_MEMORY = 30.0
#: Seconds of successes over which goodput is measured.
GOODPUT_WINDOW = 2.0


@attrs.frozen
class Ticket:
    """A reservation: when the request may go, and under which rate epoch."""

    delay: float
    epoch: int


@attrs.frozen
class _Saved:
    """The state before a drop, restored if the drop turns out not to help."""

    rate: float
    w_max: float
    slow_start: bool
    k: float
    last_drop: float


@attrs.define
class AdaptiveLimiter:
    """Paced send slots for one endpoint (see the module docstring).

    ``clock`` returns seconds (monotonic). ``min_rate`` and ``max_rate`` bound the rate;
    ``start_rate`` and ``growth`` drive slow start; ``beta`` and ``scale`` are CUBIC's
    decrease factor and (relative) growth constant; ``burst`` is how many requests may go
    back to back after an idle spell; ``demand_cap`` keeps the rate under that multiple of
    the rate requests are really sent at; ``noise_floor`` is the throttle share under which
    throttles are taken as caused by the rate.
    """

    clock: Callable[[], float]
    min_rate: float = 0.5
    max_rate: float = 10_000.0
    start_rate: float = 8.0
    growth: float = 1.0
    beta: float = 0.85
    scale: float = 0.001
    burst: float = 1.0
    demand_cap: float | None = 2.0  # the rate stays under this multiple of the sending rate
    noise_floor: float = 0.1
    rate: float = attrs.field(default=0.0)
    slow_start: bool = True
    w_max: float = 0.0
    epoch: int = 0
    throttles: int = 0
    drops: int = 0
    noise: float = 0.0  # the share of throttles that do not answer to the rate
    _next_slot: float = attrs.field(default=-math.inf, init=False)
    _last_drop: float = attrs.field(default=0.0, init=False)
    _waited: float = attrs.field(default=-math.inf, init=False)  # when a caller last waited
    _in_flight: int = attrs.field(default=0, init=False)  # reserved, not yet answered
    _k: float = attrs.field(default=0.0, init=False)
    _n: float = attrs.field(default=0.0, init=False)  # outcomes of this epoch's requests
    _t: float = attrs.field(default=0.0, init=False)  # ... of which throttled
    _saved: _Saved | None = attrs.field(default=None, init=False)
    # The outcomes of this epoch's latest requests.
    _recent: deque[bool] = attrs.field(
        factory=lambda: deque(maxlen=SLOW_START_WINDOW), init=False, repr=False
    )
    _peak: float = attrs.field(default=0.0, init=False)  # the highest rate a chain began at
    _peak_at: float = attrs.field(default=-math.inf, init=False)
    _test_share: float | None = attrs.field(default=None, init=False)  # after the 1st drop
    _sent: deque[float] = attrs.field(factory=deque, init=False, repr=False)
    _ok: deque[float] = attrs.field(factory=deque, init=False, repr=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.rate <= 0:
            self.rate = self.start_rate
        self.rate = min(self.max_rate, max(self.min_rate, self.rate))

    @property
    def learned(self) -> float:
        """What this endpoint taught about its service's rate: the ceiling it met, or the
        rate it reached without meeting one."""
        return self.w_max if self.drops else self.rate

    def reserve(self) -> Ticket:
        """Take the next send slot; wait ``ticket.delay`` seconds before sending."""
        with self._lock:
            now = self.clock()
            self._note(self._sent, now)
            interval = 1.0 / self.rate
            slot = max(self._next_slot, now - (self.burst - 1.0) * interval)
            if self.slow_start and self._in_flight == 0:
                # Slow start paces concurrency: a caller alone at the endpoint (a sequential
                # stream) cannot storm it, and goes at once. Its followers are paced.
                slot = min(slot, now)
            self._in_flight += 1
            self._next_slot = max(self._next_slot, slot + interval)
            if slot > now:
                self._waited = now
            return Ticket(max(0.0, slot - now), self.epoch)

    def release(self, ticket: Ticket | None = None, *, sent: bool = True) -> None:
        """A reserved attempt ended otherwise than answered with success or a throttle: a
        transient or fatal error, or it was never sent (the listing was closed while it
        waited), in which case its slot goes back to the queue."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if not sent and ticket is not None:
                now = self.clock()
                self._next_slot = max(now, self._next_slot - 1.0 / self.rate)

    def on_success(self, ticket: Ticket | None = None) -> None:
        """A request succeeded: let the rate climb (slow start, or the cubic curve)."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            now = self.clock()
            self._note(self._ok, now)
            if ticket is None or ticket.epoch == self.epoch:
                self._count(throttled=False)
                judged = self._saved is not None and self._n >= TEST_OUTCOMES
                if judged and self._judge() == "again":
                    self._drop()
                    return
            if self.slow_start:
                target = self.rate + self.growth
            else:
                t = now - self._last_drop
                target = self.w_max * (1.0 + self.scale * (t - self._k) ** 3)
            # Climb no further than twice what is really being sent: a rate the callers do not
            # use says nothing about what the endpoint allows (botocore caps the same way).
            # While callers wait for slots, the limiter is what holds them back: no cap.
            if self.demand_cap is not None and target > self.rate and now - self._waited > 1.0:
                target = max(self.rate, min(target, self.demand_cap * self._sending_rate(now)))
            self.rate = min(self.max_rate, max(self.min_rate, target))

    def on_throttle(self, ticket: Ticket) -> bool:
        """A request was throttled; lower the rate if the throttles answer to it.

        Returns True when the rate was lowered.
        """
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            self.throttles += 1
            if ticket.epoch != self.epoch:
                return False
            self._count(throttled=True)
            if self._n < MIN_OUTCOMES:
                return False  # one throttle among the first requests tells too little
            if self._saved is not None:  # a drop is being tested
                if self._n < TEST_OUTCOMES:
                    return False  # too early to tell whether it helped
                verdict = self._judge()
                if verdict == "undone":
                    return False
                if verdict == "again":
                    self._drop()
                    return True
            return self._on_fresh_throttle()

    def _on_fresh_throttle(self) -> bool:
        """A throttle outside a test: lower the rate if it looks caused by the rate."""
        share = self._t / self._n
        # So thick among the latest requests that the rate must be far too high.
        thick = len(self._recent) == SLOW_START_WINDOW and sum(self._recent) >= THICK
        if not thick:
            if self.noise > 0.0:
                # Throttles that come whatever the rate are known: only clearly more count.
                if self._n < TEST_OUTCOMES or share <= self.noise + self._margin(3.0):
                    return False
            elif share >= self.noise_floor:
                # A steady share from the epoch's first requests on, not a throttle after a
                # clean run: maybe throttles that come whatever the rate. Gather requests,
                # then test it with a shallow drop (goodput says little here).
                if self._n < 2 * TEST_OUTCOMES:
                    return False
                self._drop(shallow=True)
                return True
        self._drop()
        return True

    def _judge(self) -> str:
        """Whether the last drop lowered the throttle share of the requests sent since.

        ``"helped"``: keep it. ``"again"``: it did not help, perhaps it was not deep
        enough; drop again. ``"undone"``: two drops in a row did not help, so the throttles
        are not ours to fix; the drops were undone.
        """
        assert self._saved is not None
        share = self._t / self._n
        threshold = max(self.noise_floor, 0.7 * self.noise)
        if self._test_share is not None:
            threshold = max(threshold, 0.5 * self._test_share)
        if share < threshold:
            self._saved = None
            return "helped"
        if self._test_share is not None and share >= 0.8 * self._test_share:
            self._undo(self._saved, (share + self._test_share) / 2.0)
            return "undone"
        self._test_share = share  # lower, but not low: perhaps not deep enough yet
        return "again"

    def _drop(self, *, shallow: bool = False) -> None:
        now = self.clock()
        if self._saved is None:  # the first drop of a chain: keep what to restore
            if now - self._peak_at > PEAK_MEMORY:
                self._peak = 0.0
            if self.rate >= self._peak:
                self._peak, self._peak_at = self.rate, now
            self._saved = _Saved(self.rate, self.w_max, self.slow_start, self._k, self._last_drop)
            self._test_share = None
        # A token bucket lets through about its rate: what got through in the last second
        # bounds the ceiling (scaled up by the throttles that come whatever the rate).
        goodput = self._goodput(now) / max(1e-9, 1.0 - self.noise)
        # At most halved at once, like TCP: goodput over a few requests says little.
        ceiling = self.rate if shallow else min(self.rate, max(goodput, self.rate / 2.0))
        self.w_max = max(self.min_rate, ceiling)
        self.rate = max(self.min_rate, self.w_max * self.beta)
        self._k = ((1.0 - self.rate / self.w_max) / self.scale) ** (1.0 / 3.0)
        self._last_drop = now
        self.slow_start = False
        self.drops += 1
        self._new_epoch(now)

    def _undo(self, saved: _Saved, share: float) -> None:
        # The drop did not lower the throttle share: the throttles are not ours to fix.
        now = self.clock()
        self.noise = max(self.noise, share)
        # Nothing was learned about a ceiling: look for one again, quickly, from the highest
        # rate of the last chains (an earlier chain may have been judged helpful by chance).
        self.rate = max(saved.rate, self._peak)
        self.w_max, self.slow_start = saved.w_max, True
        self._k, self._last_drop = saved.k, saved.last_drop
        self._saved = None
        self._new_epoch(now)

    def _new_epoch(self, now: float) -> None:
        self.epoch += 1
        self._n = self._t = 0.0
        self._recent.clear()
        # Pace from now: requests already granted keep their slots.
        self._next_slot = max(self._next_slot, now)

    def _count(self, *, throttled: bool) -> None:
        self._n += 1.0
        self._t += 1.0 if throttled else 0.0
        self._recent.append(throttled)
        if self._n > WINDOW:
            self._n /= 2.0
            self._t /= 2.0
        if self.noise > 0.0 and self._n >= WINDOW / 2:
            # The throttles that come whatever the rate may become rarer, or end: follow the
            # share down when it is clearly lower. They are raised only by drops that did not
            # help (``_undo``), never by the share, which also holds those the rate causes.
            self.noise = min(self.noise, self._t / self._n + self._margin(2.0))

    def _margin(self, sigmas: float) -> float:
        # Standard deviations of the share over this epoch's outcomes, plus a little.
        return sigmas * math.sqrt(self.noise * (1.0 - self.noise) / self._n) + 0.05

    @staticmethod
    def _note(times: deque[float], now: float) -> None:
        # O(1) per event: the times arrive in order (one clock, under the lock).
        times.append(now)
        while times and times[0] < now - GOODPUT_WINDOW:
            times.popleft()

    def _goodput(self, now: float) -> float:
        # Successes per second over the last GOODPUT_WINDOW, between the first and the last
        # (n successes span n - 1 intervals).
        ok = self._ok
        while ok and ok[0] < now - GOODPUT_WINDOW:
            ok.popleft()
        if len(ok) < 2:
            return float(len(ok)) / GOODPUT_WINDOW
        return (len(ok) - 1) / max(now - ok[0], 0.05)

    def _sending_rate(self, now: float) -> float:
        # Sends per second over the last second, over the span actually covered: right after
        # a start (clients being created) a full-second window would understate the rate.
        recent = self._sent
        while recent and recent[0] < now - 1.0:
            recent.popleft()
        if len(recent) < 2:
            return float(len(recent))
        return len(recent) / max(now - recent[0], 0.05)


@attrs.define
class LimiterRegistry:
    """One limiter per endpoint key, created on first use; safe to share across threads.

    A key is ``(identity, service, region)``. A new endpoint of a service starts its slow
    start from half the highest rate another endpoint of the same service learned in this
    process (never below ``start_rate``): with a thousand accounts every endpoint is new, and
    the first ones teach the rest.
    """

    clock: Callable[[], float]
    settings: dict[str, Any] = attrs.field(factory=dict)  # AdaptiveLimiter keyword arguments
    _limiters: dict[tuple[str, ...], AdaptiveLimiter] = attrs.field(factory=dict, init=False)
    _by_service: dict[str, list[AdaptiveLimiter]] = attrs.field(factory=dict, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def get(self, *key: str) -> AdaptiveLimiter:
        """The limiter of the endpoint ``key`` (e.g. identity, service, region)."""
        with self._lock:
            limiter = self._limiters.get(key)
            if limiter is None:
                service = key[1] if len(key) > 1 else ""
                peers = self._by_service.setdefault(service, [])
                limiter = AdaptiveLimiter(clock=self.clock, **self.settings)
                prior = max((peer.learned for peer in peers), default=0.0)
                limiter.rate = min(limiter.max_rate, max(limiter.rate, prior / 2.0))
                peers.append(limiter)
                self._limiters[key] = limiter
            return limiter
