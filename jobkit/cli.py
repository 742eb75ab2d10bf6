"""The ``jobkit`` command: ``jobkit ls``, ``jobkit adapters``, ``jobkit emulator``.

Exit codes (docs/cli.md): 0 when everything was listed; 3 when everything that could be
listed was, but some streams were skipped (a region where the service is not offered, access
denied, opt-in required, ...; each reported on stderr); 1 when AWS (or the endpoint) failed
part or all of the listing, after printing what was listed; 2 when the command itself is
wrong (a bad flag, an unknown adapter, a missing scope), before anything is sent. Errors go
to stderr as one line, followed by the error's hint, written in the command's own syntax.

Output goes to stdout as jobs arrive. In a terminal the table fits its width; written to a
pipe or a file it is full width. Progress, skipped streams and errors go to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import difflib
import io
import json
import logging
import math
import os
import re
import shlex
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO, Any, Literal

import jobkit
from jobkit import _plan_cli, _sync_cli, _watch_cli
from jobkit._account_cli import add_account_options, organization
from jobkit.adapters import REGISTRY, resolve
from jobkit.core.availability import REASONS, Skipped
from jobkit.core.stats import Stats
from jobkit.errors import JobkitError, UnknownAdapterError, UsageError
from jobkit.model import Job, JobStatus
from jobkit.present.records import COLUMNS, job_record

__all__ = ["adapters_markdown", "cli_syntax", "main", "skipped_report"]

_EXIT_OK, _EXIT_FAILED, _EXIT_USAGE, _EXIT_SKIPPED = 0, 1, 2, 3

#: ``--order`` choice that keeps the streams' arrival order (the fastest first rows).
_ARRIVAL = "arrival"


# --------------------------------------------------------------------------- parser


def _services() -> list[str]:
    """The services of the registered adapters (botocore names), sorted."""
    return sorted({spec.service for spec in REGISTRY.values()})


def _parser() -> argparse.ArgumentParser:
    description = (
        f"List jobs across {len(_services())} AWS services through one API: "
        + ", ".join(_services())
        + f" ({len(REGISTRY)} adapters; `jobkit adapters` lists them)."
    )
    parser = argparse.ArgumentParser(
        prog="jobkit",
        # Wrapped here, never inside a service name (argparse breaks on hyphens).
        description=textwrap.fill(description, width=78, break_on_hyphens=False),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"jobkit {jobkit.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ls = sub.add_parser(
        "ls",
        help="list jobs",
        description="List jobs of the given adapters (default: all) and print them as they "
        "arrive. Exit codes: 0 complete, 3 complete except skipped streams, 1 a stream failed, "
        "2 usage error.",
    )
    ls.add_argument("adapters", nargs="*", metavar="ADAPTER", help="e.g. sagemaker.processing")
    ls.add_argument("--region", action="append", default=[], help="repeatable; `all` for every")
    ls.add_argument("--profile", action="append", default=[], help="AWS profile; repeatable")
    add_account_options(ls)
    ls.add_argument(
        "--status", action="append", help="a JobStatus name (e.g. failed); repeatable or a,b"
    )
    ls.add_argument("--since", help="created at or after: ISO date/time or relative (7d, 12h)")
    ls.add_argument("--until", help="created before: ISO date/time or relative (90m)")
    ls.add_argument("--name-contains", help="substring of the job name")
    ls.add_argument("--limit", type=_positive_int, help="stop after N jobs (newest first)")
    ls.add_argument(
        "--order",
        choices=["created-desc", "created-asc", _ARRIVAL],
        help="created-desc (the default with --limit), created-asc, or arrival: as the "
        "streams answer (the default without --limit)",
    )
    ls.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="scope or request parameter by its AWS name (e.g. jobQueue=q1); repeatable",
    )
    ls.add_argument("--format", choices=["table", "json", "jsonl", "csv"], default="table")
    ls.add_argument(
        "--wide", action="store_true", help="in a terminal too, print the table full width"
    )
    ls.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="a progress bar on stderr (default: on a terminal, once a listing takes over 1 s)",
    )
    ls.add_argument(
        "--max-concurrency", type=_positive_int, default=8, help="calls in flight (default 8)"
    )
    ls.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log retries, failed and skipped streams on stderr as they happen",
    )
    ls.add_argument(
        "--emulator",
        action="store_true",
        help="list from a bundled loopback emulator (no AWS account needed)",
    )
    _plan_cli.add_ls_arguments(ls)

    ad = sub.add_parser("adapters", help="list the adapters", description="List the adapters.")
    ad.add_argument("--format", choices=["table", "json", "markdown"], default="table")
    ad.add_argument(
        "--wide", action="store_true", help="in a terminal too, print the table full width"
    )

    _sync_cli.add_parser(sub)
    _watch_cli.add_parser(sub)
    _plan_cli.add_parser(sub)

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


def _statuses(values: Sequence[str] | None) -> list[str] | None:
    """``--status`` values, repeated or comma-separated, as one list (None: not given)."""
    if values is None:
        return None
    return [word.strip() for item in values for word in item.split(",") if word.strip()]


def _order(args: argparse.Namespace) -> Literal["created-desc", "created-asc"] | None:
    """``jobs(order=)``: newest first when ``--limit`` is given, so the N jobs printed are
    the N newest of every stream, not the first N of whichever stream answered first."""
    if args.order == "created-asc":
        return "created-asc"
    if args.order == "created-desc" or (args.order is None and args.limit is not None):
        return "created-desc"
    return None  # --order arrival, or no order asked for


def _filters_text(args: argparse.Namespace) -> str:
    """The filter flags given, as they would be typed ("" for none)."""
    parts: list[str] = []
    if args.status:
        parts += ["--status", ",".join(_statuses(args.status) or [])]
    for flag, value in (
        ("--since", args.since),
        ("--until", args.until),
        ("--name-contains", args.name_contains),
    ):
        if value is not None:
            parts += [flag, value]
    return shlex.join(parts)


# --------------------------------------------------------------------------- errors


#: ``jobs()`` keywords that have a ``jobkit ls`` flag: hints are rewritten to the flag.
_KEYWORD_FLAGS: Mapping[str, str] = {
    "regions": "--region",
    "profiles": "--profile",
    "session": "--profile",
    "params": "--param",
    "status": "--status",
    "since": "--since",
    "until": "--until",
    "name_contains": "--name-contains",
    "limit": "--limit",
    "order": "--order",
    "max_concurrency": "--max-concurrency",
}
_KEYWORD = r"(?<![\w.\[])(" + "|".join(_KEYWORD_FLAGS) + r")="
_QUOTED = r"'[^']*'|\"[^\"]*\""
_LIST_VALUE = re.compile(_KEYWORD + r"\[([^\]]*)\]")
_SCALAR_VALUE = re.compile(_KEYWORD + r"(" + _QUOTED + r"|[\w.:-]+)")
_BARE = re.compile(_KEYWORD)
_DICT = re.compile(r"(?<![\w.])(?:params=)?\{(\s*(?:" + _QUOTED + r")\s*:[^{}]*)\}")
_DICT_ENTRY = re.compile(r"(" + _QUOTED + r")\s*:\s*(\[[^\]]*\]|" + _QUOTED + r"|\.\.\.)")
_STRINGS = re.compile(_QUOTED)
_RESUME = re.compile(r";?\s*resume where it stopped with jobs\([^)]*\)")


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _flag(flag: str, value: str) -> str:
    return f"{flag} {shlex.quote(value)}"


def _dict_as_params(match: re.Match[str]) -> str:
    parts = []
    for key, value in _DICT_ENTRY.findall(match.group(1)):
        values = _STRINGS.findall(value) if value.startswith("[") else [value]
        parts += [_flag("--param", f"{_unquote(key)}={_unquote(v)}") for v in values]
    return " ".join(parts) if parts else match[0]


def cli_syntax(text: str) -> str:
    """``text`` (a message or hint written for the Python API) in ``jobkit ls`` syntax:
    ``regions=['us-east-1']`` becomes ``--region us-east-1``, ``params={'jobQueue': 'q'}``
    becomes ``--param jobQueue=q``; keywords without a flag are left as they are."""
    text = _RESUME.sub("", text)
    text = text.replace("`jobkit.adapters()`", "`jobkit adapters`")
    text = _DICT.sub(_dict_as_params, text)
    text = _LIST_VALUE.sub(
        lambda m: (
            " ".join(_flag(_KEYWORD_FLAGS[m[1]], _unquote(v)) for v in _STRINGS.findall(m[2]))
            or _KEYWORD_FLAGS[m[1]]
        ),
        text,
    )
    text = _SCALAR_VALUE.sub(lambda m: _flag(_KEYWORD_FLAGS[m[1]], _unquote(m[2])), text)
    text = _BARE.sub(lambda m: _KEYWORD_FLAGS[m[1]], text)
    return re.sub(r"(?<![\w.])max_concurrency\b", "--max-concurrency", text)


#: How many close matches the message of an unknown adapter names at most.
_MAX_MATCHES = 6


def _unknown_adapter(error: UnknownAdapterError) -> tuple[str, str]:
    """The message and hint of an unknown adapter: a few close matches, not all names."""
    names = sorted(REGISTRY)
    matches = list(getattr(error, "suggestions", None) or [])
    if not matches:
        matches = difflib.get_close_matches(error.name, names, n=3, cutoff=0.4)
    shown = ", ".join(map(repr, matches[:_MAX_MATCHES]))
    more = f" (and {len(matches) - _MAX_MATCHES} more)" if len(matches) > _MAX_MATCHES else ""
    message = f"unknown adapter {error.name!r}." + (
        f" Did you mean {shown}{more}?" if shown else ""
    )
    return message, f"`jobkit adapters` lists all {len(names)} adapters"


def _report(error: JobkitError, err: IO[str]) -> None:
    """One line for the error, one for its hint, both in the command's syntax."""
    hint = error.hint
    if isinstance(error, UnknownAdapterError):
        head, hint = _unknown_adapter(error)
    else:
        text = str(error)
        head = text.split("\n  hint: ", 1)[0] if error.hint else text
        if isinstance(error, UsageError):  # a service's own message is left as it came
            head = cli_syntax(head)
    err.write("jobkit: error: " + " ".join(head.split()) + "\n")
    if hint:
        err.write(f"  hint: {' '.join(cli_syntax(hint).split())}\n")


