"""jobkit's main job on the bundled emulator: every job of every adapter, one line each.

Run with `make demo`. No AWS account is needed: the emulator is a real HTTP server on
127.0.0.1 that speaks each service's wire protocol, and jobkit talks to it through the
standard AWS_ENDPOINT_URL setting, exactly as it would talk to AWS.
"""

from __future__ import annotations

import collections
import time
import warnings

import jobkit
from jobkit.testing import Emulator


def main() -> None:
    """List everything on the emulator and print the newest jobs and the counts."""
    with Emulator(seed=0) as emu, emu.environment(region="us-east-1"):
        print(f"jobkit {jobkit.__version__} on the bundled emulator at {emu.endpoint_url}\n")
        started = time.perf_counter()
        # No adapters and no scope parameters: every registered adapter, and its work teams,
        # job queues, pipelines, state machines, ... are discovered; every discovered scope
        # becomes its own stream.
        listing = jobkit.jobs()
        with warnings.catch_warnings():
            # The skipped streams are printed below, one line each, instead of the summary.
            warnings.simplefilter("ignore", jobkit.JobkitWarning)
            jobs = list(listing)
        elapsed = time.perf_counter() - started

    by_adapter = collections.defaultdict(list)
    for job in jobs:
        by_adapter[job.adapter].append(job)
    # One line per adapter: its job count per status and its newest job.
    statuses = [s for s in jobkit.JobStatus if any(j.status is s for j in jobs)]
    header = (
        f"{'ADAPTER':34}"
        + "".join(f"{s.value[:7]:>8}" for s in statuses)
        + f"{'TOTAL':>7}  NEWEST (UTC)"
    )
    print(header)
    print("-" * (len(header) + 30))
    for adapter in sorted(by_adapter):
        listed = by_adapter[adapter]
        counts = collections.Counter(j.status for j in listed)
        newest = max(listed, key=lambda j: j.created.timestamp() if j.created else 0)
        created = newest.created.strftime("%Y-%m-%d %H:%M") if newest.created else "?"
        label = (newest.name or newest.id or "-")[:24]
        print(
            f"{adapter:34}"
            + "".join(f"{counts[s]:>8}" for s in statuses)
            + f"{len(listed):>7}  {created} {label} ({newest.status.value})"
        )
    stats = listing.stats
    print(
        f"\n{len(jobs)} jobs from {len(by_adapter)} adapters in {elapsed:.2f}s: "
        f"{stats.streams} streams, {stats.requests} requests, {stats.pages} pages, "
        f"{stats.retries} retries, {stats.unnormalized} records kept raw"
    )
    for skipped in listing.skipped:
        print(f"skipped {skipped}")


if __name__ == "__main__":
    main()
