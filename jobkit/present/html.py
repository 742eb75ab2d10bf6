"""The HTML views shown in Jupyter: a job, a list of jobs, a listing's stats, the adapters and
the plans of ``explain()``. Every text is escaped; styles are inline, so the views look the
same in JupyterLab, classic Notebook, VS Code and exported HTML."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from jobkit.core.stats import Stats
from jobkit.model import Job, JobStatus
from jobkit.present.records import (
    adapter_counts,
    flatten_extras,
    fmt_time,
    jsonable,
    plural,
    status_counts,
)

__all__ = [
    "OPEN_ADAPTERS",
    "STATUS_COLORS",
    "AdapterRow",
    "ExplanationRow",
    "adapters_html",
    "badge",
    "explanations_html",
    "job_html",
    "joblist_html",
    "stats_html",
]

#: Badge colour of each status in the HTML views and the quickstart's plot. White text reads
#: on each (contrast >= 4.5:1) and no two are alike (tests/test_present.py measures both).
STATUS_COLORS: Mapping[JobStatus, str] = {
    JobStatus.PENDING: "#bf3989",  # pink: not started
    JobStatus.RUNNING: "#0969da",  # blue
    JobStatus.STOPPING: "#1b7c83",  # teal: on its way out
    JobStatus.STOPPED: "#57606a",  # grey: ended by someone
    JobStatus.SUCCEEDED: "#1a7f37",  # green
    JobStatus.PARTIAL_SUCCESS: "#b35900",  # orange: done, with failures
    JobStatus.FAILED: "#cf222e",  # red
    JobStatus.UNKNOWN: "#24292f",  # near-black: could not be read
}

#: Up to this many adapters, a job list shows its per-adapter table open; more fold away.
OPEN_ADAPTERS = 8

_BADGE = (
    '<span style="background:{color};color:#fff;border-radius:3px;padding:0 5px;'
    'font-size:90%;white-space:nowrap">{text}</span>'
)
_CELL = 'style="text-align:left;padding:2px 8px;vertical-align:top"'
_NUM = 'style="text-align:right;padding:2px 8px;vertical-align:top"'


def _e(value: object) -> str:
    return html.escape("-" if value is None else str(value))


def _name(value: object) -> str:
    """A name (adapter, region) in one piece: never broken at its dashes."""
    return f'<code style="white-space:nowrap">{_e(value)}</code>'


def badge(status: JobStatus, suffix: str = "") -> str:
    """A status as a coloured label, ``suffix`` (e.g. a count) after its name."""
    return _BADGE.format(color=STATUS_COLORS[status], text=_e(status.value) + suffix)


def _badges(counts: Iterable[tuple[JobStatus, int]]) -> str:
    return " ".join(badge(status, f" {n}") for status, n in counts)


def _time_cell(value: Any) -> str:
    return _e(fmt_time(value) if value else None)


def _table(
    css_class: str, head: Sequence[str], rows: Iterable[Sequence[str]], *, wrap: bool = True
) -> str:
    """An HTML table; ``head`` is escaped here, the cells must be escaped already. A header
    starting with ``#`` is a right-aligned number column (the ``#`` is not shown).
    ``wrap=False`` keeps every cell on one line."""
    numeric = [h.startswith("#") for h in head]
    styles = [_NUM if n else _CELL for n in numeric]
    if not wrap:
        styles = [style.replace('top"', 'top;white-space:nowrap"') for style in styles]
    parts = [f'<table class="{css_class}"><thead><tr>']
    parts += [
        f"<th {style}>{_e(h.lstrip('#'))}</th>" for h, style in zip(head, styles, strict=True)
    ]
    parts.append("</tr></thead><tbody>")
    for row in rows:
        cells = zip(row, styles, strict=True)
        parts.append("<tr>" + "".join(f"<td {style}>{c}</td>" for c, style in cells))
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(jsonable(value)) if isinstance(value, list | tuple | Mapping) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def job_html(job: Job) -> str:
    """One job as a small HTML table of its fields and flattened extras."""
    rows: list[tuple[str, str]] = [
        ("adapter", _e(job.adapter)),
        ("name", _e(job.name)),
        ("id", _e(job.id)),
        ("status", badge(job.status) + (f" {_e(job.raw_status)}" if job.raw_status else "")),
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


def _stats_line(stats: Stats) -> str:
    return (
        f"listing: {plural(stats.requests, 'request')}, {plural(stats.pages, 'page')}, "
        f"{plural(stats.retries, 'retry', 'retries')}, "
        f"{plural(stats.throttles, 'throttle')}, {stats.wait_seconds:.2f} s waited"
    )


def joblist_html(jobs: Sequence[Job], *, stats: Stats | None = None, max_rows: int = 20) -> str:
    """Jobs as HTML: counts per status, a small table per adapter, the listing's stats, then
    the first ``max_rows`` jobs in list order."""
    parts = [f'<div class="jobkit-joblist"><p><b>{plural(len(jobs), "job")}</b> ']
    parts.append(_badges(status_counts(jobs)))
    parts.append("</p>")
    if stats is not None:
        parts.append(f"<p>{_e(_stats_line(stats))}</p>")
    if jobs:
        per_adapter = [
            [_e(name), str(sum(n for _, n in counts)), _badges(counts)]
            for name, counts in adapter_counts(jobs)
        ]
        table = _table("jobkit-adapter-counts", ["adapter", "#jobs", "statuses"], per_adapter)
        # A few adapters show at once; many fold away behind their count (click to open).
        state = " open" if len(per_adapter) <= OPEN_ADAPTERS else ""
        summary = f"per adapter ({plural(len(per_adapter), 'adapter')})"
        parts.append(f"<details{state}><summary>{summary}</summary>{table}</details>")
        head = ["adapter", "name", "status", "raw status", "created (UTC)", "ended (UTC)"]
        head += ["region", "account"]
        rows = [
            [
                _e(job.adapter),
                _e(job.name),
                badge(job.status),
                _e(job.raw_status),
                _time_cell(job.created),
                _time_cell(job.ended),
                _e(job.region),
                _e(job.account),
            ]
            for job in jobs[:max_rows]
        ]
        parts.append("<p></p>" + _table("jobkit-jobs", head, rows, wrap=False))
        if len(jobs) > max_rows:
            parts.append(f"<p>… {len(jobs) - max_rows} more (to_pandas() shows them all)</p>")
    parts.append("</div>")
    return "".join(parts)


def stats_html(stats: Stats) -> str:
    """A listing's counters as HTML: the totals, then one row per endpoint."""
    snapshot = stats.as_dict()
    endpoints = snapshot["endpoints"]
    assert isinstance(endpoints, dict)
    totals = [
        ("requests", stats.requests),
        ("pages", stats.pages),
        ("jobs", stats.jobs),
        ("retries", stats.retries),
        ("throttles", stats.throttles),
        ("waited (s)", f"{stats.wait_seconds:.2f}"),
        ("streams done / started", f"{stats.streams_done} / {stats.streams}"),
        ("records not normalized", stats.unnormalized),
        ("unmapped statuses", stats.unmapped_statuses),
    ]
    parts = ['<div class="jobkit-stats">']
    parts.append(
        _table("jobkit-stats-totals", ["counter", "#value"], [[_e(k), _e(v)] for k, v in totals])
    )
    if endpoints:
        head = ["endpoint", "#requests", "#pages", "#jobs", "#retries", "#throttles", "#waited (s)"]
        rows = [
            [
                _e(key),
                *(_e(c[name]) for name in ("requests", "pages", "jobs", "retries", "throttles")),
                f"{c['wait_seconds']:.2f}",
            ]
            for key, c in sorted(endpoints.items())
        ]
        parts.append("<p></p>" + _table("jobkit-stats-endpoints", head, rows))
    parts.append("</div>")
    return "".join(parts)


