"""Translate: batch text translation jobs (no botocore paginator; CBOR or JSON)."""

from __future__ import annotations

from jobkit.adapters._model import adapter
from jobkit.core.pushdown import nested_filter
from jobkit.core.spec import Paging
from jobkit.model import JobStatus

__all__ = ["SPECS", "TEXT_TRANSLATION"]

TEXT_TRANSLATION = adapter(
    "translate.text-translation",
    "translate",
    "ListTextTranslationJobs",
    "Translate batch text translation jobs",
    paging=Paging(
        result_key="TextTranslationJobPropertiesList",
        input_token="NextToken",
        output_token="NextToken",
        limit_key="MaxResults",
        page_size=100,
    ),
    name_field="JobName",
    id_field="JobId",
    status_field="JobStatus",
    created_field="SubmittedTime",
    ended_field="EndTime",
    account_field="DataAccessRoleArn",
    status_map={
        "SUBMITTED": JobStatus.PENDING,
        "IN_PROGRESS": JobStatus.RUNNING,
        "COMPLETED": JobStatus.SUCCEEDED,
        # Some documents failed: kept apart from both success and failure.
        "COMPLETED_WITH_ERROR": JobStatus.PARTIAL_SUCCESS,
        "FAILED": JobStatus.FAILED,
        "STOP_REQUESTED": JobStatus.STOPPING,
        "STOPPED": JobStatus.STOPPED,
    },
    # Filter.JobName is an exact match, so name_contains stays on the client.
    pushdown=nested_filter(
        "Filter", status="JobStatus", after="SubmittedAfterTime", before="SubmittedBeforeTime"
    ),
)

SPECS = (TEXT_TRANSLATION,)
