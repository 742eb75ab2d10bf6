"""Adapter declarations: what jobkit needs to know to list one AWS operation.

An adapter is data. ``AdapterSpec`` names the operation, its paging keys, where each
normalized field lives in a summary, how the service's status words map onto ``JobStatus``,
which scope parameters it needs and how they are discovered. A hook function is used only for
the odd part (a derived status). The specs live in ``jobkit/adapters/``; the type lives here,
in the sans-I/O core, so that the core can plan and normalize without importing the adapters.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from jobkit.model import JobStatus

__all__ = [
    "AdapterSpec",
    "Discovery",
    "Partition",
    "ScopeParam",
    "TimeFormat",
]


class TimeFormat(enum.Enum):
    """How a summary's timestamps arrive after botocore parsed them."""

    DATETIME = "datetime"  # botocore already parsed a timestamp shape into a datetime
    EPOCH_MS = "epoch_ms"  # a ``long`` of milliseconds since the epoch (Batch)


def _proxy(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Discovery:
    """How to find the values of a scope parameter when the caller does not pass them.

    ``operation`` on ``service`` is paged like any listing (``result_key``, tokens, limit);
    ``value`` picks the scope value out of one listed item. ``needs`` names earlier scope
    parameters this discovery depends on (e.g. a trained model needs its collaboration), passed
    to the request under ``request_params`` names.
    """

    service: str
    operation: str
    result_key: str
    input_token: str
    output_token: str
    limit_key: str | None
    page_size: int
    value: Callable[[Mapping[str, Any]], str | None]
    needs: Mapping[str, str] = attrs.field(factory=dict, converter=_proxy)
    base_params: Mapping[str, Any] = attrs.field(factory=dict, converter=_proxy)
    keep: Callable[[Mapping[str, Any]], bool] | None = None


@attrs.frozen(kw_only=True)
class ScopeParam:
    """A parent the operation lists under (a work team, a job queue, a collaboration)."""

    name: str
    doc: str
    discovery: Discovery | None = None


@attrs.frozen(kw_only=True)
class Partition:
    """One request parameter that splits a listing into several streams.

    Batch ListServiceJobs returns only RUNNING jobs unless a status is named, so listing a
    whole queue means one stream per status value.
    """

    param: str
    values: tuple[str, ...]
    by_status: bool = False  # the values are the service's status words


@attrs.frozen(kw_only=True)
class AdapterSpec:
    """Everything jobkit needs to list, page and normalize one AWS operation."""

    name: str
    service: str
    operation: str
    doc: str
    result_key: str
    input_token: str
    output_token: str
    limit_key: str | None
    page_size: int
    name_field: str | None
    id_field: str | None
    status_field: str | None
    created_field: str | None
    ended_field: str | None = None
    updated_field: str | None = None
    time_format: TimeFormat = TimeFormat.DATETIME
    status_map: Mapping[str, JobStatus] = attrs.field(factory=dict, converter=_proxy)
    derive_status: Callable[[Mapping[str, Any]], JobStatus] | None = None
    status_rule: str | None = None
    scope: tuple[ScopeParam, ...] = ()
    partition: Partition | None = None
    base_params: Mapping[str, Any] = attrs.field(factory=dict, converter=_proxy)
    has_botocore_paginator: bool = True
    account_field: str | None = None
    pushdown: Callable[[Any, Any], Any] | None = None  # a jobkit.core.pushdown strategy

    def __attrs_post_init__(self) -> None:
        if (self.status_field is None) == (self.derive_status is None):
            raise ValueError(f"{self.name}: give exactly one of status_field or derive_status")
        if self.derive_status is not None and not self.status_rule:
            raise ValueError(f"{self.name}: a derived status needs its documented status_rule")

    @property
    def scope_names(self) -> tuple[str, ...]:
        """The AWS names of the scope parameters, in discovery order."""
        return tuple(p.name for p in self.scope)

    @property
    def mapped_fields(self) -> tuple[str, ...]:
        """The summary members this spec reads into normalized ``Job`` fields."""
        return tuple(
            f
            for f in (
                self.name_field,
                self.id_field,
                self.status_field,
                self.created_field,
                self.ended_field,
                self.updated_field,
            )
            if f is not None
        )
