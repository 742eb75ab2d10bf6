"""Jobs as plain records: JSON-ready dicts, flattened extras, counts and the text table."""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jobkit.model import Job, JobStatus

__all__ = [
    "COLUMNS",
    "TEXT_COLUMNS",
    "TIME_COLUMNS",
    "adapter_counts",
    "align",
    "flatten_extras",
    "fmt_time",
    "job_record",
    "jsonable",
    "plural",
    "status_counts",
    "text_table",
]

#: The fixed columns of exports (``to_pandas()``, ``to_arrow()``, csv), before ``extras.*``.
COLUMNS: tuple[str, ...] = (
    "adapter",
    "service",
    "name",
    "id",
    "status",
    "raw_status",
    "created",
    "ended",
    "updated",
    "region",
    "account",
    "problem",
)
TIME_COLUMNS: tuple[str, ...] = ("created", "ended", "updated")
TEXT_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMNS if c != "status" and c not in TIME_COLUMNS)


def _iso(value: dt.datetime) -> str:
    text = value.astimezone(dt.UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def jsonable(value: Any) -> Any:
    """``value`` made JSON-ready: aware datetimes as ISO-8601 UTC with ``Z``, sets as lists,
    bytes decoded, anything unknown as its ``str``."""
    if isinstance(value, dt.datetime):
        return _iso(value) if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def job_record(job: Job) -> dict[str, Any]:
    """``Job.to_dict()`` made JSON-ready: datetimes as ISO-8601 UTC with a ``Z`` suffix."""
    record: dict[str, Any] = jsonable(job.to_dict())
    return record


def flatten_extras(extras: Mapping[str, Any], prefix: str = "extras.") -> dict[str, Any]:
    """``extras`` as flat columns: nested mappings joined with dots, lists left whole."""
    flat: dict[str, Any] = {}
    for key, value in extras.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten_extras(value, name + "."))
        else:
            flat[name] = dict(value) if isinstance(value, Mapping) else value
    return flat


def fmt_time(value: dt.datetime | None) -> str:
    """A time as ``YYYY-MM-DD HH:MM:SS`` in UTC, ``-`` for None."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 job``, ``2 jobs``, ``0 jobs`` (``many`` where adding an s is wrong)."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"


def status_counts(jobs: Iterable[Job]) -> list[tuple[JobStatus, int]]:
    """Jobs per status, in enum order, statuses with no job left out."""
    counts = collections.Counter(job.status for job in jobs)
    return [(status, counts[status]) for status in JobStatus if counts[status]]


def adapter_counts(jobs: Iterable[Job]) -> list[tuple[str, list[tuple[JobStatus, int]]]]:
    """Per adapter (sorted by name), its jobs per status in enum order."""
    by_adapter: dict[str, list[Job]] = collections.defaultdict(list)
    for job in jobs:
        by_adapter[job.adapter].append(job)
    return [(name, status_counts(by_adapter[name])) for name in sorted(by_adapter)]


_TABLE_FIELDS: tuple[tuple[str, Callable[[Job], str]], ...] = (
    ("ADAPTER", lambda j: j.adapter),
    ("NAME", lambda j: j.name or "-"),
    ("STATUS", lambda j: j.status.value),
    ("RAW STATUS", lambda j: j.raw_status or "-"),
    ("CREATED (UTC)", lambda j: fmt_time(j.created)),
    ("ENDED (UTC)", lambda j: fmt_time(j.ended)),
    ("REGION", lambda j: j.region),
)


def text_table(jobs: Iterable[Job]) -> str:
    """Jobs as an aligned plain-text table (UTC times), header included, no trailing newline."""
    header = [title for title, _ in _TABLE_FIELDS]
    rows = [[get(job) for _, get in _TABLE_FIELDS] for job in jobs]
    return align([header, *rows])


def align(rows: list[list[str]]) -> str:
    """Rows of cells as left-aligned columns two spaces apart, trailing spaces stripped."""
    widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
