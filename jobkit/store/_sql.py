"""SQL both backends share (DB-API paramstyle placeholders are filled in per backend)."""

from __future__ import annotations

from typing import Any

from jobkit.store._schema import JOB_COLUMNS

__all__ = [
    "FINISH",
    "GONE",
    "INSERT_FROM",
    "KNOWLEDGE",
    "NOW_SEEN",
    "TOUCH_FROM",
    "UPDATE_FROM",
    "UPSERT_JOB",
]

_UPDATED = [c for c in JOB_COLUMNS if c not in ("job_key", "first_seen")]

#: Insert a job or, when it exists, overwrite what a listing says (first_seen stays).
UPSERT_JOB = (
    f"INSERT INTO jobs ({', '.join(JOB_COLUMNS)}) VALUES ({{marks}}) "
    "ON CONFLICT (job_key) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)
)

KNOWLEDGE = """
SELECT count(*),
       count(*) FILTER (WHERE status IN ({nt}) AND gone_since IS NULL),
       min(created) FILTER (WHERE status IN ({nt}) AND gone_since IS NULL)
FROM jobs WHERE stream = {p}
"""

WATERMARKS = "SELECT watermark, modified_watermark FROM sync_state WHERE stream = {p}"

NOW_SEEN = "SELECT count(*) FILTER (WHERE created >= {p}) FROM jobs WHERE stream = {p}"

#: DuckDB, from a registered Arrow table ``_page`` with the columns in order: new rows, and
#: existing rows overwritten with what the listing says (``first_seen`` stays).
INSERT_FROM = "INSERT INTO jobs SELECT * FROM _page"
#: A job listed again as it was (the usual case in a re-sync) has only ``last_seen`` moved:
#: DuckDB rewrites the updated columns on its next checkpoint, and ``raw`` is most of a row.
_SAME = " AND ".join(
    f"jobs.{c} IS NOT DISTINCT FROM _page.{c}" for c in _UPDATED if c != "last_seen"
)
TOUCH_FROM = (
    "UPDATE jobs SET last_seen = _page.last_seen FROM _page "
    f"WHERE jobs.job_key = _page.job_key AND {_SAME}"
)
UPDATE_FROM = (
    "UPDATE jobs SET "
    + ", ".join(f"{c} = _page.{c}" for c in _UPDATED)
    + f" FROM _page WHERE jobs.job_key = _page.job_key AND NOT ({_SAME})"
)

#: Jobs a complete listing covering their creation time did not return have left the service.
GONE = """
UPDATE jobs SET gone_since = {p}
WHERE stream = {p} AND gone_since IS NULL AND last_seen < {p} AND created >= {p}
"""

FINISH = """
INSERT INTO sync_state (stream, adapter, region, account, watermark, modified_watermark,
    last_sync_started, last_sync_finished, last_reads, last_jobs_seen, last_jobs_new,
    last_status_changes, in_progress, scopes, scopes_at)
VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, NULL, {p}, {p})
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

STATE = "SELECT in_progress, scopes, scopes_at FROM sync_state WHERE stream = {p}"


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
