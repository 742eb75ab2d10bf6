"""AWS HealthLake: data transformation jobs."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.pushdown import top_level

__all__ = ["DATA_TRANSFORMATION", "SPECS"]

DATA_TRANSFORMATION = jobs(
    "healthlake.data-transformation",
    "ListDataTransformationJobs",
    "AWS HealthLake data transformation jobs",
    name_field="JobName",
    # JobName is an exact match, so name_contains stays on the client.
    pushdown=top_level(status="JobStatus", after="SubmittedAfter", before="SubmittedBefore"),
)

SPECS = (DATA_TRANSFORMATION,)
