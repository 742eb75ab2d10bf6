"""AWS Database Migration Service: replication tasks.

The model gives the status member no enum; the words are the ones the API reference lists.
"""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.model import JobStatus

__all__ = ["REPLICATION_TASKS", "SPECS"]

REPLICATION_TASKS = jobs(
    "dms.replication-tasks",
    "DescribeReplicationTasks",
    "AWS DMS replication tasks",
    name_field="ReplicationTaskIdentifier",
    status_field="Status",
    status_map={
        "creating": JobStatus.PENDING,
        "ready": JobStatus.PENDING,  # created, not started yet
        "modifying": JobStatus.PENDING,
        "moving": JobStatus.PENDING,  # being moved to another replication instance
        "starting": JobStatus.PENDING,
        "running": JobStatus.RUNNING,
        "testing": JobStatus.RUNNING,
        "stopping": JobStatus.STOPPING,
        # A full-load task that finished also reads `stopped` (StopReason says why).
        "stopped": JobStatus.STOPPED,
        "deleting": JobStatus.STOPPED,
        "failed": JobStatus.FAILED,
        "failed-move": JobStatus.FAILED,
    },
    base_params={"WithoutSettings": True},  # the settings JSON is large and not needed
)

SPECS = (REPLICATION_TASKS,)
