"""AWS End User Messaging (SMS and voice): registration and verification jobs."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.pushdown import top_level

__all__ = ["JOBS", "SPECS"]

JOBS = jobs(
    "endusermessaging.jobs",
    "ListJobs",
    "AWS End User Messaging jobs",
    name_field=None,  # jobs have no name
    pushdown=top_level(status="status"),
)

SPECS = (JOBS,)
