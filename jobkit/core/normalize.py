"""Turn one summary, as botocore parsed it, into a ``Job``.

A summary that cannot be normalized is never dropped: it becomes a ``Job`` with what could be
read, ``status`` UNKNOWN, the raw data intact and ``problem`` saying what went wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from jobkit.core.query import Query
from jobkit.core.spec import AdapterSpec, TimeFormat
from jobkit.core.stats import Stats
from jobkit.model import Job, JobStatus

__all__ = ["account_from_arn", "normalize", "read_page", "to_utc"]


def to_utc(value: Any, fmt: TimeFormat) -> datetime | None:
    """A timestamp field as an aware UTC datetime; None stays None; anything else raises."""
    if value is None:
        return None
    if fmt is TimeFormat.EPOCH_MS:
        # bool is an int subclass; a True timestamp is a malformed record, not 1 ms.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"expected epoch milliseconds, got {type(value).__name__} {value!r}")
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    if fmt is TimeFormat.ISO8601 and isinstance(value, str):
        text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
        value = datetime.fromisoformat(text)  # a ValueError makes the record a problem
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__} {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def account_from_arn(value: Any) -> str | None:
    """The account id in an ARN (``arn:partition:service:region:account:...``), if any."""
    if not isinstance(value, str) or not value.startswith("arn:"):
        return None
    parts = value.split(":", 5)
    return parts[4] or None if len(parts) > 4 else None


_MAPPED: dict[int, tuple[AdapterSpec, frozenset[str]]] = {}


def _mapped(spec: AdapterSpec) -> frozenset[str]:
    # Per record on the hot path: computed once per spec (kept alive with it, keyed by id).
    entry = _MAPPED.get(id(spec))
    if entry is None or entry[0] is not spec:
        entry = _MAPPED[id(spec)] = (spec, frozenset(spec.mapped_fields))
    return entry[1]


def _dig(summary: Mapping[str, Any], path: str | None) -> Any:
    """The value at a dotted path (``status.state``; EMR's ``Status.Timeline.EndDateTime``)."""
    value: Any = summary
    for part in (path or "").split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _text(value: Any) -> str | None:
    return value if type(value) is str else None


def _readable_name(spec: AdapterSpec, summary: Mapping[str, Any], job_id: str | None) -> str | None:
    """A name for a job whose API has none: the first fallback member present (an ARN or a
    path by its last part), else the job's id."""
    for member in spec.name_fallback:
        value = _text(summary.get(member))
        if value:
            return value.rsplit("/", 1)[-1].rsplit(":", 1)[-1] or value
    return job_id


def _account(spec: AdapterSpec, summary: Mapping[str, Any], job_id: str | None) -> str | None:
    account = None
    if spec.account_field:
        value = _text(summary.get(spec.account_field))
        account = account_from_arn(value) or (value if value and value.isdigit() else None)
    return account or account_from_arn(job_id)


def normalize(
    spec: AdapterSpec,
    summary: Mapping[str, Any],
    *,
    region: str,
    scope: Mapping[str, str],
) -> Job:
    """Normalize one summary of ``spec``'s operation listed in ``region`` under ``scope``.

    This runs once per record, so it avoids per-field helper calls on the common path.
    """
    mapped = _mapped(spec)
    extras = {k: v for k, v in summary.items() if k not in mapped}
    get = summary.get
    job_id = _text(get(spec.id_field)) if spec.id_field else None
    name = _text(get(spec.name_field)) if spec.name_field else _readable_name(spec, summary, job_id)
    account = _account(spec, summary, job_id)
    if account is None and scope:
        account = next(filter(None, map(account_from_arn, scope.values())), None)
    raw_status: str | None = None
    field = spec.status_field
    try:
        if spec.status_field is not None:
            raw_status = _text(
                get(spec.status_field) if "." not in spec.status_field else _dig(summary, field)
            )
            status = spec.status_map.get(raw_status or "", JobStatus.UNKNOWN)
        else:
            assert spec.derive_status is not None  # enforced by AdapterSpec
            status = spec.derive_status(summary)
        times: list[datetime | None] = []
        fmt = spec.time_format
        for field in (spec.created_field, spec.ended_field, spec.updated_field):
            value = (get(field) if "." not in field else _dig(summary, field)) if field else None
            if value is None:
                times.append(None)
            elif type(value) is datetime and fmt is TimeFormat.DATETIME:
                tz = value.tzinfo
                times.append(
                    value
                    if tz is UTC
                    else value.replace(tzinfo=UTC)
                    if tz is None
                    else value.astimezone(UTC)
                )
            else:
                times.append(to_utc(value, fmt))
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        where = f"{field}: " if field else ""
        return Job(
            adapter=spec.name,
            service=spec.service,
            name=name,
            id=job_id,
            status=JobStatus.UNKNOWN,
            raw_status=raw_status,
            created=None,
            region=region,
            account=account,
            extras=extras,
            raw=summary,
            problem=f"{type(exc).__name__}: {where}{exc}",
        )
    return Job(
        adapter=spec.name,
        service=spec.service,
        name=name,
        id=job_id,
        status=status,
        raw_status=raw_status,
        created=times[0],
        ended=times[1],
        updated=times[2],
        region=region,
        account=account,
        extras=extras,
        raw=summary,
    )


def read_page(
    spec: AdapterSpec,
    items: list[Mapping[str, Any]],
    *,
    region: str,
    scope: Mapping[str, str],
    stats: Stats,
    endpoint: str,
    query: Query | None = None,
    skip: int = 0,
    unread: Mapping[int, str] | None = None,
) -> tuple[list[Job], list[int]]:
    """Normalize one page's summaries past the first ``skip``, keep those ``query`` matches,
    and count them. Returns the jobs and, for each, how many summaries of the page it ends.

    ``unread`` maps the index of a summary that could not be read in full (an id its hydrate
    call did not answer) to why: that job is yielded with ``problem`` set, never dropped.
    """
    jobs: list[Job] = []
    ends: list[int] = []
    problems = unmapped = 0
    for number, item in enumerate(items[skip:], start=skip + 1):
        job = normalize(spec, item, region=region, scope=scope)
        if unread and number - 1 in unread:
            job = attrs.evolve(
                job, status=JobStatus.UNKNOWN, raw_status=None, problem=unread[number - 1]
            )
        if query is not None and not query.matches(job):
            continue
        if job.problem is not None:
            problems += 1
        elif job.status is JobStatus.UNKNOWN and job.raw_status is not None:
            unmapped += 1
        jobs.append(job)
        ends.append(number)
    stats.add(endpoint, pages=1, jobs_read=len(jobs))
    if problems or unmapped:
        stats.count(unnormalized=problems, unmapped_statuses=unmapped)
    return jobs, ends