class AdapterRow(Protocol):
    """What ``adapters_html`` reads of each adapter (``jobkit.AdapterInfo`` has it)."""

    @property
    def name(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def operation(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def scope(self) -> tuple[str, ...]: ...
    @property
    def discoverable(self) -> tuple[str, ...]: ...
    @property
    def status_rule(self) -> str | None: ...
    @property
    def botocore_paginator(self) -> bool: ...


def adapters_html(adapters: Sequence[AdapterRow]) -> str:
    """The adapters as one HTML table; discoverable scope parameters are marked."""
    rows = [
        [
            _name(a.name),
            _e(a.service),
            _e(a.operation),
            "<br>".join(
                _e(p) + (" <i>(discovered)</i>" if p in a.discoverable else "") for p in a.scope
            )
            or "-",
            _e(a.status_rule or "status field"),
            "yes" if a.botocore_paginator else "no (jobkit pages)",
            _e(a.description),
        ]
        for a in adapters
    ]
    head = ["adapter", "service", "operation", "scope", "status", "botocore paginator", "lists"]
    title = f"<p><b>{plural(len(adapters), 'adapter')}</b></p>"
    return f'<div class="jobkit-adapters">{title}{_table("jobkit-adapters", head, rows)}</div>'


class ExplanationRow(Protocol):
    """What ``explanations_html`` reads of each plan (``jobkit.Explanation`` has it)."""

    @property
    def adapter(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def scope(self) -> Mapping[str, Any]: ...
    @property
    def discovered(self) -> tuple[str, ...]: ...
    @property
    def requests(self) -> tuple[Mapping[str, Any], ...]: ...
    @property
    def pushed(self) -> Mapping[str, str]: ...
    @property
    def client(self) -> tuple[str, ...]: ...
    @property
    def note(self) -> str | None: ...


def explanations_html(plans: Sequence[ExplanationRow]) -> str:
    """``explain()``'s plans as one HTML table: per adapter and region, what the service
    applies and what jobkit applies on the client."""
    rows = [
        [
            _name(p.adapter),
            _name(p.region),
            "<br>".join(f"{_e(k)}={_e(_short(v))}" for k, v in p.scope.items()) or "-",
            "<br>".join(_e(n) for n in p.discovered) or "-",
            str(len(p.requests)),
            "<br>".join(f"{_e(k)} → <code>{_e(v)}</code>" for k, v in p.pushed.items())
            or "nothing",
            "<br>".join(_e(c) for c in p.client) or "nothing",
            _e(p.note or ""),
        ]
        for p in plans
    ]
    head = ["adapter", "region", "scope given", "discovered", "#streams per scope"]
    head += ["pushed down", "on the client", "note"]
    title = f"<p><b>{plural(len(plans), 'plan')}</b> (no request sent)</p>"
    return f'<div class="jobkit-explain">{title}{_table("jobkit-explain", head, rows)}</div>'
