"""Comprehend: the asynchronous analysis jobs (classification, detection, topics, events)."""

from __future__ import annotations

from jobkit.adapters._model import adapter
from jobkit.core.pushdown import nested_filter
from jobkit.core.spec import AdapterSpec, Paging
from jobkit.model import JobStatus

__all__ = [
    "DOCUMENT_CLASSIFICATION",
    "DOMINANT_LANGUAGE",
    "ENTITIES",
    "EVENTS",
    "KEY_PHRASES",
    "PII_ENTITIES",
    "SENTIMENT",
    "SPECS",
    "TARGETED_SENTIMENT",
    "TOPICS",
]

_STATUS = {
    "SUBMITTED": JobStatus.PENDING,
    "IN_PROGRESS": JobStatus.RUNNING,
    "COMPLETED": JobStatus.SUCCEEDED,
    "FAILED": JobStatus.FAILED,
    "STOP_REQUESTED": JobStatus.STOPPING,
    "STOPPED": JobStatus.STOPPED,
}


def _jobs(kind: str, stem: str, doc: str, *, paginator: bool = True) -> AdapterSpec:
    """``List<stem>Jobs``: every kind pages and filters the same way (``Filter`` structure).

    Two kinds have no botocore paginator; they page like the others.
    """
    return adapter(
        f"comprehend.{kind}",
        "comprehend",
        f"List{stem}Jobs",
        doc,
        paging=None
        if paginator
        else Paging(
            result_key=f"{stem}JobPropertiesList",
            input_token="NextToken",
            output_token="NextToken",
            limit_key="MaxResults",
            page_size=100,
        ),
        name_field="JobName",
        id_field="JobId",
        status_field="JobStatus",
        created_field="SubmitTime",
        ended_field="EndTime",
        account_field="JobArn",
        status_map=_STATUS,
        # Filter.JobName is an exact match, so name_contains stays on the client.
        pushdown=nested_filter(
            "Filter", status="JobStatus", after="SubmitTimeAfter", before="SubmitTimeBefore"
        ),
    )


DOCUMENT_CLASSIFICATION = _jobs(
    "document-classification", "DocumentClassification", "Comprehend document classification jobs"
)
DOMINANT_LANGUAGE = _jobs(
    "dominant-language", "DominantLanguageDetection", "Comprehend dominant language detection jobs"
)
ENTITIES = _jobs("entities", "EntitiesDetection", "Comprehend entity detection jobs")
KEY_PHRASES = _jobs("key-phrases", "KeyPhrasesDetection", "Comprehend key phrase detection jobs")
SENTIMENT = _jobs("sentiment", "SentimentDetection", "Comprehend sentiment detection jobs")
TARGETED_SENTIMENT = _jobs(
    "targeted-sentiment",
    "TargetedSentimentDetection",
    "Comprehend targeted sentiment detection jobs",
    paginator=False,
)
TOPICS = _jobs("topics", "TopicsDetection", "Comprehend topic modeling jobs")
EVENTS = _jobs("events", "EventsDetection", "Comprehend event detection jobs", paginator=False)
PII_ENTITIES = _jobs("pii-entities", "PiiEntitiesDetection", "Comprehend PII entity detection jobs")

SPECS = (
    DOCUMENT_CLASSIFICATION,
    DOMINANT_LANGUAGE,
    ENTITIES,
    KEY_PHRASES,
    SENTIMENT,
    TARGETED_SENTIMENT,
    TOPICS,
    EVENTS,
    PII_ENTITIES,
)
