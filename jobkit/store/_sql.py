"""SQL both backends share (DB-API paramstyle placeholders are filled in per backend)."""

from __future__ import annotations

from typing import Any

from jobkit.store._schema import JOB_COLUMNS

__all__ = [
    "FINISH",
    "FINISH_ROW",
    "GONE",
    "GONE_ROW",
    "INSERT_FROM",
    "KNOWLEDGE",
    "NOW_SEEN",
    "NOW_SEEN_ROW",
    "STATES",
    "UPSERT_JOB",
]

_UPDATED = [c for c in JOB_COLUMNS if c not in ("job_key", "first_seen")]

#: Insert a job or, when it exists, overwrite what a listing says (first_seen stays).
UPSERT_JOB = (
    f"INSERT INTO jobs ({', '.join(JOB_COLUMNS)}) VALUES ({{marks}}) "
    "ON CONFLICT (job_key) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)
)

#: Per stream of an ``IN`` list: its jobs, those that can still change status, the oldest
#: of them.
KNOWLEDGE = """
SELECT stream,
       count(*),
       count(*) FILTER (WHERE status IN ({nt}) AND gone_since IS NULL),
       min(created) FILTER (WHERE status IN ({nt}) AND gone_since IS NULL)
FROM jobs WHERE stream IN ({marks}) GROUP BY stream
"""

#: The ``sync_state`` rows of an ``IN`` list of streams.
STATES = """
SELECT stream, watermark, modified_watermark, in_progress, scopes, scopes_at
FROM sync_state WHERE stream IN ({marks})
"""

#: How many jobs of each (number, stream, bound) row of ``VALUES`` were created since it.
NOW_SEEN = """
SELECT v.n, count(jobs.created)
FROM (VALUES {rows}) AS v (n, stream, bound)
LEFT JOIN jobs ON jobs.stream = v.stream AND jobs.created >= v.bound
GROUP BY v.n
"""

#: A (number, stream, bound) row of ``NOW_SEEN``.
NOW_SEEN_ROW = "(CAST({p} AS INTEGER), CAST({p} AS TEXT), CAST({p} AS TIMESTAMPTZ))"

#: DuckDB, from a registered Arrow table ``_page`` with the columns in order.
INSERT_FROM = "INSERT INTO jobs SELECT * FROM _page"

#: Jobs a complete listing covering their creation time did not return have left the service.
#: One row of ``VALUES`` per stream: (stream, finished, started, covered since).
GONE = """
UPDATE jobs SET gone_since = v.finished
FROM (VALUES {rows}) AS v (stream, finished, started, covered)
WHERE jobs.stream = v.stream AND jobs.gone_since IS NULL
    AND jobs.last_seen < v.started AND jobs.created >= v.covered
"""

GONE_ROW = (
    "(CAST({p} AS TEXT), CAST({p} AS TIMESTAMPTZ), CAST({p} AS TIMESTAMPTZ), "
    "CAST({p} AS TIMESTAMPTZ))"
)

#: The states of the streams that finished, one row of ``VALUES`` (``FINISH_ROW``) each.
FINISH = """
INSERT INTO sync_state (stream, adapter, region, account, watermark, modified_watermark,
    last_sync_started, last_sync_finished, last_reads, last_jobs_seen, last_jobs_new,
    last_status_changes, in_progress, scopes, scopes_at)
VALUES {rows}
ON CONFLICT (stream) DO UPDATE SET
    watermark = CASE WHEN sync_state.watermark IS NULL
        OR excluded.watermark > sync_state.watermark
        THEN excluded.watermark ELSE sync_state.watermark END,
    modified_watermark = CASE WHEN sync_state.modified_watermark IS NULL
        OR excluded.modified_watermark > sync_state.modified_watermark
        THEN excluded.modified_watermark ELSE sync_state.modified_watermark END,
    last_sync_started = excluded.last_sync_started,
    last_sync_finished = excluded.last_sync_finished,
    last_reads = excluded.last_reads,
    last_jobs_seen = excluded.last_jobs_seen,
    last_jobs_new = excluded.last_jobs_new,
    last_status_changes = excluded.last_status_changes,
    in_progress = NULL,
    scopes = CASE WHEN excluded.scopes_at IS NULL THEN sync_state.scopes
        ELSE excluded.scopes END,
    scopes_at = CASE WHEN excluded.scopes_at IS NULL THEN sync_state.scopes_at
        ELSE excluded.scopes_at END
"""

FINISH_ROW = "({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, NULL, {p}, {p})"


def finish_params(update: Any, scopes_json: Any) -> list[Any]:
    """The parameters of ``FINISH`` for a ``StateUpdate``."""
    return [
        update.stream,
        update.adapter,
        update.region,
        update.account,
        update.watermark,
        update.modified_watermark,
        update.started,
        update.finished,
        update.reads,
        update.seen,
        update.new,
        update.changes,
        scopes_json,
        update.finished if update.scopes is not None else None,
    ]


PROGRESS = """
INSERT INTO sync_state (stream, adapter, region, account, in_progress)
VALUES ({p}, {p}, {p}, {p}, {p})
ON CONFLICT (stream) DO UPDATE SET in_progress = excluded.in_progress
"""
