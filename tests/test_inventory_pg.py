"""jobkit.sync into a real PostgreSQL server that this module starts and stops by itself."""

from __future__ import annotations

import concurrent.futures
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from emulator_env import use_emulator
from inventory_helpers import (
    ADAPTERS,
    assert_changes_once,
    assert_matches_truth,
    check_rewrites_only_what_changed,
    check_version_1_migrated,
)
from pgtemp import PostgresServer
from test_inventory import SIZES

from jobkit.incremental import SyncReport, inventory, sync
from jobkit.store import SchemaVersionError, StoreError
from jobkit.testing import Emulator, JobChanges

_names = itertools.count()


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    """PostgreSQL 16 on 127.0.0.1 (as an unprivileged user when the tests run as root)."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def database(postgres: PostgresServer) -> str:
    """A new, empty database on the module's server; its URL."""
    return postgres.create_database(f"inventory_{next(_names)}")


@pytest.fixture
def changing(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Emulator, JobChanges]]:
    """A fresh emulator whose jobs can appear and change status."""
    with Emulator(seed=7, sizes=SIZES) as emu:
        changes = JobChanges(emu, hold_back=8, seed=4)
        use_emulator(monkeypatch, emu)
        yield emu, changes


def test_postgres_inventory_is_exact_after_every_sync(
    changing: tuple[Emulator, JobChanges], database: str
) -> None:
    """Syncs into PostgreSQL end equal to the ground truth, with each status change once."""
    emu, changes = changing
    first = sync(database, ADAPTERS, regions="us-east-1")
    assert "***" in first.target and PostgresServer.password not in first.target
    inv = inventory(database)
    assert_matches_truth(emu, inv.to_pandas())
    for _ in range(2):
        changes.change(3)
        changes.appear(2)
        again = sync(database, ADAPTERS, regions="us-east-1")
        assert again.requests < first.requests
        jobs = inv.to_pandas()
        assert_matches_truth(emu, jobs)
        assert_changes_once(changes.log, inv.to_arrow("job_status_changes"), jobs)
    assert inv.to_pandas("sync_state")["in_progress"].isna().all()


def test_postgres_rewrites_a_job_only_when_it_changed(
    changing: tuple[Emulator, JobChanges], database: str
) -> None:
    """PostgreSQL too: a changed job is rewritten (first_seen kept), one listed again as it
    was only has last_seen moved."""
    emu, changes = changing
    check_rewrites_only_what_changed(emu, changes, database)


def test_a_version_1_postgres_inventory_is_migrated(
    changing: tuple[Emulator, JobChanges], database: str
) -> None:
    """A PostgreSQL inventory of schema version 1 is migrated on open, and a row it holds is
    rewritten the next time a sync lists it."""
    import psycopg

    def execute(statement: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(database, autocommit=True) as con:
            cur = con.execute(statement)
            return cur.fetchall() if cur.description else []

    check_version_1_migrated(changing[0], database, execute)


def test_two_syncs_at_once_lose_nothing_and_duplicate_nothing(
    changing: tuple[Emulator, JobChanges], database: str
) -> None:
    """Two syncs running at once against one database, three times over, leave one row per
    job, the current status of each, and every status change exactly once."""
    emu, changes = changing

    def both() -> list[SyncReport]:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            runs = [
                pool.submit(sync, database, ADAPTERS, regions="us-east-1", max_concurrency=4)
                for _ in range(2)
            ]
            return [run.result() for run in runs]

    first = both()
    inv = inventory(database)
    jobs = inv.to_pandas()
    assert_matches_truth(emu, jobs)
    firsts = inv.to_arrow("job_status_changes")
    assert firsts.num_rows == len(jobs)  # one first sighting per job, although both saw all
    assert sum(r.new for r in first) == len(jobs)
    for _ in range(3):
        changes.change(4)
        changes.appear(3)
        both()
        jobs = inv.to_pandas()
        assert_matches_truth(emu, jobs)
        assert_changes_once(changes.log, inv.to_arrow("job_status_changes"), jobs)


def test_bad_postgres_targets_raise_typed_errors_and_change_nothing(
    postgres: PostgresServer, database: str
) -> None:
    """A wrong password, a database with a newer schema, and one with look-alike tables get a
    typed error with a hint; nothing is created or changed."""
    import psycopg

    with pytest.raises(StoreError, match="password authentication failed") as info:
        sync(postgres.url("postgres", password="wrong"), "sagemaker.processing")
    assert "wrong" not in str(info.value) and info.value.hint
    with pytest.raises(StoreError, match="cannot connect"):
        sync(postgres.url("no_such_database"), "sagemaker.processing")

    with psycopg.connect(database, autocommit=True) as con:
        con.execute("CREATE TABLE jobkit_schema (version INTEGER, migrated_at TIMESTAMPTZ)")
        con.execute("INSERT INTO jobkit_schema VALUES (7, now())")
    with pytest.raises(SchemaVersionError, match="schema version 7"):
        sync(database, "sagemaker.processing", regions="us-east-1")
    with pytest.raises(SchemaVersionError):
        inventory(database).to_arrow()
    with psycopg.connect(database) as con:
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        }
    assert tables == {"jobkit_schema"}

    other = postgres.create_database("lookalike")
    with psycopg.connect(other, autocommit=True) as con:
        con.execute("CREATE TABLE jobs (id INTEGER)")
    with pytest.raises(StoreError, match="no jobkit_schema"):
        sync(other, "sagemaker.processing", regions="us-east-1")
