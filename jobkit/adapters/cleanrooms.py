"""Clean Rooms: protected jobs of a membership."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.pushdown import top_level
from jobkit.core.spec import ScopeParam
from jobkit.model import JobStatus

__all__ = ["MEMBERSHIPS", "PROTECTED", "SPECS"]

MEMBERSHIPS = discovery(
    "cleanrooms", "ListMemberships", value="id", base_params={"status": "ACTIVE"}
)

PROTECTED = jobs(
    "cleanrooms.protected",
    "ListProtectedJobs",
    "Clean Rooms protected jobs of a membership",
    name_field=None,  # protected jobs have an id, no name
    id_field="id",
    statuses={"STARTED": JobStatus.RUNNING},
    scope=(
        ScopeParam(
            name="membershipIdentifier",
            doc="the membership's id (ListMemberships)",
            discovery=MEMBERSHIPS,
        ),
    ),
    pushdown=top_level(status="status"),
)

SPECS = (PROTECTED,)
