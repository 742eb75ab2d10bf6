"""AWS Backup: backup, copy and restore jobs."""

from __future__ import annotations

from jobkit.core.pushdown import top_level
from jobkit.core.spec import AdapterSpec
from jobkit.model import JobStatus

__all__ = ["BACKUP_JOBS", "COPY_JOBS", "RESTORE_JOBS"]


def _jobs(
    *,
    kind: str,
    operation: str,
    doc: str,
    result_key: str,
    id_field: str,
    status_field: str,
    status_param: str,
    status_map: dict[str, JobStatus],
) -> AdapterSpec:
    return AdapterSpec(
        name=f"backup.{kind}",
        service="backup",
        operation=operation,
        doc=doc,
        result_key=result_key,
        input_token="NextToken",
        output_token="NextToken",
        limit_key="MaxResults",
        page_size=100,
        name_field=None,  # jobs have no name
        id_field=id_field,
        status_field=status_field,
        created_field="CreationDate",
        ended_field="CompletionDate",
        account_field="AccountId",
        status_map=status_map,
        pushdown=top_level(status=status_param, after="ByCreatedAfter", before="ByCreatedBefore"),
    )


BACKUP_JOBS = _jobs(
    kind="backup",
    operation="ListBackupJobs",
    doc="AWS Backup backup jobs",
    result_key="BackupJobs",
    id_field="BackupJobId",
    status_field="State",
    status_param="ByState",
    status_map={
        "CREATED": JobStatus.PENDING,
        "PENDING": JobStatus.PENDING,
        "RUNNING": JobStatus.RUNNING,
        "ABORTING": JobStatus.STOPPING,
        "ABORTED": JobStatus.STOPPED,
        "COMPLETED": JobStatus.SUCCEEDED,
        "FAILED": JobStatus.FAILED,
        # The job did not start within its start window.
        "EXPIRED": JobStatus.FAILED,
        "PARTIAL": JobStatus.PARTIAL_SUCCESS,
    },
)

COPY_JOBS = _jobs(
    kind="copy",
    operation="ListCopyJobs",
    doc="AWS Backup copy jobs",
    result_key="CopyJobs",
    id_field="CopyJobId",
    status_field="State",
    status_param="ByState",
    status_map={
        "CREATED": JobStatus.PENDING,
        "RUNNING": JobStatus.RUNNING,
        "COMPLETED": JobStatus.SUCCEEDED,
        "FAILED": JobStatus.FAILED,
        "PARTIAL": JobStatus.PARTIAL_SUCCESS,
    },
)

RESTORE_JOBS = _jobs(
    kind="restore",
    operation="ListRestoreJobs",
    doc="AWS Backup restore jobs",
    result_key="RestoreJobs",
    id_field="RestoreJobId",
    status_field="Status",
    status_param="ByStatus",
    status_map={
        "PENDING": JobStatus.PENDING,
        "RUNNING": JobStatus.RUNNING,
        "COMPLETED": JobStatus.SUCCEEDED,
        "ABORTED": JobStatus.STOPPED,
        "FAILED": JobStatus.FAILED,
    },
)
