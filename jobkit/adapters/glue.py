"""Glue: runs of a Glue job (ETL, streaming, Python shell) and runs of a crawler."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobkit.adapters._model import adapter, discovery, jobs
from jobkit.core.spec import ScopeParam
from jobkit.model import JobStatus

__all__ = ["CRAWLS", "JOB_RUNS", "SPECS"]


def _job_name(item: Mapping[str, Any] | str) -> str | None:
    # ListJobs lists bare job names (strings), not structures.
    return item if isinstance(item, str) else None


# The maximum page: one call lists most accounts' jobs.
JOBS = discovery("glue", "ListJobs", value=_job_name, page_size=1000)

JOB_RUNS = adapter(
    "glue.job-runs",
    "glue",
    "GetJobRuns",
    "Glue job runs of a job",
    page_size=200,  # the maximum: runs are listed per job, often many of them
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

CRAWLS = jobs(
    "glue.crawls",
    "ListCrawls",
    "Glue crawler runs of a crawler",
    name_field=None,  # crawls have an id, no name
    scope=(
        ScopeParam(
            name="CrawlerName",
            doc="the crawler's name (GetCrawlers)",
            discovery=discovery("glue", "GetCrawlers", value="Name"),
        ),
    ),
)

SPECS = (JOB_RUNS, CRAWLS)
