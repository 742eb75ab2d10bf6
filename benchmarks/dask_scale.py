"""Beyond one process: ``jobs()`` in one process vs ``jobkit.dask.read_jobs()`` on a
``distributed.LocalCluster`` with 1 and 2 worker processes.

2,000 streams of 3 pages (10 jobs a page) at 30 ms latency: 20 accounts (roles assumed in an
emulated organization) x 5 regions x ``sagemaker.labeling-workteam`` with 20 work teams
each, so 100 work units of 20 streams. The emulator runs in its own process and does not
throttle; the listings run with ``pacing=False`` (a fresh process's slow start per endpoint
is measured in the pacing section: with pacing on, the first run of a fresh worker waits
for slow start, not for CPU). Every figure is the best of ``repeat`` warm runs (clusters
started, roles assumed once per process, as in a long-running deployment; the warm-up
lists every region and account, a fifth of the work). CPU is measured
per process (``/proc``): the listing processes (the one process, or the Dask workers), the
emulator, and the rest (Dask's scheduler and the client process). Run it alone with
``python -m benchmarks.dask_scale`` (``--help``: smaller sizes, ``--write``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import faulthandler
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs

import jobkit
from jobkit.core.units import CredentialSource

LATENCY = 0.03
REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"]
ADAPTER = "sagemaker.labeling-workteam"
HEADING = "Beyond one process: Dask"
STARTED = time.monotonic()


@attrs.frozen
class Size:
    """What one run lists."""

    accounts: int = 20
    regions: int = 5
    teams: int = 20
    pages: int = 3
    page_size: int = 10

    @property
    def units(self) -> int:
        return self.accounts * self.regions

    @property
    def streams(self) -> int:
        return self.units * self.teams

    @property
    def jobs(self) -> int:
        return self.streams * self.pages * self.page_size

    @property
    def calls(self) -> int:
        """ListWorkteams once per unit, then every page of every stream."""
        return self.units * (self.teams * self.pages + 1)


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


def progress(message: str) -> None:
    """One line of progress on stderr."""
    print(f"[dask_scale {time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


class Watchdog:
    """Fails the benchmark loudly when a phase outlasts its time: every thread's stack on
    stderr, the child processes (emulator, Dask workers) killed, exit status 3."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._phase = "start"
        self._deadline = time.monotonic() + seconds
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="dask_scale-watchdog", daemon=True)

    def phase(self, name: str) -> None:
        """A new phase begins, with a fresh time budget."""
        self._phase = name
        self._deadline = time.monotonic() + self.seconds
        progress(name)

    def _watch(self) -> None:
        while not self._done.wait(1.0):
            if time.monotonic() > self._deadline:
                self._fail()

    def _fail(self) -> None:
        import psutil  # a dependency of distributed

        progress(f"TIMEOUT: {self._phase!r} took more than {self.seconds:.0f} s; stacks:")
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child.kill()
        os._exit(3)

    def __enter__(self) -> Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()


@contextlib.contextmanager
def _emulator(size: Size) -> Iterator[dict[str, Any]]:
    """The organization's emulator in a child process; yields its env and account ids."""
    code = _SERVE % (size.teams, size.pages * size.page_size, size.accounts, LATENCY)
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


def _tree_cpu(pids: list[int]) -> float:
    return sum(_cpu_seconds(pid) for pid in pids)


def _best(
    repeat: int,
    run: Callable[[], int],
    *,
    size: Size,
    groups: dict[str, list[int]],
    figures: dict[str, float],
    name: str,
    watchdog: Watchdog,
) -> float:
    """The best wall time of ``repeat`` runs; records, for that run, each process group's CPU
    per call and the machine's load average."""
    best = float("inf")
    for attempt in range(repeat):
        watchdog.phase(f"{name} run {attempt + 1}/{repeat}")
        before = {group: _tree_cpu(pids) for group, pids in groups.items()}
        started = time.perf_counter()
        count = run()
        wall = time.perf_counter() - started
        assert count == size.jobs, (count, size.jobs)
        progress(f"{name} run {attempt + 1}/{repeat}: {wall:.2f} s, {size.jobs / wall:,.0f} jobs/s")
        if wall < best:
            best = wall
            for group, pids in groups.items():
                used = _tree_cpu(pids) - before[group]
                figures[f"{name}_{group}_cpu_ms_per_call"] = 1000 * used / size.calls
            figures[f"{name}_load_average"] = os.getloadavg()[0]
    return best


