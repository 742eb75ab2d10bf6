"""Make generated job summaries consistent with their status, as AWS's would be.

The generic filler (``_generic.py``) fills every member of a summary shape, so without this
pass a RUNNING job would carry an end time, a queued job a start time, a completed job a
failure reason, and an end could come before a start. ``settle()`` fixes one record in place
from its status:

* a job that has not ended (anything but a terminal status) has no end-like member
  (``EndTime``, ``CompletionTime``, ``stoppedAt``, ``CompletedOn``, ``stopDate``, ...);
* a job that has not started (SUBMITTED, PENDING, QUEUED, ...) has no start-like member
  either (the creation member is never touched);
* a failure reason appears only on failed jobs;
* an end is never before a start, and the last-modified member is the latest time.

Status words are compared upper-cased without separators, so ``IN_PROGRESS``, ``InProgress``
and ``INPROGRESS`` are one word.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["settle"]

_TERMINAL = frozenset(
    {
        "ABORTED",
        "CANCELED",
        "CANCELLED",
        "COMPLETE",
        "COMPLETED",
        "COMPLETEDWITHERROR",
        "COMPLETEDWITHFAILURES",
        "DELETEFAILED",
        "DELETING",
        "ERROR",
        "EXPIRED",
        "FAILED",
        "PARTIAL",
        "PARTIALLYCOMPLETED",
        "PARTIALSUCCESS",
        "PENDINGREDRIVE",
        "STOPPED",
        "SUCCEEDED",
        "SUCCESS",
        "TIMEDOUT",
        "TIMEOUT",
    }
)
_NOT_STARTED = frozenset(
    {
        "CREATED",
        "INITIALIZING",
        "NEW",
        "PENDING",
        "PREPARING",
        "QUEUED",
        "READY",
        "RUNNABLE",
        "SCHEDULED",
        "SUBMITTED",
        "SUSPENDED",
        "VALIDATING",
        "WAITING",
    }
)
_END = re.compile(r"(end|completion|completed|stop|stopped|termination)(time|on|at|date)$")
_START = re.compile(r"start(ed)?(time|on|at|date)?$")
_MODIFIED = re.compile(r"(lastmodified|updated)(time|on|at|date)?$")


def _word(status: Any) -> str:
    return re.sub(r"[^A-Z]", "", str(status).upper())


def failed(status: Any) -> bool:
    """Whether a status word says the job failed (or partly failed)."""
    word = _word(status)
    return "FAIL" in word or "ERROR" in word or word in ("TIMEDOUT", "TIMEOUT", "PARTIAL")


@functools.cache
def _roles(members: tuple[str, ...], created: str | None) -> tuple[tuple[str, ...], ...]:
    """(end-like, start-like, modified-like, failure-reason) members of a summary shape."""
    lowered = [(m, m.lower()) for m in members if m != created]
    ends = tuple(m for m, low in lowered if _END.search(low) and not low.startswith("expected"))
    starts = tuple(m for m, low in lowered if _START.search(low))
    modified = tuple(m for m, low in lowered if _MODIFIED.search(low))
    reasons = tuple(m for m, low in lowered if low == "failurereason")
    return ends, starts, modified, reasons


def status_of(rec: Mapping[str, Any], path: str) -> Any:
    """The status word at ``path`` (``status`` or ``status.state``, one structure deep)."""
    value: Any = rec
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def settle(
    rec: dict[str, Any], *, status: str, created: str | None, members: Sequence[str]
) -> dict[str, Any]:
    """``rec`` with its times and failure reason made consistent with ``rec[status]``."""
    ends, starts, modified, reasons = _roles(tuple(members), created)
    word = _word(status_of(rec, status))
    if word not in _TERMINAL:
        for member in ends:
            rec.pop(member, None)
    if word in _NOT_STARTED:
        for member in starts:
            rec.pop(member, None)
    if not failed(word):
        for member in reasons:
            rec.pop(member, None)
    start = _latest(rec, starts)
    for member in ends:
        if member in rec and start is not None and _comparable(rec[member], start):
            rec[member] = max(rec[member], start)
    latest = _latest(rec, (*ends, *starts))
    for member in modified:
        if member in rec and latest is not None and _comparable(rec[member], latest):
            rec[member] = max(rec[member], latest)
    return rec


def _comparable(a: Any, b: Any) -> bool:
    return type(a) is type(b)


def _latest(rec: Mapping[str, Any], members: Sequence[str]) -> Any:
    values = [rec[m] for m in members if m in rec]
    if not values or any(not _comparable(v, values[0]) for v in values):
        return None
    return max(values)
