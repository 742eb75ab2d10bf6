"""AWS IoT TwinMaker: sync jobs of a workspace (the status is nested: ``status.state``)."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import ScopeParam
from jobkit.model import JobStatus

__all__ = ["SPECS", "SYNC"]

SYNC = jobs(
    "iottwinmaker.sync",
    "ListSyncJobs",
    "AWS IoT TwinMaker sync jobs of a workspace",
    name_field="syncSource",  # one sync job per source: the source names it
    id_field="arn",
    status_field="status.state",
    statuses={
        # A sync job keeps syncing once active; it is running until deleted.
        "ACTIVE": JobStatus.RUNNING,
        "DELETING": JobStatus.STOPPING,
    },
    scope=(
        ScopeParam(
            name="workspaceId",
            doc="the workspace's id (ListWorkspaces)",
            discovery=discovery("iottwinmaker", "ListWorkspaces", value="workspaceId"),
        ),
    ),
)

SPECS = (SYNC,)
