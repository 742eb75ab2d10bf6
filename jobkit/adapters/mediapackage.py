"""AWS Elemental MediaPackage: harvest jobs (the creation time is an ISO 8601 string)."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.pushdown import top_level
from jobkit.core.spec import TimeFormat

__all__ = ["HARVEST", "SPECS"]

HARVEST = jobs(
    "mediapackage.harvest",
    "ListHarvestJobs",
    "AWS Elemental MediaPackage harvest jobs",
    name_field=None,  # harvest jobs have an id, no name
    id_field="Id",
    created_field="CreatedAt",
    time_format=TimeFormat.ISO8601,
    pushdown=top_level(status="IncludeStatus"),
)

SPECS = (HARVEST,)
