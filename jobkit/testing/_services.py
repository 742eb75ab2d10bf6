"""Operation handlers and per-service rules: what each emulated AWS API answers.

Each handler is ``(data, region, params) -> output`` over plain Python; the protocol layer does
the wire work. Rules below come from the installed botocore model docs (and moto for
ListProcessingJobs); where the docs are silent, the choice is written next to the rule.

Common to all listings
    Page tokens are opaque: urlsafe base64 of JSON ``{"p": position, "q": fingerprint}`` where the
    fingerprint hashes the operation and every parameter except the token and the page size (a
    caller may change the page size between pages, as AWS allows). A token that does not decode
    or whose fingerprint differs is rejected with the service's validation error. A page that is
    full looks ahead for one more match before it hands out a token, so filtered listings end
    without a trailing empty page (except ListProcessingJobs, below). Time filters are strict
    (``after < t < before``) everywhere, matching moto's SageMaker backend.

SageMaker ListProcessingJobs
    MaxResults 1-100, default 10 (the SageMaker list default; the model doc is silent).
    SortBy CreationTime|Name|Status, default CreationTime; SortOrder default Ascending (documented).
    MaxResults is applied to the sorted full list *before* the filters, as on AWS and in moto, so
    a filtered page can be empty and still carry a NextToken. NameContains is case-insensitive.
SageMaker ListLabelingJobsForWorkteam
    WorkteamArn required; unknown team -> ``ResourceNotFound`` (400). Filters (strict time bounds,
    case-insensitive JobReferenceCodeContains) apply before paging. SortBy CreationTime only,
    SortOrder default Ascending (documented). MaxResults 1-100, default 10.
SageMaker ListWorkteams
    SortBy Name|CreateDate (default CreateDate), SortOrder default Ascending, NameContains
    case-insensitive, MaxResults 1-100 default 10.
Comprehend Medical ListSNOMEDCTInferenceJobs
    MaxResults 1-500, default 100 (documented). Filter.JobName is an exact match, JobStatus equal.
    Order: oldest first when only SubmitTimeBefore is given (documented), otherwise newest first
    (documented for SubmitTimeAfter; also used when both or neither are given).
Batch ListServiceJobs
    jobQueue (name or ARN) required; unknown -> ClientException. maxResults 1-100, default 100.
    No filters: jobStatus, or RUNNING when absent. One filter at most (else ClientException);
    JOB_NAME / BEFORE_CREATED_AT / AFTER_CREATED_AT ignore jobStatus and return every status;
    SHARE_IDENTIFIER / QUOTA_SHARE_NAME combine with jobStatus (any status when it is absent).
    Always newest first. JOB_NAME is case-insensitive, ``*`` at the end = prefix match.
    BEFORE/AFTER_CREATED_AT take epoch ms as a string, strict bounds.
Batch DescribeJobQueues
    jobQueues (names or ARNs) narrows the result; maxResults 1-100, default 100.
Generic listings (SageMaker training ... labeling, pipeline executions, Comprehend, Translate,
Transcribe, Bedrock, Glue, EMR Serverless, MediaConvert, Backup, Step Functions, S3 Control)
    Records come from the output shapes (``_generic.py``). Page size: the model's bounds, default
    100 (or the maximum when lower; 0 means the default where the model allows 0). Newest first
    unless the order member says ascending (SageMaker's SortOrder defaults to Ascending, as
    documented). Status (one word, or a list such as ``states`` / ``JobStatuses``), name
    (case-insensitive substring) and strict time filters apply before paging. An unknown parent
    is the service's not-found error; Step Functions refuses EXPRESS state machines. Batch
    ListJobs follows the ListServiceJobs rules above (RUNNING without a status or filter).
IAM ListRoles (awsQuery)
    Marker / MaxItems 1-1000 (default 100) / IsTruncated; the roles are global.
Clean Rooms / Clean Rooms ML
    maxResults 1-100, default 100 (docs silent). Unknown collaboration or trained model ->
    ResourceNotFoundException (404). Export jobs newest first, optional
    trainedModelVersionIdentifier filter. ListCollaborations filters on memberStatus,
    ListMemberships on status.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import datetime as dt
import functools
import hashlib
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import botocore.session

from jobkit.testing._data import EmulatorData, JobSet, UnknownScopeError, datetime_to_us
from jobkit.testing._generic import (
    _NO_LIMIT,
    GENERIC_OPS,
    GENERIC_PARENTS,
    GenericOp,
    GenericParent,
)

__all__ = [
    "HANDLERS",
    "SERVICES",
    "ApiError",
    "Handler",
    "ServiceSpec",
    "service_by_name",
    "services_by_signing_name",
]

Params = Mapping[str, Any]
Output = dict[str, Any]
Handler = Callable[[EmulatorData, str, Params], Output]
Record = dict[str, Any]


class ApiError(Exception):
    """An error the service answers with, in its own code and HTTP status."""

    def __init__(
        self, code: str, message: str, status: int = 400, extra: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.extra = dict(extra or {})


@attrs.frozen(kw_only=True)
class ServiceSpec:
    """How one AWS service names and shapes its errors, and which endpoint it signs for."""

    name: str
    """boto3 client name, e.g. ``cleanroomsml``."""
    signing_name: str
    """SigV4 credential-scope service, e.g. ``cleanrooms-ml``."""
    throttle: tuple[str, int]
    server_errors: Mapping[int, str]
    validation: tuple[str, int] = ("ValidationException", 400)
    not_found: tuple[str, int] = ("ResourceNotFoundException", 404)
    access_denied_status: int = 400
    expired_token_status: int = 400

    def validation_error(self, message: str) -> ApiError:
        """The service's own error for a bad parameter or page token."""
        return ApiError(self.validation[0], message, self.validation[1])

    def not_found_error(self, message: str) -> ApiError:
        """The service's own error for an unknown parent resource."""
        return ApiError(self.not_found[0], message, self.not_found[1])


