"""What the adapters read from botocore's model instead of restating it.

botocore's ``paginators-1`` data says, for most list operations, which output member holds the
items, which members carry the page token and which one bounds the page size; the service model
says that member's bounds. ``botocore_paging`` turns that into a ``PagingSource``: the spec
reads it on first use (a listing, ``explain``, a test), so importing jobkit parses no service
model. Where botocore has no paginator the adapter declares ``Paging`` itself.

``model_problems`` checks one spec against the installed model: every member it relies on
(paging keys, mapped fields, scope and filter members, status words) is still there. The drift
tests run it over the registry, and it names the operation and the member that went missing.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import Any

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel, Shape

from jobkit._botodata import shared_loader
from jobkit.core.pushdown import plan
from jobkit.core.query import Query
from jobkit.core.spec import AdapterSpec, Discovery, Paging, PagingSource, TimeFormat
from jobkit.errors import ModelMismatchError

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "adapter",
    "botocore_paging",
    "discovery",
    "model_problems",
    "operation_model",
    "paginator_config",
    "summary_shape",
]

#: Items asked for per page when the declaration says nothing: the model's maximum when lower.
DEFAULT_PAGE_SIZE = 100


@functools.cache
def _paginators(loader: Loader, service: str) -> Mapping[str, Any]:
    try:
        data = loader.load_service_model(service, "paginators-1")
    except Exception:  # DataNotFoundError, UnknownServiceError: the service has none
        return {}
    pagination: Mapping[str, Any] = data.get("pagination", {})
    return pagination


def paginator_config(
    service: str, operation: str, *, loader: Loader | None = None
) -> Mapping[str, Any] | None:
    """botocore's paginator for ``operation`` (None if botocore has none)."""
    config: Mapping[str, Any] | None = _paginators(loader or shared_loader(), service).get(
        operation
    )
    return config


@functools.cache
def _service_model(loader: Loader, service: str) -> ServiceModel:
    return ServiceModel(loader.load_service_model(service, "service-2"), service_name=service)


def operation_model(
    service: str, operation: str, *, loader: Loader | None = None
) -> OperationModel:
    """The installed botocore model of ``operation``."""
    return _service_model(loader or shared_loader(), service).operation_model(operation)


def _page_size(op: OperationModel, limit_key: str | None, declared: int | None) -> int:
    if declared is not None:
        return declared
    if limit_key is None:
        return DEFAULT_PAGE_SIZE
    high = op.input_shape.members[limit_key].metadata.get("max")
    return DEFAULT_PAGE_SIZE if high is None else min(DEFAULT_PAGE_SIZE, int(high))


def botocore_paging(
    service: str, operation: str, *, page_size: int | None = None, who: str | None = None
) -> PagingSource:
    """The paging of ``operation`` as botocore's paginator says, read on first use.

    ``page_size`` overrides the default (``DEFAULT_PAGE_SIZE``, or the limit member's maximum
    when lower). A paginator botocore no longer has, or one jobkit cannot follow (several
    result keys, a composite token), raises ``ModelMismatchError``.
    """

    def source() -> Paging:
        config = paginator_config(service, operation)
        if config is None:
            raise ModelMismatchError(
                f"botocore has no paginator for {service} {operation}",
                adapter=who,
                operation=operation,
            )
        keys = {k: config.get(k) for k in ("result_key", "input_token", "output_token")}
        limit = config.get("limit_key")
        if not all(isinstance(v, str) for v in keys.values()) or not isinstance(limit, str | None):
            raise ModelMismatchError(
                f"botocore's paginator for {service} {operation} is not a plain one: {config}",
                adapter=who,
                operation=operation,
            )
        op = operation_model(service, operation)
        return Paging(
            result_key=str(keys["result_key"]),
            input_token=str(keys["input_token"]),
            output_token=str(keys["output_token"]),
            limit_key=limit,
            page_size=_page_size(op, limit, page_size),
            botocore_paginator=True,
        )

    return source


def adapter(
    name: str,
    service: str,
    operation: str,
    doc: str,
    *,
    page_size: int | None = None,
    paging: Paging | None = None,
    **fields: Any,
) -> AdapterSpec:
    """An ``AdapterSpec`` whose paging comes from botocore's paginator unless ``paging`` is
    given (only where botocore has none)."""
    source: Paging | PagingSource = paging or botocore_paging(
        service, operation, page_size=page_size, who=name
    )
    return AdapterSpec(
        name=name, service=service, operation=operation, doc=doc, paging=source, **fields
    )


