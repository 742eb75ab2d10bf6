"""Watching 1,000 running SageMaker processing jobs: jobkit.watch vs polling each job.

One account and region holds 6,000 processing jobs: the 1,000 newest are running, the 5,000
older ones have finished. Every request waits 30 ms (the emulator's latency). Each running
job ends (10% of them failed) at a random instant within 10 minutes of emulated time.

Time is compressed: the emulator's clock runs 60 times faster than the real one
(``JobChanges.run(speed=60)``), so a 1 s interval of real time is the 60 s interval of the
target, and the 10 emulated minutes take 10 real seconds. Requests are counted by the
emulator's log and rated per emulated second. Three ways to follow the jobs:

* ``jobkit.watch``: a baseline poll (the listing of all 6,000 jobs), then a poll every
  (emulated) 60 s until every job ended; every transition must be reported exactly once.
* a ``DescribeProcessingJob`` loop: every 60 s, describe each job not yet seen ended (the
  emulator's clock stepped with ``advance(60)``; 16 threads).
* one boto3 waiter (``processing_job_completed_or_stopped``) per job, ``Delay`` 1 real
  second (60 emulated), in a thread each, for a sample of 100 jobs; scaled to 1,000. The
  waiter sleeps in real time, so on a loaded machine its cycles stretch past 60 emulated
  seconds and it sends fewer requests than a real 60 s waiter would (the Describe loop,
  stepped exactly, is the faithful per-job figure).

The watch's figures after the baseline are compared with the per-job ways over the same
10 emulated minutes (the watch stops once the last job's end is reported).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import inspect
import os
import random
import time

import boto3
import botocore.exceptions

import jobkit
from benchmarks._page import replace_section
from jobkit.testing import REFERENCE_NOW, Emulator, Faults, JobChanges

RUNNING = 1000
FINISHED = 5000
WITHIN = 600.0  # emulated seconds in which every running job ends
SPEED = 60.0  # emulated seconds per real second
INTERVAL = 60.0  # emulated seconds between polls
LATENCY = 0.03
WAITER_SAMPLE = 100
REGION = "us-east-1"


def _setup(emu: Emulator) -> tuple[JobChanges, list[str]]:
    changes = JobChanges(emu, seed=17)
    changes.settle(RUNNING, running=True)
    emu.data.job_set("sagemaker", "ListProcessingJobs", REGION)
    changes.schedule(within=WITHIN, failing=0.1)
    names = [
        str(j.name)
        for j in jobkit.jobs("sagemaker.processing", regions=REGION, endpoint_url=emu.endpoint_url)
        if not j.status.is_terminal
    ]
    assert len(names) == RUNNING, len(names)
    return changes, names


def _emulator() -> Emulator:
    sizes = {"ListProcessingJobs": RUNNING + FINISHED}
    return Emulator(seed=31, sizes=sizes, now=REFERENCE_NOW)


def watched() -> dict[str, float]:
    """``jobkit.watch`` over the account and region, interval 60 s (emulated)."""
    with _emulator() as emu:
        changes, _ = _setup(emu)
        emu.set_faults(Faults(latency=LATENCY))
        w = jobkit.watch(
            "sagemaker.processing",
            regions=REGION,
            endpoint_url=emu.endpoint_url,
            interval=INTERVAL / SPEED,
            until=60 + (WITHIN + 5 * INTERVAL) / SPEED,  # a safety net: ends at the last job
        )
        emu.clear_requests()
        w.poll()  # the baseline: every job, no event
        baseline = emu.request_count()
        emu.clear_requests()
        changes.run(speed=SPEED)
        started = time.monotonic()
        events = []
        for event in w:
            events.append(event)
            if len(events) == RUNNING:
                break
        w.close()
        emulated = (time.monotonic() - started) * SPEED
        changes.stop()
        requests = emu.request_count()
        final = {c.record["ProcessingJobName"]: c.new_status for c in changes.log}
    names = [e.job.name for e in events]
    assert len(names) == len(set(names)) == len(final) == RUNNING, (len(names), len(final))
    assert all(final[str(e.job.name)] == e.job.status.value for e in events)
    polls = w.stats.polls - 1
    return {
        "jobs": float(RUNNING + FINISHED),
        "transitions_made": float(len(final)),
        "transitions_reported": float(len(events)),
        "baseline_poll_requests": float(baseline),
        "polls": float(polls),
        "requests": float(requests),
        "requests_per_poll_mean": requests / polls,
        "requests_per_poll_max": float(max(w.stats.per_poll[1:])),
        "requests_per_second": requests / emulated,
    }


def _describe_loop(emu: Emulator, changes: JobChanges, names: list[str]) -> dict[str, float]:
    client = boto3.client("sagemaker", region_name=REGION, endpoint_url=emu.endpoint_url)
    emu.set_faults(Faults(latency=LATENCY))
    emu.clear_requests()
    running = set(names)
    cycles = 0

    def describe(name: str) -> tuple[str, str]:
        return name, client.describe_processing_job(ProcessingJobName=name)["ProcessingJobStatus"]

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        while running:
            cycles += 1
            for name, status in pool.map(describe, sorted(running)):
                if status in ("Completed", "Failed", "Stopped"):
                    running.discard(name)
            changes.advance(INTERVAL)
    client.close()
    requests = emu.request_count(operation="DescribeProcessingJob")
    return {
        "polls": float(cycles),
        "requests": float(requests),
        "requests_per_poll_mean": requests / cycles,
        "requests_per_second": requests / (cycles * INTERVAL),
    }


def describe_loop() -> dict[str, float]:
    """``DescribeProcessingJob`` for each running job every 60 s (emulated)."""
    with _emulator() as emu:
        changes, names = _setup(emu)
        return _describe_loop(emu, changes, names)


def waiters() -> dict[str, float]:
    """A boto3 waiter per job (a sample of 100, scaled to 1,000)."""
    with _emulator() as emu:
        changes, names = _setup(emu)
        sample = random.Random(5).sample(names, WAITER_SAMPLE)
        client = boto3.client("sagemaker", region_name=REGION, endpoint_url=emu.endpoint_url)
        emu.set_faults(Faults(latency=LATENCY))
        emu.clear_requests()
        config = {"Delay": max(1, round(INTERVAL / SPEED)), "MaxAttempts": 1000}

        def wait(name: str) -> None:
            waiter = client.get_waiter("processing_job_completed_or_stopped")
            # A failed job ends the waiter with an error; its requests count all the same.
            with contextlib.suppress(botocore.exceptions.WaiterError):
                waiter.wait(ProcessingJobName=name, WaiterConfig=config)

        changes.run(speed=SPEED)
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(WAITER_SAMPLE) as pool:
            list(pool.map(wait, sample))
        emulated = (time.monotonic() - started) * SPEED
        changes.stop()
        client.close()
        requests = emu.request_count(operation="DescribeProcessingJob")
    scale = RUNNING / WAITER_SAMPLE
    return {
        "sampled_jobs": float(WAITER_SAMPLE),
        "sample_requests": float(requests),
        "requests_per_job": requests / WAITER_SAMPLE,
        "requests_scaled_to_1000": requests * scale,
        "requests_per_second_scaled": requests * scale / emulated,
    }


def run() -> dict[str, dict[str, float]]:
    """Every benchmark of this module, and the ratios of the target."""
    results = {"watch": watched(), "describe_loop": describe_loop(), "waiters": waiters()}
    w, d, b = results["watch"], results["describe_loop"], results["waiters"]
    results["ratios"] = {
        "describe_loop_over_watch_per_poll": (
            d["requests_per_poll_mean"] / w["requests_per_poll_mean"]
        ),
        "describe_loop_over_watch_first_poll": RUNNING / w["requests_per_poll_max"],
        "describe_loop_over_watch_per_second": (
            d["requests_per_second"] / w["requests_per_second"]
        ),
        "waiters_over_watch_requests": b["requests_scaled_to_1000"] / w["requests"],
    }
    return results


TARGET = (
    "<= 0.5 requests/s per account and region at a 60 s interval, every transition reported, "
    ">= 50x fewer requests than per-job polling"
)


def markdown(results: dict[str, dict[str, float]]) -> str:
    """The Watch section of docs/performance.md."""
    lines = ["## Watch", "", inspect.cleandoc(__doc__ or "").replace("``", "`"), ""]
    lines += [f"Target: {TARGET}.", ""]
    for name, figures in results.items():
        lines += [f"### {name.replace('_', ' ')}", ""]
        lines += ["| figure | value |", "| --- | ---: |"]
        lines += [f"| {key} | {value:.3f} |" for key, value in figures.items()]
        lines.append("")
    return "\n".join(lines)


def write_section(results: dict[str, dict[str, float]]) -> None:
    """Replace (or append) the Watch section of docs/performance.md."""
    replace_section("Watch", markdown(results))


if __name__ == "__main__":
    # `python -m benchmarks.watch`: written into docs/performance.md.
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    figures = run()
    write_section(figures)
    print(markdown(figures))
