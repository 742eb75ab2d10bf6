"""Amazon Lookout for Equipment: data ingestion jobs (their summaries carry no time)."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.pushdown import top_level
from jobkit.model import JobStatus

__all__ = ["DATA_INGESTION", "SPECS"]

DATA_INGESTION = jobs(
    "lookoutequipment.data-ingestion",
    "ListDataIngestionJobs",
    "Amazon Lookout for Equipment data ingestion jobs",
    name_field="DatasetName",
    statuses={"IMPORT_IN_PROGRESS": JobStatus.RUNNING},
    pushdown=top_level(status="Status"),
)

SPECS = (DATA_INGESTION,)
