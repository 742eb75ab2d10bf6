"""Comprehend Medical: SNOMED CT inference jobs (no botocore paginator; JSON or CBOR)."""

from __future__ import annotations

from jobkit.adapters._model import adapter
from jobkit.core.pushdown import nested_filter
from jobkit.core.spec import Paging
from jobkit.model import JobStatus

__all__ = ["SNOMEDCT", "SPECS"]

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

SPECS = (SNOMEDCT,)
