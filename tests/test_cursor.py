"""Resumable cursors: stop anywhere, resume, and get every job exactly once."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

import pytest

import jobkit
from jobkit.errors import AccessDeniedError, UsageError
from jobkit.testing import Emulator, Faults
from tests.drivers import DRIVERS, Driver
from tests.groundtruth import GROUND_TRUTH_ADAPTERS, expected_raw, same_jobs

ADAPTERS = list(GROUND_TRUTH_ADAPTERS)


def _truth(emu: Emulator) -> list[dict[str, object]]:
    return [r for a in ADAPTERS for r in expected_raw(emu, a, "us-east-1")]


async def _stop_and_resume(
    drivers: Sequence[Driver], rng: random.Random, most: int, **options: object
) -> tuple[list[jobkit.Job], dict[str, object], set[str]]:
    """List ADAPTERS, breaking out after a random number of jobs (1 to ``most``) and resuming
    from the JSON of the cursor, each time with a driver drawn from ``drivers``, until the
    listing ends; the jobs, the last cursor and the names of the drivers used."""
    got: list[jobkit.Job] = []
    cursor: str | None = None
    used: set[str] = set()
    for _ in range(60):
        take = rng.randint(1, most)
        driver = rng.choice(drivers)
        used.add(driver.name)
        some, it = await driver.take(take, ADAPTERS, cursor=cursor, **options)
        got += some
        cursor = json.dumps(it.cursor)
        if len(some) < take:
            return got, json.loads(cursor), used
    pytest.fail("did not finish")


@pytest.mark.parametrize("rng_seed", [1, 2, 3])
async def test_interrupt_and_resume(emu_env: Emulator, driver: Driver, rng_seed: int) -> None:
    """Breaking out at random points and resuming from the JSON cursor loses and repeats
    nothing, across every adapter and stream (mid-page stops included)."""
    got, cursor, _ = await _stop_and_resume([driver], random.Random(rng_seed), 2500)
    same_jobs([j.raw for j in got], _truth(emu_env))
    assert all(v == "done" for v in cursor["streams"].values())  # type: ignore[attr-defined]


@pytest.mark.parametrize(("first", "then"), [("async", "sync"), ("sync", "async")])
async def test_a_cursor_resumes_in_the_other_driver(
    emu_env: Emulator, first: str, then: str
) -> None:
    """A cursor taken from one driver's iterator resumes exactly in the other driver."""
    got, it = await Driver(first).take(777, ADAPTERS)
    assert len(got) == 777
    rest, _ = await Driver(then).collect(ADAPTERS, cursor=it.cursor)
    same_jobs([j.raw for j in got + rest], _truth(emu_env))


async def test_fatal_error_mid_listing_tells_how_to_resume(
    emu_env: Emulator, driver: Driver
) -> None:
    """A fatal error after some jobs raises a typed error carrying the cursor; resuming with
    it after the cause is fixed yields exactly the remaining jobs."""
    truth = expected_raw(emu_env, "sagemaker.processing", "us-east-1")
    got: list[jobkit.Job] = []

    def expire_after_150(job: jobkit.Job) -> None:
        got.append(job)
        if len(got) == 150:
            emu_env.set_faults(Faults(expired_token=1.0), service="sagemaker")

    try:
        with pytest.raises(AccessDeniedError) as info:
            await driver.drain(driver.open("sagemaker.processing"), on_job=expire_after_150)
    finally:
        emu_env.clear_faults(service="sagemaker")
    error = info.value
    assert len(got) == 200  # the page in hand is yielded before the next request fails
    assert error.code == "ExpiredTokenException"
    assert error.cursor is not None and "cursor=error.cursor" in str(error)
    assert "refresh" in str(error)
    rest, _ = await driver.collect("sagemaker.processing", cursor=error.cursor)
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
async def test_invalid_cursor_is_refused(driver: Driver, bad: object) -> None:
    """A cursor that was not produced by jobkit is refused with a clear error."""
    with pytest.raises(UsageError, match="invalid cursor"):
        driver.open("sagemaker.processing", cursor=bad)


