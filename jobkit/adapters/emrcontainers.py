"""Amazon EMR on EKS: job runs of a virtual cluster."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.pushdown import status_list
from jobkit.core.spec import ScopeParam
from jobkit.model import JobStatus

__all__ = ["JOB_RUNS", "SPECS"]

JOB_RUNS = jobs(
    "emr-containers.job-runs",
    "ListJobRuns",
    "EMR on EKS job runs of a virtual cluster",
    name_field="name",
    statuses={"CANCEL_PENDING": JobStatus.STOPPING},
    scope=(
        ScopeParam(
            name="virtualClusterId",
            doc="the virtual cluster's id (ListVirtualClusters)",
            discovery=discovery("emr-containers", "ListVirtualClusters", value="id"),
        ),
    ),
    # `states` takes a list: every selected status in one request. `name` is exact.
    pushdown=status_list("states", after="createdAfter", before="createdBefore"),
)

SPECS = (JOB_RUNS,)