# --------------------------------------------------------------------------- terminal


def _terminal_width(stream: IO[str]) -> int | None:
    """The width of the terminal ``stream`` writes to; None when it is not a terminal."""
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        return 80


def _ellipsis(stream: IO[str]) -> str:
    try:
        "…".encode(getattr(stream, "encoding", None) or "ascii")
    except (LookupError, UnicodeEncodeError):
        return "~"
    return "…"


class _Screen:
    """stdout and stderr of one command, and the progress bar on stderr.

    The bar is redrawn by its own thread from the listing's stats (at most ten times a
    second), after ``delay`` seconds so that short listings never show it. Everything else
    is written through ``out`` and ``err``, which clear the bar first: rows, messages and
    the bar never share a line when stdout and stderr are the same terminal.
    """

    _BAR = 20

    def __init__(self, out: IO[str], err: IO[str]) -> None:
        self._out = out
        self._err = err
        self._lock = threading.Lock()
        self._drawn = False  # the bar is on the screen (a terminal) and must be cleared
        self._shown = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._stats: Stats | None = None
        self._count: Callable[[], int] = lambda: 0
        self._limit: int | None = None
        self._started = time.monotonic()
        self._tty = _terminal_width(err) is not None

    def out(self, text: str) -> None:
        """Write ``text`` (whole lines) to stdout now."""
        with self._lock:
            self._clear()
            self._out.write(text)
            self._out.flush()

    def err(self, text: str) -> None:
        """Write ``text`` (whole lines) to stderr now."""
        with self._lock:
            self._clear()
            self._err.write(text)
            self._err.flush()

    def start_bar(
        self, stats: Stats, count: Callable[[], int], *, limit: int | None, delay: float
    ) -> None:
        """Show the bar of ``stats`` (jobs printed: ``count()``) from ``delay`` seconds on."""
        self._stats, self._count, self._limit = stats, count, limit
        self._started = time.monotonic()
        self._shown = delay == 0  # asked for: its final state shows even when it was quick
        interval = 0.1 if self._tty else 1.0  # a file gets a line a second, not a redraw

        def run() -> None:
            while not self._stop.wait(interval):
                if time.monotonic() - self._started >= delay:
                    self._draw()

        self._thread = threading.Thread(target=run, name="jobkit-progress", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the bar; once shown, its last state stays on its own line."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        if self._shown:
            self._draw()
            with self._lock:
                if self._drawn:
                    self._err.write("\n")
                    self._err.flush()
                    self._drawn = False

    def _clear(self) -> None:
        if self._drawn:
            self._err.write("\r\x1b[K")
            self._err.flush()
            self._drawn = False

    def _line(self) -> str:
        stats = self._stats
        assert stats is not None
        printed, done, total = self._count(), stats.streams_done, stats.streams
        # The streams finished; with a limit, the jobs printed may say it is further on (an
        # ordered listing prints nothing until every stream has read far enough).
        fraction = max(done / total if total else 0.0, printed / (self._limit or math.inf))
        filled = round(min(1.0, fraction) * self._BAR)
        parts = [f"{done}/{total} streams", f"{printed:,} jobs", f"{stats.pages:,} pages"]
        if stats.retries:
            parts.append(f"{stats.retries:,} retries")
        parts.append(f"{time.monotonic() - self._started:.0f} s")
        text = "[" + "#" * filled + "." * (self._BAR - filled) + "] " + ", ".join(parts)
        width = _terminal_width(self._err)
        return text[: width - 1] if width else text

    def _draw(self) -> None:
        with self._lock:
            line = self._line()
            if self._tty:
                self._err.write("\r" + line + "\x1b[K")
                self._drawn = True
            else:
                self._err.write(line + "\n")
            self._err.flush()
            self._shown = True


class _LogHandler(logging.Handler):
    """jobkit's log records, written through the screen (``-v``)."""

    def __init__(self, screen: _Screen) -> None:
        super().__init__(logging.INFO)
        self._screen = screen

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._screen.err(self.format(record) + "\n")
        except Exception:  # logging must never break the listing
            self.handleError(record)


@contextlib.contextmanager
def _logging(screen: _Screen, verbose: bool) -> Iterator[None]:
    """jobkit's log on stderr with ``-v``. Without it the handler takes only errors: the
    command reports failed and skipped streams itself, once, at the end (logging's last
    resort handler would print each warning as well)."""
    logger = logging.getLogger("jobkit")
    handler = _LogHandler(screen)
    handler.setLevel(logging.INFO if verbose else logging.ERROR)
    saved = logger.level
    if verbose:
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved)


