"""MediaConvert: transcoding jobs."""

from __future__ import annotations

from jobkit.core.pushdown import top_level
from jobkit.core.spec import AdapterSpec
from jobkit.model import JobStatus

__all__ = ["JOBS"]

JOBS = AdapterSpec(
    name="mediaconvert.jobs",
    service="mediaconvert",
    operation="ListJobs",
    doc="MediaConvert transcoding jobs",
    result_key="Jobs",
    input_token="NextToken",
    output_token="NextToken",
    limit_key="MaxResults",
    page_size=20,
    name_field=None,  # jobs have no name
    id_field="Id",
    status_field="Status",
    created_field="CreatedAt",
    account_field="Arn",
    status_map={
        "SUBMITTED": JobStatus.PENDING,
        "PROGRESSING": JobStatus.RUNNING,
        "COMPLETE": JobStatus.SUCCEEDED,
        "CANCELED": JobStatus.STOPPED,
        "ERROR": JobStatus.FAILED,
    },
    base_params={"Order": "DESCENDING"},
    pushdown=top_level(status="Status"),
)
