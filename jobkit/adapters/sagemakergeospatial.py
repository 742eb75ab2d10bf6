"""SageMaker geospatial: Earth observation and vector enrichment jobs."""

from __future__ import annotations

from jobkit.adapters._model import jobs
from jobkit.core.pushdown import top_level
from jobkit.core.spec import AdapterSpec
from jobkit.model import JobStatus

__all__ = ["EARTH_OBSERVATION", "SPECS", "VECTOR_ENRICHMENT"]


def _jobs(kind: str, stem: str) -> AdapterSpec:
    return jobs(
        f"sagemaker-geospatial.{kind}",
        f"List{stem}Jobs",
        f"SageMaker geospatial {kind.replace('-', ' ')} jobs",
        name_field="Name",
        # The finished job's record is being (or was) removed: it no longer runs.
        statuses={"DELETING": JobStatus.STOPPED, "DELETED": JobStatus.STOPPED},
        pushdown=top_level(status="StatusEquals"),
    )


EARTH_OBSERVATION = _jobs("earth-observation", "EarthObservation")
VECTOR_ENRICHMENT = _jobs("vector-enrichment", "VectorEnrichment")

SPECS = (EARTH_OBSERVATION, VECTOR_ENRICHMENT)
