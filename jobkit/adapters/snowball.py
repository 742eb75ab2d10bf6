"""AWS Snow Family: device jobs, and the jobs of a cluster."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import AdapterSpec, ScopeParam
from jobkit.model import JobStatus

__all__ = ["CLUSTER_JOBS", "JOBS", "SPECS"]

_STATES = {
    "PreparingAppliance": JobStatus.PENDING,
    "PreparingShipment": JobStatus.PENDING,
    # The device is on its way or in use: the job is under way.
    "InTransitToCustomer": JobStatus.RUNNING,
    "WithCustomer": JobStatus.RUNNING,
    "InTransitToAWS": JobStatus.RUNNING,
    "WithAWSSortingFacility": JobStatus.RUNNING,
    "WithAWS": JobStatus.RUNNING,
    "Listing": JobStatus.RUNNING,  # an import job's objects are being listed
}


def _jobs(kind: str, operation: str, doc: str, scope: tuple[ScopeParam, ...] = ()) -> AdapterSpec:
    # Jobs have an id and an optional description, no name.
    return jobs(f"snowball.{kind}", operation, doc, name_field=None, statuses=_STATES, scope=scope)


JOBS = _jobs("jobs", "ListJobs", "AWS Snow Family jobs")
CLUSTER_JOBS = _jobs(
    "cluster-jobs",
    "ListClusterJobs",
    "AWS Snow Family jobs of a cluster",
    scope=(
        ScopeParam(
            name="ClusterId",
            doc="the cluster's id (ListClusters)",
            discovery=discovery("snowball", "ListClusters", value="ClusterId"),
        ),
    ),
)

SPECS = (JOBS, CLUSTER_JOBS)
