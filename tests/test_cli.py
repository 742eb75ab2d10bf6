"""The ``jobkit`` command, run as a subprocess against its bundled emulator."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import jobkit
from jobkit.cli import adapters_markdown, main
from jobkit.model import JobStatus
from jobkit.notebook import COLUMNS, job_record
from jobkit.testing import Emulator
from tests.groundtruth import expected_raw

ROOT = Path(__file__).resolve().parent.parent
# `--emulator` starts Emulator() with its defaults; this one has the same data.
SEED = 0


def jobkit_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m jobkit.cli ARGS`` with the test's (fake, loopback-only) environment."""
    return subprocess.run(
        [sys.executable, "-m", "jobkit.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        cwd=ROOT,
        check=False,
    )


@pytest.fixture(scope="module")
def same_data() -> Iterator[Emulator]:
    """An emulator with the data `--emulator` serves, for the ground truth."""
    with Emulator(seed=SEED) as emu:
        yield emu


def _processing_arns(emu: Emulator) -> list[str]:
    return sorted(
        r["ProcessingJobArn"] for r in expected_raw(emu, "sagemaker.processing", "us-east-1")
    )


# --------------------------------------------------------------------------- formats


def test_ls_jsonl_is_one_job_per_line_matching_the_emulator(same_data: Emulator) -> None:
    """`ls --format jsonl` prints one JSON object per job, every job the emulator holds."""
    run = jobkit_cli("ls", "sagemaker.processing", "--emulator", "--format", "jsonl")
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert sorted(r["id"] for r in records) == _processing_arns(same_data)
    assert {r["status"] for r in records} <= {s.value for s in JobStatus}
    assert all(r["created"].endswith("Z") for r in records)
    assert set(records[0]) == {*COLUMNS, "extras"}


def test_ls_json_equals_the_library_listing(same_data: Emulator) -> None:
    """`ls --format json` is a list equal to job_record() of jobs() on the same data, in order."""
    run = jobkit_cli("ls", "comprehendmedical.snomedct", "--emulator", "--format", "json")
    assert run.returncode == 0, run.stderr
    listed = jobkit.jobs("comprehendmedical.snomedct", endpoint_url=same_data.endpoint_url)
    assert json.loads(run.stdout) == [job_record(job) for job in listed]


def test_ls_csv_has_a_header_and_one_row_per_job(same_data: Emulator) -> None:
    """`ls --format csv` has the column header, ISO Z times and extras as JSON."""
    run = jobkit_cli("ls", "sagemaker.processing", "--emulator", "--format", "csv")
    assert run.returncode == 0, run.stderr
    reader = csv.DictReader(io.StringIO(run.stdout))
    assert reader.fieldnames == [*COLUMNS, "extras"]
    rows = list(reader)
    assert sorted(r["id"] for r in rows) == _processing_arns(same_data)
    for row in rows:
        assert dt.datetime.fromisoformat(row["created"]).tzinfo is not None
        assert isinstance(json.loads(row["extras"]), dict)


def test_ls_table_is_aligned_with_utc_times(same_data: Emulator) -> None:
    """The default table has a header and one row per job, each column at the header's offset."""
    run = jobkit_cli("ls", "sagemaker.processing", "--emulator")
    assert run.returncode == 0, run.stderr
    header, *rows = run.stdout.splitlines()
    assert header.split()[:2] == ["ADAPTER", "NAME"]
    assert len(rows) == len(_processing_arns(same_data))
    at = header.index("STATUS")
    created_at = header.index("CREATED (UTC)")
    statuses = {s.value for s in JobStatus}
    for row in rows:
        assert row[at:].split()[0] in statuses
        dt.datetime.strptime(row[created_at : created_at + 19], "%Y-%m-%d %H:%M:%S")


def test_ls_limit_stops_after_n_jobs() -> None:
    """`--limit 3` prints exactly three jobs."""
    run = jobkit_cli(
        "ls", "sagemaker.processing", "--emulator", "--format", "jsonl", "--limit", "3"
    )
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.splitlines()) == 3


# --------------------------------------------------------------------------- exit codes


def test_unknown_adapter_exits_2_with_the_close_match() -> None:
    """A misspelt adapter is a usage error (2) whose one-line message names the close match."""
    run = jobkit_cli("ls", "sagemaker.procesing", "--emulator")
    assert run.returncode == 2
    first, hint = run.stderr.splitlines()
    assert first.startswith("jobkit: error: unknown adapter")
    assert "'sagemaker.processing'" in first
    assert hint.startswith("  hint: ")
    assert run.stdout == ""


def test_bad_flag_exits_2() -> None:
    """An unknown flag or a bad --limit is an argparse usage error (2)."""
    assert jobkit_cli("ls", "--no-such-flag").returncode == 2
    run = jobkit_cli("ls", "--limit", "0")
    assert run.returncode == 2
    assert "--limit" in run.stderr