def run(
    repeat: int = 3,
    concurrency: int = 16,
    size: Size | None = None,
    *,
    pacing: bool = False,
    timeout: float = 180.0,
) -> dict[str, float]:
    """jobs/s of one process and of LocalClusters with 1 and 2 worker processes; CPU per call
    of each process group; the CPU-bound ceiling of the speed-up."""
    from distributed import Client, LocalCluster

    from jobkit.dask import read_jobs
    from jobkit.planning import Plan, role_session

    size = size or Size()
    regions = REGIONS[: size.regions]
    me = os.getpid()
    figures = {"streams": float(size.streams), "jobs": float(size.jobs), "calls": float(size.calls)}
    figures["pacing"] = float(pacing)  # 0: off, as the text says
    with Watchdog(timeout) as watchdog, _emulator(size) as served:
        emulator = served["pid"]
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
                regions=regions,
                accounts=sources,
                page_size=size.page_size,
                max_concurrency=concurrency // 2,
                pacing=pacing,
            )
            sessions = [role_session(source) for source in sources]

            # Warm-ups touch every region and every account, a fifth of the work: clients'
            # models loaded, roles assumed (in each worker process), modules imported.
            first = plan.units[0].source
            warm = Plan(
                units=tuple(u for u in plan.units if u.region == regions[0] or u.source == first)
            )

            def one_process(accounts: list[Any] = sessions) -> int:
                listing = jobkit.jobs(
                    ADAPTER,
                    regions=regions,
                    session=accounts,
                    page_size=size.page_size,
                    max_concurrency=concurrency,
                    pacing=pacing,
                )
                return sum(1 for _ in listing)

            watchdog.phase("one process: warm-up")
            one_process(sessions[:2])
            watchdog.phase("one process: timed runs")
            groups = {"client": [me], "emulator": [emulator]}
            wall = _best(
                repeat,
                one_process,
                size=size,
                groups=groups,
                figures=figures,
                name="one_process",
                watchdog=watchdog,
            )
            figures["one_process_jobs_per_s"] = size.jobs / wall
            watchdog.phase("units listed alone, in turn")
            # What a unit costs listed alone (its listing, driver, clients and calls): the
            # units of the first region, each listed alone and in turn, with the sync driver.
            units = [unit for unit in plan.units if unit.region == regions[0]]
            cpu = time.process_time()
            for unit in units:
                with unit.jobs() as listing:
                    done = sum(1 for _ in listing)
                    assert done == size.teams * size.pages * size.page_size, done
            cpu = (time.process_time() - cpu) / len(units)
            figures["calls_per_unit"] = float(size.teams * size.pages + 1)
            figures["cpu_ms_per_unit_listed_alone"] = 1000 * cpu
            for workers in (1, 2):
                watchdog.phase(f"LocalCluster of {workers} worker process(es): start")
                with (
                    LocalCluster(
                        n_workers=workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                    ) as cluster,
                    Client(cluster) as client,
                ):
                    pids = list(client.run(os.getpid).values())
                    scheduler = client.run_on_scheduler(os.getpid)
                    others = [me] if scheduler == me else [me, scheduler]
                    groups = {"workers": pids, "emulator": [emulator], "others": others}
                    watchdog.phase(f"{workers} worker(s): warm-up")
                    len(read_jobs(plan=warm, partition_size=5))
                    watchdog.phase(f"{workers} worker(s): timed runs")
                    wall = _best(
                        repeat,
                        lambda: len(read_jobs(plan=plan, partition_size=5)),
                        size=size,
                        groups=groups,
                        figures=figures,
                        name=f"dask_{workers}",
                        watchdog=watchdog,
                    )
                    figures[f"dask_{workers}_workers_jobs_per_s"] = size.jobs / wall
            watchdog.phase("done")
        finally:
            os.environ.clear()
            os.environ.update(saved)
    figures["speedup_1_to_2_workers"] = (
        figures["dask_2_workers_jobs_per_s"] / figures["dask_1_workers_jobs_per_s"]
    )
    figures.update(ceiling(figures))
    return figures


