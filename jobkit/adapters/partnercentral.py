"""AWS Partner Central selling: resource snapshot jobs (their summaries carry no time)."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.pushdown import top_level

__all__ = ["RESOURCE_SNAPSHOT", "SPECS"]

RESOURCE_SNAPSHOT = jobs(
    "partnercentral-selling.resource-snapshot",
    "ListResourceSnapshotJobs",
    "AWS Partner Central resource snapshot jobs",
    name_field=None,  # jobs have an id, no name
    # Catalog is required: the production catalog (Sandbox is for testing integrations).
    base_params={"Catalog": "AWS"},
    pushdown=top_level(status="Status"),
)

SPECS = (RESOURCE_SNAPSHOT,)
