"""Amazon WorkMail: mailbox export jobs of an organization."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import ScopeParam

__all__ = ["MAILBOX_EXPORT", "SPECS"]

MAILBOX_EXPORT = jobs(
    "workmail.mailbox-export",
    "ListMailboxExportJobs",
    "Amazon WorkMail mailbox export jobs of an organization",
    name_field=None,  # jobs have an id and a description, no name
    scope=(
        ScopeParam(
            name="OrganizationId",
            doc="the WorkMail organization's id (ListOrganizations)",
            discovery=discovery("workmail", "ListOrganizations", value="OrganizationId"),
        ),
    ),
)

SPECS = (MAILBOX_EXPORT,)
