"""Turn one summary, as botocore parsed it, into a ``Job``.

A summary that cannot be normalized is never dropped: it becomes a ``Job`` with what could be
read, ``status`` UNKNOWN, the raw data intact and ``problem`` saying what went wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

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


def _time(summary: Mapping[str, Any], field: str | None, spec: AdapterSpec) -> datetime | None:
    if field is None:
        return None
    try:
        return to_utc(summary.get(field), spec.time_format)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise type(exc)(f"{field}: {exc}") from exc


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def normalize(
    spec: AdapterSpec,
    summary: Mapping[str, Any],
    *,
    region: str,
    scope: Mapping[str, str],
) -> Job:
    """Normalize one summary of ``spec``'s operation listed in ``region`` under ``scope``."""
    mapped = set(spec.mapped_fields)
    extras = {k: v for k, v in summary.items() if k not in mapped}
    name = _text(summary.get(spec.name_field)) if spec.name_field else None
    job_id = _text(summary.get(spec.id_field)) if spec.id_field else None
    raw_status: str | None = None
    account = None
    if spec.account_field:
        value = _text(summary.get(spec.account_field))
        account = account_from_arn(value) or (value if value and value.isdigit() else None)
    account = account or account_from_arn(job_id)
    if account is None:
        account = next(filter(None, map(account_from_arn, scope.values())), None)
    try:
        if spec.status_field is not None:
            raw_status = _text(summary.get(spec.status_field))
            status = spec.status_map.get(raw_status or "", JobStatus.UNKNOWN)
        else:
            assert spec.derive_status is not None  # enforced by AdapterSpec
            status = spec.derive_status(summary)
        created = _time(summary, spec.created_field, spec)
        ended = _time(summary, spec.ended_field, spec)
        updated = _time(summary, spec.updated_field, spec)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
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
            problem=f"{type(exc).__name__}: {exc}",
        )
    return Job(
        adapter=spec.name,
        service=spec.service,
        name=name,
        id=job_id,
        status=status,
        raw_status=raw_status,
        created=created,
        ended=ended,
        updated=updated,
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
) -> tuple[list[Job], list[int]]:
    """Normalize one page's summaries past the first ``skip``, keep those ``query`` matches,
    and count them. Returns the jobs and, for each, how many summaries of the page it ends."""
    jobs: list[Job] = []
    ends: list[int] = []
    problems = unmapped = 0
    for number, item in enumerate(items[skip:], start=skip + 1):
        job = normalize(spec, item, region=region, scope=scope)
        if query is not None and not query.matches(job):
            continue
        if job.problem is not None:
            problems += 1
        elif job.status is JobStatus.UNKNOWN and job.raw_status is not None:
            unmapped += 1
        jobs.append(job)
        ends.append(number)
    stats.add(endpoint, pages=1, jobs=len(jobs))
    if problems or unmapped:
        stats.count(unnormalized=problems, unmapped_statuses=unmapped)
    return jobs, ends
