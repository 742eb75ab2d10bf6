"""Fan-out, sharding, top-k, per-record overhead and memory, each as a ratio in one run.

1. 20 streams x 10 pages at 50 ms latency: jobkit async and sync wall time over the critical
   path (10 x 50 ms), and the speed-up over sequential boto3 paginators.
2. One stream of 100 pages, shards=8, over the same stream unsharded.
3. limit=100, order="created-desc" over the five seed adapters: requests vs a full listing.
4. Per-record overhead: jobkit sync over 50,000 jobs vs a plain boto3 paginator, no latency.
5. Memory: RSS growth while streaming 1,000,000 jobs (the emulator runs in another process).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config

import jobkit
from jobkit.testing import REFERENCE_NOW, Emulator, Faults

LATENCY = 0.05
SEED = [
    "sagemaker.processing",
    "sagemaker.labeling-workteam",
    "comprehendmedical.snomedct",
    "batch.service",
    "cleanroomsml.trained-model-export",
]


def _client(service: str) -> Any:
    return boto3.Session().client(service, config=Config(retries={"total_max_attempts": 1}))


def fan_out() -> dict[str, float]:
    """Benchmark 1: 20 streams x 10 pages with 50 ms latency."""
    sizes = {"ListWorkteams": 20, "ListLabelingJobsForWorkteam": 1000}
    with Emulator(seed=5, sizes=sizes) as emu:
        os.environ.update(emu.env())
        teams = [t["WorkteamArn"] for t in emu.data.workteams("us-east-1")]
        params = {"WorkteamArn": teams}
        adapter = "sagemaker.labeling-workteam"
        list(jobkit.jobs(adapter, params={"WorkteamArn": teams[0]}, limit=1))  # warm the loader
        emu.set_faults(Faults(latency=LATENCY))

        async def run_async() -> int:
            return len(await jobkit.ajobs(adapter, params=params, max_concurrency=20).collect())

        started = time.perf_counter()
        count = asyncio.run(run_async())
        async_wall = time.perf_counter() - started
        assert count == 20_000, count

        started = time.perf_counter()
        count = sum(1 for _ in jobkit.jobs(adapter, params=params, max_concurrency=20))
        sync_wall = time.perf_counter() - started
        assert count == 20_000, count

        client = _client("sagemaker")
        paginator = client.get_paginator("list_labeling_jobs_for_workteam")
        started = time.perf_counter()
        count = 0
        for team in teams:
            for page in paginator.paginate(
                WorkteamArn=team, SortBy="CreationTime", SortOrder="Descending"
            ):
                count += len(page["LabelingJobSummaryList"])
        boto_wall = time.perf_counter() - started
        assert count == 20_000, count
    critical = 10 * LATENCY
    return {
        "async_wall_s": async_wall,
        "sync_wall_s": sync_wall,
        "boto3_sequential_wall_s": boto_wall,
        "async_over_critical_path": async_wall / critical,
        "sync_over_critical_path": sync_wall / critical,
        "async_speedup_over_boto3": boto_wall / async_wall,
        "sync_speedup_over_boto3": boto_wall / sync_wall,
    }


def shards() -> dict[str, float]:
    """Benchmark 2: one stream of 100 pages, sharded 8 ways vs unsharded."""
    with Emulator(seed=6, sizes={"ListSNOMEDCTInferenceJobs": 50_000}) as emu:
        os.environ.update(emu.env())
        window = {
            "since": REFERENCE_NOW - dt.timedelta(days=70),
            "until": REFERENCE_NOW + dt.timedelta(days=1),
        }
        adapter = "comprehendmedical.snomedct"
        list(jobkit.jobs(adapter, limit=1))
        emu.set_faults(Faults(latency=LATENCY))
        started = time.perf_counter()
        plain = jobkit.jobs(adapter, **window)
        count = sum(1 for _ in plain)
        plain_wall = time.perf_counter() - started
        started = time.perf_counter()
        sharded = jobkit.jobs(adapter, shards=8, **window)
        sharded_count = sum(1 for _ in sharded)
        sharded_wall = time.perf_counter() - started
    assert count == sharded_count == 50_000, (count, sharded_count)
    return {
        "unsharded_pages": plain.stats.pages,
        "unsharded_wall_s": plain_wall,
        "sharded_wall_s": sharded_wall,
        "speedup": plain_wall / sharded_wall,
    }


def top_k() -> dict[str, float]:
    """Benchmark 3: limit=100, newest first, over the five seed adapters."""
    with Emulator(seed=7) as emu:
        os.environ.update(emu.env())
        emu.clear_requests()
        top = jobkit.jobs(SEED, order="created-desc", limit=100)
        got = list(top)
        top_requests = emu.request_count()
        emu.clear_requests()
        everything = list(jobkit.jobs(SEED))
        full_requests = emu.request_count()
    newest = sorted((j for j in everything if j.created), key=lambda j: j.created, reverse=True)
    assert [j.raw for j in got] == [j.raw for j in newest[:100]]
    return {
        "top_k_requests": top_requests,
        "full_listing_requests": full_requests,
        "ratio": top_requests / full_requests,
    }


def per_record() -> dict[str, float]:
    """Benchmark 4: per-record overhead of jobkit sync vs a boto3 paginator, no latency.

    The emulator runs in its own process, as a real endpoint would: in this one it would
    compete for the GIL with the client under test.
    """
    with _serve("ListProcessingJobs", 50_000) as url:
        list(jobkit.jobs("sagemaker.processing", endpoint_url=url, limit=1))
        client = boto3.Session().client(
            "sagemaker", endpoint_url=url, config=Config(retries={"total_max_attempts": 1})
        )
        paginator = client.get_paginator("list_processing_jobs")
        best_jobkit = best_boto = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            count = 0
            for page in paginator.paginate(
                SortBy="CreationTime",
                SortOrder="Descending",
                PaginationConfig={"PageSize": 100},
            ):
                count += len(page["ProcessingJobSummaries"])
            best_boto = min(best_boto, time.perf_counter() - started)
            assert count == 50_000
            started = time.perf_counter()
            count = sum(1 for _ in jobkit.jobs("sagemaker.processing", endpoint_url=url))
            best_jobkit = min(best_jobkit, time.perf_counter() - started)
            assert count == 50_000
    return {
        "boto3_s": best_boto,
        "jobkit_s": best_jobkit,
        "ratio": best_jobkit / best_boto,
    }


_SERVE = """
import sys
from jobkit.testing import Emulator
with Emulator(seed=9, sizes={%r: %d}) as emu:
    print(emu.endpoint_url, flush=True)
    sys.stdin.read()