def test_bad_param_exits_2_without_listing() -> None:
    """--param without KEY=VALUE, or a key no adapter takes, is a usage error (2)."""
    run = jobkit_cli("ls", "batch.service", "--param", "jobQueue", "--emulator")
    assert run.returncode == 2
    assert "KEY=VALUE" in run.stderr
    run = jobkit_cli("ls", "sagemaker.processing", "--param", "NoSuchKey=1", "--emulator")
    assert run.returncode == 2
    assert "NoSuchKey" in run.stderr


def test_service_error_exits_1() -> None:
    """A service error (a job queue that does not exist) exits 1 with the code and the hint."""
    run = jobkit_cli("ls", "batch.service", "--param", "jobQueue=nope", "--emulator")
    assert run.returncode == 1
    first, hint = run.stderr.splitlines()
    assert first.startswith("jobkit: error: ClientException")
    assert "adapter=batch.service" in first
    assert hint.startswith("  hint: ")


def test_partial_failure_prints_what_was_listed_and_exits_1(same_data: Emulator) -> None:
    """When a later adapter fails, the jobs listed before it are printed and the exit code is 1."""
    run = jobkit_cli(
        "ls",
        "sagemaker.processing",
        "batch.service",
        "--param",
        "jobQueue=nope",
        "--emulator",
        "--format",
        "jsonl",
    )
    assert run.returncode == 1
    ids = sorted(json.loads(line)["id"] for line in run.stdout.splitlines())
    assert ids == _processing_arns(same_data)
    assert "ClientException" in run.stderr


def test_unknown_profile_exits_2() -> None:
    """--profile naming a profile that is not configured is a usage error (2)."""
    run = jobkit_cli("ls", "sagemaker.processing", "--profile", "no-such-profile", "--emulator")
    assert run.returncode == 2
    assert "no-such-profile" in run.stderr


def test_main_returns_exit_codes_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    """main() returns the code instead of exiting: 2 for argparse errors, 0 for adapters."""
    assert main(["ls", "--format", "yaml"]) == 2
    assert main(["adapters", "--format", "json"]) == 0
    names = [row["name"] for row in json.loads(capsys.readouterr().out)]
    assert names == [info.name for info in jobkit.adapters()]


# --------------------------------------------------------------------------- adapters, emulator


def test_adapters_table_lists_every_adapter() -> None:
    """`jobkit adapters` prints one line per registered adapter with its scope."""
    run = jobkit_cli("adapters")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert [line.split()[0] for line in lines[1:]] == [info.name for info in jobkit.adapters()]
    assert "WorkteamArn" in run.stdout


def test_docs_adapters_page_is_generated_from_the_registry() -> None:
    """docs/adapters.md is exactly what `jobkit adapters --format markdown` prints (not stale)."""
    page = (ROOT / "docs" / "adapters.md").read_text()
    assert page == adapters_markdown(), (
        "docs/adapters.md is stale: run "
        "`python -m jobkit.cli adapters --format markdown > docs/adapters.md`"
    )
    for info in jobkit.adapters():
        assert f"`{info.name}`" in page


def test_emulator_subcommand_delegates_to_the_testing_cli() -> None:
    """`jobkit emulator --help` is jobkit.testing's own emulator help."""
    run = jobkit_cli("emulator", "--help")
    assert run.returncode == 0, run.stderr
    assert "--rate-limit" in run.stdout
    assert "emulator" in run.stdout


# --------------------------------------------------------------------------- filter flags


def test_status_flag_lists_only_that_status(same_data: Emulator) -> None:
    """`--status failed` prints exactly the FAILED jobs of a full listing."""
    run = jobkit_cli(
        "ls", "sagemaker.processing", "--emulator", "--format", "jsonl", "--status", "failed"
    )
    assert run.returncode == 0, run.stderr
    got = sorted(json.loads(line)["id"] for line in run.stdout.splitlines())
    everything = jobkit.jobs("sagemaker.processing", endpoint_url=same_data.endpoint_url)
    assert got == sorted(j.id or "" for j in everything if j.status is JobStatus.FAILED)
    assert got


def test_since_until_order_and_name_flags_pass_through(same_data: Emulator) -> None:
    """--since/--until/--name-contains/--order give the jobs() result for the same kwargs."""
    args = {"since": "2026-10-01", "until": "2026-10-15", "name_contains": "nightly"}
    run = jobkit_cli(
        "ls",
        "sagemaker.processing",
        "--emulator",
        "--format",
        "json",
        "--since",
        args["since"],
        "--until",
        args["until"],
        "--name-contains",
        args["name_contains"],
        "--order",
        "created-asc",
    )
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    expected = jobkit.jobs(
        "sagemaker.processing",
        endpoint_url=same_data.endpoint_url,
        order="created-asc",
        **args,  # type: ignore[arg-type]
    )
    assert got == [job_record(job) for job in expected]
    created = [r["created"] for r in got]
    assert created == sorted(created)


def test_bad_filter_value_exits_2() -> None:
    """A status jobkit does not know is a usage error (2)."""
    run = jobkit_cli("ls", "sagemaker.processing", "--emulator", "--status", "exploded")
    assert run.returncode == 2
    assert "exploded" in run.stderr
