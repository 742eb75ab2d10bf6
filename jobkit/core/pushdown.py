"""Which parts of a query each API applies itself, and the requests that result.

An adapter declares a push-down strategy; ``plan(query, spec)`` returns the request
parameters of each stream (one per partition) and says which query parts went to the service.
jobkit re-applies the whole query on the client afterwards, so push-down only saves pages and
bytes: it never changes the result. Time bounds are pushed with a one-second margin, so a
service's own boundary rule (strict or inclusive, seconds or milliseconds) cannot drop a job
that jobkit's half-open window ``since <= created < until`` keeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs

from jobkit.core.query import Query

__all__ = [
    "PushPlan",
    "Strategy",
    "batch_filters",
    "nested_filter",
    "plan",
    "status_list",
    "top_level",
]

_MARGIN = dt.timedelta(seconds=1)
#: A lower time bound that excludes nothing, for services that sort only when given one.
_EPOCH = dt.datetime(1970, 1, 2, tzinfo=dt.UTC)


@attrs.frozen
class PushPlan:
    """The requests of one adapter's streams, and where each query part is applied."""

    requests: list[dict[str, Any]]
    pushed: dict[str, str] = attrs.field(factory=dict)  # query part -> request member
    note: str | None = None
    order: str | None = None  # the order the service returns these streams in, if known

    def client_side(self, query: Query) -> list[str]:
        """The query parts the service does not apply (jobkit applies them)."""
        parts = {
            "status": query.statuses is not None,
            "since": query.since is not None,
            "until": query.until is not None,
            "name_contains": query.name_contains is not None,
        }
        return [p for p, given in parts.items() if given and p not in self.pushed]


#: A strategy turns a query into a push plan for one adapter (see ``plan``).
Strategy = Callable[[Query, Any], PushPlan]


def _status_partitions(query: Query, spec: Any) -> list[dict[str, Any]] | None:
    """The spec's status partition restricted to the selected statuses (None: no partition)."""
    partition = spec.partition
    if partition is None:
        return None
    values = list(partition.values)
    if query.statuses is not None and partition.by_status:
        selected = set(query.raw_statuses(spec.status_map.items()) or [])
        values = [v for v in values if v in selected]
    return [{partition.param: v} for v in values]


def default(query: Query, spec: Any) -> PushPlan:
    """Nothing pushed down: the spec's partitions (if any), everything else on the client."""
    partitions = _status_partitions(query, spec)
    if partitions is None:
        return PushPlan(requests=[{}])
    by_status = query.statuses is not None and spec.partition.by_status
    pushed = {"status": spec.partition.param} if by_status else {}
    return PushPlan(requests=partitions, pushed=pushed)


