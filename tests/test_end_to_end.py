"""Each adapter end to end over real HTTP, through boto3 (``jobs()``) and aiobotocore
(``ajobs()``): one suite, run once per driver; jobkit equals the emulator's truth."""

from __future__ import annotations

import pytest

import jobkit
from jobkit.adapters import REGISTRY
from jobkit.errors import InvalidFilterError
from jobkit.notebook import JobList, Progress
from jobkit.testing import Emulator
from tests.drivers import Driver
from tests.groundtruth import GROUND_TRUTH_ADAPTERS, check_normalized, expected_raw, same_jobs

ADAPTERS = list(GROUND_TRUTH_ADAPTERS)


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_adapter_equals_ground_truth(emu_env: Emulator, driver: Driver, adapter: str) -> None:
    """Same jobs as the ground truth, no duplicates, several pages, every field normalized."""
    got, it = await driver.collect(adapter)
    expected = expected_raw(emu_env, adapter, "us-east-1")
    same_jobs([j.raw for j in got], expected)
    check_normalized(got, adapter, "us-east-1")
    assert it.stats.pages > it.stats.streams, "every stream should span several pages"
    assert it.stats.jobs == len(expected)
    assert it.stats.streams == it.stats.streams_done


async def test_single_stream_keeps_service_order(emu_env: Emulator, driver: Driver) -> None:
    """A single stream comes in the service's order (SageMaker: newest first)."""
    got, _ = await driver.collect("sagemaker.processing")
    assert [j.raw for j in got] == emu_env.data.records(
        "sagemaker", "ListProcessingJobs", "us-east-1"
    )


async def test_region_comes_from_the_request(emu_env: Emulator, driver: Driver) -> None:
    """Another region gives that region's jobs, tagged with it."""
    got, _ = await driver.collect("comprehendmedical.snomedct", regions="eu-west-1")
    same_jobs(
        [j.raw for j in got], expected_raw(emu_env, "comprehendmedical.snomedct", "eu-west-1")
    )
    assert {j.region for j in got} == {"eu-west-1"}


async def test_given_scope_lists_only_it(emu_env: Emulator, driver: Driver) -> None:
    """A scope given in params is listed alone, with no discovery call."""
    queue = next(
        q
        for q in emu_env.data.job_queues("us-east-1")
        if q.get("jobQueueType") == "SAGEMAKER_TRAINING"
    )
    emu_env.clear_requests()
    got, _ = await driver.collect("batch.service", params={"jobQueue": queue["jobQueueName"]})
    expected = emu_env.data.records(
        "batch", "ListServiceJobs", "us-east-1", jobQueue=queue["jobQueueArn"]
    )
    same_jobs([j.raw for j in got], expected)
    assert emu_env.request_count(operation="DescribeJobQueues") == 0
    statuses = {
        r.params.get("jobStatus") for r in emu_env.requests if r.operation == "ListServiceJobs"
    }
    assert statuses == set(REGISTRY["batch.service"].status_map)


async def test_malformed_records_are_yielded_and_counted(emu_env: Emulator, driver: Driver) -> None:
    """Records that cannot be normalized are yielded raw, marked, and counted."""
    got, it = await driver.collect("batch.service")
    odd = [j for j in got if j.problem is not None]
    queues = [
        q
        for q in emu_env.data.job_queues("us-east-1")
        if q.get("jobQueueType") == "SAGEMAKER_TRAINING"
    ]
    assert len(odd) == 2 * len(queues)
    assert it.stats.unnormalized == len(odd)
    assert all("createdAt" in (j.problem or "") and "createdAt" in j.raw for j in odd)


async def test_collect_returns_joblist_with_stats(emu_env: Emulator, driver: Driver) -> None:
    """collect() gives a JobList carrying the listing's stats."""
    got, _ = await driver.joblist("sagemaker.processing")
    assert isinstance(got, JobList) and got.stats is not None
    assert (
        got.stats.jobs
        == len(got)
        == len(emu_env.data.records("sagemaker", "ListProcessingJobs", "us-east-1"))
    )


async def test_progress_bar_follows_pages(emu_env: Emulator, driver: Driver) -> None:
    """progress= receives the stats after every page and is closed at the end."""
    seen: list[int] = []
    closed: list[bool] = []

    class Recorder(Progress):
        def update(self, stats: jobkit.Stats) -> None:
            seen.append(stats.pages)

        def close(self) -> None:
            closed.append(True)

    _, it = await driver.collect("sagemaker.processing", progress=Recorder(disable=True))
    assert seen == list(range(1, it.stats.pages + 1)) and closed


# --------------------------------------------------------------------------- issue 11


@pytest.mark.parametrize("limit", [1, 5, 150])
async def test_stats_count_jobs_released_and_jobs_read(
    emu_env: Emulator, driver: Driver, limit: int
) -> None:
    """stats.jobs counts the jobs handed to the caller (limit= of them), stats.jobs_read every
    job on the pages read (SageMaker pages hold 100)."""
    emu_env.clear_requests()
    got, it = await driver.collect("sagemaker.processing", limit=limit)
    pages = emu_env.request_count(operation="ListProcessingJobs")
    assert len(got) == limit
    assert it.stats.jobs == limit
    assert it.stats.pages == pages
    assert it.stats.jobs_read == 100 * pages  # type: ignore[attr-defined]
    assert it.stats.as_dict()["jobs"] == limit


async def test_joblist_where_parses_status_as_jobs_does(emu_env: Emulator, driver: Driver) -> None:
    """JobList.where(status=) takes what jobs(status=) takes, any case."""
    got, _ = await driver.joblist("sagemaker.processing", limit=50)
    assert got.where(status="succeeded") == got.where(status=jobkit.JobStatus.SUCCEEDED)
    assert got.where(status=["Succeeded", "failed"]) == got.where(
        lambda j: j.status in {jobkit.JobStatus.SUCCEEDED, jobkit.JobStatus.FAILED}
    )


async def test_joblist_where_refuses_a_bad_status_as_jobs_does(
    emu_env: Emulator, driver: Driver
) -> None:
    """JobList.where(status="done") raises the typed error jobs(status="done") raises (an
    InvalidFilterError naming the accepted statuses), not a bare ValueError."""
    got, _ = await driver.joblist("sagemaker.processing", limit=5)
    with pytest.raises(InvalidFilterError) as from_listing:
        driver.open("sagemaker.processing", status="done")
    with pytest.raises(InvalidFilterError) as from_where:
        got.where(status="done")
    assert type(from_where.value) is type(from_listing.value)
    assert "status='done'" in str(from_where.value)
    assert "SUCCEEDED" in str(from_where.value)
