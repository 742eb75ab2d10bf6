"""AWS Security Agent: threat model jobs of a threat model."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import ScopeParam

__all__ = ["SPECS", "THREAT_MODEL"]

THREAT_MODEL = jobs(
    "securityagent.threat-model",
    "ListThreatModelJobs",
    "AWS Security Agent threat model jobs",
    name_field="title",
    scope=(
        ScopeParam(
            name="agentSpaceId",
            doc="the agent space's id (ListAgentSpaces)",
            discovery=discovery("securityagent", "ListAgentSpaces", value="agentSpaceId"),
        ),
        ScopeParam(
            name="threatModelId",
            doc="the threat model's id (ListThreatModels)",
            discovery=discovery(
                "securityagent",
                "ListThreatModels",
                value="threatModelId",
                needs={"agentSpaceId": "agentSpaceId"},
            ),
        ),
    ),
)

SPECS = (THREAT_MODEL,)
