"""``jobkit watch [ADAPTER...]``: print one line per job that appears or changes status.

Kept apart from ``jobkit/cli.py``, which only registers the subcommand (``add_parser``) and
runs it (``run``). Ends when ``--until`` passes, or on Ctrl-C (exit 0, no traceback, a
one-line summary on stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import Iterator
from typing import IO, Any

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``watch`` subcommand to the ``jobkit`` parser's subparsers."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "watch",
        help="print jobs as they appear or change status",
        description="Watch the jobs of the given adapters (default: all) and print one line "
        "per job that appears or changes status. Each poll reads only what can have changed. "
        "Ends when --until passes, or on Ctrl-C.",
    )
    parser.add_argument("adapters", nargs="*", metavar="ADAPTER", help="e.g. sagemaker.training")
    parser.add_argument("--region", action="append", default=[], help="repeatable")
    parser.add_argument("--profile", action="append", default=[], help="repeatable")
    parser.add_argument(
        "--param", action="append", default=[], metavar="KEY=VALUE", help="repeatable"
    )
    parser.add_argument("--name-contains", metavar="TEXT", help="case-insensitive")
    parser.add_argument(
        "--since", metavar="TIME", help="first poll: only jobs created since (e.g. 1d)"
    )
    parser.add_argument(
        "--interval", type=float, default=60.0, metavar="S", help="seconds between polls (60)"
    )
    parser.add_argument(
        "--until", metavar="T", help="stop then: seconds, 30m, 2h, or an ISO-8601 time"
    )
    parser.add_argument(
        "--include-existing",
        action="store_true",
        help="print the jobs found by the first poll too",
    )
    parser.add_argument("--format", choices=["table", "jsonl"], default="table")
    parser.add_argument(
        "--emulator",
        action="store_true",
        help="watch a bundled loopback emulator whose running jobs end within 30 seconds",
    )
    return parser


@contextlib.contextmanager
def _emulated(enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    from jobkit.testing import Emulator, JobChanges  # noqa: PLC0415 - only --emulator

    with Emulator() as emu:
        changes = JobChanges(emu, seed=1)
        changes.settle(10, running=True)
        region = os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        for operation in ("ListProcessingJobs", "ListTrainingJobs"):
            emu.data.job_set("sagemaker", operation, region)  # schedule() moves built sets
        changes.schedule(within=30.0)
        changes.run()
        with emu.environment():  # restored exactly on exit
            yield


def _until(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run ``jobkit watch`` with parsed ``args``; errors propagate to ``cli.main``."""
    from jobkit.errors import UsageError  # noqa: PLC0415
    from jobkit.watching import watch  # noqa: PLC0415

    params: dict[str, list[str]] = {}
    for pair in args.param:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param {pair!r} is not KEY=VALUE", hint="e.g. --param jobQueue=q1")
        params.setdefault(key, []).append(value)
    watching = None
    try:
        with _emulated(args.emulator):
            watching = watch(
                args.adapters or None,
                regions=args.region or None,
                params={k: v[0] if len(v) == 1 else v for k, v in params.items()} or None,
                profiles=args.profile or None,
                name_contains=args.name_contains,
                since=args.since,
                interval=args.interval,
                until=_until(args.until),
                include_existing=args.include_existing,
            )
            with watching:
                for event in watching:
                    if args.format == "jsonl":
                        out.write(json.dumps(event.to_dict(), default=str) + "\n")
                    else:
                        out.write(f"{event}\n")
                    out.flush()
    except KeyboardInterrupt:
        # Ctrl-C is how an open-ended watch ends: a summary, not a traceback.
        err.write(f"jobkit watch: stopped: {watching.stats if watching else 'before a poll'}\n")
        return 0
    err.write(f"jobkit watch: done: {watching.stats}\n")
    return 0
