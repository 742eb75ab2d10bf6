"""watch() / awatch() and wait() / await_jobs() against the emulator moving jobs over time.

Each body runs with the sync and the async twin (the ``driver`` fixture). The emulator's
``JobChanges`` schedules every transition; the tests check that each one is reported
exactly once, with the status seen, and that waiting ends when the last job does.
"""

from __future__ import annotations

import collections
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import jobkit
from jobkit.drivers._config import identity_key
from jobkit.errors import JobNotFoundError, UsageError, WaitTimeoutError
from jobkit.listing import LIMITERS
from jobkit.testing import REFERENCE_NOW, Emulator, Faults, JobChanges
from jobkit.watching import AsyncWatch, Watch
from tests.drivers import Driver

ADAPTERS = ["sagemaker.processing", "sagemaker.training"]
SIZES = {"ListProcessingJobs": 300, "ListTrainingJobs": 300}
FAST = jobkit.RetryPolicy(max_attempts=30, backoff_base=0.001, backoff_cap=0.01)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A fresh emulator per test (JobChanges must be attached before its first listing)."""
    with Emulator(seed=5, sizes=SIZES, now=REFERENCE_NOW) as server:
        yield server


def _open(driver: Driver, adapters: Any, **options: Any) -> Watch | AsyncWatch:
    entry = jobkit.awatch if driver.is_async else jobkit.watch
    return entry(adapters, **options)


async def _poll(w: Watch | AsyncWatch) -> list[jobkit.JobEvent]:
    if isinstance(w, AsyncWatch):
        return await w.poll()
    return w.poll()


async def _until(
    w: Watch | AsyncWatch, done: Any, events: list[jobkit.JobEvent] | None = None
) -> list[jobkit.JobEvent]:
    """Events of ``w`` until ``done(events)`` holds or the watch ends (its ``until``)."""
    got = [] if events is None else events
    if isinstance(w, AsyncWatch):
        async with w:
            async for event in w:
                got.append(event)
                if done(got):
                    break
    else:
        with w:
            for event in w:
                got.append(event)
                if done(got):
                    break
    return got


async def _wait(driver: Driver, items: Any, **options: Any) -> list[jobkit.Job]:
    if driver.is_async:
        return await jobkit.await_jobs(items, **options)
    return jobkit.wait(items, **options)


def _name(record: Any) -> str:
    return str(record.get("ProcessingJobName") or record["TrainingJobName"])


async def test_every_transition_is_reported_exactly_once(driver: Driver, emu: Emulator) -> None:
    """Jobs that appear and jobs that end over time, with throttling on the way: each job is
    reported once per status it was seen in, ending with its final status; appeared jobs
    come first as NEW; nothing the emulator did is missed, repeated or invented."""
    changes = JobChanges(emu, hold_back=3, seed=7)
    changes.settle(12, running=True)
    emu.set_faults(Faults(seed=3, throttle=0.15))
    w = _open(
        driver,
        ADAPTERS,
        regions="us-east-1",
        endpoint_url=emu.endpoint_url,
        interval=0.05,
        until=30,
        retry=FAST,
    )
    assert await _poll(w) == []  # the baseline: nothing reported
    assert changes.appear(3) == 6
    ends = changes.schedule(within=1.0, failing=0.3)
    assert len(ends) == 30  # 12 running + 3 appeared, per job set
    changes.run(speed=1.0)

    def final() -> dict[str, str]:
        return {_name(c.record): c.new_status for c in changes.log}

    def settled(events: list[jobkit.JobEvent]) -> bool:
        latest = {e.job.name: e.job.status.value for e in events}
        return changes.pending == 0 and all(latest.get(n) == s for n, s in final().items())

    events = await _until(w, settled)
    changes.stop()
    emu.clear_faults()
    assert settled(events)
    made: dict[str, set[str]] = collections.defaultdict(set)
    for change in changes.log:
        made[_name(change.record)].add(change.new_status)
    seen: dict[str, list[jobkit.JobEvent]] = collections.defaultdict(list)
    for event in events:
        seen[str(event.job.name)].append(event)
    assert set(seen) == set(made)
    for name, reported in seen.items():
        statuses = [e.job.status.value for e in reported]
        assert len(statuses) == len(set(statuses)), (name, statuses)  # nothing repeated
        assert statuses[-1] == final()[name]
        assert all(e.kind.value == "changed" for e in reported[1:])
        assert set(statuses) <= made[name] | {"RUNNING"}
    new = {name for name, reported in seen.items() if reported[0].kind.value == "new"}
    assert len(new) == 6 and all(seen[n][0].previous is None for n in new)
    assert any(e.job.status is jobkit.JobStatus.FAILED for e in events)
    assert w.stats.events == len(events) and w.stats.polls >= 2


def _running(emu: Emulator, adapter: str = "sagemaker.processing") -> list[jobkit.Job]:
    listed = jobkit.jobs(adapter, regions="us-east-1", endpoint_url=emu.endpoint_url).collect()
    return [j for j in listed if not j.status.is_terminal]


async def test_wait_returns_when_the_last_job_ends(driver: Driver, emu: Emulator) -> None:
    """wait() returns the final jobs, in the given order, not before the last one ends and
    with at most two polls after it (the one under way and the next)."""
    changes = JobChanges(emu, seed=3)
    changes.settle(8, running=True)
    running = _running(emu)
    assert len(running) == 8
    ends = changes.schedule(within=1.5, failing=0.25)
    last = (ends[-1] - changes.now).total_seconds()
    emu.clear_requests()
    changes.run(speed=1.0)
    began = time.monotonic()
    # The emulator's log as a clock: the requests sent by the time the last job ends.
    at_end: list[int] = []
    timer = threading.Timer(last, lambda: at_end.append(len(emu.requests)))
    timer.start()
    final = await _wait(driver, running, endpoint_url=emu.endpoint_url, interval=0.05)
    elapsed = time.monotonic() - began
    timer.join()
    changes.stop()
    # Not before the last job ends; after it, no more than the poll under way and the next
    # one (one ListProcessingJobs each; counted in requests, not seconds: a poll takes up to
    # a second on a busy machine).
    assert last <= elapsed < last + 10, (last, elapsed)
    assert {r.operation for r in emu.requests} == {"ListProcessingJobs"}
    assert at_end and len(emu.requests) - at_end[0] <= 2, (at_end, len(emu.requests))
    assert [j.name for j in final] == [j.name for j in running]
    assert all(j.status.is_terminal for j in final)
    outcome = {_name(c.record): c.new_status for c in changes.log}
    assert {j.name: j.status.value for j in final} == outcome


async def test_wait_by_name_and_a_missing_name(driver: Driver, emu: Emulator) -> None:
    """Names work with adapters=; a name the service does not have raises JobNotFoundError
    naming it (and only it)."""
    changes = JobChanges(emu, seed=4)
    changes.settle(2, running=True)
    running = _running(emu)
    changes.schedule(within=0.3)
    changes.run(speed=1.0)
    names = [str(j.name) for j in running]
    options = {"adapters": "sagemaker.processing", "regions": "us-east-1", "interval": 0.05}
    final = await _wait(driver, names, endpoint_url=emu.endpoint_url, **options)
    assert [j.name for j in final] == names and all(j.status.is_terminal for j in final)
    with pytest.raises(JobNotFoundError) as caught:
        await _wait(driver, [names[0], "no-such-job"], endpoint_url=emu.endpoint_url, **options)
    assert caught.value.missing == ["no-such-job"] and "no-such-job" in str(caught.value)
    changes.stop()


async def test_wait_timeout_carries_the_jobs_still_running(driver: Driver, emu: Emulator) -> None:
    """A timeout raises WaitTimeoutError (a TimeoutError) with the running jobs."""
    changes = JobChanges(emu, seed=5)
    changes.settle(4, running=True)
    running = _running(emu)
    began = time.monotonic()
    with pytest.raises(WaitTimeoutError) as caught:
        await _wait(driver, running, endpoint_url=emu.endpoint_url, interval=0.05, timeout=0.3)
    assert 0.3 <= time.monotonic() - began < 3.0
    assert isinstance(caught.value, TimeoutError)
    assert sorted(j.name for j in caught.value.running) == sorted(j.name for j in running)
    assert caught.value.done == []


async def test_wait_on_ended_jobs_sends_nothing(driver: Driver, emu: Emulator) -> None:
    """Jobs already terminal are returned at once, without a request."""
    ended = [
        j
        for j in jobkit.jobs(
            "sagemaker.processing", regions="us-east-1", endpoint_url=emu.endpoint_url, limit=40
        )
        if j.status.is_terminal
    ][:3]
    emu.clear_requests()
    assert await _wait(driver, ended, endpoint_url=emu.endpoint_url) == ended
    assert emu.request_count() == 0


async def test_later_polls_cost_a_page_not_a_listing(driver: Driver, emu: Emulator) -> None:
    """After the baseline (a whole listing), a poll reads newest first down to the oldest
    running job: one page here; the requests counted match the server's log."""
    changes = JobChanges(emu, seed=6)
    changes.settle(20, running=True)
    w = _open(
        driver,
        "sagemaker.processing",
        regions="us-east-1",
        endpoint_url=emu.endpoint_url,
        interval=0.05,
    )
    emu.clear_requests()
    await _poll(w)
    changes.change(5, adapter="sagemaker.processing")
    events = await _poll(w)
    if isinstance(w, AsyncWatch):
        await w.aclose()
    else:
        w.close()
    assert len(events) == 5
    assert w.stats.per_poll == [3, 1]  # 300 jobs: 3 pages; then one newest-first page
    assert emu.request_count() == 4


