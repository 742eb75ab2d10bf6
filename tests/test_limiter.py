"""The adaptive limiter's documented behaviour, on a fake clock."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobkit.core.limiter import AdaptiveLimiter, LimiterRegistry


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_no_pacing_before_the_first_throttle() -> None:
    """Until the endpoint throttles, requests go at once."""
    limiter = AdaptiveLimiter(clock=FakeClock())
    assert all(limiter.reserve().delay == 0.0 for _ in range(100))
    assert not limiter.enabled


def test_first_throttle_starts_from_the_measured_rate() -> None:
    """The first throttle sets the rate to beta times the send rate of the last second."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock, beta=0.5)
    tickets = []
    for _ in range(40):
        tickets.append(limiter.reserve())
        clock.advance(0.025)  # 40 requests per second
    assert limiter.on_throttle(tickets[-1])
    assert limiter.w_max == pytest.approx(40.0)
    assert limiter.rate == pytest.approx(20.0)


def test_paced_slots_are_evenly_spaced() -> None:
    """Concurrent reservations get slots 1/rate apart, in order."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock, beta=0.5)
    limiter.on_throttle(limiter.reserve())  # enable pacing, then pin the rate
    limiter.rate = 10.0
    delays = [limiter.reserve().delay for _ in range(5)]
    assert delays == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])


def test_in_flight_throttles_drop_the_rate_once() -> None:
    """Throttles of requests sent before the last drop do not lower the rate again."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock, beta=0.5)
    limiter.rate = 16.0
    tickets = [limiter.reserve() for _ in range(8)]
    assert limiter.on_throttle(tickets[0])
    assert limiter.rate == pytest.approx(8.0)
    assert not any(limiter.on_throttle(t) for t in tickets[1:])
    assert limiter.rate == pytest.approx(8.0) and limiter.throttles == 8
    later = limiter.reserve()
    assert limiter.on_throttle(later) and limiter.rate == pytest.approx(4.0)


def test_cubic_recovery_returns_to_w_max_after_k() -> None:
    """After a drop the rate climbs back to w_max at time K, flat around it, then above."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock, beta=0.7, scale=0.4, demand_cap=None)
    limiter.rate = 10.0
    limiter.on_throttle(limiter.reserve())
    assert limiter.rate == pytest.approx(7.0)
    k = (10 * 0.3 / 0.4) ** (1 / 3)
    rates = []
    for step in range(1, 41):
        clock.now = 1000.0 + step * k / 10
        limiter.on_success()
        rates.append(limiter.rate)
    assert rates == sorted(rates), "the rate only climbs while requests succeed"
    assert rates[9] == pytest.approx(10.0)  # t == K
    # Flat near w_max: the second half of the climb gains less than the first.
    assert rates[9] - rates[4] < rates[4] - 7.0
    assert rates[-1] > 10.0


def test_rate_is_bounded() -> None:
    """The rate never leaves [min_rate, max_rate]."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock, min_rate=1.0, max_rate=50.0, demand_cap=None)
    limiter.rate = 1.2
    for _ in range(10):
        limiter.on_throttle(limiter.reserve())
    assert limiter.rate == 1.0
    clock.advance(1000)
    limiter.on_success()
    assert limiter.rate == 50.0


def test_idle_time_does_not_bank_unbounded_burst() -> None:
    """After an idle spell, at most `burst` requests go back to back."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock, burst=3.0)
    limiter.rate = 10.0
    limiter.epoch = 1
    clock.advance(60)
    delays = [limiter.reserve().delay for _ in range(5)]
    assert delays[:3] == [0.0, 0.0, 0.0]
    assert delays[3] == pytest.approx(0.1) and delays[4] == pytest.approx(0.2)


@given(st.floats(min_value=1.0, max_value=500.0), st.integers(min_value=1, max_value=200))
def test_slots_never_exceed_the_rate(rate: float, n: int) -> None:
    """Any number of reservations at one instant are spread at 1/rate (burst 1)."""
    limiter = AdaptiveLimiter(clock=FakeClock())
    limiter.rate = rate
    delays = [limiter.reserve().delay for _ in range(n)]
    assert delays[-1] == pytest.approx((n - 1) / rate)


def test_registry_shares_per_key() -> None:
    """One limiter per endpoint key, the same object for every caller."""
    registry = LimiterRegistry(clock=FakeClock())
    assert registry.get("id", "sagemaker", "us-east-1") is registry.get(
        "id", "sagemaker", "us-east-1"
    )
    assert registry.get("id", "sagemaker", "us-east-1") is not registry.get(
        "id", "batch", "us-east-1"
    )


def test_rate_does_not_run_away_without_demand() -> None:
    """With few requests sent, the rate stays under twice the sending rate."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock)
    limiter.rate = 10.0
    limiter.on_throttle(limiter.reserve())
    for _ in range(30):
        clock.advance(1.5)
        limiter.reserve()  # one request every 1.5 s
        limiter.on_success()
    assert limiter.rate is not None and limiter.rate <= 2.0