def ceiling(figures: dict[str, float]) -> dict[str, float]:
    """The CPU-bound ceiling of the speed-up from 1 to 2 workers on this machine's cores: the
    most two workers could list, from the CPU per call measured in the two-worker run, over
    what one worker listed.

    With two workers the cores are shared by the workers, the emulator and the rest
    (scheduler, client): ``cores / (worker + emulator + others)`` calls per ms, and no better
    than each worker's own core (``2 / worker``) nor the emulator's (``1 / emulator``).
    """
    cores = float(os.cpu_count() or 1)
    worker = figures["dask_2_workers_cpu_ms_per_call"]
    emulator = figures["dask_2_emulator_cpu_ms_per_call"]
    others = figures["dask_2_others_cpu_ms_per_call"]
    jobs_per_call = figures["jobs"] / figures["calls"]
    one = figures["dask_1_workers_jobs_per_s"] / jobs_per_call / 1000  # calls per ms
    two = min(cores / (worker + emulator + others), 2.0 / worker, 1.0 / emulator)
    return {"cores": cores, "ceiling_speedup_1_to_2_workers": two / one}


def markdown(figures: dict[str, float]) -> str:
    """The section of docs/performance.md."""
    doc = (__doc__ or "").split("\n\n", 1)[1].replace("``", "`").strip()
    rows = "\n".join(f"| {key} | {value:,.2f} |" for key, value in figures.items())
    f = figures
    summary = (
        f"Measured on {dt.date.today().isoformat()}: **{f['speedup_1_to_2_workers']:.2f}x** "
        f"from 1 to 2 workers, at load averages of {f['dask_1_load_average']:.1f} and "
        f"{f['dask_2_load_average']:.1f} on {f['cores']:.0f} cores (other processes shared "
        "them: a second worker gets a second core only as far as they leave one free). The "
        "CPU-bound ceiling: at 2 workers a call costs "
        f"{f['dask_2_workers_cpu_ms_per_call']:.2f} ms of worker CPU, "
        f"{f['dask_2_emulator_cpu_ms_per_call']:.2f} ms of the emulator's and "
        f"{f['dask_2_others_cpu_ms_per_call']:.2f} ms of the scheduler's and client's, so "
        f"{f['cores']:.0f} cores list at most {f['cores']:.0f} / "
        f"({f['dask_2_workers_cpu_ms_per_call']:.2f} + "
        f"{f['dask_2_emulator_cpu_ms_per_call']:.2f} + "
        f"{f['dask_2_others_cpu_ms_per_call']:.2f}) calls per ms: "
        f"**{f['ceiling_speedup_1_to_2_workers']:.2f}x** what one worker listed; the "
        "emulator's CPU takes the rest. The arithmetic is in [Scale](scale.md)."
    )
    return (
        f"## {HEADING}\n\n"
        + doc
        + "\n\nTarget: >= 1.6x from 1 to 2 worker processes.\n\n| figure | value |\n"
        + "| --- | ---: |\n"
        + rows
        + "\n\n"
        + textwrap.fill(summary, 95)
        + "\n"
    )


def main() -> None:
    """Command line: run, print the section, and with ``--write`` put it in the page."""
    default = Size()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=default.accounts)
    parser.add_argument("--regions", type=int, default=default.regions, choices=range(1, 6))
    parser.add_argument("--teams", type=int, default=default.teams, help="streams per unit")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (best kept)")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per phase/run")
    parser.add_argument("--pacing", action="store_true", help="list with pacing on")
    parser.add_argument("--write", action="store_true", help="write docs/performance.md")
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    size = Size(accounts=args.accounts, regions=args.regions, teams=args.teams)
    figures = run(args.repeat, size=size, pacing=args.pacing, timeout=args.timeout)
    section = markdown(figures)
    if args.write:
        from benchmarks._page import replace_section

        replace_section(HEADING, section)
    print(section)


if __name__ == "__main__":
    main()
