"""AWS Data Exchange: import and export jobs."""

from __future__ import annotations

from jobkit.adapters._model import jobs

__all__ = ["JOBS", "SPECS"]

# Jobs have no name; no status or time filter in the API.
JOBS = jobs("dataexchange.jobs", "ListJobs", "AWS Data Exchange jobs", name_field=None)

SPECS = (JOBS,)
