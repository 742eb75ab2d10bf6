"""AWS Deadline Cloud: render jobs of a queue."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import ScopeParam
from jobkit.model import JobStatus

__all__ = ["JOBS", "SPECS"]

JOBS = jobs(
    "deadline.jobs",
    "ListJobs",
    "AWS Deadline Cloud jobs of a queue",
    name_field="name",
    # The run status of the job's tasks; lifecycleStatus says how its creation went.
    status_field="taskRunStatus",
    statuses={
        "READY": JobStatus.PENDING,  # waits for a worker
        "ASSIGNED": JobStatus.PENDING,
        "INTERRUPTING": JobStatus.STOPPING,
        "SUSPENDED": JobStatus.STOPPED,  # can be requeued, but does not run now
        "NOT_COMPATIBLE": JobStatus.FAILED,  # no fleet can run it
    },
    scope=(
        ScopeParam(
            name="farmId",
            doc="the farm's id (ListFarms)",
            discovery=discovery("deadline", "ListFarms", value="farmId"),
        ),
        ScopeParam(
            name="queueId",
            doc="the queue's id (ListQueues)",
            discovery=discovery(
                "deadline", "ListQueues", value="queueId", needs={"farmId": "farmId"}
            ),
        ),
    ),
)

SPECS = (JOBS,)
