"""AWS CodeBuild: builds (ListBuilds lists ids only; BatchGetBuilds reads them, 100 a call)."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.spec import Hydrate
from jobkit.model import JobStatus

__all__ = ["BUILDS", "SPECS"]

BUILDS = jobs(
    "codebuild.builds",
    "ListBuilds",
    "CodeBuild builds of every project (ids listed, read by BatchGetBuilds)",
    name_field="projectName",  # a build is a numbered run of its project
    statuses={"FAULT": JobStatus.FAILED},  # CodeBuild itself failed the build
    hydrate=Hydrate(
        operation="BatchGetBuilds",
        ids_member="ids",
        id_member="id",
        batch=100,
        result_key="builds",
        missing_key="buildsNotFound",
    ),
    # ListBuilds takes no filter: everything is applied on the client.
)

SPECS = (BUILDS,)
