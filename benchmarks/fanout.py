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
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiobotocore.session
import boto3
from botocore.config import Config

import jobkit
from jobkit.testing import REFERENCE_NOW, Emulator, EmulatorData

LATENCY = 0.05
GROUND_TRUTH_ADAPTERS = [
    "sagemaker.processing",
    "sagemaker.labeling-workteam",
    "comprehendmedical.snomedct",
    "batch.service",
    "cleanroomsml.trained-model-export",
]


def _client(service: str) -> Any:
    return boto3.Session().client(service, config=Config(retries={"total_max_attempts": 1}))


def fan_out(repeat: int = 3) -> dict[str, float]:
    """Benchmark 1: 20 streams x 10 pages (10 jobs a page) with 50 ms latency.

    Small pages keep the measurement about concurrency: with 100-job pages, parsing 20,000
    records on one core (about 2 s in botocore) would hide it. Each concurrent figure is the
    best of ``repeat`` runs. Two hand-written baselines with the same concurrency show what
    the clients themselves allow on this machine: one boto3 client shared by 20 threads, and
    one aiobotocore client shared by 20 tasks, each running a stream's paginator, with warm
    connections and no normalization.
    """
    sizes = {"ListWorkteams": 20, "ListLabelingJobsForWorkteam": 100}
    teams = [t["WorkteamArn"] for t in EmulatorData(seed=5, sizes=sizes).workteams("us-east-1")]
    adapter = "sagemaker.labeling-workteam"
    params = {"WorkteamArn": teams}
    paging = {"PaginationConfig": {"PageSize": 10}}
    config = Config(retries={"total_max_attempts": 1}, max_pool_connections=20)
    with _serve(sizes, seed=5, latency=LATENCY) as url:
        list(jobkit.jobs(adapter, endpoint_url=url, params={"WorkteamArn": teams[0]}, limit=1))

        async def run_async() -> tuple[float, float]:
            async def listing() -> int:
                found = jobkit.ajobs(
                    adapter, endpoint_url=url, params=params, max_concurrency=20, page_size=10
                )
                return len(await found.collect())

            # Warm up in the same event loop, as a long-running async program would: jobkit
            # keeps the aiobotocore session it creates per event loop.
            await listing()
            best = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                count = await listing()
                best = min(best, time.perf_counter() - started)
                assert count == 2_000, count
            session = aiobotocore.session.get_session()
            async with session.create_client("sagemaker", endpoint_url=url, config=config) as aio:

                async def one(team: str) -> int:
                    pages = aio.get_paginator("list_labeling_jobs_for_workteam")
                    count = 0
                    async for page in pages.paginate(WorkteamArn=team, **paging):
                        count += len(page["LabelingJobSummaryList"])
                    return count

                await asyncio.gather(*(one(team) for team in teams))
                raw = float("inf")
                for _ in range(repeat):
                    started = time.perf_counter()
                    count = sum(await asyncio.gather(*(one(team) for team in teams)))
                    raw = min(raw, time.perf_counter() - started)
                    assert count == 2_000, count
            return best, raw

        async_wall, raw_async_wall = asyncio.run(run_async())

        sync_wall = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            listing = jobkit.jobs(
                adapter, endpoint_url=url, params=params, max_concurrency=20, page_size=10
            )
            count = sum(1 for _ in listing)
            sync_wall = min(sync_wall, time.perf_counter() - started)
            assert count == 2_000, count

        client = boto3.Session().client("sagemaker", endpoint_url=url, config=config)

        def one(team: str) -> int:
            pages = client.get_paginator("list_labeling_jobs_for_workteam")
            return sum(
                len(page["LabelingJobSummaryList"])
                for page in pages.paginate(WorkteamArn=team, **paging)
            )

        with ThreadPoolExecutor(max_workers=20) as pool:
            list(pool.map(one, teams))
            raw_sync_wall = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                count = sum(pool.map(one, teams))
                raw_sync_wall = min(raw_sync_wall, time.perf_counter() - started)
                assert count == 2_000, count

        started = time.perf_counter()
        count = sum(one(team) for team in teams)
        boto_wall = time.perf_counter() - started
        assert count == 2_000, count
    # The same listing with no latency: the client's own CPU time per call (botocore request
    # building, signing and parsing) sets a floor under the wall time on a small machine.
    with _serve(sizes, seed=5) as url:
        list(jobkit.jobs(adapter, endpoint_url=url, params={"WorkteamArn": teams[0]}, limit=1))
        started = time.perf_counter()
        listing = jobkit.jobs(
            adapter, endpoint_url=url, params=params, max_concurrency=20, page_size=10
        )
        count = sum(1 for _ in listing)
        floor = time.perf_counter() - started
        assert count == 2_000, count
    critical = 10 * LATENCY
    return {
        "async_wall_s": async_wall,
        "sync_wall_s": sync_wall,
        "boto3_sequential_wall_s": boto_wall,
        "sync_wall_without_latency_s": floor,
        "async_over_critical_path": async_wall / critical,
        "sync_over_critical_path": sync_wall / critical,
        "async_speedup_over_boto3": boto_wall / async_wall,
        "sync_speedup_over_boto3": boto_wall / sync_wall,
        "baseline_aiobotocore_20_tasks_wall_s": raw_async_wall,
        "baseline_boto3_20_threads_wall_s": raw_sync_wall,
        "baseline_aiobotocore_20_tasks_over_critical_path": raw_async_wall / critical,
        "baseline_boto3_20_threads_over_critical_path": raw_sync_wall / critical,
        "async_over_aiobotocore_baseline": async_wall / raw_async_wall,
        "sync_over_boto3_threads_baseline": sync_wall / raw_sync_wall,
    }


