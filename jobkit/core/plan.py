"""From a request (adapters x regions x scopes) to streams, without I/O.

A ``Stream`` is one paged listing: one operation, in one region, under one scope, with one
partition value. Scopes the caller did not give are discovered by ``discover_scopes``, a
generator that yields the ``Call`` it needs answered and receives the parsed response: the sync
and async drivers run the same generator, so discovery behaves identically in both.
"""

from __future__ import annotations

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

__all__ = ["Call", "Stream", "discover_scopes", "expand_scopes", "streams_for"]


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
        account = f"@{self.account}" if self.account else ""
        return f"{self.spec.service}/{self.region}{account}"

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


def _discovery_pager(discovery: Discovery, scope: Mapping[str, str]) -> Pager:
    params = {**discovery.base_params}
    params.update({request: scope[need] for request, need in discovery.needs.items()})
    return Pager(
        params=params,
        input_token=discovery.input_token,
        output_token=discovery.output_token,
        result_key=discovery.result_key,
        limit_key=discovery.limit_key,
        page_size=discovery.page_size,
    )


def discover_scopes(
    spec: AdapterSpec, region: str, given: Mapping[str, Any], *, discover: bool = True
) -> Generator[Call, Mapping[str, Any], list[dict[str, str]]]:
    """Every scope of ``spec`` in ``region``: the given values, the rest discovered.

    Yields each discovery call and expects its parsed response back; returns the scopes.
    A parameter that was not given and cannot be discovered (or ``discover`` is False) raises
    ``MissingScopeError``.
    """
    missing = [
        p.name for p in spec.scope if p.name not in given and (p.discovery is None or not discover)
    ]
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
            pager = _discovery_pager(param.discovery, scope)
            values: dict[str, None] = {}
            while (request := pager.next_request()) is not None:
                response = yield Call(
                    service=param.discovery.service,
                    region=region,
                    operation=param.discovery.operation,
                    params=request,
                    adapter=spec.name,
                )
                for item in pager.feed(response):
                    if param.discovery.keep is not None and not param.discovery.keep(item):
                        continue
                    value = param.discovery.value(item)
                    if value:
                        # Trained models are listed once per version: one scope per model.
                        values[value] = None
            grown.extend({**scope, param.name: value} for value in values)
        scopes = grown
    return scopes


def streams_for(
    spec: AdapterSpec,
    region: str,
    scopes: Iterable[Mapping[str, str]],
    *,
    params: Mapping[str, Any] | None = None,
    account: str | None = None,
    query: Query | None = None,
) -> list[Stream]:
    """The streams of one adapter in one region: scopes x the push plan's requests."""
    requests = pushdown.plan(query or Query(), spec).requests
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
