"""Amazon SES (v2): contact export and import jobs (no botocore paginators)."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.pushdown import top_level

__all__ = ["EXPORT", "IMPORT", "SPECS"]

# Jobs have an id, no name.
EXPORT = jobs(
    "sesv2.export",
    "ListExportJobs",
    "Amazon SES export jobs",
    name_field=None,
    pushdown=top_level(status="JobStatus"),
)
IMPORT = jobs("sesv2.import", "ListImportJobs", "Amazon SES import jobs", name_field=None)

SPECS = (EXPORT, IMPORT)
