"""Adapters of operations moto implements, against moto's server: jobkit (sync and async)
lists exactly what a plain boto3 listing of the same server returns, normalized."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import boto3
import pytest

import jobkit
from jobkit.adapters import REGISTRY
from jobkit.model import JobStatus
from tests.groundtruth import canonical

N = 130  # above every page size below: each listing spans two pages where moto pages


def _client(url: str, service: str) -> Any:
    return boto3.Session().client(service, endpoint_url=url, region_name="us-east-1")


def _pages(call: Callable[..., Any], key: str, token: str, out_token: str, **kw: Any) -> list[Any]:
    """Every item of a plain boto3 listing, following the token by hand."""
    items: list[Any] = []
    seen: set[str] = set()
    while True:
        page = call(**kw)
        items += page[key]
        if not page.get(out_token):
            return items
        assert page[out_token] not in seen, f"moto repeated a {out_token}"
        seen.add(page[out_token])
        kw[token] = page[out_token]


def _seed_iot(url: str) -> list[Any]:
    # One page only: moto 5.2's ListJobs hands out the same nextToken on every page and
    # restarts the listing (jobkit would stop with RepeatedTokenError).
    iot = _client(url, "iot")
    for i in range(40):
        iot.create_job(
            jobId=f"moto-iot-{i:03d}",
            targets=["arn:aws:iot:us-east-1:123456789012:thing/sensor"],
            document="{}",
        )
    return _pages(iot.list_jobs, "jobs", "nextToken", "nextToken")


def _seed_emr_containers(url: str) -> list[Any]:
    emr = _client(url, "emr-containers")
    out: list[Any] = []
    for c in range(2):
        cluster = emr.create_virtual_cluster(
            name=f"moto-vc-{c}",
            containerProvider={
                "id": "eks",
                "type": "EKS",
                "info": {"eksInfo": {"namespace": f"ns-{c}"}},
            },
        )["id"]
        for i in range(N):
            emr.start_job_run(
                name=f"moto-run-{c}-{i:03d}",
                virtualClusterId=cluster,
                executionRoleArn="arn:aws:iam::123456789012:role/emr",
                releaseLabel="emr-6.3.0-latest",
                jobDriver={"sparkSubmitJobDriver": {"entryPoint": "s3://bucket/job.py"}},
            )
        out += _pages(
            emr.list_job_runs, "jobRuns", "nextToken", "nextToken", virtualClusterId=cluster
        )
    return out


def _seed_dms(url: str) -> list[Any]:
    dms = _client(url, "dms")
    arn = "arn:aws:dms:us-east-1:123456789012"
    for i in range(N):
        dms.create_replication_task(
            ReplicationTaskIdentifier=f"moto-task-{i:03d}",
            SourceEndpointArn=f"{arn}:endpoint:source",
            TargetEndpointArn=f"{arn}:endpoint:target",
            ReplicationInstanceArn=f"{arn}:rep:instance",
            MigrationType="full-load",
            TableMappings=json.dumps({"rules": []}),
        )
    return _pages(
        dms.describe_replication_tasks,
        "ReplicationTasks",
        "Marker",
        "Marker",
        WithoutSettings=True,
    )


def _seed_glue_crawls(url: str) -> list[Any]:
    glue = _client(url, "glue")
    out: list[Any] = []
    for c in range(3):
        name = f"moto-crawler-{c}"
        glue.create_crawler(Name=name, Role="crawler", Targets={"S3Targets": [{"Path": "s3://b"}]})
        glue.start_crawler(Name=name)
        out += _pages(glue.list_crawls, "Crawls", "NextToken", "NextToken", CrawlerName=name)
    return out


SEEDS: dict[str, Callable[[str], list[Any]]] = {
    "iot.jobs": _seed_iot,
    "emr-containers.job-runs": _seed_emr_containers,
    "dms.replication-tasks": _seed_dms,
    "glue.crawls": _seed_glue_crawls,
}


@pytest.fixture(scope="module")
def seeded(moto_url: str) -> Iterator[dict[str, list[Any]]]:
    """moto seeded once per adapter; each value is what boto3 lists back."""
    yield {name: seed(moto_url) for name, seed in SEEDS.items()}


def _utc(value: Any) -> Any:
    """``value`` with every datetime in UTC (moto sends some without a zone; jobkit's
    clients parse timestamps as UTC, a default boto3 client as local time)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if isinstance(value, Mapping):
        return {k: _utc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_utc(v) for v in value]
    return value


def _check(name: str, got: list[Any], expected: list[Any]) -> None:
    assert expected, f"moto listed nothing for {name}"
    want = sorted(canonical(_utc(r)) for r in expected)
    assert sorted(canonical(_utc(j.raw)) for j in got) == want
    spec = REGISTRY[name]
    for job in got:
        assert job.problem is None, job.problem
        if job.raw_status in spec.status_map:
            assert job.status is spec.status_map[job.raw_status]
        else:
            # A word the model does not list (moto's IoT answers QUEUED): UNKNOWN, kept raw.
            assert job.status is JobStatus.UNKNOWN and job.raw_status
        if spec.created_field:
            assert job.created is not None and job.created.utcoffset() is not None


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_sync_listing_equals_boto3(moto_url: str, seeded: dict[str, list[Any]], name: str) -> None:
    """jobs() yields what boto3 lists from moto, each job once, normalized."""
    _check(name, list(jobkit.jobs(name, endpoint_url=moto_url, regions="us-east-1")), seeded[name])


@pytest.mark.parametrize("name", sorted(SEEDS))
async def test_async_listing_equals_boto3(
    moto_url: str, seeded: dict[str, list[Any]], name: str
) -> None:
    """ajobs() yields what boto3 lists from moto, each job once, normalized."""
    it = jobkit.ajobs(name, endpoint_url=moto_url, regions="us-east-1")
    _check(name, await it.collect(), seeded[name])
