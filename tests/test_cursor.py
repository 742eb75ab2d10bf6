"""Resumable cursors: stop anywhere, resume, and get every job exactly once."""

from __future__ import annotations

import json
import random

import pytest

import jobkit
from jobkit.errors import AccessDeniedError, UsageError
from jobkit.testing import Emulator, Faults
from tests.groundtruth import GROUND_TRUTH_ADAPTERS, expected_raw, same_jobs

ADAPTERS = list(GROUND_TRUTH_ADAPTERS)


def _truth(emu: Emulator) -> list[dict[str, object]]:
    return [r for a in ADAPTERS for r in expected_raw(emu, a, "us-east-1")]


def _stop_and_resume(
    rng: random.Random, most: int, **options: object
) -> tuple[list[jobkit.Job], dict[str, object]]:
    """List ADAPTERS, breaking out after a random number of jobs (1 to ``most``) and resuming
    from the JSON of the cursor, until the listing ends; the jobs and the last cursor."""
    got: list[jobkit.Job] = []
    cursor: str | None = None
    for _ in range(60):
        it = jobkit.jobs(ADAPTERS, cursor=cursor, **options)  # type: ignore[arg-type]
        take = rng.randint(1, most)
        for job in it:
            got.append(job)
            take -= 1
            if take == 0:
                break
        it.close()
        cursor = json.dumps(it.cursor)
        if take > 0:
            return got, json.loads(cursor)
    pytest.fail("did not finish")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_interrupt_and_resume_sync(emu_env: Emulator, seed: int) -> None:
    """Breaking out at random points and resuming from the JSON cursor loses and repeats
    nothing, across every adapter and stream (mid-page stops included)."""
    got, cursor = _stop_and_resume(random.Random(seed), 2500)
    same_jobs([j.raw for j in got], _truth(emu_env))
    assert all(v == "done" for v in cursor["streams"].values())  # type: ignore[attr-defined]


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
    "bad",
    [
        "not json",
        {"v": 99},
        {"v": 1, "streams": {"k": ["t", -1]}},
        {"v": 1, "streams": 3},
        {"v": 1, "streams": {"k": {"after": 1.0, "ties": 0}}},
        {"v": 1, "streams": {"k": {"after": "x", "ties": 1}}},
    ],
)
def test_invalid_cursor_is_refused(bad: object) -> None:
    """A cursor that was not produced by jobkit is refused with a clear error."""
    with pytest.raises(UsageError, match="invalid cursor"):
        jobkit.jobs("sagemaker.processing", cursor=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(("order", "seed"), [("created-desc", 4), ("created-asc", 5)])
def test_ordered_listing_resumes_the_same_order(emu_env: Emulator, order: str, seed: int) -> None:
    """An ordered listing stopped at random points and resumed from its JSON cursor yields
    exactly the uninterrupted sequence: SageMaker streams resume by token, the streams the
    services cannot sort (Batch, Clean Rooms ML) by their watermark."""
    whole = [j.raw for j in jobkit.jobs(ADAPTERS, order=order)]
    got, cursor = _stop_and_resume(random.Random(seed), 1500, order=order)
    assert [j.raw for j in got] == whole
    assert cursor["order"] == order
    assert all(v == "done" for v in cursor["streams"].values())  # type: ignore[attr-defined]


async def test_ordered_async_cursor_pages_through_top_k(emu_env: Emulator) -> None:
    """limit=k with order= and the previous cursor gives the next k: pages of an ordered
    listing, async then sync."""
    whole = [j.raw for j in jobkit.jobs(ADAPTERS, order="created-desc")]
    first = jobkit.ajobs(ADAPTERS, order="created-desc", limit=100)
    got = [j.raw for j in await first.collect()]
    cursor = first.cursor
    for _ in range(2):
        page = jobkit.jobs(ADAPTERS, order="created-desc", limit=100, cursor=cursor)
        got += [j.raw for j in page]
        cursor = page.cursor
    assert got == whole[:300]
    kinds = {type(v).__name__ for v in cursor["streams"].values()}
    assert {"list", "dict"} <= kinds  # token entries and watermarks both in play


def test_a_cursor_resumes_only_the_order_it_came_from(emu_env: Emulator) -> None:
    unordered = jobkit.jobs(ADAPTERS)
    next(unordered)
    unordered.close()
    with pytest.raises(UsageError, match="order=None"):
        jobkit.jobs(ADAPTERS, order="created-desc", cursor=unordered.cursor)
    ordered = jobkit.jobs(ADAPTERS, order="created-asc")
    next(ordered)
    ordered.close()
    with pytest.raises(UsageError, match="order='created-asc'"):
        jobkit.jobs(ADAPTERS, order="created-desc", cursor=ordered.cursor)