# --------------------------------------------------------------------------- output formats


def _time(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


class _Column:
    """A fixed-width column of the jobs table."""

    __slots__ = ("drop", "get", "title", "width")

    def __init__(
        self, title: str, get: Callable[[Job], str], width: int, drop: int | None = None
    ) -> None:
        self.title = title
        self.get = get
        self.width = max(width, len(title))
        #: Fitting a terminal drops columns in rising ``drop`` order; None: never dropped.
        self.drop = drop


#: The NAME column (the last one) keeps at least this width in a terminal.
_NAME_MIN = 16
_TIME_WIDTH = 19
_REGION_WIDTH = len("ap-southeast-2")  # the longest region names in botocore today


def _table_columns(specs: Sequence[Any], regions: Sequence[str], profiles: int) -> list[_Column]:
    """The columns before NAME, each as wide as what can appear in it (known before any job
    arrives: the adapters' names and status words, the regions asked for), so rows can be
    printed as they arrive and stay aligned."""
    statuses: set[JobStatus] = set()
    words: set[str] = {"-"}
    for spec in specs:
        if spec.status_field is None:  # a derived status: any
            statuses |= set(JobStatus)
        else:
            statuses |= {*spec.status_map.values(), JobStatus.UNKNOWN}
            words |= set(spec.status_map)
    one_region = len(regions) <= 1 and "all" not in regions
    region_width = max(map(len, regions)) if regions and "all" not in regions else _REGION_WIDTH
    columns = [
        _Column("ADAPTER", lambda j: j.adapter, max(len(s.name) for s in specs)),
        _Column("STATUS", lambda j: j.status.value, max(len(s.value) for s in statuses)),
        _Column("RAW STATUS", lambda j: j.raw_status or "-", max(map(len, words)), drop=1),
        _Column("CREATED (UTC)", lambda j: _time(j.created), _TIME_WIDTH, drop=5),
        _Column("ENDED (UTC)", lambda j: _time(j.ended), _TIME_WIDTH, drop=2),
        # One region is the same on every row: the first column a terminal gives up.
        _Column("REGION", lambda j: j.region, region_width, drop=0 if one_region else 3),
    ]
    if profiles > 1:
        columns.append(_Column("ACCOUNT", lambda j: j.account or "-", 12, drop=4))
    return columns


def _fit(columns: Sequence[_Column], width: int) -> tuple[list[_Column], int]:
    """The columns that fit ``width`` beside a NAME column, and NAME's width."""
    kept = list(columns)

    def used() -> int:
        return sum(column.width + 2 for column in kept)

    for column in sorted((c for c in columns if c.drop is not None), key=lambda c: c.drop or 0):
        if used() + _NAME_MIN <= width:
            break
        kept.remove(column)
    excess = used() + _NAME_MIN - width
    if excess > 0:  # a very narrow terminal: the adapter column gives way, down to 8
        first = kept[0]
        kept[0] = _Column(first.title, first.get, max(8, first.width - excess), first.drop)
    return kept, max(1, width - used())


class _Table:
    """The jobs table, one row written per job as it arrives; NAME, the one column whose
    width cannot be known in advance, comes last. ``width``: fit a terminal of that width
    (drop columns, then cut names); None: full width, nothing cut."""

    def __init__(
        self,
        emit: Callable[[str], None],
        columns: Sequence[_Column],
        width: int | None,
        ellipsis: str,
    ) -> None:
        self._emit = emit
        self._width = width
        self._ellipsis = ellipsis
        if width is None:
            self._columns, self._name_width = list(columns), None
        else:
            self._columns, self._name_width = _fit(columns, width)
        self._emit(self._line([c.title for c in self._columns], "NAME"))

    def _cut(self, text: str, width: int) -> str:
        if self._width is None or len(text) <= width:
            return text
        return text[: max(0, width - 1)] + self._ellipsis

    def _line(self, cells: Sequence[str], name: str) -> str:
        parts = [
            self._cut(cell, c.width).ljust(c.width)
            for cell, c in zip(cells, self._columns, strict=True)
        ]
        if self._name_width is not None:
            name = self._cut(name, self._name_width)
        line = "  ".join([*parts, name]).rstrip()
        return (line if self._width is None else line[: self._width]) + "\n"

    def write(self, job: Job) -> None:
        self._emit(self._line([c.get(job) for c in self._columns], job.name or "-"))

    def close(self) -> None:
        """Nothing is held back."""


class _Json:
    """One JSON list, written as jobs arrive; the same text as ``json.dump(..., indent=2)``.

    Each element is written when the next one (or the end) arrives, with its comma, so that
    every write ends a line."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._pending: str | None = None

    def write(self, job: Job) -> None:
        text = textwrap.indent(json.dumps(job_record(job), indent=2), "  ")
        if self._pending is None:
            self._emit("[\n")
        else:
            self._emit(self._pending + ",\n")
        self._pending = text

    def close(self) -> None:
        self._emit("[]\n" if self._pending is None else self._pending + "\n]\n")


class _Jsonl:
    """One JSON object per line."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit

    def write(self, job: Job) -> None:
        self._emit(json.dumps(job_record(job)) + "\n")

    def close(self) -> None:
        """Nothing is held back."""


class _Csv:
    """A header row, then one row per job; ``extras`` as a JSON column."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\n")
        self._row([*COLUMNS, "extras"])

    def _row(self, row: Sequence[Any]) -> None:
        self._csv.writerow(row)
        self._emit(self._buffer.getvalue())
        self._buffer.seek(0)
        self._buffer.truncate()

    def write(self, job: Job) -> None:
        record = job_record(job)
        row = ["" if record[c] is None else record[c] for c in COLUMNS]
        self._row([*row, json.dumps(record["extras"])])

    def close(self) -> None:
        """Nothing is held back."""


class _Counted:
    """A format writer that counts the jobs written."""

    def __init__(self, writer: _Table | _Json | _Jsonl | _Csv) -> None:
        self.writer = writer
        self.count = 0

    def write(self, job: Job) -> None:
        self.writer.write(job)
        self.count += 1

    def close(self) -> None:
        self.writer.close()


def _writer(args: argparse.Namespace, screen: _Screen, out: IO[str]) -> _Counted:
    if args.format == "json":
        return _Counted(_Json(screen.out))
    if args.format == "jsonl":
        return _Counted(_Jsonl(screen.out))
    if args.format == "csv":
        return _Counted(_Csv(screen.out))
    specs = resolve(args.adapters or None)
    columns = _table_columns(specs, args.region, len(args.profile))
    width = None if args.wide else _terminal_width(out)
    return _Counted(_Table(screen.out, columns, width, _ellipsis(out)))


# --------------------------------------------------------------------------- ls


#: Up to this many skipped streams get one line each; more are summarized by reason.
_SKIPPED_LINES = 8


def _skip_fields(record: Skipped) -> tuple[str, str, str | None, str, str]:
    """adapter, region, account, scope and reason (its description, and the service's error
    code where there is one) of a skipped stream."""
    scope = ", ".join(f"{k}={v}" for k, v in sorted(record.scope.items()))
    reason = REASONS.get(record.reason, record.reason)
    code = getattr(record.error, "code", None)
    if code:
        reason = f"{reason} ({code})"
    return record.adapter, record.region, record.account, scope, reason


def _some(items: Sequence[str], most: int = 4) -> str:
    distinct = list(dict.fromkeys(items))
    more = f", +{len(distinct) - most} more" if len(distinct) > most else ""
    return ", ".join(distinct[:most]) + more


def skipped_report(skipped: Sequence[Skipped]) -> list[str]:
    """The stderr lines for skipped streams: one each, or one per reason when many."""
    fields = [_skip_fields(record) for record in skipped]
    if len(fields) <= _SKIPPED_LINES:
        lines = []
        for adapter, region, account, scope, reason in fields:
            where = f"{adapter} in {region}"
            details = [f"account {account}"] if account else []
            details += [scope] if scope else []
            where += f" ({'; '.join(details)})" if details else ""
            lines.append(f"jobkit: skipped {where}: {reason}")
        return lines
    by_reason: dict[str, list[tuple[str, str, str | None, str, str]]] = {}
    for entry in fields:
        by_reason.setdefault(entry[4], []).append(entry)
    lines = [f"jobkit: skipped {len(fields)} streams:"]
    for reason, entries in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        adapters = _some([e[0] for e in entries])
        regions = _some([e[1] for e in entries], most=6)
        accounts = [e[2] for e in entries if e[2]]
        where = f"{adapters} in {regions}"
        if accounts:
            where += f" (accounts {_some(accounts)})"
        lines.append(f"  {reason} ({len(entries)}): {where}")
    return lines


def _wrap(line: str, width: int | None) -> str:
    """``line`` wrapped to a terminal's ``width`` (None: as it is), continuations indented."""
    if not width:
        return line
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    return "\n".join(textwrap.wrap(line, width - 1, subsequent_indent=indent))


def _ls(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    params = _params(args.param)
    failed = False
    screen = _Screen(out, err)
    with contextlib.ExitStack() as stack:
        stack.callback(screen.close)
        stack.enter_context(_logging(screen, args.verbose))
        if args.emulator:
            from jobkit.testing import Emulator  # noqa: PLC0415 - only --emulator needs it

            emu = stack.enter_context(Emulator())
            region = args.region[0] if args.region else "us-east-1"
            # The environment, not endpoint_url=: S3 Control needs its own endpoint (see
            # Emulator.env), which an explicit endpoint_url would override.
            stack.enter_context(emu.environment(region=region))  # restored exactly on exit
        # Every adapter, region and profile is listed concurrently; a stream that fails does
        # not stop the others ("collect"), and the exit code says that the output is partial.
        listing = _plan_cli.listing(
            args,
            args.adapters or None,
            regions=args.region or None,
            params=params or None,
            profiles=args.profile or None,
            accounts=organization(args),
            errors="collect",
            status=_statuses(args.status),
            since=args.since,
            until=args.until,
            name_contains=args.name_contains,
            limit=args.limit,
            order=_order(args),
            max_concurrency=args.max_concurrency,
        )
        writer = _writer(args, screen, out)
        if args.progress or (args.progress is None and _terminal_width(err) is not None):
            # On by default only on a terminal, and only once the listing takes a second.
            delay = 1.0 if args.progress is None else 0.0
            screen.start_bar(listing.stats, lambda: writer.count, limit=args.limit, delay=delay)
        try:
            with listing:
                for job in listing:
                    writer.write(job)
        except UsageError:
            raise
        except JobkitError as exc:
            failed = True
            writer.close()
            screen.close()
            _report(exc, err)
        else:
            writer.close()
            screen.close()
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
        skipped = list(getattr(listing, "skipped", None) or [])
        width = _terminal_width(err)
        for line in skipped_report(skipped):
            err.write(_wrap(line, width) + "\n")
        if writer.count == 0 and not failed:
            streams = listing.stats.streams
            listed = f"{streams} stream{'s' if streams != 1 else ''} listed"
            filters = _filters_text(args)
            err.write(
                f"jobkit: no jobs matched {filters} ({listed})\n"
                if filters
                else f"jobkit: no jobs found ({listed})\n"
            )
    if failed:
        return _EXIT_FAILED
    return _EXIT_SKIPPED if skipped else _EXIT_OK


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
    lines += [
        "",
        "## Job names",
        "",
        "`Job.name` is the operation's name member. Where the API gives jobs no name, it is",
        "the first of these members present (an ARN by its last part), else the job's id:",
        "",
    ]
    for info in jobkit.adapters():
        spec = REGISTRY[info.name]
        if spec.name_field is None:
            members = ", ".join(f"`{m}`" for m in spec.name_fallback)
            used = f"{members}, else the id `{spec.id_field}`" if members else f"`{spec.id_field}`"
            lines.append(f"- `{info.name}`: {used}")
    return "\n".join(lines) + "\n"


def _wrapped_lines(rows: Sequence[Sequence[str]], widths: Sequence[int]) -> int:
    return sum(
        max(len(textwrap.wrap(cell, w) or [""]) for cell, w in zip(row, widths, strict=True))
        for row in rows
    )


def _grid_widths(rows: Sequence[Sequence[str]], width: int | None, wrap_from: int) -> list[int]:
    """Column widths for ``rows``: their natural widths when they fit ``width`` (None:
    always), else the columns from ``wrap_from`` on share the room the others leave, split
    so that the wrapped table takes the fewest lines."""
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    if width is None or sum(widths) + 2 * (len(widths) - 1) <= width:
        return widths
    room = width - sum(widths[:wrap_from]) - 2 * (len(widths) - 1)
    wrapping = list(range(wrap_from, len(widths)))
    if len(wrapping) != 2:  # an even share (the adapters table wraps two columns)
        for left, c in enumerate(sorted(wrapping, key=lambda c: widths[c])):
            widths[c] = max(8, min(widths[c], room // (len(wrapping) - left)))
            room -= widths[c]
        return widths
    a, b = wrapping
    best: tuple[int, int, list[int]] | None = None
    for first in range(8, max(9, room - 7)):
        trial = list(widths)
        trial[a], trial[b] = min(widths[a], first), min(widths[b], max(8, room - first))
        score = (_wrapped_lines(rows, trial), abs(trial[a] - trial[b]), trial)
        if best is None or score[:2] < best[:2]:
            best = score
    assert best is not None
    return best[2]


def _grid(rows: Sequence[Sequence[str]], width: int | None, wrap_from: int) -> str:
    """``rows`` aligned, the columns from ``wrap_from`` on wrapped to fit ``width``."""
    widths = _grid_widths(rows, width, wrap_from)
    lines = []
    for row in rows:
        cells = [textwrap.wrap(cell, w) or [""] for cell, w in zip(row, widths, strict=True)]
        for i in range(max(map(len, cells))):
            parts = [
                (cell[i] if i < len(cell) else "").ljust(w)
                for cell, w in zip(cells, widths, strict=True)
            ]
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines) + "\n"


def _adapters_table(infos: Sequence[Any], width: int | None) -> str:
    """The adapters as a table; fitted to a terminal ``width`` by naming only the pushed-down
    filters (not their request members), then leaving out the operation, then wrapping."""
    header = ("ADAPTER", "OPERATION", "SCOPE", "PUSH-DOWN")
    rows = [
        (i.name, f"{i.service}:{i.operation}", ", ".join(i.scope) or "-", pushdown_summary(i.name))
        for i in infos
    ]

    def fits(table: Sequence[Sequence[str]]) -> bool:
        cols = range(len(table[0]))
        return width is None or sum(max(len(r[c]) for r in table) + 2 for c in cols) - 2 <= width

    if not fits([header, *rows]):
        rows = [(a, op, scope, re.sub(r" \([^)]*\)", "", push)) for a, op, scope, push in rows]
    if not fits([header, *rows]):
        return _grid(
            [("ADAPTER", "SCOPE", "PUSH-DOWN")] + [(a, s, p) for a, _, s, p in rows], width, 1
        )
    return _grid([header, *rows], width, 2)


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
        out.write(_adapters_table(infos, None if args.wide else _terminal_width(out)))
    return _EXIT_OK


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``jobkit`` command with ``argv`` (default: ``sys.argv[1:]``); returns the
    exit code: 0 ok, 3 ok but streams were skipped, 1 listing failed (partly), 2 usage error."""
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
        "sync": lambda: _sync_cli.run(args, out),
        "watch": lambda: _watch_cli.run(args, out, err),
        "plan": lambda: _plan_cli.run(args, out),
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
