"""Amazon Connect Voice ID: fraudster registration and speaker enrollment jobs of a domain."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.pushdown import top_level
from jobkit.core.spec import AdapterSpec, ScopeParam

__all__ = ["FRAUDSTER_REGISTRATION", "SPEAKER_ENROLLMENT", "SPECS"]


def _jobs(kind: str, stem: str) -> AdapterSpec:
    return jobs(
        f"voice-id.{kind}",
        f"List{stem}Jobs",
        f"Voice ID {kind.replace('-', ' ')} jobs of a domain",
        name_field="JobName",
        scope=(
            ScopeParam(
                name="DomainId",
                doc="the Voice ID domain's id (ListDomains)",
                discovery=discovery("voice-id", "ListDomains", value="DomainId"),
            ),
        ),
        pushdown=top_level(status="JobStatus"),
    )


FRAUDSTER_REGISTRATION = _jobs("fraudster-registration", "FraudsterRegistration")
SPEAKER_ENROLLMENT = _jobs("speaker-enrollment", "SpeakerEnrollment")

SPECS = (FRAUDSTER_REGISTRATION, SPEAKER_ENROLLMENT)