def shards() -> dict[str, float]:
    """Benchmark 2: one stream of 100 pages (10 jobs a page, 50 ms latency), sharded 8 ways
    vs unsharded, over the data's whole time window."""
    sizes = {"ListSNOMEDCTInferenceJobs": 1_000}
    window = {
        "since": REFERENCE_NOW - dt.timedelta(days=70),
        "until": REFERENCE_NOW + dt.timedelta(days=1),
    }
    adapter = "comprehendmedical.snomedct"
    with _serve(sizes, seed=6, latency=LATENCY) as url:
        list(jobkit.jobs(adapter, endpoint_url=url, limit=1))
        started = time.perf_counter()
        plain = jobkit.jobs(adapter, endpoint_url=url, page_size=10, **window)
        count = sum(1 for _ in plain)
        plain_wall = time.perf_counter() - started
        started = time.perf_counter()
        sharded = jobkit.jobs(adapter, endpoint_url=url, page_size=10, shards=8, **window)
        sharded_count = sum(1 for _ in sharded)
        sharded_wall = time.perf_counter() - started
    assert count == sharded_count == 1_000, (count, sharded_count)
    return {
        "unsharded_pages": plain.stats.pages,
        "sharded_pages": sharded.stats.pages,
        "unsharded_wall_s": plain_wall,
        "sharded_wall_s": sharded_wall,
        "speedup": plain_wall / sharded_wall,
    }


def top_k() -> dict[str, float]:
    """Benchmark 3: limit=100, newest first, over the five seed adapters."""
    sizes = {
        "ListProcessingJobs": 2_000,
        "ListLabelingJobsForWorkteam": 500,
        "ListSNOMEDCTInferenceJobs": 3_000,
        "ListServiceJobs": 1_000,
        "ListCollaborationTrainedModelExportJobs": 250,
    }
    with Emulator(seed=7, sizes=sizes) as emu:
        os.environ.update(emu.env())
        emu.clear_requests()
        top = jobkit.jobs(GROUND_TRUTH_ADAPTERS, order="created-desc", limit=100)
        got = list(top)
        top_requests = emu.request_count()
        emu.clear_requests()
        everything = list(jobkit.jobs(GROUND_TRUTH_ADAPTERS))
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
    with _serve({"ListProcessingJobs": 50_000}, seed=8) as url:
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
from jobkit.testing import Emulator, Faults
with Emulator(seed=%d, sizes=%r, faults=Faults(latency=%r)) as emu:
    print(emu.endpoint_url, flush=True)
    sys.stdin.read()
"""


@contextlib.contextmanager
def _serve(sizes: dict[str, int], *, seed: int = 9, latency: float = 0.0) -> Iterator[str]:
    """An emulator in a child process (so it does not compete for this one's GIL); yields
    its URL."""
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVE % (seed, sizes, latency)],
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
    with _serve({"ListSNOMEDCTInferenceJobs": total}) as url:
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
