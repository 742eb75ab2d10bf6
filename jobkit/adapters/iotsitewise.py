"""AWS IoT SiteWise: bulk import jobs (their summaries carry no time), dataset export and
enrichment jobs of a workspace."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.pushdown import top_level
from jobkit.core.spec import ScopeParam

__all__ = ["BULK_IMPORT", "DATASET_EXPORT", "ENRICHMENT", "SPECS"]

BULK_IMPORT = jobs(
    "iotsitewise.bulk-import",
    "ListBulkImportJobs",
    "AWS IoT SiteWise bulk import jobs",
    name_field="name",
    pushdown=top_level(status="filter"),  # `filter` takes one status word (or ALL)
)

#: No API lists SiteWise workspaces: the caller names one.
_WORKSPACE = (
    ScopeParam(
        name="workspaceName",
        doc="the IoT SiteWise workspace's name; no API lists workspaces, see the console",
    ),
)

DATASET_EXPORT = jobs(
    "iotsitewise.dataset-export",
    "ListDatasetExportJobs",
    "AWS IoT SiteWise dataset export jobs of a workspace",
    name_field=None,  # jobs have an id, no name
    scope=_WORKSPACE,
)

ENRICHMENT = jobs(
    "iotsitewise.enrichment",
    "ListEnrichmentJobs",
    "AWS IoT SiteWise enrichment jobs of a workspace",
    name_field=None,
    scope=_WORKSPACE,
    pushdown=top_level(status="status"),
)

SPECS = (BULK_IMPORT, DATASET_EXPORT, ENRICHMENT)
