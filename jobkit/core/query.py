"""One query language for every service: parsing the filters, and matching jobs on the client.

``Query`` holds the caller's filters in canonical form. Each adapter pushes down what its API
can apply (see ``jobkit.core.pushdown``); jobkit then applies the whole query on the client
again, so the result is the same whether a part was pushed down or not, whatever a service's
boundary or case rules are.

Semantics: ``statuses`` is a set of ``JobStatus``; ``since``/``until`` bound ``created`` as a
half-open window ``since <= created < until``; ``name_contains`` is a case-insensitive
substring of ``name``. A job that could not be normalized (``Job.problem`` set) always passes,
so a filter never hides a record jobkit could not read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any, Literal, get_args

import attrs

from jobkit.errors import InvalidFilterError
from jobkit.model import Job, JobStatus

__all__ = ["ORDERS", "Order", "Query", "parse_statuses", "parse_time"]

#: The global orders a listing can have (by ``Job.created``).
Order = Literal["created-desc", "created-asc"]
ORDERS: tuple[Order, ...] = get_args(Order)

_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_TIME_FORMS = (
    "a datetime (naive = UTC), a date (midnight UTC), an ISO-8601 string "
    "('2026-11-01', '2026-11-01T12:00:00Z'), or a relative age such as '90m', '12h', '7d', '2w'"
)


def parse_time(value: Any, *, now: dt.datetime, name: str) -> dt.datetime | None:
    """A filter time as an aware UTC datetime; relative ages count back from ``now``."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, dt.timedelta):
        return now - value
    if isinstance(value, str):
        match = _RELATIVE.match(value)
        if match:
            seconds = float(match.group(1)) * _UNITS[match.group(2).lower()]
            return now - dt.timedelta(seconds=seconds)
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return parse_time(parsed, now=now, name=name)
    raise InvalidFilterError(
        f"{name}={value!r} is not a time jobkit understands", hint=f"{name} takes {_TIME_FORMS}"
    )


def parse_statuses(value: Any) -> frozenset[JobStatus] | None:
    """``status=`` as a set of JobStatus: a JobStatus, its name (any case), or several."""
    if value is None:
        return None
    items = [value] if isinstance(value, str | JobStatus) else value
    try:
        items = list(items)
    except TypeError:
        items = [value]
    out: set[JobStatus] = set()
    for item in items:
        if isinstance(item, JobStatus):
            out.add(item)
            continue
        if isinstance(item, str):
            key = item.strip().upper().replace("-", "_").replace(" ", "_")
            if key in JobStatus.__members__:
                out.add(JobStatus[key])
                continue
        raise InvalidFilterError(
            f"status={item!r} is not a JobStatus",
            hint="use one or several of " + ", ".join(s.value for s in JobStatus),
        )
    if not out:
        raise InvalidFilterError("status= is empty", hint="name at least one JobStatus")
    return frozenset(out)


def _check_limit(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidFilterError(
            f"limit={value!r} is not a positive integer", hint="e.g. limit=100"
        )
    return value


def _check_order(value: Any) -> Order | None:
    if value is None or value in ORDERS:
        return value  # type: ignore[no-any-return]
    raise InvalidFilterError(
        f"order={value!r} is not an order jobkit knows", hint="use one of " + ", ".join(ORDERS)
    )


def _check_name(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidFilterError(
            f"name_contains={value!r} must be a non-empty string", hint="e.g. name_contains='etl'"
        )
    return value


@attrs.frozen(kw_only=True)
class Query:
    """The caller's filters, canonical. Build it with ``Query.parse``."""

    statuses: frozenset[JobStatus] | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    name_contains: str | None = None
    limit: int | None = None
    order: Order | None = None

    @classmethod
    def parse(
        cls,
        *,
        status: Any = None,
        since: Any = None,
        until: Any = None,
        name_contains: Any = None,
        limit: Any = None,
        order: Any = None,
        now: dt.datetime | None = None,
    ) -> Query:
        """Check and convert the filter arguments of ``jobs()``; raise InvalidFilterError."""
        now = now or dt.datetime.now(dt.UTC)
        query = cls(
            statuses=parse_statuses(status),
            since=parse_time(since, now=now, name="since"),
            until=parse_time(until, now=now, name="until"),
            name_contains=_check_name(name_contains),
            limit=_check_limit(limit),
            order=_check_order(order),
        )
        if query.since and query.until and query.since >= query.until:
            raise InvalidFilterError(
                f"since ({query.since.isoformat()}) is not before until "
                f"({query.until.isoformat()})",
                hint="the window is since <= created < until",
            )
        return query

    @property
    def filters(self) -> bool:
        """True when any part of the query removes jobs (limit and order aside)."""
        return bool(self.statuses or self.since or self.until or self.name_contains)

    def raw_statuses(self, status_map: Iterable[tuple[str, JobStatus]]) -> list[str] | None:
        """The service's status words that the status filter selects (None: no filter)."""
        if self.statuses is None:
            return None
        return [raw for raw, status in status_map if status in self.statuses]

    def matches(self, job: Job) -> bool:
        """True when ``job`` passes every filter (always, for a job jobkit could not read)."""
        if job.problem is not None:
            return True
        if self.statuses is not None and job.status not in self.statuses:
            return False
        if self.since is not None or self.until is not None:
            if job.created is None:
                return False
            if self.since is not None and job.created < self.since:
                return False
            if self.until is not None and job.created >= self.until:
                return False
        if self.name_contains is not None:
            return job.name is not None and self.name_contains.casefold() in job.name.casefold()
        return True
