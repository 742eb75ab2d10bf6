"""Pacing benchmarks, each run in a fresh process so every endpoint is cold.

1. Cold start: one listing of 8 streams on an endpoint limited to R = 10 requests/s (token
   bucket, burst 2): the share of requests throttled (over the first 150, and over all) and
   goodput / R, for a short listing (8 x 18 pages, about 150 requests) and a long one
   (8 x 150 pages, about 1,200 requests). jobkit against one boto3 client in botocore's
   adaptive retry mode shared by 8 threads, each paginating one stream.
2. Chaos: the five ground-truth adapters, 10,000 jobs over 426 pages, through 30% random
   throttles, 5% 5xx and 2% connection resets, with pacing (the default) and with
   ``pacing=False`` (a plain retry loop); a listing the retry policy gives up on is resumed
   from the error's cursor.

``python -m benchmarks.pacing [--tree PATH ...]`` runs each side in a subprocess whose
``PYTHONPATH`` is the tree given (default: this one), so an older checkout can be measured in
the same run (``git worktree add /tmp/before <commit>``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

RATE = 10.0
BURST = 2.0
STREAMS = 8
PAGE = 100
SHORT_PAGES = 18  # per stream: 144 pages, about 150 requests
LONG_PAGES = 150  # per stream: 1,200 pages
FIRST = 150

CHAOS_SIZES = {
    "ListProcessingJobs": 2600,
    "ListLabelingJobsForWorkteam": 500,
    "ListSNOMEDCTInferenceJobs": 2600,
    "ListServiceJobs": 1100,
    "ListCollaborationTrainedModelExportJobs": 400,
}
CHAOS_PAGE = 25  # 426 pages
CHAOS_ADAPTERS = [
    "sagemaker.processing",
    "sagemaker.labeling-workteam",
    "comprehendmedical.snomedct",
    "batch.service",
    "cleanroomsml.trained-model-export",
]

ROOT = Path(__file__).resolve().parent.parent


def _cold_child(client: str, pages: int) -> dict[str, Any]:
    """One cold-start listing in this (fresh) process."""
    from jobkit.testing import Emulator, Faults

    sizes = {"ListWorkteams": STREAMS, "ListLabelingJobsForWorkteam": pages * PAGE}
    with Emulator(seed=4, sizes=sizes) as emu:
        os.environ.update(emu.env())
        teams = [t["WorkteamArn"] for t in emu.data.workteams("us-east-1")]
        emu.set_faults(Faults(seed=1, rate_limit=RATE, burst=BURST), service="sagemaker")
        emu.clear_requests()
        started = time.perf_counter()
        if client == "jobkit":
            import jobkit

            it = jobkit.jobs(
                "sagemaker.labeling-workteam",
                params={"WorkteamArn": teams},
                max_concurrency=STREAMS,
            )
            jobs = sum(1 for _ in it)
            got_pages = it.stats.pages
        else:
            import boto3
            from botocore.config import Config

            config = Config(
                retries={"mode": "adaptive", "max_attempts": 10}, max_pool_connections=STREAMS
            )
            shared = boto3.Session().client("sagemaker", config=config)
            counts = [0] * STREAMS
            page_counts = [0] * STREAMS

            def work(i: int) -> None:
                paginator = shared.get_paginator("list_labeling_jobs_for_workteam")
                for page in paginator.paginate(
                    WorkteamArn=teams[i], PaginationConfig={"PageSize": PAGE}
                ):
                    page_counts[i] += 1
                    counts[i] += len(page["LabelingJobSummaryList"])

            threads = [threading.Thread(target=work, args=(i,)) for i in range(STREAMS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            jobs, got_pages = sum(counts), sum(page_counts)
        wall = time.perf_counter() - started
        records = [r for r in emu.requests if r.operation == "ListLabelingJobsForWorkteam"]
    throttled = [r.error_code == "ThrottlingException" for r in records]
    return {
        "jobs_ok": jobs == STREAMS * pages * PAGE,
        "requests": len(records),
        "throttled_first_150": sum(throttled[:FIRST]) / max(1, min(FIRST, len(throttled))),
        "throttled_all": sum(throttled) / max(1, len(throttled)),
        "goodput_over_R": got_pages / wall / RATE,
        "wall_s": wall,
    }


def _chaos_child(pacing: bool) -> dict[str, Any]:
    """The chaos listing in this (fresh) process, resuming from error cursors."""
    import jobkit
    from jobkit.testing import Emulator, Faults

    faults = Faults(seed=5, throttle=0.30, server_error=0.05, reset=0.02)
    with Emulator(seed=3, sizes=CHAOS_SIZES, faults=faults) as emu:
        os.environ.update(emu.env())
        started = time.perf_counter()
        got: list[Any] = []
        cursor = None
        resumes = pages = requests = 0
        while True:
            it = jobkit.jobs(CHAOS_ADAPTERS, pacing=pacing, cursor=cursor, page_size=CHAOS_PAGE)
            try:
                for job in it:
                    got.append(job)
                break
            except jobkit.JobkitError as exc:
                if exc.cursor is None:
                    raise
                cursor, resumes = exc.cursor, resumes + 1
            finally:
                pages += it.stats.pages
                requests += it.stats.requests
        wall = time.perf_counter() - started
    if os.environ.get("JOBKIT_BENCH_DEBUG"):
        import jobkit.listing

        for key, limiter in jobkit.listing.LIMITERS._limiters.items():
            print(key[1:], limiter, file=sys.stderr)
    keys = {(j.adapter, j.id, j.name, j.created) for j in got}
    return {
        "jobs": len(got),
        "distinct": len(keys),
        "pages": pages,
        "requests": requests,
        "resumes": resumes,
        "wall_s": wall,
    }


def _run(tree: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.setdefault("AWS_ACCESS_KEY_ID", "testing")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "pacing.py"), "--child", *args],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise RuntimeError(f"benchmark child {args} failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run(trees: dict[str, Path] | None = None, chaos: bool = True) -> dict[str, Any]:
    """Every figure, per tree (``{"jobkit": ROOT}`` by default), plus botocore's."""
    trees = trees or {"jobkit": ROOT}
    results: dict[str, Any] = {"cold": {}, "chaos": {}}
    for label, pages in (("short", SHORT_PAGES), ("long", LONG_PAGES)):
        for name, tree in trees.items():
            results["cold"][(name, label)] = _run(tree, "cold", "jobkit", str(pages))
        results["cold"][("botocore adaptive", label)] = _run(ROOT, "cold", "botocore", str(pages))
    if chaos:
        for name, tree in trees.items():
            for pacing in (True, False):
                key = (name, "pacing" if pacing else "pacing=False")
                results["chaos"][key] = _run(tree, "chaos", str(pacing))
    return results