async def test_a_watch_shares_the_endpoint_limiter(driver: Driver, emu: Emulator) -> None:
    """A watch's reads go through the process-wide limiters: throttling seen by a watch
    slows the limiter every listing of that endpoint uses."""
    emu.set_faults(Faults(seed=1, throttle=0.5))
    w = _open(
        driver,
        "sagemaker.processing",
        regions="us-east-1",
        endpoint_url=emu.endpoint_url,
        interval=0.05,
        retry=FAST,
    )
    await _poll(w)
    if isinstance(w, AsyncWatch):
        await w.aclose()
    else:
        w.close()
    limiter = LIMITERS.get(identity_key("testing", emu.endpoint_url), "sagemaker", "us-east-1")
    assert limiter.throttles > 0


def test_bad_arguments_are_usage_errors() -> None:
    """Too short an interval, a deadline in the past, a bad timeout, names without adapters,
    nothing to wait for: typed errors before any request."""
    with pytest.raises(UsageError, match="interval"):
        jobkit.watch("sagemaker.processing", interval=0)
    with pytest.raises(UsageError, match="interval"):
        jobkit.watch("sagemaker.processing", interval=0.5)  # AWS: the floor is 1 s
    with pytest.raises(UsageError, match="past"):
        jobkit.watch("sagemaker.processing", until=REFERENCE_NOW)
    with pytest.raises(UsageError, match="past"):
        jobkit.awatch("sagemaker.processing", until=-5)
    with pytest.raises(UsageError, match="adapter"):
        jobkit.wait(["my-job"])
    with pytest.raises(UsageError, match="timeout"):
        jobkit.wait(["my-job"], adapters="sagemaker.processing", timeout=0)
    with pytest.raises(UsageError, match="nothing"):
        jobkit.wait([])
    with pytest.raises(jobkit.JobkitError, match="nosuch"):
        jobkit.watch("nosuch.adapter")


