"""AWS Batch: service jobs (SageMaker training jobs scheduled through a Batch job queue) and
container jobs (ECS, Fargate, EKS queues)."""

from __future__ import annotations

from jobkit.adapters._model import adapter, discovery
from jobkit.core.pushdown import batch_filters
from jobkit.core.spec import Describe, Partition, ScopeParam, TimeFormat
from jobkit.model import JobStatus

__all__ = ["JOBS", "SERVICE_JOBS", "SPECS"]

_STATUS = {
    "SUBMITTED": JobStatus.PENDING,
    "PENDING": JobStatus.PENDING,
    "RUNNABLE": JobStatus.PENDING,
    "SCHEDULED": JobStatus.PENDING,
    "STARTING": JobStatus.PENDING,
    "RUNNING": JobStatus.RUNNING,
    "SUCCEEDED": JobStatus.SUCCEEDED,
    "FAILED": JobStatus.FAILED,
}

JOB_QUEUES = discovery(
    "batch",
    "DescribeJobQueues",
    value="jobQueueArn",
    # Service jobs run only on SageMaker training queues; other queues hold container jobs.
    keep=lambda item: item.get("jobQueueType") == "SAGEMAKER_TRAINING",
)

SERVICE_JOBS = adapter(
    "batch.service",
    "batch",
    "ListServiceJobs",
    "AWS Batch service jobs of a job queue",
    name_field="jobName",
    id_field="jobId",
    status_field="status",
    created_field="createdAt",
    ended_field="stoppedAt",
    account_field="jobArn",
    time_format=TimeFormat.EPOCH_MS,
    status_map=_STATUS,
    scope=(ScopeParam(name="jobQueue", doc="the job queue's name or ARN", discovery=JOB_QUEUES),),
    # Without a status (and without filters) the API returns RUNNING jobs only, so a whole
    # queue is listed as one stream per status.
    partition=Partition(param="jobStatus", values=tuple(_STATUS), by_status=True),
    pushdown=batch_filters,
)

_JOB_STATUS = {k: v for k, v in _STATUS.items() if k != "SCHEDULED"}

CONTAINER_QUEUES = discovery(
    "batch",
    "DescribeJobQueues",
    value="jobQueueArn",
    # Container jobs run on ECS, EC2, Fargate and EKS queues; SageMaker training queues hold
    # service jobs (batch.service) only.
    keep=lambda item: item.get("jobQueueType") != "SAGEMAKER_TRAINING",
)

JOBS = adapter(
    "batch.jobs",
    "batch",
    "ListJobs",
    "AWS Batch container jobs of a job queue",
    name_field="jobName",
    id_field="jobId",
    status_field="status",
    created_field="createdAt",
    ended_field="stoppedAt",
    account_field="jobArn",
    time_format=TimeFormat.EPOCH_MS,
    status_map=_JOB_STATUS,
    scope=(
        ScopeParam(name="jobQueue", doc="the job queue's name or ARN", discovery=CONTAINER_QUEUES),
    ),
    # Like ListServiceJobs: RUNNING only without a status or a filter, so one stream per
    # status, or one filtered stream covering every status.
    partition=Partition(param="jobStatus", values=tuple(_JOB_STATUS), by_status=True),
    pushdown=batch_filters,
    # DescribeJobs answers up to 100 jobs by id, in the summaries' member names.
    describe=Describe(operation="DescribeJobs", ids_member="jobs", result_key="jobs", batch=100),
)

SPECS = (SERVICE_JOBS, JOBS)