def report(results: dict[str, Any]) -> str:
    """Markdown tables of the figures."""
    lines = [
        f"Cold start: a fresh process, one listing of {STREAMS} streams on an endpoint limited "
        f"to R = {RATE:g} requests/s (token bucket, burst {BURST:g}); short = "
        f"{STREAMS} x {SHORT_PAGES} pages, long = {STREAMS} x {LONG_PAGES} pages.",
        "",
        "| client | listing | throttled, first 150 | throttled, all | goodput / R | requests |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for (name, label), r in results["cold"].items():
        lines.append(
            f"| {name} | {label} | {r['throttled_first_150']:.1%} | {r['throttled_all']:.1%} | "
            f"{r['goodput_over_R']:.2f} | {r['requests']} |"
        )
    if results["chaos"]:
        lines += [
            "",
            "Chaos: 10,000 jobs of the five ground-truth adapters (426 pages) through 30% "
            "throttles, 5% 5xx and 2% resets; resumed from the error's cursor when the retry "
            "policy gives up.",
            "",
            "| client | mode | wall time | jobs | distinct | requests | resumes |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for (name, mode), r in results["chaos"].items():
            lines.append(
                f"| {name} | {mode} | {r['wall_s']:.1f} s | {r['jobs']} | {r['distinct']} | "
                f"{r['requests']} | {r['resumes']} |"
            )
    return "\n".join(lines)


def main() -> None:
    """Command line: the parent runs children; a child prints one JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--tree", action="append", default=[], help="name=path")
    parser.add_argument("--no-chaos", action="store_true")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "cold":
            print(json.dumps(_cold_child(rest[0], int(rest[1]))))
        else:
            print(json.dumps(_chaos_child(rest[0] == "True")))
        return
    trees = {kv.split("=", 1)[0]: Path(kv.split("=", 1)[1]) for kv in args.tree} or None
    print(report(run(trees, chaos=not args.no_chaos)))


if __name__ == "__main__":
    main()
