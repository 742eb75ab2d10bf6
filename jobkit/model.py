"""The records jobkit yields and the query that selects them."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

__all__ = ["Job", "JobStatus"]


class JobStatus(enum.Enum):
    """The status vocabulary shared by every service.

    Each adapter maps every value its service's model lists onto one of these; the service's
    own word stays on ``Job.raw_status``. ``PARTIAL_SUCCESS`` is kept apart from both
    ``SUCCEEDED`` and ``FAILED`` because some services (Comprehend Medical) report it and
    flattening it would hide failed documents.
    """

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    SUCCEEDED = "SUCCEEDED"
    PARTIAL_SUCCESS = "PARTIAL_SUCCESS"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"

    @property
    def is_terminal(self) -> bool:
        """True when the job will not change status again."""
        return self in _TERMINAL

    def __str__(self) -> str:
        return self.value


_TERMINAL = frozenset(
    {JobStatus.STOPPED, JobStatus.SUCCEEDED, JobStatus.PARTIAL_SUCCESS, JobStatus.FAILED}
)


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(value, MappingProxyType):
        return value
    # A plain dict is wrapped, not copied: the summaries botocore parsed belong to the Job.
    return MappingProxyType(value if type(value) is dict else dict(value))


@attrs.frozen(kw_only=True, slots=True, weakref_slot=False)
class Job:
    """One job, normalized across services.

    ``status`` is shared by all services; ``raw_status`` is the service's own word (None for
    operations that have no status field, where the status is derived). Timestamps are
    timezone-aware UTC datetimes or None. ``extras`` holds the summary's remaining fields under
    their original names; ``raw`` is the summary exactly as botocore returned it.

    ``problem`` is None for a normal record. When a record could not be normalized (a field of
    an unexpected type, say) it is still yielded, with what could be read, ``status`` UNKNOWN,
    the raw data intact and ``problem`` saying what went wrong; the listing's stats count it.
    """

    adapter: str
    service: str
    name: str | None
    id: str | None
    status: JobStatus
    raw_status: str | None
    created: datetime | None
    ended: datetime | None = None
    updated: datetime | None = None
    region: str
    account: str | None = None
    extras: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_mapping)
    raw: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_mapping, repr=False)
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A plain dict of the normalized fields (``raw`` left out), e.g. for JSON."""
        return {
            "adapter": self.adapter,
            "service": self.service,
            "name": self.name,
            "id": self.id,
            "status": self.status.value,
            "raw_status": self.raw_status,
            "created": self.created,
            "ended": self.ended,
            "updated": self.updated,
            "region": self.region,
            "account": self.account,
            "extras": dict(self.extras),
            "problem": self.problem,
        }