def discovery(
    service: str,
    operation: str,
    *,
    value: Callable[[Mapping[str, Any]], str | None],
    page_size: int | None = None,
    paging: Paging | None = None,
    **fields: Any,
) -> Discovery:
    """A ``Discovery`` whose paging comes from botocore's paginator unless ``paging`` is given."""
    source: Paging | PagingSource = paging or botocore_paging(
        service, operation, page_size=page_size
    )
    return Discovery(service=service, operation=operation, paging=source, value=value, **fields)


def summary_shape(spec: AdapterSpec, *, loader: Loader | None = None) -> Shape:
    """The shape of one summary (the member of the result list)."""
    op = operation_model(spec.service, spec.operation, loader=loader)
    shape: Shape = op.output_shape.members[spec.result_key].member
    return shape


def _filter_members(spec: AdapterSpec) -> list[str]:
    """The request members the spec's push-down strategy sends (dotted for nested ones)."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    # A status one service word maps to, so that single-word strategies push it too.
    counts = collections.Counter(spec.status_map.values())
    statuses = sorted(counts, key=lambda s: (counts[s], s.value))[:1]
    query = Query.parse(
        status=statuses or None,
        since=now - dt.timedelta(days=2),
        until=now - dt.timedelta(days=1),
        name_contains="x" if spec.name_field else None,
        now=now,
    )
    members: list[str] = []
    for request in plan(query, spec).requests:
        for key, value in request.items():
            if isinstance(value, Mapping):
                members += [f"{key}.{inner}" for inner in value]
            else:
                members.append(key)
    return sorted(set(members))


def model_problems(spec: AdapterSpec, *, loader: Loader | None = None) -> list[str]:
    """What ``spec`` relies on that the installed model does not have; empty when in step.

    Each problem names the operation and the member, e.g. ``sagemaker ListTrainingJobs:
    summary member 'TrainingEndTime' is gone``.
    """
    where = f"{spec.service} {spec.operation}"
    try:
        op = operation_model(spec.service, spec.operation, loader=loader)
    except Exception as exc:  # an unknown service or operation
        return [f"{where}: the operation is gone ({type(exc).__name__})"]
    problems: list[str] = []
    inputs, outputs = op.input_shape.members, op.output_shape.members
    paging = spec.paging
    if paging.botocore_paginator:
        config = paginator_config(spec.service, spec.operation, loader=loader)
        if config is None:
            problems.append(f"{where}: botocore's paginator is gone")
    for kind, member, members in (
        ("input token", paging.input_token, inputs),
        ("output token", paging.output_token, outputs),
        ("result key", paging.result_key, outputs),
        ("limit key", paging.limit_key, inputs),
    ):
        if member is not None and member not in members:
            problems.append(f"{where}: {kind} member {member!r} is gone")
    if paging.result_key not in outputs:
        return problems
    summary = outputs[paging.result_key].member
    fields = summary.members if summary.type_name == "structure" else {}
    for member in (*spec.mapped_fields, spec.account_field):
        if member is not None and member not in fields:
            problems.append(f"{where}: summary member {member!r} is gone")
    time_type = "long" if spec.time_format is TimeFormat.EPOCH_MS else "timestamp"
    for member in (spec.created_field, spec.ended_field, spec.updated_field):
        if member in fields and fields[member].type_name != time_type:
            problems.append(f"{where}: summary member {member!r} is no longer a {time_type}")
    if spec.status_field in fields:
        enum = set(fields[spec.status_field].enum or ())
        for value in sorted(enum - set(spec.status_map)):
            problems.append(f"{where}: status value {value!r} of {spec.status_field} is unmapped")
        for value in sorted(set(spec.status_map) - enum):
            problems.append(f"{where}: status value {value!r} is no longer in the model")
    for member in (*spec.scope_names, *spec.base_params):
        if member not in inputs:
            problems.append(f"{where}: request member {member!r} is gone")
    for path in _filter_members(spec):
        head, _, inner = path.partition(".")
        shape = inputs.get(head)
        if shape is None or (inner and inner not in getattr(shape, "members", {})):
            problems.append(f"{where}: filter member {path!r} is gone")
    return problems
