"""Amazon Connect Customer Profiles: identity resolution and upload jobs of a domain."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import ScopeParam
from jobkit.model import JobStatus

__all__ = ["IDENTITY_RESOLUTION", "SPECS", "UPLOAD"]

_DOMAIN = (
    ScopeParam(
        name="DomainName",
        doc="the Customer Profiles domain's name (ListDomains)",
        discovery=discovery("customer-profiles", "ListDomains", value="DomainName"),
    ),
)

IDENTITY_RESOLUTION = jobs(
    "customer-profiles.identity-resolution",
    "ListIdentityResolutionJobs",
    "Customer Profiles identity resolution jobs of a domain",
    name_field=None,  # jobs have an id, no name
    # The job's phases: all of them are the job running.
    statuses={
        "PREPROCESSING": JobStatus.RUNNING,
        "FIND_MATCHING": JobStatus.RUNNING,
        "MERGING": JobStatus.RUNNING,
    },
    scope=_DOMAIN,
)

UPLOAD = jobs(
    "customer-profiles.upload",
    "ListUploadJobs",
    "Customer Profiles upload jobs of a domain",
    name_field="DisplayName",
    scope=_DOMAIN,
)

SPECS = (IDENTITY_RESOLUTION, UPLOAD)
