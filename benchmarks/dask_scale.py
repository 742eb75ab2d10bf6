"""Beyond one process: ``jobs()`` in one process vs ``jobkit.dask.read_jobs()`` on a
``distributed.LocalCluster`` with 1 and 2 worker processes.

2,000 streams of 3 pages (10 jobs a page) at 30 ms latency: 20 accounts (roles assumed in an
emulated organization) x 5 regions x ``sagemaker.labeling-workteam`` with 20 work teams
each, so 100 work units of 20 streams. The emulator runs in its own process. Every figure is
the best of ``repeat`` warm runs (clusters started, roles assumed once per process, as in a
long-running deployment). Run it alone with ``python -m benchmarks.dask_scale``.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import jobkit
from jobkit.core.units import CredentialSource

LATENCY = 0.03
ACCOUNTS = 20
REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"]
TEAMS = 20
PAGES = 3
PAGE_SIZE = 10
ADAPTER = "sagemaker.labeling-workteam"
UNITS = ACCOUNTS * len(REGIONS)
STREAMS = UNITS * TEAMS
JOBS = STREAMS * PAGES * PAGE_SIZE

_SERVE = """
import json, os, sys
from jobkit.testing import Emulator, Faults, REFERENCE_NOW
sizes = {"ListWorkteams": %d, "ListLabelingJobsForWorkteam": %d}
with Emulator(accounts=%d, seed=2, sizes=sizes, now=REFERENCE_NOW,
              faults=Faults(latency=%r)) as emu:
    print(json.dumps({"env": emu.env(proxy=False), "accounts": emu.organization.account_ids,
                      "pid": os.getpid()}), flush=True)
    # Nobody reads the pipe after the first line: anything printed later would fill it and
    # stall the server.
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    sys.stdin.read()
"""


@contextlib.contextmanager
def _emulator() -> Iterator[dict[str, Any]]:
    """The organization's emulator in a child process; yields its env and account ids."""
    code = _SERVE % (TEAMS, PAGES * PAGE_SIZE, ACCOUNTS, LATENCY)
    server = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        yield json.loads(server.stdout.readline())
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(30)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _best(repeat: int, run: Any, emulator: int, figures: dict[str, float], name: str) -> float:
    """The best wall time of ``repeat`` runs; records the emulator's CPU share of that run
    and the machine's load."""
    best = float("inf")
    for _ in range(repeat):
        cpu = _cpu_seconds(emulator)
        started = time.perf_counter()
        count = run()
        wall = time.perf_counter() - started
        assert count == JOBS, (count, JOBS)
        if wall < best:
            best = wall
            figures[f"{name}_emulator_cpu_share"] = (_cpu_seconds(emulator) - cpu) / wall
            figures[f"{name}_load_average"] = os.getloadavg()[0]
    return best


def run(repeat: int = 2, concurrency: int = 16) -> dict[str, float]:
    """jobs/s of one process and of LocalClusters with 1 and 2 worker processes."""
    from distributed import Client, LocalCluster

    from jobkit.dask import read_jobs
    from jobkit.planning import role_session

    with _emulator() as served:
        saved = dict(os.environ)
        os.environ.update({k: v for k, v in served["env"].items() if v is not None})
        for name in [k for k, v in served["env"].items() if v is None]:
            os.environ.pop(name, None)
        try:
            sources = [
                CredentialSource(role_arn=f"arn:aws:iam::{a}:role/Reader")
                for a in served["accounts"]
            ]
            plan = jobkit.plan(
                ADAPTER,
                regions=REGIONS,
                accounts=sources,
                page_size=PAGE_SIZE,
                max_concurrency=concurrency // 2,
            )
            sessions = [role_session(source) for source in sources]

            def one_process() -> int:
                listing = jobkit.jobs(
                    ADAPTER,
                    regions=REGIONS,
                    session=sessions,
                    page_size=PAGE_SIZE,
                    max_concurrency=concurrency,
                )
                return sum(1 for _ in listing)

            figures = {"streams": float(STREAMS), "jobs": float(JOBS)}
            one_process()  # warm: clients' models loaded, roles assumed
            cpu = time.process_time()
            wall = _best(repeat, one_process, served["pid"], figures, "one_process")
            cpu = (time.process_time() - cpu) / repeat
            calls = UNITS * (TEAMS * PAGES + 1)
            figures["one_process_jobs_per_s"] = JOBS / wall
            figures["one_process_calls_per_s"] = calls / wall
            figures["cpu_ms_per_call"] = 1000 * cpu / calls
            # What a unit costs beyond its calls (its listing, drivers, clients): the units
            # of 20 accounts in one region, each listed alone and in turn.
            units = [unit for unit in plan.units if unit.region == REGIONS[0]]
            cpu = time.process_time()
            for unit in units:
                with unit.jobs() as listing:
                    done = sum(1 for _ in listing)
                    assert done == TEAMS * PAGES * PAGE_SIZE, done
            cpu = (time.process_time() - cpu) / len(units)
            figures["cpu_ms_per_unit_beyond_calls"] = 1000 * cpu - (
                (TEAMS * PAGES + 1) * figures["cpu_ms_per_call"]
            )
            for workers in (1, 2):
                with (
                    LocalCluster(
                        n_workers=workers,
                        threads_per_worker=2,
                        processes=True,
                        dashboard_address=None,
                    ) as cluster,
                    Client(cluster),
                ):
                    # Warm: jobkit imported and roles assumed in every worker.
                    len(read_jobs(plan=plan, partition_size=5))
                    wall = _best(
                        repeat,
                        lambda: len(read_jobs(plan=plan, partition_size=5)),
                        served["pid"],
                        figures,
                        f"dask_{workers}",
                    )
                    figures[f"dask_{workers}_workers_jobs_per_s"] = JOBS / wall
        finally:
            os.environ.clear()
            os.environ.update(saved)
    figures["speedup_1_to_2_workers"] = (
        figures["dask_2_workers_jobs_per_s"] / figures["dask_1_workers_jobs_per_s"]
    )
    return figures


def markdown(figures: dict[str, float]) -> str:
    """The section of docs/performance.md."""
    doc = (__doc__ or "").split("\n\n", 1)[1].replace("``", "`").strip()
    rows = "\n".join(f"| {key} | {value:,.2f} |" for key, value in figures.items())
    return (
        "## Beyond one process: Dask\n\n"
        + doc
        + "\n\nTarget: >= 1.6x from 1 to 2 worker processes.\n\n| figure | value |\n"
        + "| --- | ---: |\n"
        + rows
        + "\n"
    )


if __name__ == "__main__":
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    print(markdown(run()))
