"""EMR Serverless: job runs of an application."""

from __future__ import annotations

from jobkit.adapters._model import adapter, discovery
from jobkit.core.pushdown import status_list
from jobkit.core.spec import ScopeParam
from jobkit.model import JobStatus

__all__ = ["JOB_RUNS", "SPECS"]

APPLICATIONS = discovery("emr-serverless", "ListApplications", value="id")

JOB_RUNS = adapter(
    "emr-serverless.job-runs",
    "emr-serverless",
    "ListJobRuns",
    "EMR Serverless job runs of an application",
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

SPECS = (JOB_RUNS,)
