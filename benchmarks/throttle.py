"""Throttling benchmark: 8 streams on one endpoint limited to R requests/s, 400 pages.

jobkit (8 threads, one listing each, sharing the endpoint's adaptive limiter) against plain
boto3 paginators in botocore's adaptive retry mode from 8 threads, on the same emulator data.
Reports goodput (pages/s) / R, the share of requests throttled, failed listings, wall time.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

import jobkit
import jobkit.listing
from jobkit.core.limiter import LimiterRegistry
from jobkit.testing import Emulator, Faults

RATE = 10.0
BURST = float(os.environ.get("JOBKIT_BENCH_BURST", "2"))
PAGES_PER_STREAM = int(os.environ.get("JOBKIT_BENCH_PAGES", "50"))
STREAMS = 8

PAGE = 100  # jobkit's and the paginator's page size for ListLabelingJobsForWorkteam


def _run_threads(work: Callable[[int], int], streams: int) -> tuple[float, int, int]:
    """Run work(i) in `streams` threads; return wall time, pages, failed listings."""
    pages = [0] * streams
    failed = [0]
    lock = threading.Lock()

    def target(i: int) -> None:
        try:
            pages[i] = work(i)
        except Exception as exc:
            with lock:
                failed[0] += 1
                print(f"listing {i} failed: {type(exc).__name__}: {exc}", file=sys.stderr)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(streams)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, sum(pages), failed[0]


def _measure(emu: Emulator, teams: list[str], work: Callable[[int], int]) -> dict[str, Any]:
    emu.set_faults(Faults(seed=1, rate_limit=RATE, burst=BURST), service="sagemaker")
    emu.clear_requests()
    wall, pages, failed = _run_threads(work, len(teams))
    records = [r for r in emu.requests if r.operation == "ListLabelingJobsForWorkteam"]
    throttled = sum(1 for r in records if r.error_code == "ThrottlingException")
    return {
        "wall_s": wall,
        "pages": pages,
        "requests": len(records),
        "throttled_share": throttled / max(1, len(records)),
        "goodput_over_R": pages / wall / RATE,
        "failed_listings": failed,
    }


def run() -> dict[str, dict[str, Any]]:
    """Run both sides on one emulator; return their figures."""
    tuning = os.environ.get("JOBKIT_BENCH_LIMITER")  # e.g. "beta=0.8,scale=0.1"
    if tuning:
        settings = {k: float(v) for k, v in (kv.split("=") for kv in tuning.split(","))}
        jobkit.listing.LIMITERS = LimiterRegistry(clock=time.monotonic, settings=settings)
    sizes = {"ListWorkteams": STREAMS, "ListLabelingJobsForWorkteam": PAGES_PER_STREAM * PAGE}
    with Emulator(seed=4, sizes=sizes) as emu:
        os.environ.update(emu.env())
        teams = [t["WorkteamArn"] for t in emu.data.workteams("us-east-1")]
        assert len(teams) == STREAMS

        def jobkit_work(i: int) -> int:
            it = jobkit.jobs("sagemaker.labeling-workteam", params={"WorkteamArn": teams[i]})
            count = sum(1 for _ in it)
            assert count == PAGES_PER_STREAM * PAGE, count
            return it.stats.pages

        session = boto3.Session()
        config = Config(retries={"mode": "adaptive", "max_attempts": 10})
        lock = threading.Lock()

        def botocore_work(i: int) -> int:
            with lock:
                client = session.client("sagemaker", config=config)
            paginator = client.get_paginator("list_labeling_jobs_for_workteam")
            pages = jobs = 0
            for page in paginator.paginate(
                WorkteamArn=teams[i],
                SortBy="CreationTime",
                SortOrder="Descending",
                PaginationConfig={"PageSize": PAGE},
            ):
                pages += 1
                jobs += len(page["LabelingJobSummaryList"])
            assert jobs == PAGES_PER_STREAM * PAGE, jobs
            return pages

        return {
            "jobkit": _measure(emu, teams, jobkit_work),
            "botocore adaptive": _measure(emu, teams, botocore_work),
        }


def report(results: dict[str, dict[str, Any]]) -> str:
    """A Markdown table of the figures."""
    lines = [
        f"Endpoint limited to R = {RATE:g} requests/s (token bucket, burst {BURST:g}); "
        f"{STREAMS} concurrent streams; "
        f"{STREAMS * PAGES_PER_STREAM} pages in all.",
        "",
        "| client | goodput / R | throttled share | failed listings | wall time | requests |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['goodput_over_R']:.2f} | {r['throttled_share']:.1%} | "
            f"{r['failed_listings']} | {r['wall_s']:.1f} s | {r['requests']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run()))
