"""The adapter registry: one declaration per AWS operation."""

from __future__ import annotations

import difflib
from types import MappingProxyType

from jobkit.adapters import (
    backup,
    batch,
    bedrock,
    comprehend,
    emrserverless,
    glue,
    mediaconvert,
    s3control,
    sagemaker,
    stepfunctions,
    transcribe,
    translate,
)
from jobkit.adapters.batch import SERVICE_JOBS
from jobkit.adapters.cleanroomsml import TRAINED_MODEL_EXPORT
from jobkit.adapters.comprehendmedical import SNOMEDCT
from jobkit.adapters.sagemaker import LABELING_WORKTEAM, PROCESSING
from jobkit.core.spec import AdapterSpec
from jobkit.errors import UnknownAdapterError

__all__ = ["REGISTRY", "get", "resolve"]

REGISTRY: MappingProxyType[str, AdapterSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            # The five seed adapters first (their order is the default listing order).
            PROCESSING,
            LABELING_WORKTEAM,
            SNOMEDCT,
            SERVICE_JOBS,
            TRAINED_MODEL_EXPORT,
            sagemaker.TRAINING,
            sagemaker.TRANSFORM,
            sagemaker.HYPERPARAMETER_TUNING,
            sagemaker.COMPILATION,
            sagemaker.AUTOML,
            sagemaker.LABELING,
            sagemaker.PIPELINE_EXECUTIONS,
            batch.JOBS,
            comprehend.DOCUMENT_CLASSIFICATION,
            comprehend.DOMINANT_LANGUAGE,
            comprehend.ENTITIES,
            comprehend.KEY_PHRASES,
            comprehend.SENTIMENT,
            comprehend.TARGETED_SENTIMENT,
            comprehend.TOPICS,
            comprehend.EVENTS,
            comprehend.PII_ENTITIES,
            transcribe.TRANSCRIPTION,
            transcribe.MEDICAL_TRANSCRIPTION,
            translate.TEXT_TRANSLATION,
            bedrock.MODEL_CUSTOMIZATION,
            bedrock.MODEL_INVOCATION,
            bedrock.EVALUATION,
            glue.JOB_RUNS,
            emrserverless.JOB_RUNS,
            mediaconvert.JOBS,
            backup.BACKUP_JOBS,
            backup.COPY_JOBS,
            backup.RESTORE_JOBS,
            stepfunctions.EXECUTIONS,
            s3control.BATCH_OPERATIONS,
        )
    }
)


def get(name: str) -> AdapterSpec:
    """The adapter called ``name``; an unknown name raises with the close matches."""
    try:
        return REGISTRY[name]
    except KeyError:
        pass
    known = sorted(REGISTRY)
    lowered = {k.lower(): k for k in known}
    if name.lower() in lowered:
        return REGISTRY[lowered[name.lower()]]
    candidates = set(difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.5))
    # A bare service or operation name ("batch", "ListProcessingJobs") matches its adapters.
    candidates |= {
        k for k in known if name.lower() in (k.split(".")[0], REGISTRY[k].operation.lower())
    }
    suggestions = sorted(lowered.get(c, c) for c in candidates)
    raise UnknownAdapterError(name, suggestions, known)


def resolve(adapters: str | AdapterSpec | list[str | AdapterSpec] | None) -> list[AdapterSpec]:
    """The specs for the caller's ``adapters`` argument; None means every registered one."""
    if adapters is None:
        return list(REGISTRY.values())
    items = [adapters] if isinstance(adapters, str | AdapterSpec) else list(adapters)
    specs: list[AdapterSpec] = []
    for item in items:
        spec = item if isinstance(item, AdapterSpec) else get(item)
        if spec not in specs:
            specs.append(spec)
    return specs
