"""The adaptive limiter's documented behaviour, on a fake clock; and simulated listings
against a token bucket and random throttles (``tests/pacing_sim.py``)."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobkit.core.limiter import TEST_OUTCOMES, AdaptiveLimiter, LimiterRegistry
from tests.pacing_sim import simulate


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_a_cold_endpoint_is_paced_from_the_first_request() -> None:
    """A new endpoint starts at start_rate: a burst of callers is spread 1/start_rate apart."""
    limiter = AdaptiveLimiter(clock=FakeClock())
    delays = [limiter.reserve().delay for _ in range(8)]
    assert delays == pytest.approx([i / 8.0 for i in range(8)])
    assert limiter.slow_start


def test_slow_start_adds_growth_per_success() -> None:
    """In slow start each success adds `growth` requests/s (the rate doubles at full use)."""
    limiter = AdaptiveLimiter(clock=FakeClock(), demand_cap=None)
    for _ in range(12):
        limiter.on_success(limiter.reserve())
    assert limiter.rate == pytest.approx(8.0 + 12.0)


def _run_at(limiter: AdaptiveLimiter, clock: FakeClock, rate: float, seconds: float) -> None:
    """Successes at `rate` per second for `seconds`."""
    for _ in range(round(rate * seconds)):
        limiter.on_success(limiter.reserve())
        clock.advance(1.0 / rate)


def test_the_first_throttle_drops_to_what_got_through() -> None:
    """A throttle after a clean slow start sets w_max to the goodput, not to the rate in
    force: one throttle learns a token bucket's rate."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock, demand_cap=None)
    _run_at(limiter, clock, 10.0, 3.0)  # the endpoint let 10/s through ...
    limiter.rate = 18.0  # ... while slow start ran ahead
    assert limiter.on_throttle(limiter.reserve())
    assert not limiter.slow_start
    assert limiter.w_max == pytest.approx(10.0, rel=0.06)
    assert limiter.rate == pytest.approx(0.85 * limiter.w_max)


def test_a_drop_at_most_halves_the_rate() -> None:
    """However little got through, one drop at most halves the ceiling, like TCP's."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock, demand_cap=None, rate=20.0)
    _run_at(limiter, clock, 1.0, 12.0)  # one success a second; slow start: 20 -> 32
    assert limiter.on_throttle(limiter.reserve())
    assert limiter.w_max == pytest.approx(16.0)
    assert limiter.rate == pytest.approx(0.85 * 16.0)


def test_in_flight_throttles_drop_the_rate_once() -> None:
    """Throttles of requests sent before the last drop do not lower the rate again."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock, demand_cap=None)
    _run_at(limiter, clock, 10.0, 2.0)
    tickets = [limiter.reserve() for _ in range(8)]
    assert limiter.on_throttle(tickets[0])
    rate = limiter.rate
    assert not any(limiter.on_throttle(t) for t in tickets[1:])
    assert limiter.rate == rate and limiter.throttles == 8


def test_cubic_recovery_returns_to_w_max_after_k() -> None:
    """After a drop the rate climbs back to w_max at time K, flat around it, then above."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock, demand_cap=None)
    _run_at(limiter, clock, 10.0, 3.0)
    limiter.rate = 10.0
    limiter.on_throttle(limiter.reserve())
    w_max, start = limiter.w_max, clock.now
    k = ((1 - 0.85) / 0.001) ** (1 / 3)
    rates = []
    for step in range(1, 41):
        clock.now = start + step * k / 10
        limiter.on_success()
        rates.append(limiter.rate)
    assert rates == sorted(rates), "the rate only climbs while requests succeed"
    assert rates[9] == pytest.approx(w_max)  # t == K
    assert rates[9] - rates[4] < rates[4] - 0.85 * w_max  # flat near w_max
    assert rates[-1] > w_max


def test_rate_is_bounded() -> None:
    """The rate never leaves [min_rate, max_rate]."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock, min_rate=1.0, max_rate=50.0, demand_cap=None)
    limiter.rate = 1.2
    for _ in range(10):
        for _ in range(TEST_OUTCOMES):
            limiter.on_success(limiter.reserve())
        limiter.on_throttle(limiter.reserve())
    assert limiter.rate >= 1.0
    clock.advance(1000)
    limiter.on_success()
    assert limiter.rate == 50.0


