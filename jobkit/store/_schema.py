"""The inventory's tables, their version and the migrations between versions.

The schema is versioned in ``jobkit_schema`` (one row). A store created by a newer jobkit
(a higher version) is refused before anything is written; an older one is migrated in one
transaction. Version 1 is the first; version 2 adds ``jobs.row_digest``.
"""

from __future__ import annotations

__all__ = ["JOB_COLUMNS", "SCHEMA_VERSION", "ddl"]

SCHEMA_VERSION = 2

#: The columns of ``jobs``, in order (the normalized columns of ``to_pandas()`` first).
JOB_COLUMNS: tuple[str, ...] = (
    "job_key",
    "adapter",
    "service",
    "name",
    "id",
    "status",
    "raw_status",
    "created",
    "ended",
    "updated",
    "region",
    "account",
    "problem",
    "extras",
    "raw",
    "stream",
    "first_seen",
    "last_seen",
    "gone_since",
    "row_digest",
)

CHANGE_COLUMNS: tuple[str, ...] = (
    "job_key",
    "previous_status",
    "new_status",
    "previous_raw_status",
    "new_raw_status",
    "observed_at",
    "stream",
)

STATE_COLUMNS: tuple[str, ...] = (
    "stream",
    "adapter",
    "region",
    "account",
    "watermark",
    "modified_watermark",
    "last_sync_started",
    "last_sync_finished",
    "last_reads",
    "last_jobs_seen",
    "last_jobs_new",
    "last_status_changes",
    "in_progress",
    "scopes",
    "scopes_at",
)


def ddl(json_type: str, *, indexes: bool) -> list[str]:
    """Statements creating version 1 (``json_type``: JSON for DuckDB, JSONB for PostgreSQL).

    ``indexes=False`` (DuckDB) declares no key and no index on ``jobs`` and
    ``job_status_changes``: DuckDB holds indexes in memory whole (over 60 MB for a million
    jobs), and jobkit, the file's only writer, keeps ``job_key`` unique itself.
    """
    key = "PRIMARY KEY" if indexes else "NOT NULL"
    statements = [
        "CREATE TABLE jobkit_schema (version INTEGER NOT NULL, migrated_at TIMESTAMPTZ NOT NULL)",
        f"""CREATE TABLE jobs (
            job_key TEXT {key},
            adapter TEXT NOT NULL,
            service TEXT NOT NULL,
            name TEXT,
            id TEXT,
            status TEXT NOT NULL,
            raw_status TEXT,
            created TIMESTAMPTZ,
            ended TIMESTAMPTZ,
            updated TIMESTAMPTZ,
            region TEXT NOT NULL,
            account TEXT,
            problem TEXT,
            extras {json_type},
            raw {json_type},
            stream TEXT NOT NULL,
            first_seen TIMESTAMPTZ NOT NULL,
            last_seen TIMESTAMPTZ NOT NULL,
            gone_since TIMESTAMPTZ
        )""",
        """CREATE TABLE job_status_changes (
            job_key TEXT NOT NULL,
            previous_status TEXT,
            new_status TEXT NOT NULL,
            previous_raw_status TEXT,
            new_raw_status TEXT,
            observed_at TIMESTAMPTZ NOT NULL,
            stream TEXT NOT NULL
        )""",
        f"""CREATE TABLE sync_state (
            stream TEXT PRIMARY KEY,
            adapter TEXT NOT NULL,
            region TEXT NOT NULL,
            account TEXT,
            watermark TIMESTAMPTZ,
            modified_watermark TIMESTAMPTZ,
            last_sync_started TIMESTAMPTZ,
            last_sync_finished TIMESTAMPTZ,
            last_reads TEXT,
            last_jobs_seen BIGINT,
            last_jobs_new BIGINT,
            last_status_changes BIGINT,
            in_progress {json_type},
            scopes {json_type},
            scopes_at TIMESTAMPTZ
        )""",
    ]
    if indexes:
        statements += [
            "CREATE INDEX jobs_stream_status ON jobs (stream, status)",
            "CREATE INDEX job_status_changes_key ON job_status_changes (job_key)",
        ]
    return statements


#: Statements taking version ``v - 1`` to ``v``, by ``v``. A new store is made as version 1
#: (``ddl``) and brought forward by these, so a new and a migrated store have their columns in
#: the same order.
MIGRATIONS: dict[int, list[str]] = {
    # A digest of what a listing says about a job (``jobkit.store.JobRow.digest``): a job
    # listed again unchanged has only ``last_seen`` moved, found without reading its columns.
    # Rows of version 1 have none and are rewritten once, the next time they are listed.
    2: ["ALTER TABLE jobs ADD COLUMN row_digest TEXT"],
}
