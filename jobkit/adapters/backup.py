"""AWS Backup: backup, copy and restore jobs."""

from __future__ import annotations

from jobkit.adapters._model import adapter, jobs
from jobkit.core.pushdown import top_level
from jobkit.core.spec import AdapterSpec
from jobkit.model import JobStatus

__all__ = ["BACKUP_JOBS", "COPY_JOBS", "REPORT_JOBS", "RESTORE_JOBS", "SCAN_JOBS", "SPECS"]


def _jobs(kind: str, stem: str, status_field: str, status_map: dict[str, JobStatus]) -> AdapterSpec:
    """``List<stem>Jobs``: the three kinds share fields and filters (``By<status_field>``)."""
    return adapter(
        f"backup.{kind}",
        "backup",
        f"List{stem}Jobs",
        f"AWS Backup {kind} jobs",
        name_field=None,  # jobs have no name: the resource's, else the job id
        name_fallback=("ResourceName", "ResourceArn"),
        id_field=f"{stem}JobId",
        status_field=status_field,
        created_field="CreationDate",
        ended_field="CompletionDate",
        account_field="AccountId",
        status_map=status_map,
        pushdown=top_level(
            status=f"By{status_field}", after="ByCreatedAfter", before="ByCreatedBefore"
        ),
    )


BACKUP_JOBS = _jobs(
    "backup",
    "Backup",
    "State",
    {
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
    "copy",
    "Copy",
    "State",
    {
        "CREATED": JobStatus.PENDING,
        "RUNNING": JobStatus.RUNNING,
        "COMPLETED": JobStatus.SUCCEEDED,
        "FAILED": JobStatus.FAILED,
        "PARTIAL": JobStatus.PARTIAL_SUCCESS,
    },
)

RESTORE_JOBS = _jobs(
    "restore",
    "Restore",
    "Status",
    {
        "PENDING": JobStatus.PENDING,
        "RUNNING": JobStatus.RUNNING,
        "COMPLETED": JobStatus.SUCCEEDED,
        "ABORTED": JobStatus.STOPPED,
        "FAILED": JobStatus.FAILED,
    },
)

SCAN_JOBS = jobs(
    "backup.scan",
    "ListScanJobs",
    "AWS Backup malware scan jobs",
    name_field=None,  # jobs have no name
    # The scan finished and reported issues: kept apart from a clean success.
    statuses={"COMPLETED_WITH_ISSUES": JobStatus.PARTIAL_SUCCESS},
    pushdown=top_level(status="ByState"),
)

REPORT_JOBS = jobs(
    "backup.report",
    "ListReportJobs",
    "AWS Backup Audit Manager report jobs",
    name_field=None,  # jobs have no name
    status_field="Status",  # no enum in the model; the words are the API reference's
    status_map={
        "CREATED": JobStatus.PENDING,
        "RUNNING": JobStatus.RUNNING,
        "COMPLETING": JobStatus.RUNNING,
        "COMPLETED": JobStatus.SUCCEEDED,
        "FAILED": JobStatus.FAILED,
    },
    pushdown=top_level(status="ByStatus", after="ByCreationAfter", before="ByCreationBefore"),
)

SPECS = (BACKUP_JOBS, COPY_JOBS, RESTORE_JOBS, SCAN_JOBS, REPORT_JOBS)
