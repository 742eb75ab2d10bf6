"""Bedrock Agents and AgentCore, Bedrock Data Automation: knowledge base ingestion jobs,
memory extraction jobs, data automation library ingestion jobs."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import ScopeParam

__all__ = ["DATA_AUTOMATION_LIBRARY_INGESTION", "INGESTION", "MEMORY_EXTRACTION", "SPECS"]

INGESTION = jobs(
    "bedrock-agent.ingestion",
    "ListIngestionJobs",
    "Bedrock knowledge base ingestion jobs of a data source",
    name_field=None,  # ingestion jobs have an id, no name
    scope=(
        ScopeParam(
            name="knowledgeBaseId",
            doc="the knowledge base's id (ListKnowledgeBases)",
            discovery=discovery("bedrock-agent", "ListKnowledgeBases", value="knowledgeBaseId"),
        ),
        ScopeParam(
            name="dataSourceId",
            doc="the data source's id (ListDataSources)",
            discovery=discovery(
                "bedrock-agent",
                "ListDataSources",
                value="dataSourceId",
                needs={"knowledgeBaseId": "knowledgeBaseId"},
            ),
        ),
    ),
)

MEMORY_EXTRACTION = jobs(
    "bedrock-agentcore.memory-extraction",
    "ListMemoryExtractionJobs",
    "Bedrock AgentCore memory extraction jobs of a memory",
    name_field=None,
    scope=(
        ScopeParam(
            name="memoryId",
            doc="the AgentCore memory's id (bedrock-agentcore-control ListMemories)",
            discovery=discovery("bedrock-agentcore-control", "ListMemories", value="id"),
        ),
    ),
)

DATA_AUTOMATION_LIBRARY_INGESTION = jobs(
    "bedrock-data-automation.library-ingestion",
    "ListDataAutomationLibraryIngestionJobs",
    "Bedrock Data Automation library ingestion jobs of a library",
    name_field=None,
    scope=(
        ScopeParam(
            name="libraryArn",
            doc="the data automation library's ARN (ListDataAutomationLibraries)",
            discovery=discovery(
                "bedrock-data-automation", "ListDataAutomationLibraries", value="libraryArn"
            ),
        ),
    ),
)

SPECS = (INGESTION, MEMORY_EXTRACTION, DATA_AUTOMATION_LIBRARY_INGESTION)
