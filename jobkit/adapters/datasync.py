"""AWS DataSync: task executions (their summaries carry no time)."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.model import JobStatus

__all__ = ["SPECS", "TASK_EXECUTIONS"]

TASK_EXECUTIONS = jobs(
    "datasync.task-executions",
    "ListTaskExecutions",
    "AWS DataSync task executions (of every task, or of params={'TaskArn': ...})",
    name_field=None,  # executions have an ARN, no name
    statuses={
        "LAUNCHING": JobStatus.PENDING,
        "TRANSFERRING": JobStatus.RUNNING,
        "VERIFYING": JobStatus.RUNNING,
    },
)

SPECS = (TASK_EXECUTIONS,)
