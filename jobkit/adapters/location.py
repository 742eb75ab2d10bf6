"""Amazon Location Service: jobs."""

from __future__ import annotations

from jobkit.adapters._model import jobs

__all__ = ["JOBS", "SPECS"]

JOBS = jobs("location.jobs", "ListJobs", "Amazon Location Service jobs", name_field="Name")

SPECS = (JOBS,)