def test_idle_time_does_not_bank_unbounded_burst() -> None:
    """After an idle spell, at most `burst` requests go back to back."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock, burst=3.0, rate=10.0)
    clock.advance(60)
    delays = [limiter.reserve().delay for _ in range(5)]
    assert delays[:3] == [0.0, 0.0, 0.0]
    assert delays[3] == pytest.approx(0.1) and delays[4] == pytest.approx(0.2)


@given(st.floats(min_value=1.0, max_value=500.0), st.integers(min_value=1, max_value=200))
def test_slots_never_exceed_the_rate(rate: float, n: int) -> None:
    """Any number of reservations at one instant are spread at 1/rate (burst 1)."""
    limiter = AdaptiveLimiter(clock=FakeClock(), rate=rate)
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


def test_a_new_endpoint_starts_from_what_its_service_learned() -> None:
    """A new endpoint of a service starts at half the rate another endpoint of the same
    service learned in this process (never below start_rate); other services start cold."""
    registry = LimiterRegistry(clock=FakeClock())
    first = registry.get("account-1", "sagemaker", "us-east-1")
    first.rate = 300.0  # learned without meeting a ceiling
    assert registry.get("account-2", "sagemaker", "us-east-1").rate == 150.0
    assert registry.get("account-2", "batch", "us-east-1").rate == 8.0
    limited = LimiterRegistry(clock=FakeClock())
    met = limited.get("account-1", "sagemaker", "us-east-1")
    met.rate, met.drops, met.w_max = 300.0, 1, 30.0  # met a ceiling of 30/s
    assert limited.get("account-2", "sagemaker", "us-east-1").rate == 15.0


def test_rate_does_not_run_away_without_demand() -> None:
    """With few requests sent and nobody waiting, the rate climbs no further than twice the
    sending rate; it is not cut either (pacing from the first request)."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock)
    for _ in range(30):
        clock.advance(1.5)
        limiter.on_success(limiter.reserve())  # one request every 1.5 s
    assert limiter.rate == 8.0
    busy = AdaptiveLimiter(clock=clock, rate=100.0)
    for _ in range(30):
        clock.advance(0.1)
        busy.on_success(busy.reserve())  # 10 requests a second
    assert busy.rate == 100.0


def test_throttles_that_do_not_answer_to_the_rate_are_undone() -> None:
    """Two drops after which the throttle share stays the same are undone: the share
    becomes the noise, and the rate is back where the drops began."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock, demand_cap=None)
    _run_at(limiter, clock, 20.0, 3.0)
    before = limiter.rate
    assert limiter.on_throttle(limiter.reserve())  # a clean run, then a throttle: drop
    for chain in range(2):
        # A third of the requests throttled, whatever the rate.
        for i in range(TEST_OUTCOMES):
            ticket = limiter.reserve()
            clock.advance(0.05)
            if i % 3 == 2:
                limiter.on_throttle(ticket)
            else:
                limiter.on_success(ticket)
        if chain == 0:
            assert limiter.rate < before and limiter._saved is not None
    assert limiter.noise == pytest.approx(1 / 3, abs=0.05)
    assert limiter.rate >= before and limiter.slow_start


def test_with_known_noise_only_a_clearly_higher_share_drops_the_rate() -> None:
    """Once the random share is known, throttles at that share keep the rate."""
    clock = FakeClock()
    limiter = AdaptiveLimiter(clock=clock, demand_cap=None, rate=50.0, noise=0.3)
    limiter.slow_start = False
    limiter.w_max = 50.0
    for i in range(200):
        ticket = limiter.reserve()
        clock.advance(0.02)
        if i % 10 in (3, 6, 9):
            assert not limiter.on_throttle(ticket)
        else:
            limiter.on_success(ticket)
    assert limiter.drops == 0 and limiter.rate >= 50.0


def _mean(values: list[float]) -> float:
    return statistics.mean(values)


def test_simulated_cold_start_on_a_token_bucket() -> None:
    """8 streams, a fresh limiter, an endpoint at 10 requests/s (burst 2): at most 5% of the
    first 150 requests throttled with goodput >= 0.9 R, and at most 2% over 1,200."""
    for seed in range(3):
        short, _ = simulate(seed=seed, pages=18)
        assert short.throttled_share(150) <= 0.05
        assert short.goodput() >= 0.9 * 10.0
    long, _ = simulate(seed=0, pages=150)
    assert long.throttled_share() <= 0.02
    assert long.goodput() >= 0.95 * 10.0


def test_simulated_random_throttles_keep_the_rate() -> None:
    """30% random throttles and no rate limit: the limiter learns the noise and keeps
    pacing far above the cold start, within 3x of no limiter at all."""
    unlimited = {"start_rate": 1e6, "max_rate": 1e6, "demand_cap": None, "growth": 0.0}
    plain, paced, noises = [], [], []
    for seed in range(6):
        kw = {"seed": seed, "pages": 42, "rate_limit": None, "throttle": 0.3, "rtt": 0.08}
        result, _ = simulate(make=lambda c: AdaptiveLimiter(clock=c, **unlimited), **kw)
        plain.append(result.wall)
        result, limiter = simulate(**kw)
        paced.append(result.wall)
        noises.append(limiter.noise)
    assert _mean(paced) <= 3 * _mean(plain), (paced, plain)
    assert _mean(noises) == pytest.approx(0.3, abs=0.1)
