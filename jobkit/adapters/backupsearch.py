"""AWS Backup search: search jobs and their result export jobs."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.pushdown import top_level

__all__ = ["SEARCH", "SEARCH_RESULT_EXPORT", "SPECS"]

SEARCH = jobs(
    "backupsearch.search",
    "ListSearchJobs",
    "AWS Backup search jobs",
    name_field="Name",
    pushdown=top_level(status="ByStatus"),
)

SEARCH_RESULT_EXPORT = jobs(
    "backupsearch.search-result-export",
    "ListSearchResultExportJobs",
    "AWS Backup search result export jobs",
    name_field=None,  # export jobs have no name
    pushdown=top_level(status="Status"),
)

SPECS = (SEARCH, SEARCH_RESULT_EXPORT)
