"""Amazon QuickSight: asset bundle export and import jobs of the account."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.adapters.s3control import ACCOUNTS
from jobkit.core.spec import ScopeParam
from jobkit.model import JobStatus

__all__ = ["ASSET_BUNDLE_EXPORT", "ASSET_BUNDLE_IMPORT", "SPECS"]

_ACCOUNT = (
    ScopeParam(
        name="AwsAccountId",
        doc="the account's id (found from IAM ListRoles, as for S3 Control)",
        discovery=ACCOUNTS,
    ),
)

ASSET_BUNDLE_EXPORT = jobs(
    "quicksight.asset-bundle-export",
    "ListAssetBundleExportJobs",
    "Amazon QuickSight asset bundle export jobs",
    name_field=None,  # jobs have an id, no name
    statuses={"QUEUED_FOR_IMMEDIATE_EXECUTION": JobStatus.PENDING},
    scope=_ACCOUNT,
)

ASSET_BUNDLE_IMPORT = jobs(
    "quicksight.asset-bundle-import",
    "ListAssetBundleImportJobs",
    "Amazon QuickSight asset bundle import jobs",
    name_field=None,
    statuses={
        "QUEUED_FOR_IMMEDIATE_EXECUTION": JobStatus.PENDING,
        # The import failed; the rollback is winding down, then over (or broke).
        "FAILED_ROLLBACK_IN_PROGRESS": JobStatus.STOPPING,
        "FAILED_ROLLBACK_COMPLETED": JobStatus.FAILED,
        "FAILED_ROLLBACK_ERROR": JobStatus.FAILED,
    },
    scope=_ACCOUNT,
)

SPECS = (ASSET_BUNDLE_EXPORT, ASSET_BUNDLE_IMPORT)
