"""MediaConvert: transcoding jobs."""

from __future__ import annotations

from jobkit.adapters._model import adapter
from jobkit.core.pushdown import top_level
from jobkit.model import JobStatus

__all__ = ["JOBS", "SPECS"]

JOBS = adapter(
    "mediaconvert.jobs",
    "mediaconvert",
    "ListJobs",
    "MediaConvert transcoding jobs",
    name_field=None,  # jobs have no name: the job template's, else the job id
    name_fallback=("JobTemplate",),
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

SPECS = (JOBS,)