SERVICES: dict[str, ServiceSpec] = {
    spec.name: spec
    for spec in (
        ServiceSpec(
            name="sagemaker",
            signing_name="sagemaker",
            throttle=("ThrottlingException", 400),
            server_errors={500: "InternalFailure", 503: "ServiceUnavailable"},
            not_found=("ResourceNotFound", 400),
        ),
        ServiceSpec(
            name="comprehendmedical",
            signing_name="comprehendmedical",
            throttle=("TooManyRequestsException", 429),
            server_errors={500: "InternalServerException", 503: "ServiceUnavailableException"},
        ),
        ServiceSpec(
            name="batch",
            signing_name="batch",
            throttle=("TooManyRequestsException", 429),
            server_errors={500: "ServerException", 503: "ServerException"},
            validation=("ClientException", 400),
            not_found=("ClientException", 400),
            access_denied_status=403,
            expired_token_status=403,
        ),
        ServiceSpec(
            name="cleanroomsml",
            signing_name="cleanrooms-ml",
            throttle=("ThrottlingException", 429),
            server_errors={500: "InternalServiceException", 503: "ServiceUnavailableException"},
            access_denied_status=403,
            expired_token_status=403,
        ),
        ServiceSpec(
            name="cleanrooms",
            signing_name="cleanrooms",
            throttle=("ThrottlingException", 429),
            server_errors={500: "InternalServerException", 503: "ServiceUnavailableException"},
            access_denied_status=403,
            expired_token_status=403,
        ),
        ServiceSpec(
            name="comprehend",
            signing_name="comprehend",
            throttle=("TooManyRequestsException", 400),
            server_errors={500: "InternalServerException", 503: "InternalServerException"},
            validation=("InvalidRequestException", 400),
            not_found=("ResourceNotFoundException", 400),
        ),
        ServiceSpec(
            name="translate",
            signing_name="translate",
            throttle=("TooManyRequestsException", 400),
            server_errors={500: "InternalServerException", 503: "ServiceUnavailableException"},
            validation=("InvalidRequestException", 400),
            not_found=("ResourceNotFoundException", 400),
        ),
        ServiceSpec(
            name="transcribe",
            signing_name="transcribe",
            throttle=("LimitExceededException", 400),
            server_errors={500: "InternalFailureException", 503: "InternalFailureException"},
            validation=("BadRequestException", 400),
            not_found=("NotFoundException", 400),
        ),
        ServiceSpec(
            name="bedrock",
            signing_name="bedrock",
            throttle=("ThrottlingException", 429),
            server_errors={500: "InternalServerException", 503: "ServiceUnavailableException"},
            access_denied_status=403,
            expired_token_status=403,
        ),
        ServiceSpec(
            name="glue",
            signing_name="glue",
            throttle=("ThrottlingException", 400),
            server_errors={500: "InternalServiceException", 503: "InternalServiceException"},
            validation=("InvalidInputException", 400),
            not_found=("EntityNotFoundException", 400),
        ),
        ServiceSpec(
            name="emr-serverless",
            signing_name="emr-serverless",
            throttle=("ThrottlingException", 429),
            server_errors={500: "InternalServerException", 503: "ServiceUnavailableException"},
            access_denied_status=403,
            expired_token_status=403,
        ),
        ServiceSpec(
            name="mediaconvert",
            signing_name="mediaconvert",
            throttle=("TooManyRequestsException", 429),
            server_errors={500: "InternalServerErrorException", 503: "ServiceUnavailable"},
            validation=("BadRequestException", 400),
            not_found=("NotFoundException", 404),
            access_denied_status=403,
            expired_token_status=403,
        ),
        ServiceSpec(
            name="backup",
            signing_name="backup",
            throttle=("ThrottlingException", 400),
            server_errors={500: "ServiceUnavailableException", 503: "ServiceUnavailableException"},
            validation=("InvalidParameterValueException", 400),
            not_found=("ResourceNotFoundException", 400),
        ),
        ServiceSpec(
            name="s3control",
            signing_name="s3",
            throttle=("TooManyRequestsException", 400),
            server_errors={500: "InternalError", 503: "ServiceUnavailable"},
            validation=("InvalidRequest", 400),
            not_found=("NoSuchResource", 404),
            access_denied_status=403,
            expired_token_status=400,
        ),
        ServiceSpec(
            name="iam",
            signing_name="iam",
            throttle=("Throttling", 400),
            server_errors={500: "ServiceFailure", 503: "ServiceUnavailable"},
            validation=("ValidationError", 400),
            not_found=("NoSuchEntity", 404),
            access_denied_status=403,
            expired_token_status=403,
        ),
        ServiceSpec(
            name="organizations",
            signing_name="organizations",
            throttle=("TooManyRequestsException", 400),
            server_errors={500: "ServiceException", 503: "ServiceException"},
            validation=("InvalidInputException", 400),
            not_found=("ParentNotFoundException", 400),
        ),
        ServiceSpec(
            name="sts",
            signing_name="sts",
            throttle=("Throttling", 400),
            server_errors={500: "InternalFailure", 503: "ServiceUnavailable"},
            validation=("ValidationError", 400),
            not_found=("NoSuchEntity", 404),
            access_denied_status=403,
            expired_token_status=403,
        ),
        ServiceSpec(
            name="stepfunctions",
            signing_name="states",
            throttle=("ThrottlingException", 400),
            server_errors={500: "InternalFailure", 503: "ServiceUnavailable"},
            validation=("ValidationException", 400),
            not_found=("StateMachineDoesNotExist", 400),
        ),
    )
}


