"""AWS Amplify Hosting: build and deploy jobs of a branch."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import ScopeParam
from jobkit.model import JobStatus

__all__ = ["JOBS", "SPECS"]

JOBS = jobs(
    "amplify.jobs",
    "ListJobs",
    "AWS Amplify build and deploy jobs of a branch",
    name_field=None,  # jobs have an id (a number), no name
    statuses={"PROVISIONING": JobStatus.PENDING, "SUCCEED": JobStatus.SUCCEEDED},
    scope=(
        ScopeParam(
            name="appId",
            doc="the Amplify app's id (ListApps)",
            discovery=discovery("amplify", "ListApps", value="appId"),
        ),
        ScopeParam(
            name="branchName",
            doc="the branch's name (ListBranches)",
            discovery=discovery(
                "amplify", "ListBranches", value="branchName", needs={"appId": "appId"}
            ),
        ),
    ),
)

SPECS = (JOBS,)
