"""Amazon Rekognition: media analysis jobs."""

from __future__ import annotations

from jobkit.adapters._model import jobs

__all__ = ["MEDIA_ANALYSIS", "SPECS"]

MEDIA_ANALYSIS = jobs(
    "rekognition.media-analysis",
    "ListMediaAnalysisJobs",
    "Amazon Rekognition media analysis jobs",
    name_field="JobName",
)

SPECS = (MEDIA_ANALYSIS,)
