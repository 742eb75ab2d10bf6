"""From a request (adapters x regions x scopes) to streams, without I/O.

A ``Stream`` is one paged listing: one operation, in one region, under one scope, with one
partition value. Scopes the caller did not give are discovered by ``discover_scopes``, a
generator that yields the ``Call`` it needs answered and receives the parsed response: the sync
and async drivers run the same generator, so discovery behaves identically in both.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Generator, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from jobkit.core import pushdown
from jobkit.core.paging import Pager
from jobkit.core.query import Query
from jobkit.core.spec import AdapterSpec, Discovery
from jobkit.errors import MissingScopeError

__all__ = [
    "ALL_REGIONS",
    "Call",
    "ListingPart",
    "Stream",
    "StreamPlan",
    "choose_regions",
    "discover_scopes",
    "endpoint_key",
    "expand_scopes",
    "missing_scopes",
    "plan_streams",
    "shard_queries",
    "shard_windows",
]

#: ``regions="all"``: every region botocore lists for each adapter's service (in the default
#: region's partition: credentials work in one partition).
ALL_REGIONS = "all"


def endpoint_key(service: str, region: str, account: str | None) -> str:
    """The key of an endpoint (service x region x account) for statistics and failures."""
    return f"{service}/{region}@{account}" if account else f"{service}/{region}"


def _proxy(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Call:
    """One API call a flow needs made: ``operation`` of ``service`` in ``region``."""

    service: str
    region: str
    operation: str
    params: Mapping[str, Any] = attrs.field(converter=_proxy)
    adapter: str = ""


@attrs.frozen(kw_only=True)
class Stream:
    """One paged listing of one adapter in one region, scope and partition."""

    spec: AdapterSpec
    region: str
    scope: Mapping[str, str] = attrs.field(factory=dict, converter=_proxy)
    partition: Mapping[str, str] = attrs.field(factory=dict, converter=_proxy)
    params: Mapping[str, Any] = attrs.field(factory=dict, converter=_proxy)
    account: str | None = None  # the profile (or session label) the stream runs under

    @property
    def key(self) -> str:
        """A stable identity, used by cursors and statistics."""
        return json.dumps(
            [
                self.spec.name,
                self.region,
                self.account,
                sorted(self.scope.items()),
                sorted(self.partition.items()),
            ],
            separators=(",", ":"),
            default=str,
        )

    @property
    def endpoint(self) -> str:
        """The endpoint the stream talks to: service, region and account."""
        return endpoint_key(self.spec.service, self.region, self.account)

    def request_params(self) -> dict[str, Any]:
        """The parameters of every page's request, token and limit aside."""
        return {**self.spec.base_params, **self.params, **self.scope, **self.partition}

    def pager(self, position: str | None = None, *, page_size: int | None = None) -> Pager:
        """A fresh page loop for this stream, resuming from ``position`` if given; pages hold
        at most ``page_size`` summaries (the adapter's maximum when None or larger)."""
        size = self.spec.page_size if page_size is None else min(page_size, self.spec.page_size)
        return Pager(
            params=self.request_params(),
            input_token=self.spec.input_token,
            output_token=self.spec.output_token,
            result_key=self.spec.result_key,
            limit_key=self.spec.limit_key,
            page_size=size,
            position=position,
        )


