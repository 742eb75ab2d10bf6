"""AWS IoT SiteWise: bulk import jobs (their summaries carry no time)."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.pushdown import top_level

__all__ = ["BULK_IMPORT", "SPECS"]

BULK_IMPORT = jobs(
    "iotsitewise.bulk-import",
    "ListBulkImportJobs",
    "AWS IoT SiteWise bulk import jobs",
    name_field="name",
    pushdown=top_level(status="filter"),  # `filter` takes one status word (or ALL)
)

SPECS = (BULK_IMPORT,)
