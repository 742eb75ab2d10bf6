"""S3 Control: S3 Batch Operations jobs of an account (rest-xml; no botocore paginator).

The account is a request member (sent as the ``x-amz-account-id`` header and as the host
prefix ``<account>.s3-control...``). When it is not given it is discovered from IAM
ListRoles: the caller's account is the account of the roles its credentials can list (one
call in most accounts; it needs ``iam:ListRoles``). STS GetCallerIdentity would be the direct
source, but jobkit's discovery pages list operations and GetCallerIdentity returns one
record; pass ``params={"AccountId": ...}`` to skip discovery altogether.
"""

from __future__ import annotations

from jobkit.adapters._model import adapter, discovery
from jobkit.core.normalize import account_from_arn
from jobkit.core.pushdown import status_list
from jobkit.core.spec import Paging, ScopeParam
from jobkit.model import JobStatus

__all__ = ["BATCH_OPERATIONS", "SPECS"]

ACCOUNTS = discovery(
    "iam",
    "ListRoles",
    page_size=1000,  # the maximum: the first page names the account
    value=lambda item: account_from_arn(item.get("Arn")),
)

BATCH_OPERATIONS = adapter(
    "s3control.batch-operations",
    "s3control",
    "ListJobs",
    "S3 Batch Operations jobs of an account",
    paging=Paging(
        result_key="Jobs",
        input_token="NextToken",
        output_token="NextToken",
        limit_key="MaxResults",
        page_size=100,
    ),
    name_field=None,  # jobs have an optional description, no name: it, else the job id
    name_fallback=("Description",),
    id_field="JobId",
    status_field="Status",
    created_field="CreationTime",
    ended_field="TerminationDate",
    status_map={
        "New": JobStatus.PENDING,
        "Preparing": JobStatus.PENDING,
        "Suspended": JobStatus.PENDING,  # waits for the caller's confirmation
        "Ready": JobStatus.PENDING,
        "Active": JobStatus.RUNNING,
        "Completing": JobStatus.RUNNING,
        "Complete": JobStatus.SUCCEEDED,
        "Pausing": JobStatus.STOPPING,
        "Paused": JobStatus.PENDING,  # resumes later: not an end state
        "Cancelling": JobStatus.STOPPING,
        "Cancelled": JobStatus.STOPPED,
        "Failing": JobStatus.STOPPING,  # winding down towards Failed
        "Failed": JobStatus.FAILED,
    },
    scope=(ScopeParam(name="AccountId", doc="the account's id", discovery=ACCOUNTS),),
    # JobStatuses takes a list: every selected status in one request. No time filters.
    pushdown=status_list("JobStatuses"),
)

SPECS = (BATCH_OPERATIONS,)
