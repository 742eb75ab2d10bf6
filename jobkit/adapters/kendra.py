"""Amazon Kendra and Amazon Q Business: data source sync jobs."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.pushdown import top_level
from jobkit.core.spec import ScopeParam
from jobkit.model import JobStatus

__all__ = ["QBUSINESS_SYNC", "SPECS", "SYNC"]

_SYNC = {
    "SYNCING": JobStatus.RUNNING,
    "SYNCING_INDEXING": JobStatus.RUNNING,
    # The sync finished but some documents failed: kept apart from success and failure.
    "INCOMPLETE": JobStatus.PARTIAL_SUCCESS,
}

SYNC = jobs(
    "kendra.data-source-sync",
    "ListDataSourceSyncJobs",
    "Amazon Kendra sync jobs of a data source",
    name_field=None,  # sync jobs have an execution id, no name
    statuses=_SYNC,
    scope=(
        ScopeParam(
            name="IndexId",
            doc="the Kendra index's id (ListIndices)",
            discovery=discovery("kendra", "ListIndices", value="Id"),
        ),
        ScopeParam(
            name="Id",
            doc="the data source's id (ListDataSources)",
            discovery=discovery(
                "kendra", "ListDataSources", value="Id", needs={"IndexId": "IndexId"}
            ),
        ),
    ),
    pushdown=top_level(status="StatusFilter"),
)

QBUSINESS_SYNC = jobs(
    "qbusiness.data-source-sync",
    "ListDataSourceSyncJobs",
    "Amazon Q Business sync jobs of a data source",
    name_field=None,
    statuses=_SYNC,
    scope=(
        ScopeParam(
            name="applicationId",
            doc="the Q Business application's id (ListApplications)",
            discovery=discovery("qbusiness", "ListApplications", value="applicationId"),
        ),
        ScopeParam(
            name="indexId",
            doc="the index's id (ListIndices)",
            discovery=discovery(
                "qbusiness",
                "ListIndices",
                value="indexId",
                needs={"applicationId": "applicationId"},
            ),
        ),
        ScopeParam(
            name="dataSourceId",
            doc="the data source's id (ListDataSources)",
            discovery=discovery(
                "qbusiness",
                "ListDataSources",
                value="dataSourceId",
                needs={"applicationId": "applicationId", "indexId": "indexId"},
            ),
        ),
    ),
    pushdown=top_level(status="statusFilter"),
)

SPECS = (SYNC, QBUSINESS_SYNC)
