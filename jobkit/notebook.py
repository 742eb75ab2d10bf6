"""jobkit in notebooks and terminals: ``JobList``, DataFrame and Arrow export, HTML, progress.

Nothing here is needed to list jobs; pandas, pyarrow and tqdm are optional extras
(``jobkit[pandas]``, ``jobkit[arrow]``, ``jobkit[progress]``, or all of them and matplotlib
with ``jobkit[notebook]``). A missing one raises ``MissingDependencyError`` naming the extra.

Columns of ``JobList.to_pandas()`` and ``JobList.to_arrow()``, in this order:

=================== ============================== =======================================
column              pandas dtype                   Arrow type
=================== ============================== =======================================
adapter, service,   ``string``                     ``string``
name, id
status              ``category`` (every JobStatus  ``dictionary<int8, string>`` (the same
                    value, in enum order)          dictionary)
raw_status          ``string``                     ``string``
created, ended,     ``datetime64[ns, UTC]``        ``timestamp[us, tz=UTC]``
updated
region, account,    ``string``                     ``string``
problem
extras.<Key>        ``object``                     inferred, else JSON text (see below)
=================== ============================== =======================================

The extras rule: each key of ``Job.extras`` becomes a column ``extras.<Key>`` (the service's
own spelling). A nested mapping is flattened with dots (``extras.InputDataConfig.S3Bucket``);
an empty mapping stays one column holding ``{}``. Lists are not spread: pandas keeps the
Python list in the cell; Arrow gets the list as JSON text. Scalar extras keep their Python
values in pandas (an ``object`` column, ``None`` where a job lacks the key); in Arrow the
column type is inferred from the values, and a column whose values mix types becomes JSON
text. Extras columns follow the fixed columns, sorted by name. An empty list yields the fixed
columns with their types and no extras columns.
"""

from __future__ import annotations

import collections
import datetime as dt
import html
import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, SupportsIndex, overload

from jobkit.core.stats import Stats
from jobkit.errors import MissingDependencyError
from jobkit.model import Job, JobStatus

if TYPE_CHECKING:
    import pandas
    import pyarrow

__all__ = [
    "COLUMNS",
    "STATUS_COLORS",
    "JobList",
    "Progress",
    "flatten_extras",
    "job_html",
    "job_record",
    "joblist_html",
    "make_progress",
    "text_table",
]

#: The fixed columns of ``to_pandas()`` / ``to_arrow()``, before the ``extras.*`` columns.
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
_TIME_COLUMNS = ("created", "ended", "updated")
_TEXT_COLUMNS = tuple(c for c in COLUMNS if c != "status" and c not in _TIME_COLUMNS)

#: Badge colour of each status in the HTML views (white text on these backgrounds).
STATUS_COLORS: Mapping[JobStatus, str] = {
    JobStatus.PENDING: "#6e7781",
    JobStatus.RUNNING: "#0969da",
    JobStatus.STOPPING: "#9a6700",
    JobStatus.STOPPED: "#57606a",
    JobStatus.SUCCEEDED: "#1a7f37",
    JobStatus.PARTIAL_SUCCESS: "#bc4c00",
    JobStatus.FAILED: "#cf222e",
    JobStatus.UNKNOWN: "#8250df",
}


# --------------------------------------------------------------------------- plain records


