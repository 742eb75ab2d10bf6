"""Jobs and parent resources generated from the botocore output shapes.

The first five operations have hand-written records (``_data.py``). Every other operation is
described by a small ``GenericOp``: which summary member holds the name, the status, the
creation time and the scope, and which request members filter. ``GenericJobs`` fills every
member of the summary shape deterministically by type:

* the status walks the model's enum first (so each value appears), then is picked by a hash;
* other enums are picked by a hash; strings are derived from the member name and the index
  (``...Arn`` members are ARNs in the emulator's account, ``...Id`` members hex ids);
* the creation time strictly decreases with the index (newest first), every other timestamp
  lies between it and the reference instant; ``long`` timestamps (``...At`` members of
  epoch-millisecond services) are epoch milliseconds;
* nested structures are filled one level deep (their scalar members); lists, maps and blobs
  are left out.

Parents (pipelines, applications, state machines, Glue jobs, IAM roles) are generated the same
way by ``GenericParent`` from the discovery operation's item shape.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import Any

import attrs
from botocore.model import Shape, StructureShape

from jobkit.testing._data import ACCOUNT_ID, JobSet, _mix, _salt, ms_to_datetime
from jobkit.testing._lifecycle import settle
from jobkit.testing._protocols import load_service_model

__all__ = ["GENERIC_OPS", "GENERIC_PARENTS", "GenericJobs", "GenericOp", "GenericParent"]

_HOUR_MS = 3_600_000


@functools.cache
def _service_model(service: str) -> Any:
    return load_service_model(service)


def _input_key(members: Mapping[str, Any], *names: str) -> str | None:
    return next((n for n in names if n in members), None)


@attrs.frozen(kw_only=True)
class GenericOp:
    """One generically emulated listing: the members that matter, the rest from the model.

    Paths in the filter fields may name a member of a structure (``Filter.JobStatus``).
    """

    service: str
    operation: str
    name: str | None
    status: str
    created: str | None
    prefixes: tuple[str, ...] = ("Nightly", "adhoc-run", "Backfill", "weekly-Report")
    scope: str | None = None
    """Request member naming the parent (it must be one of ``parent``'s values)."""
    scope_member: str | None = None
    """Summary member that repeats the scope value."""
    parent: tuple[str, str] | None = None
    """(service, operation) of the parents' listing."""
    parent_value: str | None = None
    """Member of a parent item that the scope takes (None: the item is the value)."""
    status_param: str | None = None
    name_param: str | None = None
    after: str | None = None
    before: str | None = None
    order: tuple[str, str] | None = None
    """(request member, the word for ascending); the default order is newest first."""
    ascending_default: bool = False
    more_scopes: tuple[tuple[str, tuple[str, str], str | None], ...] = ()
    """Further scope members, each (request member, parent listing, parent item member)."""
    keys: tuple[str, str, str | None, str] | None = None
    """(input token, output token, limit member, result key) when not the usual names."""
    equals: tuple[str, ...] = ()
    """Request members that select summaries whose same-named member is equal."""
    status_values: tuple[str, ...] = ()
    """The status words, where the model's status member lists no enum."""
    streams: int = 1
    """How many streams a listing of one scope is split into (``equals`` values)."""
    hydrate: Any = None
    """The spec's ``Hydrate``: the listing answers ids (or part of each record), the hydrate
    call the whole records, which are generated from both shapes."""
    sparse: int = 1
    """One scope in ``sparse`` has jobs (map runs: most executions have none)."""

    @functools.cached_property
    def model(self) -> Any:
        """The botocore operation model."""
        return _service_model(self.service).operation_model(self.operation)

    @property
    def result_key(self) -> str:
        """The output member holding the list of summaries."""
        if self.keys is not None:
            return self.keys[3]
        outputs = self.model.output_shape.members
        return str(next(k for k, v in outputs.items() if v.type_name == "list"))

    @property
    def scopes(self) -> tuple[tuple[str, tuple[str, str] | None, str | None], ...]:
        """Every scope member with its parent listing and parent item member, in order."""
        if self.scope is None:
            return ()
        return ((self.scope, self.parent, self.parent_value), *self.more_scopes)

    @property
    def summary_shape(self) -> StructureShape:
        """The shape of one summary."""
        shape: StructureShape = self.model.output_shape.members[self.result_key].member
        return shape

    @functools.cached_property
    def record_members(self) -> dict[str, Shape]:
        """The members of one generated record: the summary's, and with a hydrate call the
        members of the records it answers."""
        summary = self.model.output_shape.members[self.result_key].member
        members: dict[str, Shape] = dict(getattr(summary, "members", {}))
        if self.hydrate is not None:
            members.update(self.hydrate_shape.members)
        return members

    def model_for(self, operation: str) -> Any:
        """The botocore model of another operation of the service."""
        return _service_model(self.service).operation_model(operation)

    @property
    def hydrate_shape(self) -> StructureShape:
        """The shape of one record the hydrate call answers."""
        out = _service_model(self.service).operation_model(self.hydrate.operation).output_shape
        shape: StructureShape = (
            out if self.hydrate.result_key is None else out.members[self.hydrate.result_key].member
        )
        return shape

    @property
    def token_keys(self) -> tuple[str, str]:
        """(input token, output token) member names."""
        if self.keys is not None:
            return self.keys[0], self.keys[1]
        ins, outs = self.model.input_shape.members, self.model.output_shape.members
        tin = _input_key(ins, "NextToken", "nextToken")
        tout = _input_key(outs, "NextToken", "nextToken")
        assert tin and tout, self.operation
        return tin, tout

    @property
    def limit(self) -> tuple[str, tuple[int, int], int]:
        """(limit member, (min, max), default page size)."""
        ins = self.model.input_shape.members
        key = self.keys[2] if self.keys is not None else _input_key(ins, "MaxResults", "maxResults")
        if key is None:
            # No page-size member (EMR ListSteps, CodeBuild ListBuilds): a fixed page.
            return _NO_LIMIT, (1, 50), 50
        meta = ins[key].metadata
        low, high = meta.get("min", 1), meta.get("max", 100)
        return key, (low, high), min(high, 100)

    @property
    def epoch_ms(self) -> bool:
        """Whether the creation time is a ``long`` of epoch milliseconds."""
        if self.created is None or self.created not in self.record_members:
            return False  # nested creation times are timestamps
        return bool(self.record_members[self.created].type_name == "long")


@attrs.frozen(kw_only=True)
class GenericParent:
    """One discovery listing: its items come from the item shape like job summaries."""

    service: str
    operation: str
    value: str | None
    """Member holding the scope value (None: the items are plain strings, e.g. Glue names)."""
    name: str | None
    created: str | None
    names: tuple[str, ...]
    arn_kind: str = "resource"
    overrides: Callable[[int, int], Mapping[str, Any]] | None = None
    """Extra members of parent ``k`` of ``n`` (e.g. one EXPRESS state machine)."""
    keys: tuple[str, str, str | None, str] | None = None
    """(input token, output token, limit member, result key) when not the usual names."""
    value_min: int = 0
    """The minimum length the consuming request member asks of a scope value."""

    @functools.cached_property
    def model(self) -> Any:
        """The botocore operation model."""
        return _service_model(self.service).operation_model(self.operation)

    @property
    def result_key(self) -> str:
        """The output member holding the list of items."""
        if self.keys is not None:
            return self.keys[3]
        outputs = self.model.output_shape.members
        return str(next(k for k, v in outputs.items() if v.type_name == "list"))


#: The request member a page size is read from where the operation has none.
_NO_LIMIT = "jobkit-no-page-size"


def _arn(service: str, region: str, kind: str, name: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{kind}/{name}"


class _Filler:
    """Fill members of a structure shape by type, deterministically from (record, slot)."""

    def __init__(self, rand: Callable[[int], int], region: str, service: str) -> None:
        self.rand = rand
        self.region = region
        self.service = service

    def scalar(
        self, member: str, shape: Shape, slot: int, label: str, time: Callable[[int], Any]
    ) -> Any:
        kind = shape.type_name
        value = self.rand(slot)
        if kind == "string":
            enum = getattr(shape, "enum", None)
            if enum:
                return enum[value % len(enum)]
            lowered = member.lower()
            if lowered == "accountid" or lowered.endswith("accountid"):
                return ACCOUNT_ID
            if lowered.endswith("arn"):
                return _arn(self.service, self.region, member[:-3].lower() or "job", label)
            if lowered == "id" or lowered.endswith("id"):
                return f"{value:016x}"
            return f"{member}-{label}"
        if kind == "timestamp":
            return time(slot)
        if kind in ("integer", "long"):
            return value % 1000
        if kind in ("double", "float"):
            return (value % 4000) / 4.0
        if kind == "boolean":
            return bool(value & 1)
        return None  # lists, maps, blobs, documents: left out

    def structure(
        self,
        shape: StructureShape,
        slot: int,
        label: str,
        time: Callable[[int], Any],
        depth: int = 1,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, (name, member) in enumerate(shape.members.items()):
            if depth > 1 and member.type_name == "structure":
                assert isinstance(member, StructureShape)
                value: Any = self.structure(member, slot * 64 + k, label, time, depth - 1)
            else:
                value = self.scalar(name, member, slot * 64 + k, label, time)
            if value is not None:
                out[name] = value
        return out


class GenericJobs(JobSet):
    """The summaries of one ``GenericOp`` in one region and scope, from its output shape."""

    def __init__(self, *, op: GenericOp, scope_value: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.op = op
        self.scope_value = scope_value
        members = op.record_members
        # A nested status (``status.state``) is filled inside its structure.
        self.status_head, _, self.status_inner = op.status.partition(".")
        status_shape = members[self.status_head]
        if self.status_inner:
            status_shape = status_shape.members[self.status_inner]
        self.statuses = tuple(getattr(status_shape, "enum", ()) or ()) or op.status_values
        self.members = list(members.items())
        self.names = tuple(members)
        self.ms = op.epoch_ms
        # Some summaries carry their creation time as an ISO 8601 string.
        self.iso = op.created in members and members[op.created].type_name == "string"

    def _time(self, created: int, i: int, slot: int) -> Any:
        ms = self.later(created, i, 100 + slot, 6 * _HOUR_MS)
        return ms if self.ms else ms_to_datetime(ms)

    def record(self, i: int) -> dict[str, Any]:
        op = self.op
        created = self.created_ms(i)
        label = f"{i:05d}"
        name = f"{self.op.prefixes[self.rand(i, 1) % len(self.op.prefixes)]}-{label}"
        filler = _Filler(lambda k: self.rand(i, 10 + k), self.region, op.service)
        rec: dict[str, Any] = {}
        for k, (member, shape) in enumerate(self.members):
            if member == op.created:
                when = ms_to_datetime(created)
                rec[member] = (
                    created
                    if self.ms
                    else when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
                    if self.iso
                    else when
                )
            elif member == op.status:
                rec[member] = self.status(i)
            elif member == self.status_head and self.status_inner:
                assert isinstance(shape, StructureShape)
                # Times nested with the status (EMR's Status.Timeline) are the creation time.
                inner = filler.structure(
                    shape, k, label, lambda s: ms_to_datetime(created), depth=2
                )
                rec[member] = {**inner, self.status_inner: self.status(i)}
            elif member == op.name:
                rec[member] = name
            elif member == op.scope_member:
                rec[member] = self.scope_value
            elif shape.type_name == "long" and self.ms and member.endswith("At"):
                rec[member] = self._time(created, i, k)
            elif shape.type_name == "structure":
                assert isinstance(shape, StructureShape)
                inner = filler.structure(
                    shape, k, label, lambda s: ms_to_datetime(self.later(created, i, 200 + s, 1))
                )
                if inner:
                    rec[member] = inner
            else:
                value = filler.scalar(
                    member,
                    shape,
                    k,
                    f"{name.lower()}-{self.salt % 997:03d}",
                    lambda s: ms_to_datetime(self.later(created, i, 100 + s, 6 * _HOUR_MS)),
                )
                if value is not None:
                    rec[member] = value
        return settle(rec, status=op.status, created=op.created, members=self.names)


def _slot_rand(salt: int, slot: int) -> int:
    return _mix(salt ^ (slot + 1))


def _hours_after(start: dt.datetime, slot: int) -> dt.datetime:
    return start + dt.timedelta(hours=1 + slot % 5)


def parent_items(
    parent: GenericParent,
    *,
    seed: int,
    region: str,
    n: int,
    time: Callable[[int], dt.datetime],
) -> list[Any]:
    """The ``n`` items of ``parent`` in ``region``, newest first (strings for name lists)."""
    names = [
        parent.names[k % len(parent.names)] + (f"-{k}" if k >= len(parent.names) else "")
        for k in range(n)
    ]
    if parent.value is None:
        return names
    shape = parent.model.output_shape.members[parent.result_key].member
    items: list[dict[str, Any]] = []
    for k, name in enumerate(names):
        salt = _salt(seed, region, parent.operation, k)
        filler = _Filler(functools.partial(_slot_rand, salt), region, parent.service)
        created = time(k)
        item: dict[str, Any] = {}
        for slot, (member, member_shape) in enumerate(shape.members.items()):
            if member == parent.name:
                item[member] = name
            elif member == parent.value:
                if member.lower().endswith("arn"):
                    # IAM is global: its ARNs name no region.
                    where = "" if parent.service == "iam" else region
                    item[member] = _arn(parent.service, where, parent.arn_kind, name)
                else:
                    # As long as the member's minimum (a Snowball cluster id has 39 characters).
                    low = max(int(member_shape.metadata.get("min", 0)), parent.value_min)
                    item[member] = f"{salt:016x}".ljust(low, "0")
            elif member == parent.created:
                item[member] = created
            elif member_shape.type_name not in ("structure", "list", "map"):
                value = filler.scalar(
                    member,
                    member_shape,
                    slot,
                    name.lower(),
                    functools.partial(_hours_after, created),
                )
                if value is not None:
                    item[member] = value
        if parent.overrides is not None:
            item.update(parent.overrides(k, n))
        items.append(item)
    if parent.created is not None:
        created_key = parent.created
        items.sort(key=lambda it: it[created_key], reverse=True)
    return items


def _sfn_type(k: int, n: int) -> Mapping[str, Any]:
    # The last state machine (of three or more) is EXPRESS: ListExecutions refuses it.
    return {"type": "EXPRESS" if n >= 3 and k == n - 1 else "STANDARD"}


def _sagemaker(
    op: str,
    stem: str,
    *,
    name: str | None = None,
    status: str | None = None,
    prefixes: tuple[str, ...] = ("Nightly", "adhoc-run", "Backfill"),
) -> GenericOp:
    return GenericOp(
        service="sagemaker",
        operation=op,
        name=name or f"{stem}Name",
        status=status or f"{stem}Status",
        created="CreationTime",
        prefixes=prefixes,
        status_param="StatusEquals",
        name_param="NameContains",
        after="CreationTimeAfter",
        before="CreationTimeBefore",
        order=("SortOrder", "Ascending"),
        ascending_default=True,
    )


def _comprehend(op: str) -> GenericOp:
    return GenericOp(
        service="comprehend",
        operation=op,
        name="JobName",
        status="JobStatus",
        created="SubmitTime",
        prefixes=("Reviews", "support-tickets", "Contracts", "news-Feed"),
        status_param="Filter.JobStatus",
        after="Filter.SubmitTimeAfter",
        before="Filter.SubmitTimeBefore",
    )


def _translate(op: str) -> GenericOp:
    return GenericOp(
        service="translate",
        operation=op,
        name="JobName",
        status="JobStatus",
        created="SubmittedTime",
        prefixes=("Reviews", "support-tickets", "Contracts", "news-Feed"),
        status_param="Filter.JobStatus",
        after="Filter.SubmittedAfterTime",
        before="Filter.SubmittedBeforeTime",
    )


def _bedrock(op: str, created: str, after: str, before: str) -> GenericOp:
    return GenericOp(
        service="bedrock",
        operation=op,
        name="jobName",
        status="status",
        created=created,
        prefixes=("FineTune-Claude", "titan-embed", "Eval-RAG", "batch-infer"),
        status_param="statusEquals",
        name_param="nameContains",
        after=after,
        before=before,
        order=("sortOrder", "Ascending"),
    )


def _backup(op: str, status: str, status_param: str) -> GenericOp:
    return GenericOp(
        service="backup",
        operation=op,
        name=None,
        status=status,
        created="CreationDate",
        status_param=status_param,
        after="ByCreatedAfter",
        before="ByCreatedBefore",
    )


_OPS = (
    _sagemaker("ListTrainingJobs", "TrainingJob"),
    _sagemaker("ListTransformJobs", "TransformJob"),
    _sagemaker("ListHyperParameterTuningJobs", "HyperParameterTuningJob"),
    _sagemaker("ListCompilationJobs", "CompilationJob"),
    _sagemaker("ListAutoMLJobs", "AutoMLJob"),
    _sagemaker("ListLabelingJobs", "LabelingJob"),
    GenericOp(
        service="sagemaker",
        operation="ListPipelineExecutions",
        name="PipelineExecutionDisplayName",
        status="PipelineExecutionStatus",
        created="StartTime",
        scope="PipelineName",
        parent=("sagemaker", "ListPipelines"),
        parent_value="PipelineName",
        after="CreatedAfter",
        before="CreatedBefore",
        order=("SortOrder", "Ascending"),
    ),
    *(
        _comprehend(op)
        for op in (
            "ListDocumentClassificationJobs",
            "ListDominantLanguageDetectionJobs",
            "ListEntitiesDetectionJobs",
            "ListKeyPhrasesDetectionJobs",
            "ListSentimentDetectionJobs",
            "ListTargetedSentimentDetectionJobs",
            "ListTopicsDetectionJobs",
            "ListEventsDetectionJobs",
            "ListPiiEntitiesDetectionJobs",
        )
    ),
    _translate("ListTextTranslationJobs"),
    GenericOp(
        service="transcribe",
        operation="ListTranscriptionJobs",
        name="TranscriptionJobName",
        status="TranscriptionJobStatus",
        created="CreationTime",
        prefixes=("Call-Center", "podcast-ep", "Meeting-Notes"),
        status_param="Status",
        name_param="JobNameContains",
    ),
    GenericOp(
        service="transcribe",
        operation="ListMedicalTranscriptionJobs",
        name="MedicalTranscriptionJobName",
        status="TranscriptionJobStatus",
        created="CreationTime",
        prefixes=("Clinic-Dictation", "Shift-handoff", "Radiology"),
        status_param="Status",
        name_param="JobNameContains",
    ),
    _bedrock(
        "ListModelCustomizationJobs", "creationTime", "creationTimeAfter", "creationTimeBefore"
    ),
    _bedrock("ListModelInvocationJobs", "submitTime", "submitTimeAfter", "submitTimeBefore"),
    _bedrock("ListEvaluationJobs", "creationTime", "creationTimeAfter", "creationTimeBefore"),
    GenericOp(
        service="glue",
        operation="GetJobRuns",
        name=None,
        status="JobRunState",
        created="StartedOn",
        scope="JobName",
        scope_member="JobName",
        parent=("glue", "ListJobs"),
        parent_value=None,
    ),
    GenericOp(
        service="emr-serverless",
        operation="ListJobRuns",
        name="name",
        status="state",
        created="createdAt",
        prefixes=("Spark-ETL", "hive-Report", "sessionize"),
        scope="applicationId",
        scope_member="applicationId",
        parent=("emr-serverless", "ListApplications"),
        parent_value="id",
        status_param="states",
        after="createdAtAfter",
        before="createdAtBefore",
    ),
    GenericOp(
        service="mediaconvert",
        operation="ListJobs",
        name=None,
        status="Status",
        created="CreatedAt",
        status_param="Status",
        order=("Order", "ASCENDING"),
    ),
    _backup("ListBackupJobs", "State", "ByState"),
    _backup("ListCopyJobs", "State", "ByState"),
    _backup("ListRestoreJobs", "Status", "ByStatus"),
    GenericOp(
        service="stepfunctions",
        operation="ListExecutions",
        name="name",
        status="status",
        created="startDate",
        prefixes=("Order-Flow", "etl-pipeline", "Retry-Payments"),
        scope="stateMachineArn",
        scope_member="stateMachineArn",
        parent=("stepfunctions", "ListStateMachines"),
        parent_value="stateMachineArn",
        status_param="statusFilter",
    ),
    GenericOp(
        service="s3control",
        operation="ListJobs",
        name=None,
        status="Status",
        created="CreationTime",
        scope="AccountId",
        parent=("iam", "ListRoles"),
        status_param="JobStatuses",
    ),
    GenericOp(
        service="batch",
        operation="ListJobs",
        name="jobName",
        status="status",
        created="createdAt",
        prefixes=("Render-Frames", "genomics-align", "ETL-Nightly"),
        scope="jobQueue",
    ),
)

#: Operations served by hand-written handlers (``_services.py``); everything else registered
#: is served generically.
_HAND_SERVED = {
    ("sagemaker", "ListProcessingJobs"),
    ("sagemaker", "ListLabelingJobsForWorkteam"),
    ("comprehendmedical", "ListSNOMEDCTInferenceJobs"),
    ("batch", "ListServiceJobs"),
    ("cleanroomsml", "ListCollaborationTrainedModelExportJobs"),
}

_PARENTS = (
    GenericParent(
        service="sagemaker",
        operation="ListPipelines",
        value="PipelineName",
        name="PipelineName",
        created="CreationTime",
        names=("Train-Deploy", "feature-pipeline", "Nightly-Retrain"),
        arn_kind="pipeline",
    ),
    GenericParent(
        service="glue",
        operation="ListJobs",
        value=None,
        name=None,
        created=None,
        names=("Sales-ETL", "clickstream-compact", "GDPR-Purge"),
    ),
    GenericParent(
        service="emr-serverless",
        operation="ListApplications",
        value="id",
        name="name",
        created="createdAt",
        names=("Spark-Analytics", "hive-warehouse", "Adhoc-Spark"),
        arn_kind="applications",
    ),
    GenericParent(
        service="iam",
        operation="ListRoles",
        value="Arn",
        name="RoleName",
        created="CreateDate",
        names=("AWSServiceRoleForSupport", "Admin", "ci-Deployer", "DataScientist"),
        arn_kind="role",
    ),
    GenericParent(
        service="stepfunctions",
        operation="ListStateMachines",
        value="stateMachineArn",
        name="name",
        created="creationDate",
        names=("Order-Processing", "etl-orchestrator", "Express-Events"),
        arn_kind="stateMachine",
        overrides=_sfn_type,
    ),
)

_HAND_PARENTS = {
    ("sagemaker", "ListWorkteams"),
    ("batch", "DescribeJobQueues"),
    ("cleanrooms", "ListCollaborations"),
    ("cleanrooms", "ListMemberships"),
    ("cleanroomsml", "ListCollaborationTrainedModels"),
}


# ------------------------------------------------------------ derived from the adapter specs


def _probe(spec: Any, **query: Any) -> Any:
    from jobkit.core.pushdown import plan  # noqa: PLC0415 - keeps the emulator import light
    from jobkit.core.query import Query  # noqa: PLC0415

    return plan(Query.parse(now=_PROBE_NOW, **query), spec)


_PROBE_NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _pushed(spec: Any) -> dict[str, str]:
    """The request member of each query part the spec pushes down (dotted when nested)."""
    counts: dict[Any, int] = {}
    for status in spec.status_map.values():
        counts[status] = counts.get(status, 0) + 1
    one = sorted(counts, key=lambda s: (counts[s], s.value))[:1]
    plan = _probe(
        spec,
        status=one or None,
        since=_PROBE_NOW - dt.timedelta(days=2),
        until=_PROBE_NOW - dt.timedelta(days=1),
        name_contains="x" if spec.name_field else None,
    )
    return dict(plan.pushed)


def _order(spec: Any) -> tuple[str, str] | None:
    """(order member, its ascending word) when the spec pushes the query's order down."""
    asc = _probe(spec, order="created-asc").requests
    desc = _probe(spec, order="created-desc").requests
    if not asc or not desc:
        return None
    changed = [k for k in asc[0] if asc[0].get(k) != desc[0].get(k)]
    if len(changed) != 1 or not isinstance(asc[0][changed[0]], str):
        return None
    return changed[0], asc[0][changed[0]]


def _parent_of(param: Any) -> tuple[tuple[str, str] | None, str | None]:
    discovery = param.discovery
    if discovery is None or discovery.within is not None:
        # No parent listing, or one listed per parent of its own: any value names a parent.
        return None, None
    return (discovery.service, discovery.operation), discovery.value_member


def derived_op(spec: Any) -> GenericOp:
    """The generic emulation of an adapter, read from its spec: the name, status, creation
    and scope members, the filter members its push-down sends, its paging keys."""
    pushed = _pushed(spec)
    scopes = [(p.name, *_parent_of(p)) for p in spec.scope]
    first = scopes[0] if scopes else (None, None, None)
    op = GenericOp(
        service=spec.service,
        operation=spec.operation,
        name=spec.name_field,
        status=spec.status_field,
        created=spec.created_field,
        scope=first[0],
        parent=first[1],
        parent_value=first[2],
        more_scopes=tuple(scopes[1:]),  # type: ignore[arg-type]
        status_param=pushed.get("status"),
        name_param=pushed.get("name_contains"),
        after=pushed.get("since"),
        before=pushed.get("until"),
        order=_order(spec),
        keys=(spec.input_token, spec.output_token, spec.limit_key, spec.result_key),
        status_values=tuple(spec.status_map),
        hydrate=spec.hydrate,
        sparse=20 if any(p.discovery and p.discovery.within for p in spec.scope) else 1,
    )
    summary = op.record_members
    if op.scope is not None and op.scope in summary:
        op = attrs.evolve(op, scope_member=op.scope)
    if spec.partition is not None and spec.partition.param in summary:
        op = attrs.evolve(op, equals=(spec.partition.param,), streams=len(spec.partition.values))
    return op


def derived_parent(discovery: Any) -> GenericParent:
    """The generic emulation of a discovery listing: its items from the item shape, the
    scope value in the member the discovery reads."""
    parent = GenericParent(
        service=discovery.service,
        operation=discovery.operation,
        value=discovery.value_member,
        name=None,
        created=None,
        names=("Alpha", "beta-Two", "Gamma"),
        keys=(
            discovery.input_token,
            discovery.output_token,
            discovery.limit_key,
            discovery.result_key,
        ),
    )
    item = parent.model.output_shape.members[parent.result_key].member
    members = getattr(item, "members", {})
    name = next(
        (m for m in members if m.lower() in ("name", "jobname") or m.endswith("Name")), None
    )
    created = next(
        (m for m, sh in members.items() if sh.type_name == "timestamp" and "creat" in m.lower()),
        None,
    )
    return attrs.evolve(parent, name=name if name != parent.value else None, created=created)


def _derived() -> tuple[dict[tuple[str, str], GenericOp], dict[tuple[str, str], GenericParent]]:
    from jobkit.adapters import REGISTRY  # noqa: PLC0415 - the emulator serves the registry

    ops = {(o.service, o.operation): o for o in _OPS}
    parents = {(p.service, p.operation): p for p in _PARENTS}
    for spec in REGISTRY.values():
        key = (spec.service, spec.operation)
        if key not in ops and key not in _HAND_SERVED and spec.status_field is not None:
            ops[key] = derived_op(spec)
        for param in spec.scope:
            found = param.discovery
            if found is None:
                continue
            if found.within is not None:
                outer = found.within[0]
                okey = (outer.service, outer.operation)
                if okey not in parents and okey not in _HAND_PARENTS and outer.value_member:
                    parents[okey] = derived_parent(outer)
            pkey = (found.service, found.operation)
            if pkey not in parents and pkey not in _HAND_PARENTS and found.value_member:
                request = _service_model(spec.service).operation_model(spec.operation)
                low = request.input_shape.members[param.name].metadata.get("min", 0)
                parents[pkey] = attrs.evolve(derived_parent(found), value_min=int(low))
    # A job listing that is also a discovery (executions, for map runs) is served as a listing.
    return ops, {k: v for k, v in parents.items() if k not in ops}


_ALL_OPS, _ALL_PARENTS = _derived()

#: The listings and parents derived from adapter specs (not described by hand above).
DERIVED: frozenset[tuple[str, str]] = frozenset(
    {*_ALL_OPS, *_ALL_PARENTS}
    - {(o.service, o.operation) for o in _OPS}
    - {(p.service, p.operation) for p in _PARENTS}
)

#: (service, operation) -> its generic description.
GENERIC_OPS: Mapping[tuple[str, str], GenericOp] = _ALL_OPS

#: (service, operation) -> the generic parent listing.
GENERIC_PARENTS: Mapping[tuple[str, str], GenericParent] = _ALL_PARENTS


def default_size(service: str, operation: str) -> int:
    """Records per region and scope of a generically served listing no size was set for:
    a page and a bit more, so that every stream spans two pages; parents: three; listings
    read one job a call: one job per status word."""
    op = GENERIC_OPS.get((service, operation))
    if op is None:
        return 3
    if op.hydrate is not None and op.hydrate.batch == 1:
        # Each job costs a call of its own (DescribeMapRun): one per status word per scope.
        return max(3, len(op.status_values))
    return (int(op.limit[2]) + 30) * op.streams


def generic_names() -> set[str]:
    """Every operation name served generically (accepted as ``sizes`` keys)."""
    return {k[1] for k in GENERIC_OPS} | {k[1] for k in GENERIC_PARENTS}


def generic_keys() -> set[str]:
    """``service:Operation`` of every generically served listing and parent."""
    return {f"{s}:{o}" for s, o in (*GENERIC_OPS, *GENERIC_PARENTS)}


def host_prefix_env() -> list[str]:
    """``AWS_ENDPOINT_URL_<SERVICE>`` variables of the served services whose operations put a
    prefix in front of the host (``datatransformation.``, ``data.``, ``analytics-``).

    No resolver knows ``data.127.0.0.1``; pointed at ``http://localhost:PORT`` these services
    reach the emulator through it as an HTTP proxy, as S3 Control does.
    """
    names: set[str] = set()
    for service, operation in (*GENERIC_OPS, *GENERIC_PARENTS):
        model = _service_model(service)
        if model.operation_model(operation).endpoint:
            service_id = str(model.service_id).upper().replace(" ", "_")
            names.add(f"AWS_ENDPOINT_URL_{service_id}")
    return sorted(names)
