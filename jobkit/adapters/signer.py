"""AWS Signer: signing jobs."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.pushdown import top_level

__all__ = ["SIGNING", "SPECS"]

SIGNING = jobs(
    "signer.signing",
    "ListSigningJobs",
    "AWS Signer signing jobs",
    name_field=None,  # signing jobs have an id, no name
    pushdown=top_level(status="status"),
)

SPECS = (SIGNING,)
