"""AWS IoT: jobs sent to things and thing groups."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.pushdown import top_level
from jobkit.model import JobStatus

__all__ = ["JOBS", "SPECS"]

JOBS = jobs(
    "iot.jobs",
    "ListJobs",
    "AWS IoT jobs",
    name_field="jobId",  # the caller-chosen job id is the job's name
    # A canceled or completed job being deleted: it no longer runs.
    statuses={"DELETION_IN_PROGRESS": JobStatus.STOPPED},
    pushdown=top_level(status="status"),
)

SPECS = (JOBS,)
