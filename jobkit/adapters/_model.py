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
import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel, Shape

from jobkit._botodata import shared_loader
from jobkit.core.pushdown import plan
from jobkit.core.query import Query
from jobkit.core.spec import AdapterSpec, Discovery, Hydrate, Paging, PagingSource, TimeFormat
from jobkit.errors import ModelMismatchError
from jobkit.model import JobStatus

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "STATUS_WORDS",
    "adapter",
    "botocore_paging",
    "convention_paging",
    "derived_fields",
    "discovery",
    "facts",
    "facts_key",
    "jobs",
    "model_facts",
    "model_problems",
    "operation_model",
    "paginator_config",
    "status_map_for",
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


def convention_paging(
    service: str, operation: str, *, page_size: int | None = None
) -> PagingSource:
    """Paging of an operation botocore has no paginator for, read on first use from the
    model's usual members (``NextToken``, ``MaxResults``; ``model_facts`` says which)."""

    def source() -> Paging:
        found = model_facts(service, operation).get("paging")
        if found is None:
            raise ModelMismatchError(
                f"{service} {operation} has neither a paginator nor the usual token members",
                operation=operation,
            )
        return Paging(
            result_key=str(model_facts(service, operation)["result_key"]),
            input_token=found["token"],
            output_token=found["token"],
            limit_key=found["limit_key"],
            page_size=page_size or found["page_size"],
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


def _member(name: str) -> Callable[[Mapping[str, Any]], str | None]:
    def value(item: Mapping[str, Any]) -> str | None:
        found = item.get(name)
        return found if isinstance(found, str) else None

    return value


def discovery(
    service: str,
    operation: str,
    *,
    value: str | Callable[[Mapping[str, Any]], str | None],
    page_size: int | None = None,
    paging: Paging | None = None,
    **fields: Any,
) -> Discovery:
    """A ``Discovery`` whose paging comes from botocore's paginator unless ``paging`` is given.

    ``value`` names the item member holding the scope value, or is a function of the item.
    """
    source: Paging | PagingSource | None = paging
    if source is None:
        source = (
            botocore_paging(service, operation, page_size=page_size)
            if _paginators(shared_loader(), service).get(operation) is not None
            else convention_paging(service, operation, page_size=page_size)
        )
    if isinstance(value, str):
        fields.setdefault("value_member", value)
        value = _member(value)
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
    if spec.hydrate is not None:
        problems += _hydrate_problems(spec, loader)
    fields = _paths(_record_members(spec, loader))
    for member in (*spec.read_fields, spec.account_field):
        if member is not None and member not in fields:
            problems.append(f"{where}: summary member {member!r} is gone")
    time_type = {TimeFormat.EPOCH_MS: "long", TimeFormat.ISO8601: "string"}.get(
        spec.time_format, "timestamp"
    )
    for member in (spec.created_field, spec.ended_field, spec.updated_field):
        if member in fields and fields[member].type_name != time_type:
            problems.append(f"{where}: summary member {member!r} is no longer a {time_type}")
    if spec.status_field in fields:
        enum = set(fields[spec.status_field].enum or ())
        for value in sorted(enum - set(spec.status_map)):
            problems.append(f"{where}: status value {value!r} of {spec.status_field} is unmapped")
        # Without an enum the map holds the words the API reference lists: nothing to compare.
        for value in sorted(set(spec.status_map) - enum if enum else ()):
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


def _paths(members: Mapping[str, Shape], depth: int = 3) -> dict[str, Shape]:
    """Every member path of a structure, dotted, down to ``depth`` levels
    (``Status.Timeline.CreationDateTime``)."""
    out: dict[str, Shape] = {}
    for name, shape in members.items():
        out[name] = shape
        if depth > 1 and shape.type_name == "structure":
            for inner, inner_shape in _paths(shape.members, depth - 1).items():
                out[f"{name}.{inner}"] = inner_shape
    return out


def _record_members(spec: AdapterSpec, loader: Loader | None = None) -> dict[str, Shape]:
    """The members of one record as jobkit reads it: the listing's summary, or with a
    hydrate call, the summary's members and the hydrate call's record members."""
    op = operation_model(spec.service, spec.operation, loader=loader)
    summary = op.output_shape.members[spec.result_key].member
    members = dict(summary.members if summary.type_name == "structure" else {})
    hydrate = spec.hydrate
    if hydrate is not None:
        try:
            record = _hydrate_record(spec.service, hydrate.operation, hydrate.result_key, loader)
        except Exception:  # the call or its result member is gone: _hydrate_problems says so
            record = {}
        members.update(record)
    return members


def _hydrate_record(
    service: str, operation: str, result_key: str | None, loader: Loader | None = None
) -> Mapping[str, Shape]:
    out = operation_model(service, operation, loader=loader).output_shape
    shape = out if result_key is None else out.members[result_key].member
    return dict(shape.members)


def _hydrate_problems(spec: AdapterSpec, loader: Loader | None) -> list[str]:
    hydrate = spec.hydrate
    assert hydrate is not None
    where = f"{spec.service} {hydrate.operation}"
    try:
        op = operation_model(spec.service, hydrate.operation, loader=loader)
    except Exception as exc:  # an unknown operation
        return [f"{where}: the hydrate operation is gone ({type(exc).__name__})"]
    problems: list[str] = []
    ins, outs = op.input_shape.members, op.output_shape.members
    if hydrate.ids_member not in ins:
        problems.append(f"{where}: request member {hydrate.ids_member!r} is gone")
    elif hydrate.batch > 1:
        high = ins[hydrate.ids_member].metadata.get("max")
        if ins[hydrate.ids_member].type_name != "list" or (
            high is not None and hydrate.batch > high
        ):
            problems.append(f"{where}: {hydrate.ids_member!r} no longer takes {hydrate.batch} ids")
    for member in (hydrate.result_key, hydrate.missing_key):
        if member is not None and member not in outs:
            problems.append(f"{where}: response member {member!r} is gone")
    if hydrate.result_key is None or hydrate.result_key in outs:
        record = _hydrate_record(spec.service, hydrate.operation, hydrate.result_key, loader)
        if hydrate.id_member not in record:
            problems.append(f"{where}: record member {hydrate.id_member!r} is gone")
    if hydrate.listed_id is not None:
        summary = operation_model(spec.service, spec.operation, loader=loader).output_shape
        item = summary.members[spec.result_key].member
        if hydrate.listed_id not in getattr(item, "members", {}):
            problems.append(
                f"{spec.service} {spec.operation}: summary member {hydrate.listed_id!r} is gone"
            )
    return problems


# ---------------------------------------------------------------------------- summary facts

_FACTS_FILE = Path(__file__).with_name("model_facts.json")


@functools.cache
def _committed_facts() -> Mapping[str, Any]:
    try:
        data: Mapping[str, Any] = json.loads(_FACTS_FILE.read_text())
    except FileNotFoundError:
        return {}
    return data


def model_facts(
    service: str,
    operation: str,
    *,
    loader: Loader | None = None,
    hydrate: tuple[str, str | None] | None = None,
) -> dict[str, Any]:
    """What the model says about one listing's summary, as plain data.

    ``{"result_key": ..., "members": {member: type}, "enums": {member: [values]}}`` for the
    summary's top-level members. This is read from the installed model; ``model_facts.json``
    holds a generated copy for the registered adapters so that importing jobkit parses no
    service model (``python -m jobkit.adapters._generate`` rewrites it; a test compares it).
    ``hydrate`` (operation, result key) adds the members of the records that call answers
    (the listing returns ids, or summaries without a status); nested members are named by
    their dotted path, two structures deep at most, where they are enums or timestamps.
    """
    op = operation_model(service, operation, loader=loader)
    config = paginator_config(service, operation, loader=loader)
    outputs = op.output_shape.members if op.output_shape is not None else {}
    result_key = config.get("result_key") if config else None
    if not isinstance(result_key, str):
        lists = [k for k, v in outputs.items() if v.type_name == "list"]
        result_key = lists[0] if len(lists) == 1 else None
    members: dict[str, str] = {}
    enums: dict[str, list[str]] = {}
    record: dict[str, Shape] = {}
    if result_key is not None and result_key in outputs:
        record.update(getattr(outputs[result_key].member, "members", {}))
    if hydrate is not None:
        record.update(_hydrate_record(service, hydrate[0], hydrate[1], loader))
    for name, shape in record.items():
        members[name] = shape.type_name
        if shape.type_name == "string" and shape.enum:
            enums[name] = list(shape.enum)
        for inner, inner_shape in getattr(shape, "members", {}).items():
            # A status nested one structure deep (IoT TwinMaker's status.state).
            if inner_shape.type_name == "string" and inner_shape.enum:
                enums[f"{name}.{inner}"] = list(inner_shape.enum)
    fact: dict[str, Any] = {"result_key": result_key, "members": members, "enums": enums}
    if config is None:
        # No paginator: the usual token and limit members, where the model has them.
        inputs = op.input_shape.members if op.input_shape is not None else {}
        tokens = [
            t for t in ("NextToken", "nextToken", "PaginationToken") if t in inputs and t in outputs
        ]
        limits = [m for m in ("MaxResults", "maxResults", "PageSize") if m in inputs]
        if tokens and result_key is not None:
            high = inputs[limits[0]].metadata.get("max") if limits else None
            fact["paging"] = {
                "token": tokens[0],
                "limit_key": limits[0] if limits else None,
                "page_size": DEFAULT_PAGE_SIZE if high is None else min(DEFAULT_PAGE_SIZE, high),
            }
    return fact


def facts_key(service: str, operation: str, hydrate: tuple[str, str | None] | None = None) -> str:
    """The key of one listing's facts in ``model_facts.json`` (``service:List+Hydrate``)."""
    return f"{service}:{operation}" + (f"+{hydrate[0]}" if hydrate else "")


def facts(
    service: str, operation: str, hydrate: tuple[str, str | None] | None = None
) -> Mapping[str, Any]:
    """``model_facts`` from the committed copy when it has the operation, else the model."""
    found: Mapping[str, Any] | None = _committed_facts().get(facts_key(service, operation, hydrate))
    return found if found is not None else model_facts(service, operation, hydrate=hydrate)


# ---------------------------------------------------------------------------- status words

#: Status words whose meaning is the same in every service, by their letters alone
#: (``IN_PROGRESS``, ``InProgress`` and ``in-progress`` are one word). A word that means
#: different things in different services (``ACTIVE``, ``READY``) is not here: the adapter
#: maps it, and the drift test fails until every enum value is mapped.
STATUS_WORDS: Mapping[str, JobStatus] = {
    **dict.fromkeys(
        (
            "SUBMITTED",
            "QUEUED",
            "PENDING",
            "CREATED",
            "CREATING",
            "SCHEDULED",
            "STARTING",
            "INITIALIZING",
            "INITIALIZED",
            "WAITING",
            "NEW",
            "VALIDATING",
            "PREPARING",
            "CREATEPENDING",
            "NOTSTARTED",
        ),
        JobStatus.PENDING,
    ),
    **dict.fromkeys(
        (
            "INPROGRESS",
            "RUNNING",
            "PROCESSING",
            "PROGRESSING",
            "EXECUTING",
            "CREATEINPROGRESS",
        ),
        JobStatus.RUNNING,
    ),
    **dict.fromkeys(
        ("COMPLETED", "COMPLETE", "SUCCEEDED", "SUCCESS", "SUCCESSFUL", "FINISHED", "DONE"),
        JobStatus.SUCCEEDED,
    ),
    **dict.fromkeys(
        ("FAILED", "FAILURE", "ERROR", "ERRORED", "TIMEDOUT", "TIMEOUT", "CREATEFAILED"),
        JobStatus.FAILED,
    ),
    **dict.fromkeys(
        ("STOPPING", "CANCELLING", "CANCELING", "ABORTING", "STOPREQUESTED", "CANCELREQUESTED"),
        JobStatus.STOPPING,
    ),
    **dict.fromkeys(("STOPPED", "CANCELLED", "CANCELED", "ABORTED"), JobStatus.STOPPED),
    **dict.fromkeys(
        (
            "PARTIALSUCCESS",
            "PARTIALLYSUCCEEDED",
            "PARTIALLYCOMPLETED",
            "COMPLETEDWITHERRORS",
            "COMPLETEDWITHERROR",
            "COMPLETEDWITHFAILURES",
            "PARTIAL",
        ),
        JobStatus.PARTIAL_SUCCESS,
    ),
}


def _letters(word: str) -> str:
    return "".join(c for c in word.upper() if c.isalnum())


def status_map_for(
    values: Iterable[str], overrides: Mapping[str, JobStatus] | None = None
) -> dict[str, JobStatus]:
    """Every value mapped: the adapter's ``overrides`` first, then ``STATUS_WORDS``. A value
    neither knows is left out (the drift test names it; at run time it reads UNKNOWN)."""
    out: dict[str, JobStatus] = {}
    for value in values:
        if overrides and value in overrides:
            out[value] = overrides[value]
        elif _letters(value) in STATUS_WORDS:
            out[value] = STATUS_WORDS[_letters(value)]
    return out


# ---------------------------------------------------------------------------- members

_CREATED = re.compile(r"creat|submit", re.I)
_STARTED = re.compile(r"start", re.I)
_ENDED = re.compile(r"end|complet|stop|terminat|finish", re.I)
_UPDATED = re.compile(r"modif|updat", re.I)
_JOBLIKE = re.compile(r"job|run|execution|task|import|export", re.I)


def _first(names: Iterable[str], pattern: re.Pattern[str]) -> str | None:
    # The shortest match: createdAt before attemptCreatedAt.
    return min((n for n in names if pattern.search(n)), key=len, default=None)


def derived_fields(fact: Mapping[str, Any]) -> dict[str, str | None]:
    """The summary members the model's names point at, for what the declaration left out.

    created: the shortest timestamp named like creat/submit, else start; ended: end,
    complet, stop, terminat, finish; updated: modif, updat; id: an ARN, then an id member
    naming a job, then one of a run, execution, task, import or export (or ``arn``/``id``),
    else the first ARN or id member; roles and parent jobs are never the id.
    """
    members: Mapping[str, str] = fact["members"]
    times = [n for n, t in members.items() if t == "timestamp"]
    created = _first(times, _CREATED) or _first(times, _STARTED)
    ended = _first([t for t in times if t != created and not _STARTED.search(t)], _ENDED)
    updated = _first([t for t in times if t not in (created, ended)], _UPDATED)
    strings = [n for n, t in members.items() if t == "string"]
    arns = [n for n in strings if n.lower().endswith("arn")]
    ids = [n for n in strings if n.lower() == "id" or n.endswith(("Id", "ID"))]
    # A role or a parent job is never the job itself.
    arns = [n for n in arns if "role" not in n.lower() and not n.startswith("Parent")]
    ids = [n for n in ids if not n.startswith("Parent") and not n.endswith("AccountId")]
    job_id = (
        next((n for n in arns if re.search("job", n, re.I)), None)
        or next((n for n in ids if re.search("job", n, re.I)), None)
        or next((n for n in arns if n.lower() == "arn" or _JOBLIKE.search(n)), None)
        or next((n for n in ids if n.lower() == "id" or _JOBLIKE.search(n)), None)
        or next(iter(arns or ids), None)
    )
    return {"created": created, "ended": ended, "updated": updated, "id": job_id}


_DERIVE: Any = object()


def jobs(
    name: str,
    operation: str,
    doc: str,
    *,
    name_field: str | None,
    status_field: str | None = _DERIVE,
    statuses: Mapping[str, JobStatus] | None = None,
    id_field: str | None = _DERIVE,
    created_field: str | None = _DERIVE,
    ended_field: str | None = _DERIVE,
    updated_field: str | None = _DERIVE,
    **fields: Any,
) -> AdapterSpec:
    """A job listing declared by what the model cannot say; the rest is read from it.

    The service is the part of ``name`` before the dot. The summary's members come from the
    model (``facts``): the status member (when the summary has one string enum member named
    like a status), the time and id members (``derived_fields``), and the status map is every
    enum value mapped through ``statuses`` (the adapter's own word on a value) and
    ``STATUS_WORDS``. Paging comes from botocore's paginator as for ``adapter``; without one,
    from the model's usual token and limit members (``NextToken``, ``MaxResults``).
    """
    service = name.split(".", 1)[0]
    hydrate: Hydrate | None = fields.get("hydrate")
    fact = facts(service, operation, (hydrate.operation, hydrate.result_key) if hydrate else None)
    derived = derived_fields(fact)
    enums: Mapping[str, list[str]] = fact["enums"]
    if status_field is _DERIVE:
        named = [m for m in enums if "." not in m and re.search(r"status$|state$", m, re.I)]
        if len(named) != 1:
            raise ValueError(f"{name}: name the status member, one of {sorted(enums)}")
        status_field = named[0]
    status_map = fields.pop("status_map", None)
    if status_map is None and status_field is not None:
        status_map = status_map_for(enums.get(status_field, statuses or {}), statuses)
    if "paging" not in fields and "paging" in fact:
        found = fact["paging"]
        fields["paging"] = Paging(
            result_key=fact["result_key"],
            input_token=found["token"],
            output_token=found["token"],
            limit_key=found["limit_key"],
            page_size=fields.get("page_size") or found["page_size"],
        )
    return adapter(
        name,
        service,
        operation,
        doc,
        name_field=name_field,
        status_field=status_field,
        status_map=status_map or {},
        id_field=derived["id"] if id_field is _DERIVE else id_field,
        created_field=derived["created"] if created_field is _DERIVE else created_field,
        ended_field=derived["ended"] if ended_field is _DERIVE else ended_field,
        updated_field=derived["updated"] if updated_field is _DERIVE else updated_field,
        **fields,
    )
