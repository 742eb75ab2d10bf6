"""Each adapter end to end over real HTTP with boto3: jobkit equals the emulator's truth."""

from __future__ import annotations

import pytest

import jobkit
from jobkit.adapters import REGISTRY
from jobkit.testing import Emulator
from tests.groundtruth import SEED, check_normalized, expected_raw, same_jobs

ADAPTERS = list(SEED)


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_adapter_equals_ground_truth(emu_env: Emulator, adapter: str) -> None:
    """Same jobs as the ground truth, no duplicates, several pages, every field normalized."""
    it = jobkit.jobs(adapter)
    got = list(it)
    expected = expected_raw(emu_env, adapter, "us-east-1")
    same_jobs([j.raw for j in got], expected)
    check_normalized(got, adapter, "us-east-1")
    assert it.stats.pages > it.stats.streams, "every stream should span several pages"
    assert it.stats.jobs == len(expected)
    assert it.stats.streams == it.stats.streams_done


def test_single_stream_keeps_service_order(emu_env: Emulator) -> None:
    """A single stream comes in the service's order (SageMaker: newest first)."""
    got = [j.raw for j in jobkit.jobs("sagemaker.processing")]
    assert got == emu_env.data.records("sagemaker", "ListProcessingJobs", "us-east-1")


def test_region_comes_from_the_request(emu_env: Emulator) -> None:
    """Another region gives that region's jobs, tagged with it."""
    got = list(jobkit.jobs("comprehendmedical.snomedct", regions="eu-west-1"))
    same_jobs(
        [j.raw for j in got], expected_raw(emu_env, "comprehendmedical.snomedct", "eu-west-1")
    )
    assert {j.region for j in got} == {"eu-west-1"}


def test_given_scope_lists_only_it(emu_env: Emulator) -> None:
    """A scope given in params is listed alone, with no discovery call."""
    queue = next(
        q
        for q in emu_env.data.job_queues("us-east-1")
        if q.get("jobQueueType") == "SAGEMAKER_TRAINING"
    )
    emu_env.clear_requests()
    got = list(jobkit.jobs("batch.service", params={"jobQueue": queue["jobQueueName"]}))
    expected = emu_env.data.records(
        "batch", "ListServiceJobs", "us-east-1", jobQueue=queue["jobQueueArn"]
    )
    same_jobs([j.raw for j in got], expected)
    assert emu_env.request_count(operation="DescribeJobQueues") == 0
    statuses = {
        r.params.get("jobStatus") for r in emu_env.requests if r.operation == "ListServiceJobs"
    }
    assert statuses == set(REGISTRY["batch.service"].status_map)


def test_malformed_records_are_yielded_and_counted(emu_env: Emulator) -> None:
    """Records that cannot be normalized are yielded raw, marked, and counted."""
    it = jobkit.jobs("batch.service")
    got = list(it)
    odd = [j for j in got if j.problem is not None]
    queues = [
        q
        for q in emu_env.data.job_queues("us-east-1")
        if q.get("jobQueueType") == "SAGEMAKER_TRAINING"
    ]
    assert len(odd) == 2 * len(queues)
    assert it.stats.unnormalized == len(odd)
    assert all("createdAt" in (j.problem or "") and "createdAt" in j.raw for j in odd)


def test_collect_returns_joblist_with_stats(emu_env: Emulator) -> None:
    """collect() gives a JobList carrying the listing's stats."""
    from jobkit.present.joblist import JobList

    got = jobkit.jobs("sagemaker.processing").collect()
    assert isinstance(got, JobList) and got.stats is not None
    assert (
        got.stats.jobs
        == len(got)
        == len(emu_env.data.records("sagemaker", "ListProcessingJobs", "us-east-1"))
    )


def test_progress_bar_follows_pages(emu_env: Emulator) -> None:
    """progress= receives the stats after every page and is closed at the end."""
    seen: list[int] = []
    closed: list[bool] = []

    class Recorder:  # any object with update(stats) and close(): no tqdm needed
        def update(self, stats: jobkit.Stats) -> None:
            seen.append(stats.pages)

        def close(self) -> None:
            closed.append(True)

    it = jobkit.jobs("sagemaker.processing", progress=Recorder())
    list(it)
    assert seen == list(range(1, it.stats.pages + 1)) and closed