def _iso(value: dt.datetime) -> str:
    text = value.astimezone(dt.UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _iso(value) if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def job_record(job: Job) -> dict[str, Any]:
    """``Job.to_dict()`` made JSON-ready: datetimes as ISO-8601 UTC with a ``Z`` suffix."""
    record: dict[str, Any] = _jsonable(job.to_dict())
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


def _fmt_time(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


_TABLE_FIELDS: tuple[tuple[str, Callable[[Job], str]], ...] = (
    ("ADAPTER", lambda j: j.adapter),
    ("NAME", lambda j: j.name or "-"),
    ("STATUS", lambda j: j.status.value),
    ("RAW STATUS", lambda j: j.raw_status or "-"),
    ("CREATED (UTC)", lambda j: _fmt_time(j.created)),
    ("ENDED (UTC)", lambda j: _fmt_time(j.ended)),
    ("REGION", lambda j: j.region),
)


def text_table(jobs: Iterable[Job]) -> str:
    """Jobs as an aligned plain-text table (UTC times), header included, no trailing newline."""
    header = [title for title, _ in _TABLE_FIELDS]
    rows = [[get(job) for _, get in _TABLE_FIELDS] for job in jobs]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=False)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


# --------------------------------------------------------------------------- JobList


def _status_counts(jobs: Iterable[Job]) -> list[tuple[JobStatus, int]]:
    counts = collections.Counter(job.status for job in jobs)
    return [(status, counts[status]) for status in JobStatus if counts[status]]


def _adapter_counts(jobs: Iterable[Job]) -> list[tuple[str, int]]:
    return sorted(collections.Counter(job.adapter for job in jobs).items())


def _require(feature: str, extra: str, module: str) -> Any:
    try:
        return __import__(module)
    except ImportError as exc:
        raise MissingDependencyError(feature, extra, module) from exc


class JobList(list[Job]):
    """A list of jobs with the listing's ``stats`` and notebook-friendly views.

    ``stats`` is the ``Stats`` of the listing that produced it (None when built by hand or
    sliced). It shows as an HTML table in Jupyter, as a summary in terminals, and converts
    to pandas (``to_pandas()``) and Arrow (``to_arrow()``); the module docstring lists the
    columns and the rule for flattening ``extras``.
    """

    stats: Stats | None

    def __init__(self, jobs: Iterable[Job] = (), *, stats: Stats | None = None) -> None:
        super().__init__(jobs)
        self.stats = stats

    @overload
    def __getitem__(self, index: SupportsIndex) -> Job: ...

    @overload
    def __getitem__(self, index: slice) -> JobList: ...

    def __getitem__(self, index: SupportsIndex | slice) -> Job | JobList:
        if isinstance(index, slice):
            return JobList(super().__getitem__(index))
        return super().__getitem__(index)

    def where(
        self,
        predicate: Callable[[Job], bool] | None = None,
        *,
        status: JobStatus | str | Iterable[JobStatus | str] | None = None,
        adapter: str | Iterable[str] | None = None,
    ) -> JobList:
        """The jobs that match every given condition (statuses by enum or name, any case)."""
        statuses: set[JobStatus] | None = None
        if status is not None:
            items = [status] if isinstance(status, JobStatus | str) else list(status)
            statuses = {s if isinstance(s, JobStatus) else JobStatus(s.upper()) for s in items}
        names = None if adapter is None else {adapter} if isinstance(adapter, str) else set(adapter)
        return JobList(
            job
            for job in self
            if (statuses is None or job.status in statuses)
            and (names is None or job.adapter in names)
            and (predicate is None or predicate(job))
        )

    def counts(self) -> dict[str, int]:
        """Jobs per status, in enum order, statuses with no job left out."""
        return {status.value: n for status, n in _status_counts(self)}

    def summary(self, max_rows: int = 10) -> str:
        """A plain-text summary: counts per status and adapter, stats, the first rows."""
        lines = [self._headline()]
        if self:
            lines.append("adapters: " + ", ".join(f"{a} {n}" for a, n in _adapter_counts(self)))
            lines.append(text_table(self[:max_rows]))
            if len(self) > max_rows:
                lines.append(f"... {len(self) - max_rows} more")
        return "\n".join(lines)

    def _headline(self) -> str:
        text = f"JobList: {len(self)} job{'s' if len(self) != 1 else ''}"
        if self:
            text += " (" + ", ".join(f"{s.value} {n}" for s, n in _status_counts(self)) + ")"
        if self.stats is not None:
            s = self.stats
            text += f"; {s.requests} requests, {s.retries} retries, {s.throttles} throttles"
        return text

    def __repr__(self) -> str:
        return f"<{self._headline()}>"

    def __str__(self) -> str:
        return self.summary()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython's terminal shell: the summary, not a wall of Job reprs.
        printer.text(repr(self) if cycle else self.summary())

    def _repr_html_(self) -> str:
        return joblist_html(self)

    def _columns(self) -> tuple[dict[str, list[Any]], list[str]]:
        fixed: dict[str, list[Any]] = {name: [] for name in COLUMNS}
        flat_rows = [flatten_extras(job.extras) for job in self]
        extra_names = sorted({name for row in flat_rows for name in row})
        for job in self:
            for name in COLUMNS:
                value = getattr(job, name)
                fixed[name].append(value.value if isinstance(value, JobStatus) else value)
        for name in extra_names:
            fixed[name] = [row.get(name) for row in flat_rows]
        return fixed, extra_names

    def to_pandas(self) -> pandas.DataFrame:
        """A DataFrame with one row per job (needs ``jobkit[pandas]``; see the module doc)."""
        pd = _require("JobList.to_pandas()", "pandas", "pandas")
        data, extra_names = self._columns()
        columns: dict[str, Any] = {}
        for name in _TEXT_COLUMNS:
            columns[name] = pd.Series(data[name], dtype=pd.StringDtype(), name=name)
        columns["status"] = pd.Series(
            pd.Categorical(data["status"], categories=[s.value for s in JobStatus]),
            name="status",
        )
        for name in _TIME_COLUMNS:
            columns[name] = pd.Series(data[name], dtype="datetime64[ns, UTC]", name=name)
        for name in extra_names:
            columns[name] = pd.Series(data[name], dtype=object, name=name)
        ordered = [*COLUMNS, *extra_names]
        return pd.DataFrame({name: columns[name] for name in ordered}, columns=ordered)

    def to_arrow(self) -> pyarrow.Table:
        """An Arrow table with one row per job (needs ``jobkit[arrow]``; see the module doc)."""
        pa = _require("JobList.to_arrow()", "arrow", "pyarrow")
        data, extra_names = self._columns()
        statuses = [s.value for s in JobStatus]
        index = {value: i for i, value in enumerate(statuses)}
        arrays: dict[str, Any] = {}
        for name in _TEXT_COLUMNS:
            arrays[name] = pa.array(data[name], type=pa.string())
        arrays["status"] = pa.DictionaryArray.from_arrays(
            pa.array([index[v] for v in data["status"]], type=pa.int8()),
            pa.array(statuses, type=pa.string()),
        )
        for name in _TIME_COLUMNS:
            arrays[name] = pa.array(data[name], type=pa.timestamp("us", tz="UTC"))
        for name in extra_names:
            arrays[name] = _arrow_extra(pa, data[name])
        return pa.table({name: arrays[name] for name in [*COLUMNS, *extra_names]})


def _arrow_extra(pa: Any, values: list[Any]) -> Any:
    def as_json(value: Any) -> str | None:
        return None if value is None else json.dumps(_jsonable(value))

    if any(isinstance(v, list | tuple | Mapping) for v in values):
        return pa.array([as_json(v) for v in values], type=pa.string())
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([as_json(v) for v in values], type=pa.string())


# --------------------------------------------------------------------------- HTML

_BADGE = (
    '<span style="background:{color};color:#fff;border-radius:3px;padding:0 5px;'
    'font-size:90%;white-space:nowrap">{text}</span>'
)
_CELL = 'style="text-align:left;padding:2px 8px;vertical-align:top"'


def _e(value: object) -> str:
    return html.escape("-" if value is None else str(value))


def _badge(status: JobStatus, suffix: str = "") -> str:
    return _BADGE.format(color=STATUS_COLORS[status], text=_e(status.value) + suffix)


def _time_cell(value: dt.datetime | None) -> str:
    return _e(_fmt_time(value) if value else None)


def job_html(job: Job) -> str:
    """One job as a small HTML table (every text escaped); ``Job._repr_html_`` shows it."""
    rows: list[tuple[str, str]] = [
        ("adapter", _e(job.adapter)),
        ("name", _e(job.name)),
        ("id", _e(job.id)),
        ("status", _badge(job.status) + (f" {_e(job.raw_status)}" if job.raw_status else "")),
        ("created (UTC)", _time_cell(job.created)),
        ("ended (UTC)", _time_cell(job.ended)),
        ("updated (UTC)", _time_cell(job.updated)),
        ("region", _e(job.region)),
        ("account", _e(job.account)),
    ]
    if job.problem:
        rows.append(("problem", _e(job.problem)))
    rows += [(_e(key), _e(_short(value))) for key, value in flatten_extras(job.extras).items()]
    body = "".join(f"<tr><th {_CELL}>{k}</th><td {_CELL}>{v}</td></tr>" for k, v in rows)
    return f'<table class="jobkit-job">{body}</table>'


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(_jsonable(value)) if isinstance(value, list | tuple | Mapping) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def joblist_html(jobs: Sequence[Job], *, max_rows: int = 20) -> str:
    """Jobs as HTML: counts per status and adapter, the listing's stats, the first rows."""
    stats = getattr(jobs, "stats", None)
    parts = [f'<div class="jobkit-joblist"><p><b>{len(jobs)} jobs</b> ']
    parts.append(" ".join(_badge(s, f" {n}") for s, n in _status_counts(jobs)))
    parts.append("</p>")
    if jobs:
        by_adapter = ", ".join(f"{_e(a)}: {n}" for a, n in _adapter_counts(jobs))
        parts.append(f"<p>per adapter: {by_adapter}</p>")
    if isinstance(stats, Stats):
        parts.append(
            f"<p>listing: {stats.requests} requests, {stats.pages} pages, "
            f"{stats.retries} retries, {stats.throttles} throttles, "
            f"{stats.wait_seconds:.2f} s waited</p>"
        )
    if jobs:
        head = ["adapter", "name", "status", "raw status", "created (UTC)", "ended (UTC)"]
        head += ["region", "account"]
        parts.append('<table class="jobkit-jobs"><thead><tr>')
        parts += [f"<th {_CELL}>{_e(h)}</th>" for h in head]
        parts.append("</tr></thead><tbody>")
        for job in jobs[:max_rows]:
            cells = [
                _e(job.adapter),
                _e(job.name),
                _badge(job.status),
                _e(job.raw_status),
                _time_cell(job.created),
                _time_cell(job.ended),
                _e(job.region),
                _e(job.account),
            ]
            parts.append("<tr>" + "".join(f"<td {_CELL}>{c}</td>" for c in cells) + "</tr>")
        parts.append("</tbody></table>")
        if len(jobs) > max_rows:
            parts.append(f"<p>… {len(jobs) - max_rows} more (to_pandas() shows them all)</p>")
    parts.append("</div>")
    return "".join(parts)


# --------------------------------------------------------------------------- progress


class Progress:
    """A tqdm progress bar of a listing: jobs as the count, pages and streams in the postfix.

    Needs ``jobkit[progress]``. ``tqdm.auto`` picks a notebook widget or a terminal bar. The
    listing calls ``update(stats)`` after each page and ``close()`` at the end (also when it
    fails or is closed early); ``update`` only reads the stats, so it is safe to call from the
    listing's threads. ``file`` and ``disable`` are passed to tqdm; ``max_endpoints`` caps
    how many per-endpoint page counts the postfix shows.
    """

    def __init__(
        self,
        *,
        desc: str = "jobs",
        total: int | None = None,
        file: IO[str] | None = None,
        disable: bool = False,
        leave: bool = True,
        max_endpoints: int = 4,
    ) -> None:
        try:
            from tqdm.auto import tqdm  # noqa: PLC0415 - optional extra, imported on use
        except ImportError as exc:
            raise MissingDependencyError("progress bars", "progress", "tqdm") from exc
        self._bar = tqdm(
            desc=desc, total=total, unit="job", file=file, disable=disable, leave=leave
        )
        self._lock = threading.Lock()
        self._max_endpoints = max_endpoints
        self._postfix: dict[str, str] = {}
        self._stats: Stats | None = None  # the listing's live counters, last shown
        self.closed = False

    @property
    def count(self) -> int:
        """Jobs counted so far."""
        return int(self._bar.n)

    @property
    def postfix(self) -> dict[str, str]:
        """The postfix fields last shown (pages, streams, retries, per-endpoint pages)."""
        return dict(self._postfix)

    def update(self, stats: Stats) -> None:
        """Show ``stats``: called by the listing after each page."""
        # as_dict() copies the endpoint counters under the stats' lock: the listing's
        # threads may add endpoints while this runs.
        endpoints = stats.as_dict()["endpoints"]
        assert isinstance(endpoints, dict)
        postfix = {"pages": str(stats.pages), "streams": f"{stats.streams_done}/{stats.streams}"}
        if stats.retries:
            postfix["retries"] = f"{stats.retries} ({stats.throttles} throttled)"
        busiest = sorted(endpoints.items(), key=lambda kv: -int(kv[1]["pages"]))
        for key, counters in busiest[: self._max_endpoints]:
            postfix[key] = f"{counters['pages']}p"
        if len(busiest) > self._max_endpoints:
            postfix["endpoints"] = f"+{len(busiest) - self._max_endpoints} more"
        jobs = stats.jobs
        with self._lock:
            if self.closed:
                return
            self._stats = stats
            self._postfix = postfix
            self._bar.set_postfix(postfix, refresh=False)
            self._bar.update(max(0, jobs - self._bar.n))

    def close(self) -> None:
        """Finish the bar (idempotent): called once the listing ends, fails or is closed.

        The bar shows the final counters first: jobs released after the last page arrived
        (and streams finished since) are counted, so its final state is exact.
        """
        if self._stats is not None and not self.closed:
            self.update(self._stats)
        with self._lock:
            if not self.closed:
                self.closed = True
                self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def make_progress(progress: bool | Progress | None) -> Progress | None:
    """The ``progress=`` argument of ``jobs()``/``ajobs()`` as a bar: True makes a ``Progress``,
    False or None none (the default: silent), a ``Progress`` is used as it is."""
    if isinstance(progress, Progress):
        return progress
    return Progress() if progress else None
