"""EMR Serverless: job runs of an application."""

from __future__ import annotations

from jobkit.core.pushdown import status_list
from jobkit.core.spec import AdapterSpec, Discovery, ScopeParam
from jobkit.model import JobStatus

__all__ = ["JOB_RUNS"]

APPLICATIONS = Discovery(
    service="emr-serverless",
    operation="ListApplications",
    result_key="applications",
    input_token="nextToken",
    output_token="nextToken",
    limit_key="maxResults",
    page_size=50,
    value=lambda item: item.get("id"),
)

JOB_RUNS = AdapterSpec(
    name="emr-serverless.job-runs",
    service="emr-serverless",
    operation="ListJobRuns",
    doc="EMR Serverless job runs of an application",
    result_key="jobRuns",
    input_token="nextToken",
    output_token="nextToken",
    limit_key="maxResults",
    page_size=50,
    name_field="name",
    id_field="arn",
    status_field="state",
    created_field="createdAt",
    updated_field="updatedAt",
    status_map={
        "SUBMITTED": JobStatus.PENDING,
        "PENDING": JobStatus.PENDING,
        "SCHEDULED": JobStatus.PENDING,
        "QUEUED": JobStatus.PENDING,
        "RUNNING": JobStatus.RUNNING,
        "SUCCESS": JobStatus.SUCCEEDED,
        "FAILED": JobStatus.FAILED,
        "CANCELLING": JobStatus.STOPPING,
        "CANCELLED": JobStatus.STOPPED,
    },
    scope=(ScopeParam(name="applicationId", doc="the application's id", discovery=APPLICATIONS),),
    # `states` takes a list: every selected status in one request.
    pushdown=status_list("states", after="createdAtAfter", before="createdAtBefore"),
)