def _model_service(name: str) -> ServiceSpec:
    """A service served generically: its signing name from the model, the error codes most
    services of its protocol use (awsJson answers 400s, REST services 429/403/404)."""
    model = botocore.session.get_session().get_service_model(name)
    signing = model.metadata.get("signingName") or model.metadata["endpointPrefix"]
    rest = model.protocol not in ("json", "query", "smithy-rpc-v2-cbor")
    return ServiceSpec(
        name=name,
        signing_name=str(signing),
        throttle=("ThrottlingException", 429 if rest else 400),
        server_errors={500: "InternalServerException", 503: "ServiceUnavailableException"},
        not_found=("ResourceNotFoundException", 404 if rest else 400),
        access_denied_status=403 if rest else 400,
        expired_token_status=403 if rest else 400,
    )


SERVICES.update(
    (name, _model_service(name))
    for name in sorted({k[0] for k in GENERIC_OPS} | {k[0] for k in GENERIC_PARENTS})
    if name not in SERVICES
)


def services_by_signing_name(name: str) -> list[ServiceSpec]:
    """Every service whose boto3 or SigV4 signing name is ``name`` (several services sign as
    one, e.g. ``bedrock`` and ``bedrock-agent``); the boto3 name first."""
    found = [SERVICES[name]] if name in SERVICES else []
    return found + [s for s in SERVICES.values() if s.signing_name == name and s not in found]


def service_by_name(name: str) -> ServiceSpec | None:
    """Look a service up by boto3 name or SigV4 signing name."""
    if name in SERVICES:
        return SERVICES[name]
    return next((s for s in SERVICES.values() if s.signing_name == name), None)


# ---------------------------------------------------------------------------- paging helpers


