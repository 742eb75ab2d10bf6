"""jobkit's main job on the bundled emulator: every job of every adapter, as a table.

Run with `make demo`. No AWS account is needed: the emulator is a real HTTP server on
127.0.0.1 that speaks each service's wire protocol, and jobkit talks to it through the
standard AWS_ENDPOINT_URL setting, exactly as it would talk to AWS.
"""

from __future__ import annotations

import collections
import os
import time

import jobkit
from jobkit.testing import Emulator


def main() -> None:
    """List everything on the emulator and print the newest jobs and the counts."""
    with Emulator(seed=0) as emu:
        os.environ.update(emu.env(region="us-east-1"))
        print(f"jobkit {jobkit.__version__} on the bundled emulator at {emu.endpoint_url}\n")
        started = time.perf_counter()
        # No scope parameters: work teams, job queues, collaborations and trained models
        # are discovered, and every discovered scope becomes its own stream.
        listing = jobkit.jobs()
        jobs = list(listing)
        elapsed = time.perf_counter() - started

    newest = collections.defaultdict(list)
    for job in jobs:
        newest[job.adapter].append(job)
    header = f"{'ADAPTER':34} {'NAME':30} {'STATUS':16} {'RAW STATUS':18} CREATED (UTC)"
    print(header)
    print("-" * len(header))
    for adapter in sorted(newest):
        ranked = sorted(newest[adapter], key=lambda j: j.created.timestamp() if j.created else 0)
        for job in ranked[::-1][:4]:
            created = job.created.strftime("%Y-%m-%d %H:%M:%S") if job.created else "?"
            print(
                f"{job.adapter:34} {(job.name or '-')[:30]:30} {job.status.value:16} "
                f"{(job.raw_status or '(derived)'):18} {created}"
            )
    print()
    counts = collections.Counter((job.adapter, job.status) for job in jobs)
    statuses = [s for s in jobkit.JobStatus if any(k[1] is s for k in counts)]
    print(f"{'ADAPTER':34}" + "".join(f"{s.value[:9]:>10}" for s in statuses) + f"{'TOTAL':>8}")
    for adapter in sorted(newest):
        row = [counts[(adapter, s)] for s in statuses]
        print(f"{adapter:34}" + "".join(f"{n:>10}" for n in row) + f"{sum(row):>8}")
    stats = listing.stats
    print(
        f"\n{len(jobs)} jobs from {len(newest)} adapters in {elapsed:.2f}s: "
        f"{stats.streams} streams, {stats.requests} requests, {stats.pages} pages, "
        f"{stats.retries} retries, {stats.unnormalized} records kept raw"
    )


if __name__ == "__main__":
    main()
