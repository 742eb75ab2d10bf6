"""jobkit.sync into DuckDB against the emulator: exact after every sync, incremental, crash-safe."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from emulator_env import use_emulator
from inventory_helpers import (
    ADAPTERS,
    assert_changes_once,
    assert_matches_truth,
    change_key,
    check_rewrites_only_what_changed,
    check_version_1_migrated,
    keys_of,
    truth,
)

from jobkit.incremental import inventory, sync
from jobkit.store import InvalidTargetError, SchemaVersionError, StoreError
from jobkit.testing import Emulator, JobChanges

SIZES = {
    "ListProcessingJobs": 260,
    "ListLabelingJobsForWorkteam": 70,
    "ListSNOMEDCTInferenceJobs": 240,
    "ListServiceJobs": 150,
    "ListCollaborationTrainedModelExportJobs": 30,
    "ListTrainingJobs": 120,
    "ListEntitiesDetectionJobs": 120,
    "ListTranscriptionJobs": 60,
}


@pytest.fixture
def changing(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Emulator, JobChanges]]:
    """A fresh emulator whose jobs can appear (8 held back per set) and change status."""
    with Emulator(seed=5, sizes=SIZES) as emu:
        changes = JobChanges(emu, hold_back=8, seed=3)
        use_emulator(monkeypatch, emu)
        yield emu, changes


def test_every_sync_ends_equal_to_the_ground_truth(
    changing: tuple[Emulator, JobChanges], tmp_path: Path
) -> None:
    """After each sync the jobs table equals the emulator's jobs, each status change the
    emulator made is recorded exactly once, aged-out jobs stay, and re-syncs read less."""
    emu, changes = changing
    target = tmp_path / "inv.duckdb"
    first = sync(target, ADAPTERS, regions="us-east-1")
    assert all(s.reads == ("whole",) for s in first.streams)
    inv = inventory(target)
    assert_matches_truth(emu, inv.to_pandas())

    retained: set[tuple[str, str]] = set()
    for round_ in range(3):
        if round_ == 1:
            # Services keep jobs a limited time: the oldest two of each set age out, from a
            # stream read by creation window (Batch) and from one listed whole (Transcribe).
            before = inv.to_pandas()
            for adapter in ("batch.service", "transcribe.transcription"):
                changes.expire(2, adapter=adapter)
                retained |= keys_of(before, adapter) - set(truth(emu))
            assert len(retained) == 2 * 2 + 2  # two Batch queues, one Transcribe set
        changes.change(3)  # jobs the inventory has seen (a job that appears next is new)
        changes.appear(2 + round_)
        report = sync(target, ADAPTERS, regions="us-east-1")
        assert report.requests < first.requests
        jobs = inv.to_pandas()
        assert_matches_truth(emu, jobs, retained=retained)
        assert_changes_once(changes.log, inv.to_arrow("job_status_changes"), jobs)
    jobs = inv.to_pandas()
    gone = keys_of(jobs[jobs["gone_since"].notna()])
    # The whole listing covered the aged-out Transcribe jobs: they are marked gone.
    assert {k for k in retained if k[0] == "transcribe.transcription"} <= gone <= retained
    state = inv.to_pandas("sync_state")
    assert state["in_progress"].isna().all()
    assert set(state["adapter"]) == set(ADAPTERS)
    # Nothing changes, nothing is recorded: a quiet re-sync adds no status change.
    quiet = sync(target, ADAPTERS, regions="us-east-1")
    assert quiet.changes == 0 and quiet.new == 0


def test_resync_reads_only_what_can_have_changed(
    changing: tuple[Emulator, JobChanges], tmp_path: Path
) -> None:
    """Once old jobs are terminal, a re-sync of a changed emulator sends far fewer requests
    than the first, whole listing, and still ends exact."""
    emu, changes = changing
    changes.settle(20)  # only the 20 newest jobs of each set may still be running
    target = tmp_path / "inv.duckdb"
    first = sync(target, ADAPTERS, regions="us-east-1")
    made = changes.change(2)
    changes.appear(3)
    emu.clear_requests()
    again = sync(target, ADAPTERS, regions="us-east-1")
    assert again.requests == len(emu.requests)
    # Work teams, queues, collaborations and models found by the first sync are reused.
    for parent in ("ListWorkteams", "DescribeJobQueues", "ListCollaborations"):
        assert emu.request_count(operation=parent) == 0, parent
    assert again.requests * 2 < first.requests, (again.requests, first.requests)
    reads = {s.adapter: s.reads for s in again.streams}
    assert reads["transcribe.transcription"] == ("whole",)  # no creation-time filter or sort
    assert reads["sagemaker.processing"][0].startswith("newest")
    assert reads["batch.service"][0].startswith("since")
    jobs = inventory(target).to_pandas()
    assert_matches_truth(emu, jobs)
    assert_changes_once(changes.log, inventory(target).to_arrow("job_status_changes"), jobs)
    assert {change_key(c) for c in made} <= keys_of(jobs)
    emu.clear_requests()
    sync(target, ADAPTERS, regions="us-east-1", rediscover=dt.timedelta(0))
    assert emu.request_count(operation="ListWorkteams") == 1  # asked again once stale


def test_a_job_listed_again_is_rewritten_only_when_it_changed(
    changing: tuple[Emulator, JobChanges], tmp_path: Path
) -> None:
    """A re-sync rewrites the jobs whose listing changed (first_seen kept, one row each) and
    only moves last_seen of those listed again as they were (their digest and summary kept)."""
    emu, changes = changing
    check_rewrites_only_what_changed(emu, changes, tmp_path / "inv.duckdb")


def test_a_version_1_inventory_is_migrated_and_its_rows_rewritten_once(
    changing: tuple[Emulator, JobChanges], tmp_path: Path
) -> None:
    """An inventory of schema version 1 (no row_digest) is migrated on open; a job it holds
    is rewritten the next time a sync lists it, so a stale column cannot survive as
    "unchanged"."""
    import duckdb

    target = tmp_path / "inv.duckdb"

    def execute(statement: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(target)) as con:
            return con.execute(statement).fetchall()

    check_version_1_migrated(changing[0], target, execute)


_SYNC_SCRIPT = textwrap.dedent(
    """
    import sys
    from jobkit.incremental import sync
    from jobkit.store._duckdb import DuckDBStore

    write = DuckDBStore.write

    def reporting(self, pages, finished=()):
        # Says when a page transaction committed, so the parent kills mid-listing.
        result = write(self, pages, finished)
        for page in pages:
            print("committed", page.stream.split("|")[0], flush=True)
        return result

    DuckDBStore.write = reporting
    sync(sys.argv[1], ["sagemaker.processing", "comprehendmedical.snomedct"],
         regions="us-east-1", max_concurrency=2)
    """
)


def test_a_sync_killed_midway_is_completed_by_the_next(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A sync process killed with SIGKILL in the middle of its listing loses nothing: the
    next sync resumes it and the inventory ends equal to the ground truth."""
    sizes = {"ListProcessingJobs": 12_000, "ListSNOMEDCTInferenceJobs": 3000}
    with Emulator(seed=9, sizes=sizes) as emu:
        use_emulator(monkeypatch, emu)
        target = tmp_path / "inv.duckdb"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        proc = subprocess.Popen(
            [sys.executable, "-c", _SYNC_SCRIPT, str(target)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            commits = 0
            while commits < 4:  # four of twelve processing transactions committed
                line = proc.stdout.readline()
                assert line.startswith("committed"), "the sync ended early"
                commits += line.split()[1] == "sagemaker.processing"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL
        emu.clear_requests()
        adapters = ["sagemaker.processing", "comprehendmedical.snomedct"]
        report = sync(target, adapters, regions="us-east-1")
        resumed = {s.adapter for s in report.streams if s.resumed}
        assert "sagemaker.processing" in resumed
        # The resumed listing went on from the last committed page, not from the start.
        assert emu.request_count(operation="ListProcessingJobs") < 95
        frame = inventory(target).to_pandas()
        records = emu.data.records("sagemaker", "ListProcessingJobs", "us-east-1")
        medical = emu.data.records("comprehendmedical", "ListSNOMEDCTInferenceJobs", "us-east-1")
        want = {r["ProcessingJobArn"] for r in records} | {r["JobId"] for r in medical}
        got = [k.split("|", 3)[3] for k in frame["job_key"]]
        assert len(got) == len(set(got)) and set(got) == want
        firsts = inventory(target).to_pandas("job_status_changes")
        assert len(firsts) == len(want)  # one first sighting per job, none twice


def test_bad_targets_raise_typed_errors_and_change_nothing(tmp_path: Path) -> None:
    """An unknown scheme, an unwritable path, a non-DuckDB file, a newer schema and wrong
    selection arguments each get a typed error with a hint, and leave no file behind or the
    file untouched."""
    import duckdb

    with pytest.raises(InvalidTargetError, match="unknown inventory scheme 'mysql'") as info:
        sync("mysql://db.example/jobs", "sagemaker.processing", regions="us-east-1")
    assert info.value.hint
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    for path in (blocker / "inv.duckdb", tmp_path / "missing" / "inv.duckdb"):
        with pytest.raises(StoreError, match="does not exist or is not a directory"):
            sync(path, "sagemaker.processing", regions="us-east-1")
        assert not path.exists()
    from jobkit.errors import InvalidRegionError, UsageError

    unused = tmp_path / "unused.duckdb"
    with pytest.raises(InvalidRegionError):
        sync(unused, "sagemaker.processing", regions="us-eest-1")
    with pytest.raises(UsageError, match="'NoSuchMember'"):
        sync(unused, "sagemaker.processing", regions="us-east-1", params={"NoSuchMember": "x"})
    assert not unused.exists()  # checked before the store is opened
    text = tmp_path / "notes.duckdb"
    text.write_text("hello")
    with pytest.raises(StoreError, match="cannot open the DuckDB inventory"):
        inventory(text).to_arrow()
    assert text.read_text() == "hello"

    newer = tmp_path / "newer.duckdb"
    con = duckdb.connect(str(newer))
    con.execute("CREATE TABLE jobkit_schema (version INTEGER, migrated_at TIMESTAMPTZ)")
    con.execute("INSERT INTO jobkit_schema VALUES (99, now())")
    con.close()
    with pytest.raises(SchemaVersionError, match="schema version 99") as caught:
        sync(newer, "sagemaker.processing", regions="us-east-1")
    assert "upgrade jobkit" in str(caught.value)
    con = duckdb.connect(str(newer))
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    con.close()
    assert tables == {"jobkit_schema"}


def test_inventory_reads_back_as_arrow_and_pandas(
    changing: tuple[Emulator, JobChanges], tmp_path: Path
) -> None:
    """The three tables read back as Arrow and pandas with the documented columns."""
    import pyarrow as pa

    target = tmp_path / "inv.duckdb"
    sync(target, "sagemaker.processing", regions="us-east-1")
    table = inventory(target).to_arrow()
    assert table.column_names[:13] == [
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
    ]
    assert table.schema.field("created").type == pa.timestamp("us", tz="UTC")
    frame = inventory(target).to_pandas()
    assert str(frame["status"].dtype) == "category"
    assert set(frame["account"]) == {"123456789012"}
    changes = inventory(target).to_pandas("job_status_changes")
    assert len(changes) == len(frame) and changes["previous_status"].isna().all()
    from jobkit.errors import UsageError

    with pytest.raises(UsageError, match="no inventory table"):
        inventory(target).to_arrow("jobs; DROP TABLE jobs")


def test_the_sync_command_reports_per_stream(
    changing: tuple[Emulator, JobChanges], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`jobkit sync TARGET` syncs and prints what each stream did (JSON on request); a bad
    flag value exits 2 before anything is opened."""
    import json

    from jobkit.cli import main

    target = tmp_path / "cli.duckdb"
    argv = ["sync", str(target), "--adapter", "sagemaker.processing", "--region", "us-east-1"]
    assert main([*argv, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["new"] == len(inventory(target).to_arrow()) > 0
    assert report["streams"][0]["reads"] == ["whole"]
    assert main(argv) == 0
    assert "sagemaker.processing|us-east-1|: newest" in capsys.readouterr().out
    assert main([*argv, "--overlap", "-1"]) == 2
    assert "--overlap" in capsys.readouterr().err
    assert main(["sync", "mysql://x/y", "--region", "us-east-1"]) == 2


def test_duckdb_memory_limit_is_checked_before_the_file_and_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JOBKIT_DUCKDB_MEMORY_LIMIT that is not a size is a UsageError and creates no file;
    a size is DuckDB's memory limit for the inventory's connection (the default 64 MB)."""
    from jobkit.errors import UsageError
    from jobkit.store import open_store

    monkeypatch.setenv("JOBKIT_DUCKDB_MEMORY_LIMIT", "lots")
    with pytest.raises(UsageError, match="not a memory size") as caught:
        open_store(tmp_path / "a.duckdb")
    assert caught.value.hint and not (tmp_path / "a.duckdb").exists()
    for given, shown in (("256MB", "244.1 MiB"), (None, "61.0 MiB")):
        if given is None:
            monkeypatch.delenv("JOBKIT_DUCKDB_MEMORY_LIMIT")
        else:
            monkeypatch.setenv("JOBKIT_DUCKDB_MEMORY_LIMIT", given)
        with open_store(tmp_path / "b.duckdb") as store:
            assert store._rows("SELECT current_setting('memory_limit')", []) == [(shown,)]


def test_a_sync_makes_its_clients_while_it_opens_the_store(
    changing: tuple[Emulator, JobChanges], tmp_path: Path
) -> None:
    """From a cold start (no kept session or client), every client a sync uses is made by
    the warming thread, which runs while the store opens and the reads are planned; the
    listing makes none itself. A session the caller passes is not warmed (its clients are
    the listing's own, closed with it)."""
    import threading

    import jobkit
    from jobkit.adapters import REGISTRY
    from jobkit.drivers._sessions import sync_session

    jobkit.clear_session_cache()
    made: list[str] = []
    sync_session().events.register(  # the session the sync will use (same environment)
        "creating-client-class",
        lambda event_name, **_: made.append(f"{event_name} {threading.current_thread().name}"),
    )
    sync(tmp_path / "inv.duckdb", ADAPTERS, regions="us-east-1")
    services = {service for a in ADAPTERS for service in REGISTRY[a].services}
    assert "cleanrooms" in services  # where Clean Rooms ML's collaborations are discovered
    assert sorted(made) == sorted(
        f"creating-client-class.{s} jobkit-warm-clients" for s in services
    )
    jobkit.clear_session_cache()
