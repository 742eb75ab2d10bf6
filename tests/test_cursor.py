"""Resumable cursors: stop anywhere, resume, and get every job exactly once."""

from __future__ import annotations

import json
import random

import pytest

import jobkit
from jobkit.errors import AccessDeniedError, UsageError
from jobkit.testing import Emulator, Faults
from tests.groundtruth import SEED, expected_raw, same_jobs

ADAPTERS = list(SEED)


def _truth(emu: Emulator) -> list[dict[str, object]]:
    return [r for a in ADAPTERS for r in expected_raw(emu, a, "us-east-1")]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_interrupt_and_resume_sync(emu_env: Emulator, seed: int) -> None:
    """Breaking out at random points and resuming from the JSON cursor loses and repeats
    nothing, across every adapter and stream (mid-page stops included)."""
    truth = _truth(emu_env)
    rng = random.Random(seed)
    got: list[jobkit.Job] = []
    cursor: str | None = None
    for _ in range(50):
        it = jobkit.jobs(ADAPTERS, cursor=cursor)
        take = rng.randint(1, 2500)
        for job in it:
            got.append(job)
            take -= 1
            if take == 0:
                break
        it.close()
        cursor = json.dumps(it.cursor)
        if take > 0:
            break
    else:
        pytest.fail("did not finish")
    same_jobs([j.raw for j in got], truth)
    assert all(v == "done" for v in json.loads(cursor)["streams"].values())


async def test_interrupt_and_resume_async(emu_env: Emulator) -> None:
    """The async iterator's cursor resumes exactly too, and a sync run can continue it."""
    truth = _truth(emu_env)
    got: list[jobkit.Job] = []
    ait = jobkit.ajobs(ADAPTERS)
    async for job in ait:
        got.append(job)
        if len(got) == 777:
            break
    await ait.aclose()
    rest = list(jobkit.jobs(ADAPTERS, cursor=ait.cursor))
    same_jobs([j.raw for j in got + rest], truth)


def test_fatal_error_mid_listing_tells_how_to_resume(emu_env: Emulator) -> None:
    """A fatal error after some jobs raises a typed error carrying the cursor; resuming with
    it after the cause is fixed yields exactly the remaining jobs."""
    truth = expected_raw(emu_env, "sagemaker.processing", "us-east-1")
    got: list[jobkit.Job] = []
    it = jobkit.jobs("sagemaker.processing")
    try:
        with pytest.raises(AccessDeniedError) as info:
            for job in it:
                got.append(job)
                if len(got) == 150:
                    emu_env.set_faults(Faults(expired_token=1.0), service="sagemaker")
    finally:
        emu_env.clear_faults(service="sagemaker")
    error = info.value
    assert len(got) == 200  # the page in hand is yielded before the next request fails
    assert error.code == "ExpiredTokenException"
    assert error.cursor is not None and "cursor=error.cursor" in str(error)
    assert "refresh" in str(error)
    rest = list(jobkit.jobs("sagemaker.processing", cursor=error.cursor))
    same_jobs([j.raw for j in got + rest], truth)
    assert len(rest) == len(truth) - 200


@pytest.mark.parametrize(
    "bad", ["not json", {"v": 99}, {"v": 1, "streams": {"k": ["t", -1]}}, {"v": 1, "streams": 3}]
)
def test_invalid_cursor_is_refused(bad: object) -> None:
    """A cursor that was not produced by jobkit is refused with a clear error."""
    with pytest.raises(UsageError, match="invalid cursor"):
        jobkit.jobs("sagemaker.processing", cursor=bad)  # type: ignore[arg-type]
