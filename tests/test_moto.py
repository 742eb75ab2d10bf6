"""sagemaker.processing against moto's server: jobkit lists what a boto3 paginator lists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

import jobkit

N_JOBS = 237


def _client(url: str) -> Any:
    return boto3.Session().client("sagemaker", endpoint_url=url, region_name="us-east-1")


@pytest.fixture(scope="module")
def moto_jobs(moto_url: str) -> Iterator[str]:
    """moto seeded with processing jobs, some stopped so that statuses differ."""
    client = _client(moto_url)
    for i in range(N_JOBS):
        client.create_processing_job(
            ProcessingJobName=f"moto-job-{i:04d}",
            ProcessingResources={
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "VolumeSizeInGB": 10,
                }
            },
            AppSpecification={"ImageUri": "example.invalid/image"},
            RoleArn="arn:aws:iam::123456789012:role/processing",
        )
    yield moto_url


def _paginator_list(url: str, **params: Any) -> list[dict[str, Any]]:
    paginator = _client(url).get_paginator("list_processing_jobs")
    return [s for page in paginator.paginate(**params) for s in page["ProcessingJobSummaries"]]


def test_sync_equals_boto3_paginator(moto_jobs: str) -> None:
    """Every job the paginator sees, jobkit yields once, normalized, over several pages."""
    expected = _paginator_list(moto_jobs, SortBy="CreationTime", SortOrder="Descending")
    assert len(expected) == N_JOBS
    it = jobkit.jobs("sagemaker.processing", endpoint_url=moto_jobs)
    got = list(it)
    assert [j.raw for j in got] == expected
    assert len({j.id for j in got}) == N_JOBS
    assert it.stats.pages == 3 and it.stats.requests == 3
    first = got[0]
    assert first.name == expected[0]["ProcessingJobName"]
    assert first.id == expected[0]["ProcessingJobArn"]
    assert first.raw_status == expected[0]["ProcessingJobStatus"]
    assert first.created == expected[0]["CreationTime"]
    assert first.created is not None and first.created.tzinfo is not None
    assert first.region == "us-east-1" and first.account == "123456789012"


async def test_async_equals_boto3_paginator(moto_jobs: str) -> None:
    """The async driver yields exactly what the sync one does."""
    expected = _paginator_list(moto_jobs, SortBy="CreationTime", SortOrder="Descending")
    got = await jobkit.ajobs("sagemaker.processing", endpoint_url=moto_jobs).collect()
    assert [j.raw for j in got] == expected


def test_extra_request_params_pass_through(moto_jobs: str) -> None:
    """A request member in params (NameContains) reaches the service unchanged."""
    expected = _paginator_list(
        moto_jobs, NameContains="job-01", SortBy="CreationTime", SortOrder="Descending"
    )
    assert 0 < len(expected) < N_JOBS
    got = list(
        jobkit.jobs(
            "sagemaker.processing", endpoint_url=moto_jobs, params={"NameContains": "job-01"}
        )
    )
    assert [j.raw for j in got] == expected


def test_endpoint_from_environment(moto_jobs: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS_ENDPOINT_URL_SAGEMAKER is honoured as botocore honours it."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", moto_jobs)
    assert sum(1 for _ in jobkit.jobs("sagemaker.processing")) == N_JOBS


@pytest.mark.parametrize("driver", ["sync", "async"])
async def test_chaos_through_fault_proxy(moto_jobs: str, driver: str) -> None:
    """Behind a proxy that throttles 30%, fails 5% and resets 2%, nothing is lost or doubled."""
    from tests.faultproxy import FaultProxy

    expected = _paginator_list(moto_jobs, SortBy="CreationTime", SortOrder="Descending")
    policy = jobkit.RetryPolicy(max_attempts=40, backoff_base=0.001, backoff_cap=0.01)
    with FaultProxy(moto_jobs, throttle=0.3, server_error=0.05, reset=0.02, seed=9) as proxy:
        if driver == "sync":
            it = jobkit.jobs(
                "sagemaker.processing", endpoint_url=proxy.url, retry=policy, pacing=False
            )
            got = list(it)
            stats = it.stats
        else:
            ait = jobkit.ajobs(
                "sagemaker.processing", endpoint_url=proxy.url, retry=policy, pacing=False
            )
            got = await ait.collect()
            stats = ait.stats
    assert [j.raw for j in got] == expected
    injected = proxy.counts["throttled"] + proxy.counts["failed"] + proxy.counts["reset"]
    assert injected > 0 and stats.retries == injected
    assert stats.throttles == proxy.counts["throttled"]