def _times(
    query: Query, after: str | None, before: str | None, convert: Callable[[dt.datetime], Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    params: dict[str, Any] = {}
    pushed: dict[str, str] = {}
    if after and query.since is not None:
        params[after] = convert(query.since - _MARGIN)
        pushed["since"] = after
    if before and query.until is not None:
        params[before] = convert(query.until + _MARGIN)
        pushed["until"] = before
    return params, pushed


def top_level(
    *,
    status: str | None = None,
    after: str | None = None,
    before: str | None = None,
    name: str | None = None,
    sort: tuple[str, str, str] | None = None,
) -> Strategy:
    """Filters as top-level request members (SageMaker style).

    ``sort`` names the sort-order member and its descending and ascending values: the
    streams are then sorted by creation time by the service, in the order the query asks
    (descending when it asks none), and can be merged lazily.

    The status member takes one word, and SageMaker applies MaxResults before its filters (a
    filtered listing reads as many pages as an unfiltered one), so several selected statuses
    are filtered on the client rather than listed once each.
    """

    def strategy(query: Query, spec: Any) -> PushPlan:
        params, pushed = _times(query, after, before, lambda t: t)
        raw = query.raw_statuses(spec.status_map.items()) if spec.status_field else None
        if raw is not None and not raw:
            return PushPlan(requests=[], note="no status of this service matches")
        if status and raw is not None and len(raw) == 1:
            params[status] = raw[0]
            pushed["status"] = status
        if name and query.name_contains is not None:
            params[name] = query.name_contains
            pushed["name_contains"] = name
        order = None
        if sort is not None:
            member, descending, ascending = sort
            order = query.order or "created-desc"
            params[member] = ascending if order == "created-asc" else descending
        return PushPlan(requests=[params], pushed=pushed, order=order)

    return strategy


def nested_filter(
    member: str,
    *,
    status: str | None = None,
    after: str | None = None,
    before: str | None = None,
    newest_first_after: bool = False,
) -> Strategy:
    """Filters inside one structure member (Comprehend Medical's ``Filter``).

    The service filters before it pages, so several selected statuses become one stream each.
    ``newest_first_after``: the service documents newest-first order whenever the lower time
    bound is given, which lets an ordered listing merge the stream lazily.
    """

    def strategy(query: Query, spec: Any) -> PushPlan:
        inner, pushed = _times(query, after, before, lambda t: t)
        raw = query.raw_statuses(spec.status_map.items())
        if raw is not None and not raw:
            return PushPlan(requests=[], note="no status of this service matches")
        order = None
        if newest_first_after and after and query.order == "created-desc":
            # The service lists newest first once a lower time bound is given: give one (the
            # epoch, when the query has none) so the stream can be merged lazily.
            inner.setdefault(after, _EPOCH)
            order = "created-desc"
        variants: list[dict[str, Any]] = [dict(inner)]
        if status and raw is not None:
            variants = [{**inner, status: word} for word in raw]
            pushed["status"] = f"{member}.{status}"
        pushed = {k: (v if "." in v else f"{member}.{v}") for k, v in pushed.items()}
        return PushPlan(
            requests=[{member: v} if v else {} for v in variants],
            pushed=pushed,
            order=order,
        )

    return strategy


def _epoch_ms(value: dt.datetime) -> str:
    return str(int(value.timestamp() * 1000))


def batch_filters(query: Query, spec: Any) -> PushPlan:
    """Batch: ``jobStatus`` (one per stream) or exactly one of its ``filters``.

    A filter makes the API ignore ``jobStatus`` and return every status, newest first, in one
    stream. jobkit picks the most selective single option: a lower time bound (recent windows
    are small), else the selected statuses (one stream each), else an upper time bound, else
    one stream per status (without any, the API returns RUNNING jobs only). JOB_NAME matches
    whole names or prefixes, not substrings, so name_contains stays on the client.
    """
    raw = query.raw_statuses(spec.status_map.items())
    if raw is not None and not raw:
        return PushPlan(requests=[], note="no status of this service matches")
    if query.since is not None:
        # No implicit lower bound is added for ordered listings (as Comprehend Medical gets):
        # a job whose createdAt the service cannot compare would be dropped without a word.
        value = _epoch_ms(query.since - _MARGIN)
        return PushPlan(
            requests=[{"filters": [{"name": "AFTER_CREATED_AT", "values": [value]}]}],
            pushed={"since": "filters[AFTER_CREATED_AT]"},
            note="one filtered stream covers every status; status applied on the client",
            order="created-desc",
        )
    if query.statuses is not None:
        return default(query, spec)
    if query.until is not None:
        value = _epoch_ms(query.until + _MARGIN)
        return PushPlan(
            requests=[{"filters": [{"name": "BEFORE_CREATED_AT", "values": [value]}]}],
            pushed={"until": "filters[BEFORE_CREATED_AT]"},
            note="one filtered stream covers every status",
            order="created-desc",
        )
    return default(query, spec)


def plan(query: Query, spec: Any) -> PushPlan:
    """The push plan of ``spec`` for ``query``."""
    strategy: Strategy = spec.pushdown or default
    result = strategy(query, spec)
    partition = spec.partition
    if partition is not None and not partition.by_status and spec.pushdown is not None:
        # A partition that is not by status (SageMaker ListJobs' required JobCategory) splits
        # every request the strategy makes: one stream per value.
        requests = [{**r, partition.param: v} for r in result.requests for v in partition.values]
        result = attrs.evolve(result, requests=requests)
    return result


def status_list(member: str, *, after: str | None = None, before: str | None = None) -> Strategy:
    """Filters as top-level members where the status member takes a list of words (EMR
    Serverless ``states``, S3 Control ``JobStatuses``): every selected status in one stream."""

    def strategy(query: Query, spec: Any) -> PushPlan:
        params, pushed = _times(query, after, before, lambda t: t)
        raw = query.raw_statuses(spec.status_map.items())
        if raw is not None and not raw:
            return PushPlan(requests=[], note="no status of this service matches")
        if raw is not None:
            params[member] = list(raw)
            pushed["status"] = member
        return PushPlan(requests=[params], pushed=pushed)

    return strategy
