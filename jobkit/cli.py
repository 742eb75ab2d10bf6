"""The ``jobkit`` command: ``jobkit ls``, ``jobkit adapters``, ``jobkit emulator``.

Exit codes: 0 when everything was listed; 1 when AWS (or the endpoint) failed part or all of
the listing, after printing what was listed; 2 when the command itself is wrong (a bad flag,
an unknown adapter, a missing scope), before anything is sent. Errors go to stderr as one
line, followed by the error's hint.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import inspect
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO, Any

import jobkit
from jobkit.adapters import REGISTRY
from jobkit.errors import JobkitError, UsageError
from jobkit.model import Job, JobStatus
from jobkit.notebook import COLUMNS, job_record, text_table

__all__ = ["FILTER_FLAGS", "adapters_markdown", "main"]

#: ``jobkit ls`` flags that map to ``jobs()`` filter keyword arguments (flag dest -> kwarg).
FILTER_FLAGS: Mapping[str, str] = {
    "status": "status",
    "since": "since",
    "until": "until",
    "name_contains": "name_contains",
    "limit": "limit",
    "order": "order",
}

_EXIT_OK, _EXIT_FAILED, _EXIT_USAGE = 0, 1, 2


# --------------------------------------------------------------------------- parser


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobkit",
        description="List jobs across AWS services (SageMaker, Batch, Comprehend Medical, "
        "Clean Rooms ML) through one API.",
    )
    parser.add_argument("--version", action="version", version=f"jobkit {jobkit.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ls = sub.add_parser(
        "ls",
        help="list jobs",
        description="List jobs of the given adapters (default: all) and print them.",
    )
    ls.add_argument("adapters", nargs="*", metavar="ADAPTER", help="e.g. sagemaker.processing")
    ls.add_argument("--region", action="append", default=[], help="repeatable")
    ls.add_argument("--profile", action="append", default=[], help="AWS profile; repeatable")
    ls.add_argument(
        "--status", action="append", help="a JobStatus name (e.g. failed); repeatable or a,b"
    )
    ls.add_argument("--since", help="created at or after: ISO date/time or relative (7d, 12h)")
    ls.add_argument("--until", help="created before: ISO date/time or relative (90m)")
    ls.add_argument("--name-contains", help="substring of the job name")
    ls.add_argument("--limit", type=_positive_int, help="stop after N jobs")
    ls.add_argument("--order", choices=["created-desc", "created-asc"])
    ls.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="scope or request parameter by its AWS name (e.g. jobQueue=q1); repeatable",
    )
    ls.add_argument("--format", choices=["table", "json", "jsonl", "csv"], default="table")
    ls.add_argument(
        "--emulator",
        action="store_true",
        help="list from a bundled loopback emulator (no AWS account needed)",
    )

    ad = sub.add_parser("adapters", help="list the adapters", description="List the adapters.")
    ad.add_argument("--format", choices=["table", "json", "markdown"], default="table")

    # Forwarded whole to jobkit.testing's own parser (see main()); listed here for --help.
    sub.add_parser(
        "emulator",
        help="run the loopback emulator (see `jobkit emulator --help`)",
        add_help=False,
    )
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _params(pairs: Sequence[str]) -> dict[str, str | list[str]]:
    params: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key or not value:
            raise UsageError(
                f"--param needs KEY=VALUE, got {pair!r}", hint="e.g. --param jobQueue=my-queue"
            )
        params.setdefault(key, []).append(value)
    # One value stays a string: request members (not scopes) accept only a single string.
    return {k: v[0] if len(v) == 1 else v for k, v in params.items()}


def _filter_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The filter kwargs the user gave; each one must be accepted by this jobkit's jobs()."""
    accepted = inspect.signature(jobkit.jobs).parameters
    kwargs: dict[str, Any] = {}
    for dest, kwarg in FILTER_FLAGS.items():
        value = getattr(args, dest)
        if value is None:
            continue
        if dest == "status":
            words = [w.strip() for item in value for w in item.split(",") if w.strip()]
            value = words[0] if len(words) == 1 else words
        if kwarg not in accepted:
            if dest == "limit":
                continue  # applied by the CLI itself below
            flag = "--" + dest.replace("_", "-")
            raise UsageError(
                f"{flag} is not supported by this version of jobkit",
                hint="upgrade jobkit, or leave the flag out",
            )
        kwargs[kwarg] = value
    return kwargs


# --------------------------------------------------------------------------- output


