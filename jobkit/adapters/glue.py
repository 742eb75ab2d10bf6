"""Glue: runs of a Glue job (ETL, streaming, Python shell)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobkit.core.spec import AdapterSpec, Discovery, ScopeParam
from jobkit.model import JobStatus

__all__ = ["JOB_RUNS"]


def _job_name(item: Mapping[str, Any] | str) -> str | None:
    # ListJobs lists bare job names (strings), not structures.
    return item if isinstance(item, str) else None


JOBS = Discovery(
    service="glue",
    operation="ListJobs",
    result_key="JobNames",
    input_token="NextToken",
    output_token="NextToken",
    limit_key="MaxResults",
    page_size=1000,
    value=_job_name,  # the items are strings, see _job_name
)

JOB_RUNS = AdapterSpec(
    name="glue.job-runs",
    service="glue",
    operation="GetJobRuns",
    doc="Glue job runs of a job",
    result_key="JobRuns",
    input_token="NextToken",
    output_token="NextToken",
    limit_key="MaxResults",
    page_size=200,
    name_field="JobName",
    id_field="Id",
    status_field="JobRunState",
    created_field="StartedOn",
    ended_field="CompletedOn",
    updated_field="LastModifiedOn",
    status_map={
        "WAITING": JobStatus.PENDING,
        "STARTING": JobStatus.PENDING,
        "RUNNING": JobStatus.RUNNING,
        "STOPPING": JobStatus.STOPPING,
        "STOPPED": JobStatus.STOPPED,
        "SUCCEEDED": JobStatus.SUCCEEDED,
        "FAILED": JobStatus.FAILED,
        "TIMEOUT": JobStatus.FAILED,
        "ERROR": JobStatus.FAILED,
        # The run waited in the queue past its time limit and never started.
        "EXPIRED": JobStatus.FAILED,
    },
    scope=(ScopeParam(name="JobName", doc="the Glue job's name", discovery=JOBS),),
    # GetJobRuns has no filters: everything is applied on the client.
)
