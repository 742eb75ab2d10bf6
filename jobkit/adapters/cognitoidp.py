"""Amazon Cognito user pools: user import jobs of a user pool (no botocore paginator)."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import ScopeParam
from jobkit.model import JobStatus

__all__ = ["SPECS", "USER_IMPORT"]

USER_IMPORT = jobs(
    "cognito-idp.user-import",
    "ListUserImportJobs",
    "Amazon Cognito user import jobs of a user pool",
    name_field="JobName",
    page_size=60,  # MaxResults is required and at most 60
    # The pre-signed upload URL expired before the job was started.
    statuses={"Expired": JobStatus.FAILED},
    scope=(
        ScopeParam(
            name="UserPoolId",
            doc="the user pool's id (ListUserPools)",
            discovery=discovery("cognito-idp", "ListUserPools", value="Id", page_size=60),
        ),
    ),
)

SPECS = (USER_IMPORT,)
