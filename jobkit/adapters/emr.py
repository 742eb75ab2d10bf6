"""Amazon EMR: steps of a cluster (status and times nested in Status and Status.Timeline)."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.pushdown import status_list
from jobkit.core.spec import ScopeParam
from jobkit.model import JobStatus

__all__ = ["SPECS", "STEPS"]

STEPS = jobs(
    "emr.steps",
    "ListSteps",
    "EMR steps of a cluster",
    name_field="Name",
    id_field="Id",
    status_field="Status.State",
    created_field="Status.Timeline.CreationDateTime",
    ended_field="Status.Timeline.EndDateTime",
    updated_field=None,
    statuses={
        "CANCEL_PENDING": JobStatus.STOPPING,
        # The cluster stopped the step (it terminated, or a step before it failed).
        "INTERRUPTED": JobStatus.STOPPED,
    },
    scope=(
        ScopeParam(
            name="ClusterId",
            # ListClusters without a filter lists the clusters of the last two months.
            doc="the cluster's id, j-... (ListClusters)",
            discovery=discovery("emr", "ListClusters", value="Id"),
        ),
    ),
    # StepStates takes a list: every selected status in one request.
    pushdown=status_list("StepStates"),
)

SPECS = (STEPS,)