class _Writer:
    """Writes jobs in one format; streaming formats write as jobs arrive."""

    def __init__(self, fmt: str, out: IO[str]) -> None:
        self.fmt = fmt
        self.out = out
        self.count = 0
        self._held: list[Job] = []
        self._csv: Any = None
        if fmt == "csv":
            self._csv = csv.writer(out, lineterminator="\n")
            self._csv.writerow([*COLUMNS, "extras"])

    def write(self, job: Job) -> None:
        self.count += 1
        if self.fmt == "jsonl":
            self.out.write(json.dumps(job_record(job)) + "\n")
            self.out.flush()
        elif self.fmt == "csv":
            record = job_record(job)
            row = ["" if record[c] is None else record[c] for c in COLUMNS]
            self._csv.writerow([*row, json.dumps(record["extras"])])
        else:
            self._held.append(job)

    def close(self) -> None:
        if self.fmt == "table":
            self.out.write(text_table(self._held) + "\n")
        elif self.fmt == "json":
            json.dump([job_record(job) for job in self._held], self.out, indent=2)
            self.out.write("\n")
        self.out.flush()


def _report(error: JobkitError, err: IO[str]) -> None:
    text = str(error)
    head = text.split("\n  hint: ", 1)[0] if error.hint else text
    err.write("jobkit: error: " + " ".join(head.split()) + "\n")
    if error.hint:
        err.write(f"  hint: {' '.join(error.hint.split())}\n")


@contextlib.contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _session(profile: str) -> Any:
    import boto3  # noqa: PLC0415 - only --profile needs it here
    from botocore.exceptions import ProfileNotFound  # noqa: PLC0415

    try:
        return boto3.Session(profile_name=profile)
    except ProfileNotFound as exc:
        raise UsageError(
            f"unknown AWS profile {profile!r}",
            hint="`aws configure list-profiles` shows the profiles of this machine",
        ) from exc


