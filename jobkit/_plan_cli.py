"""``jobkit plan`` and ``jobkit ls --shard k/n`` / ``--unit JSON``: shell-level fan-out.

``jobkit plan --format jsonl`` prints one work unit per line; a line is run with
``jobkit ls --unit LINE`` (xargs, a batch array job). ``jobkit ls --shard k/n`` lists the
accounts of shard k of n (a cron per shard): the same listing as ``jobkit ls`` with only the
profiles the plan's rendezvous hash gives shard k. Kept apart from ``jobkit/cli.py``, which
only registers the arguments and calls ``listing()`` / ``run()``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from typing import IO, Any

from jobkit.api import jobs
from jobkit.core.availability import Skipped
from jobkit.core.fanout import Failure
from jobkit.core.stats import Stats
from jobkit.core.units import parse_shard
from jobkit.errors import UsageError
from jobkit.model import Job
from jobkit.planning import WorkUnit, plan, source_account

__all__ = ["add_ls_arguments", "add_parser", "listing", "run"]


def add_ls_arguments(ls: argparse.ArgumentParser) -> None:
    """``--shard k/n`` and ``--unit JSON`` of ``jobkit ls``."""
    ls.add_argument(
        "--shard",
        metavar="K/N",
        help="list only shard K of N (0 <= K < N): every profile lands in one shard, by a "
        "stable hash, so adding a profile moves only its own work",
    )
    ls.add_argument(
        "--unit",
        metavar="JSON",
        help="list one work unit: a line of `jobkit plan --format jsonl`",
    )


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``plan`` subcommand to the ``jobkit`` parser's subparsers."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "plan",
        help="print the work units of a listing (no job is listed)",
        description="Cut a listing into work units (adapter x region x account) without "
        "listing any job; run a unit with `jobkit ls --unit LINE`.",
    )
    parser.add_argument("adapters", nargs="*", metavar="ADAPTER", help="e.g. batch.jobs")
    parser.add_argument("--region", action="append", default=[], help="repeatable; `all`")
    parser.add_argument("--profile", action="append", default=[], help="repeatable")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--status", action="append", help="a JobStatus name; repeatable or a,b")
    parser.add_argument("--since", help="created at or after (fixed here for every unit)")
    parser.add_argument("--until", help="created before")
    parser.add_argument("--name-contains", help="substring of the job name")
    parser.add_argument("--shard", metavar="K/N", help="only the units of shard K of N")
    parser.add_argument("--format", choices=["jsonl", "json", "summary"], default="jsonl")
    return parser


def _statuses(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [part for value in values for part in value.split(",") if part]


def _params(pairs: list[str]) -> dict[str, str | list[str]] | None:
    out: dict[str, str | list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param {pair!r} is not KEY=VALUE", hint="e.g. --param jobQueue=q1")
        if key in out:
            before = out[key]
            out[key] = [*([before] if isinstance(before, str) else before), value]
        else:
            out[key] = value
    return out or None


def run(args: argparse.Namespace, out: IO[str]) -> int:
    """``jobkit plan``: print the units (one JSON line each), a JSON list or a summary."""
    units = plan(
        args.adapters or None,
        regions=args.region or None,
        profiles=args.profile or None,
        params=_params(args.param),
        status=_statuses(args.status),
        since=args.since,
        until=args.until,
        name_contains=args.name_contains,
    )
    if args.shard:
        units = units.shard(*parse_shard(args.shard))
    if args.format == "jsonl":
        out.write(units.to_jsonl())
    elif args.format == "json":
        out.write(json.dumps([unit.to_json() for unit in units.units], indent=2) + "\n")
    else:
        adapters = {unit.adapter for unit in units.units}
        regions = {unit.region for unit in units.units}
        out.write(
            f"{len(units)} units: {len(units.accounts)} account(s) x {len(adapters)} adapter(s) "
            f"x {len(regions)} region(s); {len(units.skipped)} skipped (not offered)\n"
        )
    return 0


class _Nothing:
    """The listing of a shard that holds no account: no jobs, nothing failed."""

    def __init__(self) -> None:
        self.stats = Stats()
        self.failures: list[Failure] = []
        self.skipped: list[Skipped] = []

    def __iter__(self) -> Iterator[Job]:
        return iter(())

    def __enter__(self) -> _Nothing:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


_UNIT_SAYS = ("adapters", "region", "profile", "param", "status", "since", "until", "org_role")


def listing(args: argparse.Namespace, adapters: Any, **options: Any) -> Any:
    """The listing ``jobkit ls`` runs: ``jobkit.jobs(...)``, one unit (``--unit``) or the
    accounts of one shard (``--shard``)."""
    if getattr(args, "unit", None):
        given = [name for name in _UNIT_SAYS if getattr(args, name, None)]
        if given or args.shard or args.limit or args.name_contains:
            raise UsageError(
                "--unit says what to list: it takes no adapters, regions, profiles, "
                "params, filters, --limit or --shard",
                hint="run the line as it is: jobkit ls --unit LINE [--format jsonl]",
            )
        return WorkUnit.from_json(args.unit).jobs()
    if not getattr(args, "shard", None):
        return jobs(adapters, **options)
    k, n = parse_shard(args.shard)
    if options.get("limit"):
        raise UsageError(
            "--limit cannot be combined with --shard",
            hint="each shard lists its own accounts; take the first rows of the merged output",
        )
    selection = {
        name: options[name]
        for name in (
            "regions",
            "params",
            "profiles",
            "accounts",
            "status",
            "since",
            "until",
            "name_contains",
        )
        if options.get(name) is not None
    }
    shard = plan(adapters, **selection).shard(k, n)
    if not shard.accounts:
        return _Nothing()
    if options.get("profiles") is not None or options.get("accounts") is not None:
        # The same listing as without --shard, over the shard's accounts only (an
        # Organization was asked for its accounts once, by plan()).
        chosen = [source_account(label, source) for label, source in shard.accounts]
        options = {**options, "profiles": None, "accounts": chosen}
    return jobs(adapters, **options)
