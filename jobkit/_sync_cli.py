"""``jobkit sync [TARGET]``: bring an inventory up to date from the command line.

Kept apart from ``jobkit/cli.py``, which only registers the subcommand (``add_parser``) and
runs it (``run``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from typing import IO, Any

from jobkit._account_cli import add_account_options, organization

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``sync`` subcommand to the ``jobkit`` parser's subparsers."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "sync",
        help="sync jobs into an inventory (DuckDB file or PostgreSQL)",
        description="Bring the inventory at TARGET up to date: everything the first time, "
        "then only what can have changed. TARGET is a DuckDB file (default jobkit.duckdb) "
        "or a postgresql:// URL.",
    )
    parser.add_argument("target", nargs="?", help="DuckDB file path or postgresql:// URL")
    parser.add_argument(
        "--adapter", action="append", default=[], help="an adapter (default: all); repeatable"
    )
    parser.add_argument("--region", action="append", default=[], help="repeatable")
    parser.add_argument("--profile", action="append", default=[], help="repeatable")
    add_account_options(parser, verb="sync")
    parser.add_argument(
        "--param", action="append", default=[], metavar="KEY=VALUE", help="repeatable"
    )
    parser.add_argument("--full", action="store_true", help="list every stream whole")
    parser.add_argument(
        "--overlap",
        type=float,
        default=10.0,
        metavar="MINUTES",
        help="re-read this many minutes before each watermark (default 10)",
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument(
        "--emulator",
        action="store_true",
        help="sync from a bundled loopback emulator (no AWS account needed)",
    )
    return parser


@contextlib.contextmanager
def _emulated(enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    from jobkit.testing import Emulator  # noqa: PLC0415 - only --emulator needs it

    with Emulator() as emu, emu.environment():  # restored exactly on exit
        yield


def run(args: argparse.Namespace, out: IO[str]) -> int:
    """Run ``jobkit sync`` with parsed ``args``; errors propagate to ``cli.main``."""
    from jobkit.errors import UsageError  # noqa: PLC0415
    from jobkit.incremental import sync  # noqa: PLC0415

    params: dict[str, list[str]] = {}
    for pair in args.param:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param {pair!r} is not KEY=VALUE", hint="e.g. --param jobQueue=q1")
        params.setdefault(key, []).append(value)
    if args.overlap < 0:
        raise UsageError("--overlap must be >= 0 minutes", hint="e.g. --overlap 10")
    with _emulated(args.emulator):
        report = sync(
            args.target,
            args.adapter or None,
            regions=args.region or None,
            params={k: v[0] if len(v) == 1 else v for k, v in params.items()} or None,
            profiles=args.profile or None,
            accounts=organization(args),
            full=args.full,
            overlap=dt.timedelta(minutes=args.overlap),
        )
    if args.format == "json":
        out.write(
            json.dumps(
                {
                    "target": report.target,
                    "seconds": round(report.seconds, 3),
                    "requests": report.requests,
                    "seen": report.seen,
                    "new": report.new,
                    "changes": report.changes,
                    "streams": [
                        {
                            "stream": s.stream,
                            "reads": list(s.reads),
                            "requests": s.requests,
                            "seen": s.seen,
                            "new": s.new,
                            "changes": s.changes,
                            "resumed": s.resumed,
                        }
                        for s in report.streams
                    ],
                },
                indent=2,
            )
            + "\n"
        )
    else:
        out.write(f"{report}\n")
        for s in report.streams:
            out.write(
                f"  {s.stream}: {'; '.join(s.reads)}: {s.requests} requests, {s.seen} listed, "
                f"{s.new} new, {s.changes} change(s){' (resumed)' if s.resumed else ''}\n"
            )
    return 0
