"""AWS Elemental MediaPackage and MediaPackage v2: harvest jobs (v1 gives the creation time
as an ISO 8601 string)."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.pushdown import top_level
from jobkit.core.spec import ScopeParam, TimeFormat

__all__ = ["HARVEST", "HARVEST_V2", "SPECS"]

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

HARVEST_V2 = jobs(
    "mediapackagev2.harvest",
    "ListHarvestJobs",
    "AWS Elemental MediaPackage v2 harvest jobs of a channel group",
    name_field="HarvestJobName",
    scope=(
        ScopeParam(
            name="ChannelGroupName",
            doc="the channel group's name (ListChannelGroups)",
            discovery=discovery("mediapackagev2", "ListChannelGroups", value="ChannelGroupName"),
        ),
    ),
    pushdown=top_level(status="Status"),
)

SPECS = (HARVEST, HARVEST_V2)
