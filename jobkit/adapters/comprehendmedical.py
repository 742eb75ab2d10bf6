"""Comprehend Medical: SNOMED CT inference jobs (no botocore paginator; JSON or CBOR)."""

from __future__ import annotations

from jobkit.adapters._model import adapter, jobs
from jobkit.core.pushdown import nested_filter
from jobkit.core.spec import AdapterSpec, Paging
from jobkit.model import JobStatus

__all__ = ["ENTITIES_V2", "ICD10CM", "PHI", "RXNORM", "SNOMEDCT", "SPECS"]

_STATUS = {
    "SUBMITTED": JobStatus.PENDING,
    "IN_PROGRESS": JobStatus.RUNNING,
    "COMPLETED": JobStatus.SUCCEEDED,
    "PARTIAL_SUCCESS": JobStatus.PARTIAL_SUCCESS,
    "FAILED": JobStatus.FAILED,
    "STOP_REQUESTED": JobStatus.STOPPING,
    "STOPPED": JobStatus.STOPPED,
}

SNOMEDCT = adapter(
    "comprehendmedical.snomedct",
    "comprehendmedical",
    "ListSNOMEDCTInferenceJobs",
    "Comprehend Medical SNOMED CT inference jobs",
    paging=Paging(
        result_key="ComprehendMedicalAsyncJobPropertiesList",
        input_token="NextToken",
        output_token="NextToken",
        limit_key="MaxResults",
        page_size=500,
    ),
    name_field="JobName",
    id_field="JobId",
    status_field="JobStatus",
    created_field="SubmitTime",
    ended_field="EndTime",
    account_field="DataAccessRoleArn",
    status_map=_STATUS,
    # Filter.JobName is an exact match, so name_contains stays on the client.
    pushdown=nested_filter(
        "Filter",
        status="JobStatus",
        after="SubmitTimeAfter",
        before="SubmitTimeBefore",
        newest_first_after=True,
    ),
)


def _jobs(kind: str, operation: str, doc: str) -> AdapterSpec:
    """The other asynchronous jobs page and filter like SNOMED CT inference."""
    return jobs(
        f"comprehendmedical.{kind}",
        operation,
        doc,
        name_field="JobName",
        id_field="JobId",
        account_field="DataAccessRoleArn",
        pushdown=nested_filter(
            "Filter", status="JobStatus", after="SubmitTimeAfter", before="SubmitTimeBefore"
        ),
    )


ENTITIES_V2 = _jobs(
    "entities-v2", "ListEntitiesDetectionV2Jobs", "Comprehend Medical entity detection jobs"
)
ICD10CM = _jobs("icd10cm", "ListICD10CMInferenceJobs", "Comprehend Medical ICD-10-CM jobs")
PHI = _jobs("phi", "ListPHIDetectionJobs", "Comprehend Medical PHI detection jobs")
RXNORM = _jobs("rxnorm", "ListRxNormInferenceJobs", "Comprehend Medical RxNorm jobs")

SPECS = (SNOMEDCT, ENTITIES_V2, ICD10CM, PHI, RXNORM)