def _as_values(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(dict.fromkeys(value))


def expand_scopes(spec: AdapterSpec, given: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every combination of the scope values the caller gave (a value may be a list)."""
    names = [name for name in spec.scope_names if name in given]
    choices = [_as_values(given[name]) for name in names]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices)]


def _discovery_pager(
    discovery: Discovery, scope: Mapping[str, str], extra: Mapping[str, str] | None = None
) -> Pager:
    params = {**discovery.base_params, **(extra or {})}
    params.update({request: scope[need] for request, need in discovery.needs.items()})
    return Pager(
        params=params,
        input_token=discovery.input_token,
        output_token=discovery.output_token,
        result_key=discovery.result_key,
        limit_key=discovery.limit_key,
        page_size=discovery.page_size,
    )


def missing_scopes(
    spec: AdapterSpec, given: Mapping[str, Any], *, discover: bool = True, every: bool = False
) -> list[str]:
    """The scope parameters of ``spec`` that were not given and cannot be discovered (in a
    listing of ``every`` adapter, nor those whose discovery has no bound: ``named_only``)."""
    return [
        p.name
        for p in spec.scope
        if p.name not in given and (p.discovery is None or not discover or (every and p.named_only))
    ]


def discover_scopes(
    spec: AdapterSpec, region: str, given: Mapping[str, Any], *, discover: bool = True
) -> Generator[Call, Mapping[str, Any], list[dict[str, str]]]:
    """Every scope of ``spec`` in ``region``: the given values, the rest discovered.

    Yields each discovery call and expects its parsed response back; returns the scopes.
    A parameter that was not given and cannot be discovered (or ``discover`` is False) raises
    ``MissingScopeError``.
    """
    missing = missing_scopes(spec, given, discover=discover)
    if missing:
        how = {p.name: p.doc for p in spec.scope if p.name in missing}
        raise MissingScopeError(spec.name, spec.operation, missing, how)
    scopes = expand_scopes(spec, given)
    for param in spec.scope:
        if param.name in given:
            continue
        assert param.discovery is not None  # checked above
        grown: list[dict[str, str]] = []
        for scope in scopes:
            values = yield from _discover(param.discovery, region, scope, spec.name)
            grown.extend({**scope, param.name: value} for value in values)
        scopes = grown
    return scopes


def _discover(
    discovery: Discovery, region: str, scope: Mapping[str, str], adapter: str
) -> Generator[Call, Mapping[str, Any], list[str]]:
    """The values one discovery lists under ``scope`` (under each of its own parents' values
    first, for a two-level discovery), each once, in listing order."""
    parents: list[dict[str, str]] = [{}]
    if discovery.within is not None:
        outer, member = discovery.within
        found = yield from _discover(outer, region, scope, adapter)
        parents = [{member: value} for value in found]
    values: dict[str, None] = {}
    for extra in parents:
        pager = _discovery_pager(discovery, scope, extra)
        while (request := pager.next_request()) is not None:
            response = yield Call(
                service=discovery.service,
                region=region,
                operation=discovery.operation,
                params=request,
                adapter=adapter,
            )
            for item in pager.feed(response):
                if discovery.keep is not None and not discovery.keep(item):
                    continue
                value = discovery.value(item)
                if value:
                    # Trained models are listed once per version: one scope per model.
                    values[value] = None
    return list(values)


def choose_regions(
    requested: Sequence[str], offered: Sequence[str], in_partition: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The regions to list a service in, and the requested ones it is not offered in.

    ``requested`` is the caller's list, or ``[ALL_REGIONS]``; ``offered`` the regions botocore
    lists for the service (empty: botocore has no list, so the caller is trusted);
    ``in_partition`` those of the default region's partition, which ``"all"`` means.
    """
    if list(requested) == [ALL_REGIONS]:
        return list(in_partition), []
    if not offered:
        return list(requested), []
    chosen = [region for region in requested if region in offered]
    return chosen, [region for region in requested if region not in offered]


def shard_windows(
    query: Query, shards: int, *, now: dt.datetime
) -> list[tuple[dt.datetime | None, dt.datetime]]:
    """``shards`` half-open creation-time windows covering the query's window (or the last
    30 days, with one more window below them for everything older when no ``since`` was
    given); the open end is a minute past ``now``."""
    until = query.until or now + dt.timedelta(minutes=1)
    since = query.since
    count = shards if since is not None else shards - 1
    low = since or until - dt.timedelta(days=30)
    step = (until - low) / count
    edges = [low + step * i for i in range(count)] + [until]
    windows: list[tuple[dt.datetime | None, dt.datetime]] = [
        (edges[i], edges[i + 1]) for i in range(count)
    ]
    if since is None:
        windows.insert(0, (None, low))
    return windows


def shard_queries(
    query: Query, spec: AdapterSpec, shards: int | None, *, now: dt.datetime
) -> list[Query]:
    """The query of each shard of a stream: one per window when the API filters by creation
    time and ``shards`` > 1, else the query itself."""
    if not shards or shards < 2:
        return [query]
    probe = attrs.evolve(query, since=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    if "since" not in pushdown.plan(probe, spec).pushed:
        return [query]  # the API cannot filter by creation time: one stream
    return [
        attrs.evolve(query, since=low, until=high)
        for low, high in shard_windows(query, shards, now=now)
    ]


@attrs.frozen(kw_only=True)
class ListingPart:
    """One selection of a listing that runs several at once (the inventory's reads of every
    stream of a sync, in one scheduler): an adapter in one region and account with its own
    query and request parameters. ``known``: its scopes, known already (no discovery);
    ``stop_below``: its streams come newest first and end at the page holding the first job
    created before this time; ``page_size``: its pages' size (a read of the few newest jobs
    needs no full page)."""

    spec: AdapterSpec
    region: str
    account: str | None
    query: Query
    scopes: Mapping[str, Any] = attrs.field(factory=dict, converter=_proxy)
    extras: Mapping[str, Any] = attrs.field(factory=dict, converter=_proxy)
    known: tuple[Mapping[str, str], ...] | None = None
    stop_below: dt.datetime | None = None
    page_size: int | None = None  # jobs per page at most (None: the listing's page size)


@attrs.frozen
class StreamPlan:
    """A stream to list, the query its jobs are filtered by, and whether the service
    returns it in the listing's order (so an ordered listing can merge it lazily)."""

    stream: Stream
    query: Query
    server_sorted: bool


def plan_streams(
    spec: AdapterSpec,
    region: str,
    scopes: Iterable[Mapping[str, str]],
    *,
    query: Query,
    params: Mapping[str, Any] | None = None,
    account: str | None = None,
    shards: int | None = None,
    now: dt.datetime,
) -> list[StreamPlan]:
    """Every stream of one adapter in one region and account: shards x scopes x the push
    plan's requests, each push plan computed once."""
    scopes = list(scopes)
    out: list[StreamPlan] = []
    for shard in shard_queries(query, spec, shards, now=now):
        push = pushdown.plan(shard, spec)
        server_sorted = push.order is not None and push.order == query.order
        out.extend(
            StreamPlan(stream, shard, server_sorted)
            for stream in _streams(
                spec, region, scopes=scopes, requests=push.requests, params=params, account=account
            )
        )
    return out


def _streams(
    spec: AdapterSpec,
    region: str,
    *,
    scopes: Iterable[Mapping[str, str]],
    requests: Iterable[Mapping[str, Any]],
    params: Mapping[str, Any] | None,
    account: str | None,
) -> list[Stream]:
    requests = list(requests)
    return [
        Stream(
            spec=spec,
            region=region,
            scope=scope,
            partition=request,
            params=params or {},
            account=account,
        )
        for scope in scopes
        for request in requests
    ]