"""


@contextlib.contextmanager
def _serve(operation: str, size: int) -> Iterator[str]:
    """An emulator in a child process serving ``size`` jobs of ``operation``; yields its URL."""
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVE % (operation, size)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip()
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(30)


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def memory(total: int = 1_000_000) -> dict[str, float]:
    """Benchmark 5: RSS growth while streaming ``total`` jobs from an emulator process."""
    with _serve("ListSNOMEDCTInferenceJobs", total) as url:
        it = jobkit.jobs("comprehendmedical.snomedct", endpoint_url=url)
        baseline = peak = 0.0
        count = 0
        started = time.perf_counter()
        for count, _job in enumerate(it, start=1):
            if count == 20_000:
                baseline = peak = _rss_mb()
            elif count % 20_000 == 0:
                peak = max(peak, _rss_mb())
        wall = time.perf_counter() - started
        assert count == total, count
    return {
        "jobs": count,
        "wall_s": wall,
        "rss_baseline_mb": baseline,
        "rss_peak_mb": peak,
        "rss_growth_mb": peak - baseline,
    }


def run() -> dict[str, dict[str, float]]:
    """Every benchmark of this module."""
    return {
        "fan_out": fan_out(),
        "shards": shards(),
        "top_k": top_k(),
        "per_record": per_record(),
        "memory": memory(int(os.environ.get("JOBKIT_BENCH_MEMORY_JOBS", "1000000"))),
    }


if __name__ == "__main__":
    for name, figures in run().items():
        print(name, {k: round(v, 3) for k, v in figures.items()})
