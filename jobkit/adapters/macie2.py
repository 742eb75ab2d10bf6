"""Amazon Macie: sensitive data discovery (classification) jobs."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.model import JobStatus

__all__ = ["CLASSIFICATION", "SPECS"]

CLASSIFICATION = jobs(
    "macie2.classification",
    "ListClassificationJobs",
    "Amazon Macie classification jobs",
    name_field="name",
    statuses={
        # Paused jobs resume (by Macie or the user), and a recurring job is idle between
        # runs: none of these is an end state.
        "PAUSED": JobStatus.PENDING,
        "USER_PAUSED": JobStatus.PENDING,
        "IDLE": JobStatus.PENDING,
    },
)

SPECS = (CLASSIFICATION,)