def test_adapters_listed_whole_are_named_in_one_warning() -> None:
    """A watch over adapters whose API can neither sort nor filter by time warns once,
    naming them; the others are not named."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w = jobkit.watch(
            ["glue.job-runs", "stepfunctions.executions", "sagemaker.processing"],
            params={
                "JobName": "x",
                "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x",
            },
        )
        w.close()
    found = [str(c.message) for c in caught if issubclass(c.category, jobkit.JobkitWarning)]
    assert len(found) == 1
    assert "glue.job-runs" in found[0] and "stepfunctions.executions" in found[0]
    assert "sagemaker.processing" not in found[0]


async def test_batch_running_jobs_are_described_by_id(driver: Driver) -> None:
    """A few Batch jobs still running among many that ended: each poll reads the new jobs
    and describes the running ones by id (DescribeJobs, 100 per call) instead of a window
    back to the oldest; every transition is still reported once."""
    with Emulator(seed=4, sizes={"ListJobs": 300}, now=REFERENCE_NOW) as emu:
        changes = JobChanges(emu, seed=1)
        changes.settle(250, running=True)
        w = _open(
            driver,
            "batch.jobs",
            regions="us-east-1",
            endpoint_url=emu.endpoint_url,
            interval=0.05,
            until=30,
        )
        await _poll(w)
        changes.schedule(245, within=0.3)
        changes.advance(1)  # most running jobs end at once
        assert len(await _poll(w)) == len(changes.log)
        (target,) = w.targets
        assert [r.kind.value for r in target.state.plan()] == ["since", "describe"]
        emu.clear_requests()
        ends = changes.schedule(within=1.0, failing=0.2)
        changes.run(speed=1.0)
        events = await _until(w, lambda got: len(got) == len(ends))
        changes.stop()
        assert len(events) == len(ends) == len({e.job.id for e in events})
        final = {c.record["jobId"]: c.new_status for c in changes.log}
        assert all(final[str(e.job.id)] == e.job.status.value for e in events)
        assert emu.request_count(operation="DescribeJobs") >= 1
        # One window page and one describe call per poll, at most.
        assert max(w.stats.per_poll[2:]) <= 2