def _ls(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    kwargs = _filter_kwargs(args)
    params = _params(args.param)
    limit: int | None = args.limit
    failed = False
    with contextlib.ExitStack() as stack:
        endpoint_url = None
        if args.emulator:
            from jobkit.testing import Emulator  # noqa: PLC0415 - only --emulator needs it

            emu = stack.enter_context(Emulator())
            region = args.region[0] if args.region else "us-east-1"
            # The environment, not endpoint_url=: S3 Control needs its own endpoint (see
            # Emulator.env), which an explicit endpoint_url would override.
            stack.enter_context(_environ(emu.env(region=region)))
        writer = _Writer(args.format, out)
        # Every adapter, region and profile is listed concurrently; a stream that fails does
        # not stop the others ("collect"), and the exit code says that the output is partial.
        listing = jobkit.jobs(
            args.adapters or None,
            regions=args.region or None,
            params=params or None,
            profiles=args.profile or None,
            endpoint_url=endpoint_url,
            errors="collect",
            **kwargs,
        )
        try:
            with listing:
                for job in listing:
                    writer.write(job)
                    if limit is not None and writer.count >= limit:
                        break
        except UsageError:
            raise
        except JobkitError as exc:
            failed = True
            _report(exc, err)
        # Streams of one adapter share a cause (a queue that does not exist fails every
        # status partition): report each distinct error once.
        reported: set[tuple[object, ...]] = set()
        for failure in listing.failures:
            failed = True
            error = failure.error
            key = (type(error), error.adapter, error.region, failure.account, error.message)
            if key not in reported:
                reported.add(key)
                _report(error, err)
        writer.close()
    return _EXIT_FAILED if failed else _EXIT_OK


# --------------------------------------------------------------------------- adapters


#: Any fixed instant: push-down plans depend on whether a bound is given, not on its value.
REFERENCE_MOMENT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def pushdown_summary(name: str) -> str:
    """What the adapter's API filters itself, as ``part (request member)``; "-" for none.

    Each query part is planned alone (Batch, for one, pushes a time bound *or* the status).
    """
    from jobkit.core import pushdown  # noqa: PLC0415 - only the adapters listing needs it
    from jobkit.core.query import Query  # noqa: PLC0415

    spec = REGISTRY[name]
    moment = REFERENCE_MOMENT
    probes = [Query(statuses=frozenset({s})) for s in JobStatus if s is not JobStatus.UNKNOWN]
    probes += [Query(since=moment), Query(until=moment), Query(name_contains="x")]
    pushed: dict[str, str] = {}
    for probe in probes:
        for part, member in pushdown.plan(probe, spec).pushed.items():
            pushed.setdefault(part, member)
    order = ("status", "since", "until", "name_contains")
    return ", ".join(f"{p} ({pushed[p]})" for p in order if p in pushed) or "-"


def adapters_markdown() -> str:
    """The page ``docs/adapters.md``, generated from the adapter registry.

    Regenerate it with ``python -m jobkit.cli adapters --format markdown > docs/adapters.md``;
    a test fails when the committed page is stale.
    """
    lines = [
        "# Adapters",
        "",
        "<!-- Generated by `python -m jobkit.cli adapters --format markdown`; do not edit. -->",
        "",
        "One adapter per AWS list operation. Scope parameters are passed in `params=` (or",
        "`--param KEY=VALUE` on the command line) by their AWS names; the ones marked",
        "*discovered* are found by jobkit when not given (`discover=False` turns that off);",
        "an adapter with a *required* one (no API lists its values) is listed only when named.",
        "",
        "The *push-down* column names the filters the service applies itself (and the request",
        "member that carries each); jobkit applies every filter on the client as well, so the",
        "result is the same either way.",
        "",
        "| adapter | service | operation | scope parameters | push-down | status "
        "| botocore paginator |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for info in jobkit.adapters():
        scope = (
            ", ".join(
                f"`{name}`" + (" (discovered)" if name in info.discoverable else " (required)")
                for name in info.scope
            )
            or "-"
        )
        status = _md(info.status_rule) if info.status_rule else "the service's status field"
        lines.append(
            f"| `{info.name}` | {info.service} | {info.operation} | {scope} "
            f"| {_md(pushdown_summary(info.name))} | {status} "
            f"| {'yes' if info.botocore_paginator else 'no (jobkit pages itself)'} |"
        )
    lines += ["", "## Descriptions", ""]
    lines += [f"- `{info.name}`: {_md(info.description)}." for info in jobkit.adapters()]
    lines += [
        "",
        "## Status mapping",
        "",
        "Each service word maps onto one `JobStatus`; the word itself stays on `Job.raw_status`.",
        "",
    ]
    for info in jobkit.adapters():
        spec = REGISTRY[info.name]
        if spec.status_field is None:
            lines.append(f"- `{info.name}` (derived): {_md(info.status_rule or '')}")
            continue
        words: dict[JobStatus, list[str]] = {}
        for word, mapped_to in spec.status_map.items():
            words.setdefault(mapped_to, []).append(f"`{word}`")
        mapped = "; ".join(f"{s.value} ← {', '.join(words[s])}" for s in JobStatus if s in words)
        lines.append(f"- `{info.name}` (`{spec.status_field}`): {mapped}")
    return "\n".join(lines) + "\n"


def _adapters(args: argparse.Namespace, out: IO[str]) -> int:
    infos = jobkit.adapters()
    if args.format == "markdown":
        out.write(adapters_markdown())
    elif args.format == "json":
        rows = [
            {
                "name": i.name,
                "service": i.service,
                "operation": i.operation,
                "description": i.description,
                "scope": list(i.scope),
                "discoverable": list(i.discoverable),
                "status_rule": i.status_rule,
                "botocore_paginator": i.botocore_paginator,
            }
            for i in infos
        ]
        out.write(json.dumps(rows, indent=2) + "\n")
    else:
        table = [("ADAPTER", "OPERATION", "SCOPE", "PUSH-DOWN")] + [
            (
                i.name,
                f"{i.service}:{i.operation}",
                ", ".join(i.scope) or "-",
                pushdown_summary(i.name),
            )
            for i in infos
        ]
        widths = [max(len(row[c]) for row in table) for c in range(4)]
        for row in table:
            out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
            out.write("\n")
    return _EXIT_OK


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``jobkit`` command with ``argv`` (default: ``sys.argv[1:]``); returns the
    exit code: 0 ok, 1 listing failed (partly), 2 usage error."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["emulator"]:
        from jobkit.testing._cli import main as emulator_main  # noqa: PLC0415

        try:
            return emulator_main(args_list[1:])
        except SystemExit as exit_:
            return exit_.code if isinstance(exit_.code, int) else _EXIT_USAGE
    out, err = sys.stdout, sys.stderr
    try:
        args = _parser().parse_args(args_list)
    except SystemExit as exit_:
        # argparse exits 2 on a usage error and 0 after --help / --version.
        return exit_.code if isinstance(exit_.code, int) else _EXIT_USAGE
    commands: dict[str, Callable[[], int]] = {
        "ls": lambda: _ls(args, out, err),
        "adapters": lambda: _adapters(args, out),
    }
    try:
        return commands[args.command]()
    except UsageError as exc:
        _report(exc, err)
        return _EXIT_USAGE
    except JobkitError as exc:
        _report(exc, err)
        return _EXIT_FAILED
    except KeyboardInterrupt:
        err.write("jobkit: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, and keep Python's exit-time
        # flush of stdout from raising again.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
