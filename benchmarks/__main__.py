"""Run every benchmark and write docs/performance.md: `python -m benchmarks`."""

from __future__ import annotations

import datetime as dt
import inspect
import os
import platform
from pathlib import Path

from benchmarks import dask_scale, fanout, inventory, organization, pacing, throttle, watch

TARGETS = {
    "fan_out": "async and sync wall / critical path <= 1.25; speed-up over sequential boto3 >= 15x",
    "shards": "speed-up >= 4x",
    "per_record": "jobkit / boto3 <= 1.10",
    "memory": "RSS growth < 50 MB",
}


def main() -> None:
    """Run the benchmarks (a few minutes) and write the figures as Markdown."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    results = fanout.run()
    synced = inventory.run()
    org = organization.run()
    watched = watch.run()
    throttling = throttle.report(throttle.run())
    paced = pacing.report(pacing.run())
    lines = [
        "# Performance",
        "",
        "Written by `python -m benchmarks` (`make bench`) on "
        f"{dt.date.today().isoformat()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores. Every figure is measured against the bundled emulator on "
        "127.0.0.1, and every target is a ratio against a baseline measured in the same run; "
        "none is a timed assertion in the test suite.",
        "",
        "## Throttling: 8 streams on one rate-limited endpoint",
        "",
        throttling,
        "",
        "Target: goodput >= 0.9 R, throttled <= 10% of requests, 0 failed listings, better "
        "than botocore's adaptive mode.",
        "",
        "## Pacing: cold start and throttles that do not answer to the rate",
        "",
        paced,
        "",
        "Targets: from a cold start, <= 5% of the first 150 requests throttled with goodput "
        ">= 0.9 R, and <= 2% over about 1,200 requests; the chaos listing within 3x of "
        "`pacing=False` (a plain retry loop).",
        "",
    ]
    for name, figures in results.items():
        doc = inspect.cleandoc(fanout.__dict__[name].__doc__ or "")
        lines += [f"## {name.replace('_', ' ')}", "", doc.replace("``", "`"), ""]
        if name in TARGETS:
            lines += [f"Target: {TARGETS[name]}.", ""]
        lines += ["| figure | value |", "| --- | ---: |"]
        lines += [f"| {key} | {value:.3f} |" for key, value in figures.items()]
        lines.append("")
    lines.append(inventory.markdown(synced))
    lines.append(organization.markdown(org))
    lines.append(watch.markdown(watched))
    lines.append(dask_scale.markdown(dask_scale.run()))
    text = "\n".join(lines)
    Path(__file__).resolve().parent.parent.joinpath("docs", "performance.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
