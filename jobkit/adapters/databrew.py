"""AWS Glue DataBrew: runs of a DataBrew job (ListJobs lists the job definitions)."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import ScopeParam

__all__ = ["JOB_RUNS", "SPECS"]

JOB_RUNS = jobs(
    "databrew.job-runs",
    "ListJobRuns",
    "Glue DataBrew job runs of a job",
    name_field="JobName",
    scope=(
        ScopeParam(
            name="Name",
            doc="the DataBrew job's name (ListJobs)",
            discovery=discovery("databrew", "ListJobs", value="Name"),
        ),
    ),
)

SPECS = (JOB_RUNS,)
