"""Exactly once under chaos: 30% throttles, 5% 5xx, 2% connection resets, sync and async."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import jobkit
from jobkit.testing import Emulator, Faults
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


@pytest.fixture(scope="module")
def chaos() -> Iterator[Emulator]:
    """An emulator whose every endpoint throttles, fails and resets connections."""
    with Emulator(seed=3, sizes=CHAOS_SIZES, faults=FAULTS) as emu:
        yield emu


@pytest.fixture
def chaos_env(chaos: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The chaos emulator, reached through AWS_ENDPOINT_URL."""
    for name, value in chaos.env().items():
        monkeypatch.setenv(name, value)
    chaos.set_faults(FAULTS)  # every test starts from the same seeded fault sequence
    chaos.clear_requests()
    return chaos


def _check(
    emu: Emulator, got: list[jobkit.Job], stats: jobkit.Stats, *, aiohttp: bool = False
) -> None:
    total = 0
    for adapter in ADAPTERS:
        expected = expected_raw(emu, adapter, "us-east-1")
        same_jobs([j.raw for j in got if j.adapter == adapter], expected)
        total += len(expected)
    assert total >= 10_000 and len(got) == total
    # Every request the emulator saw was counted, retries included. aiohttp alone replays a
    # GET (Clean Rooms) whose reused keep-alive connection was reset, unseen by any caller.
    resets = sum(1 for r in emu.requests if r.error_code == "ConnectionReset")
    unseen = emu.request_count() - stats.requests
    assert unseen == 0 or (aiohttp and 0 <= unseen <= resets), unseen
    # Every failed attempt was retried (none lost), and each success ended one page's retries.
    successes = sum(1 for r in emu.requests if r.status == 200)
    assert stats.retries == stats.requests - successes > 0
    assert stats.pages <= successes
    share = stats.throttles / stats.requests
    assert 0.2 < share < 0.4, share
    codes = {r.error_code for r in emu.requests}
    assert {"ConnectionReset", "ThrottlingException"} <= codes


def test_chaos_sync(chaos_env: Emulator) -> None:
    """Sync: the result equals the ground truth exactly: 0 lost, 0 duplicated."""
    it = jobkit.jobs(ADAPTERS, retry=POLICY, pacing=False)
    got = list(it)
    _check(chaos_env, got, it.stats)


async def test_chaos_async(chaos_env: Emulator) -> None:
    """Async: the same exactness under the same faults."""
    it = jobkit.ajobs(ADAPTERS, retry=POLICY, pacing=False)
    got = await it.collect()
    _check(chaos_env, got, it.stats, aiohttp=True)


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