def _fingerprint(operation: str, params: Params, ignore: tuple[str, ...]) -> str:
    kept = {k: v for k, v in params.items() if k not in ignore}
    blob = json.dumps([operation, kept], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class _Pager:
    """Reads and writes one operation's page token and page size."""

    def __init__(
        self,
        spec: ServiceSpec,
        operation: str,
        params: Params,
        *,
        token_key: str,
        max_key: str,
        bounds: tuple[int, int],
        default: int,
    ) -> None:
        self.params = params
        self.fingerprint = _fingerprint(operation, params, (token_key, max_key))
        limit = params.get(max_key)
        if limit is None:
            limit = default
        if not bounds[0] <= limit <= bounds[1]:
            raise spec.validation_error(
                f"1 validation error detected: Value '{limit}' at '{max_key}' failed to satisfy "
                f"constraint: Member must have value between {bounds[0]} and {bounds[1]}"
            )
        self.limit: int = limit
        self.start = 0
        token = params.get(token_key)
        if token is not None:
            self.start = self._decode(spec, token)

    def _decode(self, spec: ServiceSpec, token: str) -> int:
        try:
            state = json.loads(base64.urlsafe_b64decode(token.encode()))
            position = state["p"]
            fingerprint = state["q"]
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise spec.validation_error(
                "Invalid pagination token: the token is malformed"
            ) from None
        if fingerprint != self.fingerprint or not isinstance(position, int) or position < 0:
            raise spec.validation_error(
                "Invalid pagination token: it is expired or does not match the request"
            )
        return position

    def token(self, position: int | None) -> str | None:
        """Encode the position where the next page starts (None: no more pages)."""
        if position is None:
            return None
        state = json.dumps({"p": position, "q": self.fingerprint}, separators=(",", ":"))
        return base64.urlsafe_b64encode(state.encode()).decode()


def _scan(
    order: Sequence[int],
    start: int,
    limit: int,
    record: Callable[[int], Record],
    keep: Callable[[Record], bool] | None,
) -> tuple[list[Record], int | None]:
    """Collect up to ``limit`` matching records from ``order[start:]``; next position or None."""
    if keep is None:
        end = start + limit
        return [record(i) for i in order[start:end]], (end if end < len(order) else None)
    out: list[Record] = []
    for position in range(start, len(order)):
        rec = record(order[position])
        if keep(rec):
            if len(out) == limit:
                return out, position
            out.append(rec)
    return out, None


def _page_of(
    items: Sequence[Record], pager: _Pager, keep: Callable[[Record], bool] | None = None
) -> tuple[list[Record], str | None]:
    page, nxt = _scan(range(len(items)), pager.start, pager.limit, items.__getitem__, keep)
    return page, pager.token(nxt)


class _NegCreatedUs(Sequence[int]):
    """``-created`` in microseconds by index: non-decreasing, so ``bisect`` finds time bounds."""

    def __init__(self, jobs: JobSet) -> None:
        self.jobs = jobs

    def __len__(self) -> int:
        return self.jobs.size

    def __getitem__(self, i: Any) -> Any:
        return -self.jobs.created_ms(i) * 1000


def _index_range(jobs: JobSet, after_us: int | None, before_us: int | None) -> tuple[int, int]:
    """Indices (newest first) whose creation time is strictly inside (after, before)."""
    keys = _NegCreatedUs(jobs)
    lo = 0 if before_us is None else bisect.bisect_right(keys, -before_us)
    hi = jobs.size if after_us is None else bisect.bisect_left(keys, -after_us)
    return lo, max(lo, hi)


def _ordered(lo: int, hi: int, *, ascending: bool) -> range:
    return range(hi - 1, lo - 1, -1) if ascending else range(lo, hi)


def _us(value: dt.datetime | None) -> int | None:
    return None if value is None else datetime_to_us(value)


def _sort_order(spec: ServiceSpec, params: Params, default: str = "Ascending") -> bool:
    order = params.get("SortOrder", default)
    if order not in ("Ascending", "Descending"):
        raise spec.validation_error(f"Value '{order}' at 'sortOrder' failed to satisfy constraint")
    return bool(order == "Ascending")


# ---------------------------------------------------------------------------- SageMaker

SAGEMAKER = SERVICES["sagemaker"]


@functools.lru_cache(maxsize=16)
def _processing_sorted(jobs: JobSet, sort_by: str) -> tuple[int, ...]:
    """Newest-first index permutation sorted ascending by Name or Status (full scan, cached)."""
    if sort_by == "Name":
        return tuple(sorted(range(jobs.size), key=lambda i: jobs.record(i)["ProcessingJobName"]))
    # Status ties keep creation order (oldest first within a status when ascending).
    return tuple(sorted(range(jobs.size), key=lambda i: (jobs.status(i), -i)))


def list_processing_jobs(data: EmulatorData, region: str, params: Params) -> Output:
    """SageMaker ListProcessingJobs: window by MaxResults first, then filter within the window."""
    pager = _Pager(
        SAGEMAKER,
        "ListProcessingJobs",
        params,
        token_key="NextToken",
        max_key="MaxResults",
        bounds=(1, 100),
        default=10,
    )
    jobs = data.job_set("sagemaker", "ListProcessingJobs", region)
    sort_by = params.get("SortBy", "CreationTime")
    ascending = _sort_order(SAGEMAKER, params)
    order: Sequence[int]
    if sort_by == "CreationTime":
        order = _ordered(0, jobs.size, ascending=ascending)
    elif sort_by in ("Name", "Status"):
        ranked = _processing_sorted(jobs, sort_by)
        order = ranked if ascending else ranked[::-1]
    else:
        raise SAGEMAKER.validation_error(
            f"Value '{sort_by}' at 'sortBy' failed to satisfy constraint"
        )
    window = order[pager.start : pager.start + pager.limit]
    end = pager.start + pager.limit
    name = (params.get("NameContains") or "").lower()
    status = params.get("StatusEquals")
    bounds = {
        "CreationTime": (
            _us(params.get("CreationTimeAfter")),
            _us(params.get("CreationTimeBefore")),
        ),
        "LastModifiedTime": (
            _us(params.get("LastModifiedTimeAfter")),
            _us(params.get("LastModifiedTimeBefore")),
        ),
    }

    def keep(rec: Record) -> bool:
        if name and name not in rec["ProcessingJobName"].lower():
            return False
        if status is not None and rec["ProcessingJobStatus"] != status:
            return False
        for field, (after, before) in bounds.items():
            t = datetime_to_us(rec[field])
            if (after is not None and t <= after) or (before is not None and t >= before):
                return False
        return True

    summaries = [rec for rec in map(jobs.record, window) if keep(rec)]
    out: Output = {"ProcessingJobSummaries": summaries}
    token = pager.token(end if end < len(order) else None)
    if token is not None:
        out["NextToken"] = token
    return out


def list_labeling_jobs_for_workteam(data: EmulatorData, region: str, params: Params) -> Output:
    """SageMaker ListLabelingJobsForWorkteam: jobs of one work team, filters before paging."""
    arn = params.get("WorkteamArn")
    if not arn:
        raise SAGEMAKER.validation_error("WorkteamArn is required")
    pager = _Pager(
        SAGEMAKER,
        "ListLabelingJobsForWorkteam",
        params,
        token_key="NextToken",
        max_key="MaxResults",
        bounds=(1, 100),
        default=10,
    )
    try:
        jobs = data.job_set("sagemaker", "ListLabelingJobsForWorkteam", region, WorkteamArn=arn)
    except UnknownScopeError:
        raise SAGEMAKER.not_found_error(f"Workteam {arn} does not exist") from None
    if params.get("SortBy", "CreationTime") != "CreationTime":
        raise SAGEMAKER.validation_error("SortBy must be CreationTime")
    ascending = _sort_order(SAGEMAKER, params)
    lo, hi = _index_range(
        jobs, _us(params.get("CreationTimeAfter")), _us(params.get("CreationTimeBefore"))
    )
    ref = (params.get("JobReferenceCodeContains") or "").lower()
    keep = (lambda rec: ref in rec["JobReferenceCode"].lower()) if ref else None
    page, nxt = _scan(
        _ordered(lo, hi, ascending=ascending), pager.start, pager.limit, jobs.record, keep
    )
    out: Output = {"LabelingJobSummaryList": page}
    token = pager.token(nxt)
    if token is not None:
        out["NextToken"] = token
    return out


def list_workteams(data: EmulatorData, region: str, params: Params) -> Output:
    """SageMaker ListWorkteams (discovery of work teams)."""
    pager = _Pager(
        SAGEMAKER,
        "ListWorkteams",
        params,
        token_key="NextToken",
        max_key="MaxResults",
        bounds=(1, 100),
        default=10,
    )
    sort_by = params.get("SortBy", "CreateDate")
    if sort_by not in ("Name", "CreateDate"):
        raise SAGEMAKER.validation_error(
            f"Value '{sort_by}' at 'sortBy' failed to satisfy constraint"
        )
    teams = sorted(
        data.workteams(region),
        key=lambda t: t["WorkteamName"] if sort_by == "Name" else t["CreateDate"],
        reverse=not _sort_order(SAGEMAKER, params),
    )
    name = (params.get("NameContains") or "").lower()
    page, token = _page_of(
        teams, pager, (lambda t: name in t["WorkteamName"].lower()) if name else None
    )
    out: Output = {"Workteams": page}
    if token is not None:
        out["NextToken"] = token
    return out


# ---------------------------------------------------------------------------- Comprehend Medical

COMPREHEND_MEDICAL = SERVICES["comprehendmedical"]


def list_snomedct_inference_jobs(data: EmulatorData, region: str, params: Params) -> Output:
    """Comprehend Medical ListSNOMEDCTInferenceJobs (no botocore paginator)."""
    pager = _Pager(
        COMPREHEND_MEDICAL,
        "ListSNOMEDCTInferenceJobs",
        params,
        token_key="NextToken",
        max_key="MaxResults",
        bounds=(1, 500),
        default=100,
    )
    jobs = data.job_set("comprehendmedical", "ListSNOMEDCTInferenceJobs", region)
    flt = params.get("Filter") or {}
    before, after = _us(flt.get("SubmitTimeBefore")), _us(flt.get("SubmitTimeAfter"))
    lo, hi = _index_range(jobs, after, before)
    name, status = flt.get("JobName"), flt.get("JobStatus")

    def keep(rec: Record) -> bool:
        return (name is None or rec["JobName"] == name) and (
            status is None or rec["JobStatus"] == status
        )

    ascending = before is not None and after is None
    page, nxt = _scan(
        _ordered(lo, hi, ascending=ascending),
        pager.start,
        pager.limit,
        jobs.record,
        keep if (name is not None or status is not None) else None,
    )
    out: Output = {"ComprehendMedicalAsyncJobPropertiesList": page}
    token = pager.token(nxt)
    if token is not None:
        out["NextToken"] = token
    return out


# ---------------------------------------------------------------------------- Batch

BATCH = SERVICES["batch"]
_BATCH_FILTERS = (
    "JOB_NAME",
    "BEFORE_CREATED_AT",
    "AFTER_CREATED_AT",
    "SHARE_IDENTIFIER",
    "QUOTA_SHARE_NAME",
)


def _epoch_ms(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise BATCH.validation_error(
            f"{name} filter value must be epoch milliseconds, got {value!r}"
        ) from None


def list_service_jobs(data: EmulatorData, region: str, params: Params) -> Output:
    """Batch ListServiceJobs: RUNNING by default; one filter returns any status, newest first."""
    return _batch_listing("ListServiceJobs", data, region, params)


def list_jobs_batch(data: EmulatorData, region: str, params: Params) -> Output:
    """Batch ListJobs (container jobs of a queue): the same status and filter rules."""
    return _batch_listing("ListJobs", data, region, params)


def _batch_listing(operation: str, data: EmulatorData, region: str, params: Params) -> Output:
    queue = params.get("jobQueue")
    if not queue:
        raise BATCH.validation_error("jobQueue is required")
    pager = _Pager(
        BATCH,
        operation,
        params,
        token_key="nextToken",
        max_key="maxResults",
        bounds=(1, 100),
        default=100,
    )
    try:
        jobs = data.job_set("batch", operation, region, jobQueue=queue)
    except UnknownScopeError:
        raise BATCH.validation_error(f"Job queue {queue} does not exist") from None
    filters = params.get("filters") or []
    if len(filters) > 1:
        raise BATCH.validation_error("Only one filter can be used at a time")
    status: str | None = params.get("jobStatus") or "RUNNING"
    lo, hi = 0, jobs.size
    keep: Callable[[Record], bool] | None = None
    if filters:
        fname = filters[0].get("name")
        values = filters[0].get("values") or []
        if fname not in _BATCH_FILTERS:
            raise BATCH.validation_error(f"Invalid filter name {fname!r}")
        if len(values) != 1:
            raise BATCH.validation_error(f"Filter {fname} takes exactly one value")
        value = values[0]
        if fname in ("SHARE_IDENTIFIER", "QUOTA_SHARE_NAME"):
            status = params.get("jobStatus")
            field = "shareIdentifier" if fname == "SHARE_IDENTIFIER" else "quotaShareName"
            keep = lambda rec: rec.get(field) == value  # noqa: E731
        else:
            status = None
            if fname == "JOB_NAME":
                wanted = value.lower()
                if wanted.endswith("*"):
                    stem = wanted[:-1]
                    keep = lambda rec: rec["jobName"].lower().startswith(stem)  # noqa: E731
                else:
                    keep = lambda rec: rec["jobName"].lower() == wanted  # noqa: E731
            elif fname == "BEFORE_CREATED_AT":
                lo, hi = _index_range(jobs, None, _epoch_ms(value, fname) * 1000)
            else:
                lo, hi = _index_range(jobs, _epoch_ms(value, fname) * 1000, None)
    if status is not None:
        by_field = keep
        wanted_status = status

        def keep_status(rec: Record) -> bool:
            return rec["status"] == wanted_status and (by_field is None or by_field(rec))

        # Checking the cheap status first avoids building records that cannot match.
        page, nxt = _scan_status(jobs, range(lo, hi), pager, wanted_status, keep_status)
    else:
        page, nxt = _scan(range(lo, hi), pager.start, pager.limit, jobs.record, keep)
    out: Output = {"jobSummaryList": page}
    token = pager.token(nxt)
    if token is not None:
        out["nextToken"] = token
    return out


def _scan_status(
    jobs: JobSet,
    order: range,
    pager: _Pager,
    status: str,
    keep: Callable[[Record], bool],
) -> tuple[list[Record], int | None]:
    out: list[Record] = []
    for position in range(pager.start, len(order)):
        i = order[position]
        if jobs.status(i) != status:
            continue
        rec = jobs.record(i)
        if keep(rec):
            if len(out) == pager.limit:
                return out, position
            out.append(rec)
    return out, None


def describe_job_queues(data: EmulatorData, region: str, params: Params) -> Output:
    """Batch DescribeJobQueues (discovery of job queues)."""
    pager = _Pager(
        BATCH,
        "DescribeJobQueues",
        params,
        token_key="nextToken",
        max_key="maxResults",
        bounds=(1, 100),
        default=100,
    )
    wanted = set(params.get("jobQueues") or [])
    keep = (lambda q: bool(wanted & {q["jobQueueName"], q["jobQueueArn"]})) if wanted else None
    page, token = _page_of(data.job_queues(region), pager, keep)
    out: Output = {"jobQueues": page}
    if token is not None:
        out["nextToken"] = token
    return out


# ---------------------------------------------------------------------------- Clean Rooms (ML)

CLEANROOMS_ML = SERVICES["cleanroomsml"]
CLEANROOMS = SERVICES["cleanrooms"]


def _cleanrooms_pager(spec: ServiceSpec, operation: str, params: Params) -> _Pager:
    return _Pager(
        spec,
        operation,
        params,
        token_key="nextToken",
        max_key="maxResults",
        bounds=(1, 100),
        default=100,
    )


def list_collaboration_trained_model_export_jobs(
    data: EmulatorData, region: str, params: Params
) -> Output:
    """Clean Rooms ML ListCollaborationTrainedModelExportJobs: one model's export jobs."""
    pager = _cleanrooms_pager(CLEANROOMS_ML, "ListCollaborationTrainedModelExportJobs", params)
    cid, arn = params.get("collaborationIdentifier"), params.get("trainedModelArn")
    try:
        jobs = data.job_set(
            "cleanroomsml",
            "ListCollaborationTrainedModelExportJobs",
            region,
            collaborationIdentifier=str(cid),
            trainedModelArn=str(arn),
        )
    except UnknownScopeError as exc:
        raise CLEANROOMS_ML.not_found_error(str(exc)) from None
    version = params.get("trainedModelVersionIdentifier")
    keep = (lambda rec: rec["trainedModelVersionIdentifier"] == version) if version else None
    page, nxt = _scan(range(jobs.size), pager.start, pager.limit, jobs.record, keep)
    out: Output = {"collaborationTrainedModelExportJobs": page}
    token = pager.token(nxt)
    if token is not None:
        out["nextToken"] = token
    return out


def list_collaboration_trained_models(data: EmulatorData, region: str, params: Params) -> Output:
    """Clean Rooms ML ListCollaborationTrainedModels (discovery of trained models)."""
    pager = _cleanrooms_pager(CLEANROOMS_ML, "ListCollaborationTrainedModels", params)
    cid = str(params.get("collaborationIdentifier"))
    try:
        models = data.trained_models(region, cid)
    except UnknownScopeError as exc:
        raise CLEANROOMS_ML.not_found_error(str(exc)) from None
    page, token = _page_of(models, pager)
    out: Output = {"collaborationTrainedModels": page}
    if token is not None:
        out["nextToken"] = token
    return out


def list_collaborations(data: EmulatorData, region: str, params: Params) -> Output:
    """Clean Rooms ListCollaborations (discovery of collaborations)."""
    pager = _cleanrooms_pager(CLEANROOMS, "ListCollaborations", params)
    member_status = params.get("memberStatus")
    keep = (lambda c: c["memberStatus"] == member_status) if member_status else None
    page, token = _page_of(data.collaborations(region), pager, keep)
    out: Output = {"collaborationList": page}
    if token is not None:
        out["nextToken"] = token
    return out


def list_memberships(data: EmulatorData, region: str, params: Params) -> Output:
    """Clean Rooms ListMemberships (discovery of memberships)."""
    pager = _cleanrooms_pager(CLEANROOMS, "ListMemberships", params)
    status = params.get("status")
    keep = (lambda m: m["status"] == status) if status else None
    page, token = _page_of(data.memberships(region), pager, keep)
    out: Output = {"membershipSummaries": page}
    if token is not None:
        out["nextToken"] = token
    return out


# ---------------------------------------------------------------------------- generic listings


@functools.cache
def _paging(model: Any) -> tuple[str, str, str, tuple[int, int], int]:
    """(input token, output token, limit member, its bounds, default page size) of a model."""
    ins, outs = model.input_shape.members, model.output_shape.members
    tin = next(k for k in ("NextToken", "nextToken") if k in ins)
    tout = next(k for k in ("NextToken", "nextToken") if k in outs)
    limit = next(k for k in ("MaxResults", "maxResults") if k in ins)
    meta = ins[limit].metadata
    low, high = meta.get("min", 1), meta.get("max", 100)
    # Docs are mostly silent on defaults; 100 (or the maximum when lower) is the common one.
    return tin, tout, limit, (low, high), min(high, 100)


def _path(params: Params, path: str | None) -> Any:
    """The value at a dotted request path (``Filter.JobStatus``), or None."""
    if path is None:
        return None
    value: Any = params
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def generic_listing(op: GenericOp) -> Handler:
    """A handler for a generically emulated listing: scope check, filters, newest first.

    Filters apply before paging: the status member (one word, or a list such as EMR
    Serverless ``states``) must equal, the name filter is a case-insensitive substring, time
    bounds are strict. The order member (SortOrder, Order, sortOrder) flips the order.
    Step Functions refuses EXPRESS state machines, as documented for ListExecutions.
    """
    spec = SERVICES[op.service]

    def handler(data: EmulatorData, region: str, params: Params) -> Output:
        # The model is read on first use, so importing the emulator stays cheap.
        tin, tout = op.token_keys
        limit_key, bounds, default = op.limit
        result_key = op.result_key
        pager = _Pager(
            spec,
            op.operation,
            params,
            token_key=tin,
            max_key=limit_key,
            bounds=bounds,
            default=default,
        )
        pager.limit = pager.limit or default  # 0 means "the default" where 0 is allowed
        scope: dict[str, str] = {}
        for member, _parent, _value in op.scopes:
            value = params.get(member)
            if not value:
                raise spec.validation_error(f"{member} is required")
            scope[member] = str(value)
        try:
            jobs = data.job_set(op.service, op.operation, region, **scope)
        except UnknownScopeError as exc:
            raise spec.not_found_error(str(exc)) from None
        if op.parent is not None and op.parent[1] == "ListStateMachines":
            kinds = {p["stateMachineArn"]: p["type"] for p in data.parents(*op.parent, region)}
            if kinds.get(scope.get("stateMachineArn")) == "EXPRESS":
                raise spec.validation_error(
                    "This operation is not supported by EXPRESS state machines"
                )
        lo, hi = _index_range(jobs, _us(_path(params, op.after)), _us(_path(params, op.before)))
        wanted = _path(params, op.status_param)
        statuses = None if not wanted else {wanted} if isinstance(wanted, str) else set(wanted)
        name = (_path(params, op.name_param) or "").lower()
        keep: Callable[[Record], bool] | None = None
        equals = {m: params[m] for m in op.equals if params.get(m) is not None}
        if statuses is not None or name or equals:

            def keep(rec: Record) -> bool:
                if statuses is not None and _path(rec, op.status) not in statuses:
                    return False
                if any(rec.get(m) != v for m, v in equals.items()):
                    return False
                text = rec.get(op.name) if op.name is not None else None
                return not name or name in str(text or "").lower()

        ascending = op.ascending_default
        if op.order is not None and params.get(op.order[0]) is not None:
            ascending = params[op.order[0]] == op.order[1]
        page, nxt = _scan(
            _ordered(lo, hi, ascending=ascending), pager.start, pager.limit, jobs.record, keep
        )
        if op.hydrate is not None:
            page = _listed(op, page)
        out: Output = {result_key: page}
        if op.service == "transcribe" and isinstance(wanted, str):
            out["Status"] = wanted  # Transcribe echoes the status filter
        token = pager.token(nxt)
        if token is not None:
            out[tout] = token
        return out

    handler.__doc__ = f"{op.service} {op.operation}, emulated from its botocore shapes."
    return handler


def _listed(op: GenericOp, records: list[Record]) -> list[Any]:
    """What a listing with a hydrate call answers of its records: the ids, or the members
    of its summary shape."""
    hydrate = op.hydrate
    if hydrate.listed_id is None:
        return [rec[hydrate.id_member] for rec in records]
    members = op.summary_shape.members
    return [{k: v for k, v in rec.items() if k in members} for rec in records]


def generic_hydrate(op: GenericOp) -> Handler:
    """The hydrate call of a generic listing (CodeBuild BatchGetBuilds, Athena
    BatchGetQueryExecution, Step Functions DescribeMapRun): records by id, from the job sets
    listed so far (ids come from listings). Unknown ids are named in the not-found member; a
    describe of one unknown id is the service's not-found error."""
    spec = SERVICES[op.service]
    hydrate = op.hydrate
    listing = f"{op.service}:{op.operation}"
    shape = op.hydrate_shape

    def handler(data: EmulatorData, region: str, params: Params) -> Output:
        wanted = params.get(hydrate.ids_member)
        ids = [str(i) for i in ([wanted] if hydrate.batch == 1 else list(wanted or [])) if i]
        if not ids or len(ids) > hydrate.batch:
            raise spec.validation_error(
                f"{hydrate.ids_member}: between 1 and {hydrate.batch} ids per call"
            )
        with data._lock:
            sets = [v for k, v in data._sets.items() if k[:2] == (listing, region)]
        found: list[Record] = []
        missing: list[str] = []
        for ident in ids:
            record = next(
                (r for jobs in sets if (r := _by_name(jobs, hydrate.id_member, ident))), None
            )
            if record is None:
                missing.append(ident)
            else:
                found.append({k: v for k, v in record.items() if k in shape.members})
        if hydrate.result_key is None:
            if missing:
                raise spec.not_found_error(f"{hydrate.id_member} {missing[0]} does not exist")
            return found[0]
        out: Output = {hydrate.result_key: found}
        if hydrate.missing_key is not None:
            entry = op.model_for(hydrate.operation).output_shape.members[hydrate.missing_key]
            structured = entry.member.type_name == "structure"
            out[hydrate.missing_key] = [
                {hydrate.id_member: m, "ErrorCode": "NotFound", "ErrorMessage": "not found"}
                if structured
                else m
                for m in missing
            ]
        return out

    handler.__doc__ = f"{op.service} {hydrate.operation}, records of {op.operation} by id."
    return handler


def generic_parents(parent: GenericParent) -> Handler:
    """A handler for a generic discovery listing (pipelines, applications, ...), paged."""
    spec = SERVICES[parent.service]

    def handler(data: EmulatorData, region: str, params: Params) -> Output:
        if parent.keys is not None and parent.keys[2] is not None:
            tin, tout, limit_key = parent.keys[0], parent.keys[1], parent.keys[2]
            meta = parent.model.input_shape.members[limit_key].metadata
            bounds = (meta.get("min", 1), meta.get("max", 100))
            default = min(bounds[1], 100)
        elif parent.keys is not None:
            # No page-size member (EMR ListClusters): a fixed page.
            tin, tout, limit_key, bounds, default = (*parent.keys[:2], _NO_LIMIT, (1, 50), 50)
        else:
            tin, tout, limit_key, bounds, default = _paging(parent.model)
        pager = _Pager(
            spec,
            parent.operation,
            params,
            token_key=tin,
            max_key=limit_key,
            bounds=bounds,
            default=default,
        )
        pager.limit = pager.limit or default
        page, token = _page_of(data.parents(parent.service, parent.operation, region), pager)
        out: Output = {parent.result_key: page}
        if token is not None:
            out[tout] = token
        return out

    handler.__doc__ = f"{parent.service} {parent.operation} (discovery), generated."
    return handler


IAM = SERVICES["iam"]


def list_roles(data: EmulatorData, region: str, params: Params) -> Output:
    """IAM ListRoles (awsQuery; discovery of the account): Marker, MaxItems 1-1000 (100)."""
    pager = _Pager(
        IAM,
        "ListRoles",
        params,
        token_key="Marker",
        max_key="MaxItems",
        bounds=(1, 1000),
        default=100,
    )
    page, token = _page_of(data.parents("iam", "ListRoles", region), pager)
    out: Output = {"Roles": page, "IsTruncated": token is not None}
    if token is not None:
        out["Marker"] = token
    return out


# ---------------------------------------------------------------------------- Describe


_NAME_INDEX: dict[int, tuple[JobSet, dict[str, int]]] = {}
_NAME_LOCK = threading.Lock()


def _by_name(jobs: JobSet, field: str, name: str) -> Record | None:
    """The record of the job named ``name`` (an index of names per job set, built once: a
    job's name never changes, only its position when an overlay hides or expires jobs)."""
    base = getattr(jobs, "base", jobs)
    with _NAME_LOCK:
        entry = _NAME_INDEX.get(id(base))
        if entry is None or entry[0] is not base:
            index: dict[str, int] = {}
            for j in range(base.size):
                value = base.record(j).get(field)
                if isinstance(value, str):
                    index.setdefault(value, j)
            entry = _NAME_INDEX[id(base)] = (base, index)
    found = entry[1].get(name)
    if found is None:
        return None
    i = found - int(getattr(jobs, "hidden", 0)) if base is not jobs else found
    if not 0 <= i < jobs.size:
        return None  # not created yet (held back), or expired
    return jobs.record(i)


def _describe(operation: str, listing: str, field: str) -> Handler:
    def handler(data: EmulatorData, region: str, params: Params) -> Output:
        name = params.get(field) or ""
        found = _by_name(data.job_set("sagemaker", listing, region), field, name)
        if found is None:
            raise SAGEMAKER.validation_error(f"Requested resource not found: {name}")
        return dict(found)

    handler.__doc__ = f"SageMaker {operation}: one job's record by name (the summary's fields)."
    return handler


def describe_jobs_batch(data: EmulatorData, region: str, params: Params) -> Output:
    """Batch DescribeJobs: up to 100 container jobs by id, from the queues listed so far
    (ids come from listings); unknown ids are left out, as AWS does."""
    ids = list(params.get("jobs") or [])
    if len(ids) > 100:
        raise BATCH.validation_error("jobs: at most 100 job ids per call")
    if data.changes is not None:
        data.changes.tick()
    with data._lock:
        sets = [(k[2], v) for k, v in data._sets.items() if k[:2] == ("batch:ListJobs", region)]
    out: list[Record] = []
    for wanted in ids:
        for queue, jobs in sets:
            found = _by_name(jobs, "jobId", wanted)
            if found is not None:
                out.append({**found, "jobQueue": queue})
                break
    return {"jobs": out}


HANDLERS: Mapping[tuple[str, str], Handler] = {
    ("batch", "DescribeJobs"): describe_jobs_batch,
    ("sagemaker", "DescribeProcessingJob"): _describe(
        "DescribeProcessingJob", "ListProcessingJobs", "ProcessingJobName"
    ),
    ("sagemaker", "DescribeTrainingJob"): _describe(
        "DescribeTrainingJob", "ListTrainingJobs", "TrainingJobName"
    ),
    ("sagemaker", "ListProcessingJobs"): list_processing_jobs,
    ("sagemaker", "ListLabelingJobsForWorkteam"): list_labeling_jobs_for_workteam,
    ("sagemaker", "ListWorkteams"): list_workteams,
    ("comprehendmedical", "ListSNOMEDCTInferenceJobs"): list_snomedct_inference_jobs,
    ("batch", "ListServiceJobs"): list_service_jobs,
    ("batch", "DescribeJobQueues"): describe_job_queues,
    ("cleanroomsml", "ListCollaborationTrainedModelExportJobs"): (
        list_collaboration_trained_model_export_jobs
    ),
    ("cleanroomsml", "ListCollaborationTrainedModels"): list_collaboration_trained_models,
    ("cleanrooms", "ListCollaborations"): list_collaborations,
    ("cleanrooms", "ListMemberships"): list_memberships,
    ("batch", "ListJobs"): list_jobs_batch,
    **{key: generic_listing(op) for key, op in GENERIC_OPS.items() if key[0] != "batch"},
    **{
        (op.service, op.hydrate.operation): generic_hydrate(op)
        for op in GENERIC_OPS.values()
        if op.hydrate is not None
    },
    **{
        key: generic_parents(parent)
        for key, parent in GENERIC_PARENTS.items()
        if key != ("iam", "ListRoles")
    },
    ("iam", "ListRoles"): list_roles,
}
"""(boto3 service name, operation) -> handler; the router serves exactly these."""