@pytest.mark.parametrize(("order", "rng_seed"), [("created-desc", 4), ("created-asc", 5)])
async def test_ordered_listing_resumes_the_same_order(
    emu_env: Emulator, order: str, rng_seed: int
) -> None:
    """An ordered listing stopped at random points and resumed from its JSON cursor, each
    time in a randomly drawn driver, yields exactly the uninterrupted sequence: SageMaker
    streams resume by token, the streams the services cannot sort (Batch, Clean Rooms ML)
    by their watermark."""
    whole = [j.raw for j in jobkit.jobs(ADAPTERS, order=order)]
    drivers = [Driver(name) for name in DRIVERS]
    got, cursor, used = await _stop_and_resume(drivers, random.Random(rng_seed), 1500, order=order)
    assert used == set(DRIVERS)
    assert [j.raw for j in got] == whole
    assert cursor["order"] == order
    assert all(v == "done" for v in cursor["streams"].values())  # type: ignore[attr-defined]


async def test_ordered_cursor_pages_through_top_k(emu_env: Emulator, driver: Driver) -> None:
    """limit=k with order= and the previous cursor gives the next k: pages of an ordered
    listing, the first page from ``driver`` and the next ones from the other driver."""
    other = Driver("sync" if driver.is_async else "async")
    whole, _ = await driver.collect(ADAPTERS, order="created-desc")
    page, it = await driver.collect(ADAPTERS, order="created-desc", limit=100)
    got = [j.raw for j in page]
    cursor = it.cursor
    for _ in range(2):
        page, it = await other.collect(ADAPTERS, order="created-desc", limit=100, cursor=cursor)
        got += [j.raw for j in page]
        cursor = it.cursor
    assert got == [j.raw for j in whole][:300]
    kinds = {type(v).__name__ for v in cursor["streams"].values()}
    assert {"list", "dict"} <= kinds  # token entries and watermarks both in play


async def test_a_cursor_resumes_only_the_order_it_came_from(
    emu_env: Emulator, driver: Driver
) -> None:
    """A cursor refuses to resume under another order= than the one it was taken in."""
    _, unordered = await driver.take(1, ADAPTERS)
    with pytest.raises(UsageError, match="order=None"):
        driver.open(ADAPTERS, order="created-desc", cursor=unordered.cursor)
    _, ordered = await driver.take(1, ADAPTERS, order="created-asc")
    with pytest.raises(UsageError, match="order='created-asc'"):
        driver.open(ADAPTERS, order="created-desc", cursor=ordered.cursor)


# --------------------------------------------------------------------------- issue 13


@pytest.mark.parametrize(
    ("taken", "resumed", "part"),
    [
        pytest.param({}, {"adapters": "batch.service"}, "adapter", id="adapters"),
        pytest.param({}, {"regions": ["us-west-2"]}, "region", id="regions"),
        pytest.param({}, {"status": "RUNNING"}, "status", id="status-added"),
        pytest.param({"status": "FAILED"}, {"status": "RUNNING"}, "status", id="status-changed"),
        pytest.param({}, {"name_contains": "a"}, "name_contains", id="name_contains"),
        pytest.param({}, {"since": "2026-01-01"}, "since", id="since"),
    ],
)
async def test_a_cursor_resumes_only_the_query_it_came_from(
    emu_env: Emulator,
    driver: Driver,
    taken: dict[str, object],
    resumed: dict[str, object],
    part: str,
) -> None:
    """A cursor records what it is a cursor of: resumed with other adapters, regions or
    filters it is a UsageError naming the part that differs, never a silent new listing."""
    first = {"adapters": "sagemaker.processing", "regions": ["us-east-1"], **taken}
    _, it = await driver.take(5, **first)
    with pytest.raises(UsageError, match=part):
        driver.open(**{**first, **resumed}, cursor=it.cursor)


async def test_a_cursor_resumes_only_the_accounts_it_came_from(
    emu_env: Emulator, driver: Driver, aws_profiles: tuple[str, ...]
) -> None:
    """A cursor of a listing over two profiles, resumed over one of them, is a UsageError
    naming the accounts."""
    _, it = await driver.take(5, "sagemaker.processing", profiles=list(aws_profiles))
    with pytest.raises(UsageError, match="account"):
        driver.open("sagemaker.processing", profiles=list(aws_profiles[:1]), cursor=it.cursor)


async def test_the_same_query_with_a_relative_since_resumes(
    emu_env: Emulator, driver: Driver
) -> None:
    """Resuming with the same arguments, a relative since= included, is the same query: the
    cursor's time window is kept and the rest of the listing comes exactly once."""
    query = {"since": "400d", "status": ["SUCCEEDED", "FAILED"]}
    whole, _ = await driver.collect("sagemaker.processing", **query)
    assert len(whole) > 150
    got, it = await driver.take(150, "sagemaker.processing", **query)
    rest, _ = await driver.collect("sagemaker.processing", cursor=it.cursor, **query)
    same_jobs([j.raw for j in got + rest], [j.raw for j in whole])
