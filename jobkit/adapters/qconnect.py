"""Amazon Q in Connect: import jobs of a knowledge base.

Amazon Connect Wisdom (``wisdom``) is the same API under its former name, on the same
endpoint: its ListImportJobs is excluded rather than listed twice.
"""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import AdapterSpec, ScopeParam
from jobkit.model import JobStatus

__all__ = ["IMPORT", "SPECS"]

_STATUS = {
    "START_IN_PROGRESS": JobStatus.RUNNING,
    # The finished import is being (or was) deleted: it no longer runs.
    "DELETE_IN_PROGRESS": JobStatus.STOPPED,
    "DELETED": JobStatus.STOPPED,
    "DELETE_FAILED": JobStatus.FAILED,
}


def _imports(service: str, doc: str) -> AdapterSpec:
    return jobs(
        f"{service}.import",
        "ListImportJobs",
        doc,
        name_field=None,  # import jobs have an id, no name
        statuses=_STATUS,
        scope=(
            ScopeParam(
                name="knowledgeBaseId",
                doc="the knowledge base's id (ListKnowledgeBases)",
                discovery=discovery(service, "ListKnowledgeBases", value="knowledgeBaseId"),
            ),
        ),
    )


IMPORT = _imports("qconnect", "Amazon Q in Connect import jobs of a knowledge base")

SPECS = (IMPORT,)
