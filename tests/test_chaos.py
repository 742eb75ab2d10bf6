"""Exactly once under chaos: 30% throttles, 5% 5xx, 2% connection resets, sync and async,
with the adaptive limiter on and resumption from the error's cursor."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from emulator_env import use_emulator

import jobkit
from jobkit.errors import ConnectionFailedError, RetriesExhaustedError
from jobkit.testing import Emulator, Faults
from tests.drivers import Driver
from tests.groundtruth import GROUND_TRUTH_ADAPTERS, expected_raw, same_jobs

ADAPTERS = list(GROUND_TRUTH_ADAPTERS)

#: Over 10,000 jobs across the five adapters.
CHAOS_SIZES = {
    "ListProcessingJobs": 2600,
    "ListLabelingJobsForWorkteam": 500,
    "ListSNOMEDCTInferenceJobs": 2600,
    "ListServiceJobs": 1100,
    "ListCollaborationTrainedModelExportJobs": 400,
}
FAULTS = Faults(seed=5, throttle=0.30, server_error=0.05, reset=0.02)
# Tiny backoff keeps the test fast; 40 attempts make a lost page (0.37**40) impossible.
POLICY = jobkit.RetryPolicy(max_attempts=40, backoff_base=0.001, backoff_cap=0.01)
# Three attempts give up on about one call in twenty: the listing resumes from the cursor.
GIVING_UP = jobkit.RetryPolicy(max_attempts=3, backoff_base=0.001, backoff_cap=0.01)


@pytest.fixture(scope="module")
def chaos() -> Iterator[Emulator]:
    """An emulator whose every endpoint throttles, fails and resets connections."""
    with Emulator(seed=3, sizes=CHAOS_SIZES, faults=FAULTS) as emu:
        yield emu


@pytest.fixture
def chaos_env(chaos: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The chaos emulator, reached through AWS_ENDPOINT_URL."""
    use_emulator(monkeypatch, chaos)
    chaos.set_faults(FAULTS)  # every test starts from the same seeded fault sequence
    chaos.clear_requests()
    return chaos


async def test_chaos_exactly_once_resuming_from_the_cursor(
    chaos_env: Emulator, driver: Driver
) -> None:
    """Over 10,000 jobs of the five adapters (with discovery) through 30% throttles, 5% 5xx
    and 2% resets, with pacing on: whenever the retry policy gives up, the listing resumes
    from the error's cursor, and the jobs equal the ground truth: 0 lost, 0 duplicated."""
    got: list[jobkit.Job] = []
    requests = retries = throttles = pages = resumes = 0
    cursor = None
    started = time.perf_counter()
    while True:
        it = driver.open(ADAPTERS, retry=GIVING_UP, cursor=cursor)
        try:
            await driver.drain(it, on_job=got.append)
            done = True
        except (RetriesExhaustedError, ConnectionFailedError) as exc:
            assert exc.cursor is not None, "a listing that gave up says where to resume"
            cursor, done = exc.cursor, False
            resumes += 1
        stats = it.stats
        requests, retries = requests + stats.requests, retries + stats.retries
        throttles, pages = throttles + stats.throttles, pages + stats.pages
        if done:
            break
        assert resumes < 200, "the listing makes progress"
    elapsed = time.perf_counter() - started
    total = 0
    for adapter in ADAPTERS:
        expected = expected_raw(chaos_env, adapter, "us-east-1")
        same_jobs([j.raw for j in got if j.adapter == adapter], expected)
        total += len(expected)
    assert total >= 10_000 and len(got) == total
    assert resumes > 0, "three attempts per call give up at least once over 100 calls"
    # Every request the emulator saw was counted, retries included. aiohttp alone replays a
    # GET (Clean Rooms) whose reused keep-alive connection was reset, unseen by any caller.
    resets = sum(1 for r in chaos_env.requests if r.error_code == "ConnectionReset")
    unseen = chaos_env.request_count() - requests
    assert unseen == 0 or (driver.is_async and 0 <= unseen <= resets), unseen
    successes = sum(1 for r in chaos_env.requests if r.status == 200)
    assert pages <= successes and retries > 0
    share = throttles / requests
    assert 0.2 < share < 0.4, share
    assert {"ConnectionReset", "ThrottlingException"} <= {r.error_code for r in chaos_env.requests}
    # Random throttles do not collapse the limiter's rate (it took 100-250 s when they did).
    assert elapsed < 60, elapsed


def test_chaos_with_pacing_under_a_rate_limit(chaos_env: Emulator) -> None:
    """With the adaptive limiter on and a per-endpoint rate limit, the listing is exact and
    the limiter keeps throttles to a small share of requests."""
    chaos_env.set_faults(Faults(seed=1, rate_limit=60.0, burst=2.0))
    try:
        it = jobkit.jobs("sagemaker.processing", retry=POLICY)
        got = list(it)
    finally:
        chaos_env.set_faults(None)
    same_jobs([j.raw for j in got], expected_raw(chaos_env, "sagemaker.processing", "us-east-1"))
    assert it.stats.requests == chaos_env.request_count()


def test_retry_hook_sees_every_retry(chaos_env: Emulator) -> None:
    """The on_retry hook gets one frozen event per retry, with the error kind and code."""
    events: list[jobkit.RetryEvent] = []
    it = jobkit.jobs(
        "comprehendmedical.snomedct", retry=POLICY, pacing=False, on_retry=events.append
    )
    list(it)
    assert len(events) == it.stats.retries > 0
    assert {e.kind for e in events} <= {"throttle", "transient"}
    assert any(e.code == "TooManyRequestsException" for e in events)
    assert all(e.operation == "ListSNOMEDCTInferenceJobs" for e in events)


@pytest.mark.parametrize("driver", ["sync", "async"])
async def test_slow_responses_past_the_read_timeout_are_retried(
    chaos_env: Emulator, driver: str
) -> None:
    """Responses slower than the read timeout time out and are retried: nothing is lost."""
    chaos_env.set_faults(Faults(seed=2, slow=0.3, slow_delay=1.0))
    policy = jobkit.RetryPolicy(
        max_attempts=20, backoff_base=0.001, backoff_cap=0.01, read_timeout=0.3
    )
    try:
        if driver == "sync":
            it = jobkit.jobs("comprehendmedical.snomedct", retry=policy, pacing=False)
            got = list(it)
            stats = it.stats
        else:
            ait = jobkit.ajobs("comprehendmedical.snomedct", retry=policy, pacing=False)
            got = await ait.collect()
            stats = ait.stats
    finally:
        chaos_env.set_faults(FAULTS)
    same_jobs(
        [j.raw for j in got], expected_raw(chaos_env, "comprehendmedical.snomedct", "us-east-1")
    )
    assert stats.retries > 0 and stats.throttles == 0
