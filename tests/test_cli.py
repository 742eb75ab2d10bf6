"""The ``jobkit`` command against its bundled emulator: in this process through ``main()``
(as the console script calls it), and as a real ``python -m jobkit.cli`` subprocess where the
process itself matters (the entry point, a terminal, output flushed while listing)."""

from __future__ import annotations

import collections
import contextlib
import csv
import datetime as dt
import fcntl
import io
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_env import use_emulator

import jobkit
from jobkit.cli import adapters_markdown, cli_syntax, main, skipped_report
from jobkit.errors import AccessDeniedError
from jobkit.model import JobStatus
from jobkit.present.records import COLUMNS, job_record
from jobkit.testing import Emulator, Faults
from tests.groundtruth import expected_raw

ROOT = Path(__file__).resolve().parent.parent
# `--emulator` starts Emulator() with its defaults; this one has the same data.
GROUND_TRUTH_ADAPTERS = 0


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


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``main(ARGS)`` in this process from the repository root, with what it writes to
    stdout and stderr (warnings included, as an interpreter prints them) captured: the exit
    code and output of ``jobkit ARGS`` without starting and importing a new Python."""
    out, err = io.StringIO(), io.StringIO()

    def show(message: Warning | str, category: type[Warning], filename: str, *rest: object) -> None:
        lineno = int(str(rest[0]))
        line = rest[2] if len(rest) > 2 and isinstance(rest[2], str) else None
        err.write(warnings.formatwarning(message, category, filename, lineno, line))

    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.chdir(ROOT))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        stack.enter_context(warnings.catch_warnings())
        warnings.showwarning = show
        code = main(list(args))
    return subprocess.CompletedProcess(["jobkit", *args], code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def same_data() -> Iterator[Emulator]:
    """An emulator with the data `--emulator` serves, for the ground truth."""
    with Emulator(seed=GROUND_TRUTH_ADAPTERS) as emu:
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
    run = run_cli("ls", "comprehendmedical.snomedct", "--emulator", "--format", "json")
    assert run.returncode == 0, run.stderr
    listed = jobkit.jobs("comprehendmedical.snomedct", endpoint_url=same_data.endpoint_url)
    expected = [job_record(job) for job in listed]
    assert json.loads(run.stdout) == expected
    # Written element by element as jobs arrive, yet the same text as one json.dump.
    assert run.stdout == json.dumps(expected, indent=2) + "\n"


def test_ls_csv_has_a_header_and_one_row_per_job(same_data: Emulator) -> None:
    """`ls --format csv` has the column header, ISO Z times and extras as JSON."""
    run = run_cli("ls", "sagemaker.processing", "--emulator", "--format", "csv")
    assert run.returncode == 0, run.stderr
    reader = csv.DictReader(io.StringIO(run.stdout))
    assert reader.fieldnames == [*COLUMNS, "extras"]
    rows = list(reader)
    assert sorted(r["id"] for r in rows) == _processing_arns(same_data)
    for row in rows:
        assert dt.datetime.fromisoformat(row["created"]).tzinfo is not None
        assert isinstance(json.loads(row["extras"]), dict)


def test_ls_table_piped_is_full_width_and_aligned(same_data: Emulator) -> None:
    """Piped, the table keeps every column and whole names: NAME last, each column at the
    header's offset, UTC times, one row per job."""
    run = run_cli("ls", "sagemaker.processing", "--emulator")
    assert run.returncode == 0, run.stderr
    header, *rows = run.stdout.splitlines()
    titles = ["ADAPTER", "STATUS", "RAW STATUS", "CREATED (UTC)", "ENDED (UTC)", "REGION", "NAME"]
    assert [t for t in titles if t in header] == titles
    assert header.rstrip().endswith("NAME")
    assert len(rows) == len(_processing_arns(same_data))
    at = header.index("STATUS")
    created_at = header.index("CREATED (UTC)")
    name_at = header.index("NAME")
    statuses = {s.value for s in JobStatus}
    for row in rows:
        assert row[at:].split()[0] in statuses
        dt.datetime.strptime(row[created_at : created_at + 19], "%Y-%m-%d %H:%M:%S")
    names = sorted(
        r["ProcessingJobName"] for r in expected_raw(same_data, "sagemaker.processing", "us-east-1")
    )
    assert sorted(row[name_at:] for row in rows) == names


def test_ls_limit_stops_after_n_jobs() -> None:
    """`--limit 3` prints exactly three jobs."""
    run = run_cli("ls", "sagemaker.processing", "--emulator", "--format", "jsonl", "--limit", "3")
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.splitlines()) == 3


# --------------------------------------------------------------------------- exit codes


def test_unknown_adapter_exits_2_with_the_close_match() -> None:
    """A misspelt adapter is a usage error (2) whose one-line message names the close match."""
    run = run_cli("ls", "sagemaker.procesing", "--emulator")
    assert run.returncode == 2
    first, hint = run.stderr.splitlines()
    assert first.startswith("jobkit: error: unknown adapter")
    assert "'sagemaker.processing'" in first
    assert hint == f"  hint: `jobkit adapters` lists all {len(jobkit.adapters())} adapters"
    assert run.stdout == ""


def test_unknown_adapter_names_a_few_matches_not_every_adapter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A bare service name gets at most six of its adapters and a count, not all 36 names."""
    assert main(["ls", "sagemaker"]) == 2
    first, hint = capsys.readouterr().err.splitlines()
    sagemaker = [i.name for i in jobkit.adapters() if i.service == "sagemaker"]
    named = [name for name in sagemaker if f"'{name}'" in first]
    assert len(named) == 6 < len(sagemaker)
    assert f"(and {len(sagemaker) - 6} more)" in first
    assert not any(i.name in hint for i in jobkit.adapters())
    assert len(first) < 300


def test_bad_flag_exits_2() -> None:
    """An unknown flag or a bad --limit is an argparse usage error (2)."""
    assert run_cli("ls", "--no-such-flag").returncode == 2
    run = run_cli("ls", "--limit", "0")
    assert run.returncode == 2
    assert "--limit" in run.stderr


def test_bad_param_exits_2_without_listing() -> None:
    """--param without KEY=VALUE, or a key no adapter takes, is a usage error (2)."""
    run = run_cli("ls", "batch.service", "--param", "jobQueue", "--emulator")
    assert run.returncode == 2
    assert "KEY=VALUE" in run.stderr
    run = run_cli("ls", "sagemaker.processing", "--param", "NoSuchKey=1", "--emulator")
    assert run.returncode == 2
    assert "NoSuchKey" in run.stderr


def test_service_error_exits_1() -> None:
    """A service error (a job queue that does not exist) exits 1 with the code and the hint."""
    run = run_cli("ls", "batch.service", "--param", "jobQueue=nope", "--emulator")
    assert run.returncode == 1
    first, hint = run.stderr.splitlines()
    assert first.startswith("jobkit: error: ClientException")
    assert "adapter=batch.service" in first
    assert hint.startswith("  hint: ")


def test_partial_failure_prints_what_was_listed_and_exits_1(same_data: Emulator) -> None:
    """When a later adapter fails, the jobs listed before it are printed and the exit code is 1."""
    run = run_cli(
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
    run = run_cli("ls", "sagemaker.processing", "--profile", "no-such-profile", "--emulator")
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
    run = run_cli("adapters")
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


def test_help_names_every_service(capsys: pytest.CaptureFixture[str]) -> None:
    """`jobkit --help` names every service that has an adapter, not a hand-kept few."""
    assert main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for service in {info.service for info in jobkit.adapters()}:
        assert service in text
    assert f"{len(jobkit.adapters())} adapters" in text


def test_emulator_subcommand_delegates_to_the_testing_cli() -> None:
    """`jobkit emulator --help` is jobkit.testing's own emulator help."""
    run = run_cli("emulator", "--help")
    assert run.returncode == 0, run.stderr
    assert "--rate-limit" in run.stdout
    assert "emulator" in run.stdout


# --------------------------------------------------------------------------- filter flags


def test_status_flag_lists_only_that_status(same_data: Emulator) -> None:
    """`--status failed` prints exactly the FAILED jobs of a full listing."""
    run = run_cli(
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
    run = run_cli(
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
    run = run_cli("ls", "sagemaker.processing", "--emulator", "--status", "exploded")
    assert run.returncode == 2
    assert "exploded" in run.stderr


# --------------------------------------------------------------------------- order and limit


def test_limit_defaults_to_newest_first_across_adapters(
    same_data: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--limit 12` over two adapters prints the 12 newest of both, not the first stream's."""
    adapters = ["sagemaker.processing", "comprehendmedical.snomedct"]
    code = main(["ls", *adapters, "--emulator", "--format", "jsonl", "--limit", "12"])
    assert code == 0, capsys.readouterr().err
    got = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    everything = jobkit.jobs(adapters, endpoint_url=same_data.endpoint_url)
    newest = sorted(everything, key=lambda j: j.created or dt.datetime.min, reverse=True)[:12]
    assert [r["id"] for r in got] == [j.id for j in newest]
    assert {r["adapter"] for r in got} == set(adapters)


def test_order_arrival_keeps_the_streams_order(capsys: pytest.CaptureFixture[str]) -> None:
    """`--order arrival` turns the newest-first default of `--limit` off: still N jobs."""
    flags = ["--emulator", "--format", "jsonl", "--limit", "5", "--order", "arrival"]
    code = main(["ls", "sagemaker.processing", *flags])
    assert code == 0
    assert len(capsys.readouterr().out.splitlines()) == 5


# --------------------------------------------------------------------------- stderr reports


def test_empty_filtered_listing_says_so_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """A filtered listing that finds nothing says so, and what it filtered, on stderr (exit 0)."""
    filters = ["--name-contains", "no such job", "--status", "failed,stopped"]
    code = main(["ls", "sagemaker.processing", "--emulator", "--format", "json", *filters])
    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out) == []
    assert captured.err == (
        "jobkit: no jobs matched --status failed,stopped --name-contains 'no such job' "
        "(1 stream listed)\n"
    )


def test_skipped_streams_are_reported_and_exit_3(
    same_data: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """A region where a service is not offered is skipped: listed on stderr, exit code 3, and
    every other stream's jobs printed."""
    adapters = ["sagemaker.processing", "comprehendmedical.snomedct"]
    regions = ["--region", "us-east-1", "--region", "eu-west-3"]
    code = main(["ls", *adapters, *regions, "--emulator", "--format", "jsonl"])
    captured = capsys.readouterr()
    assert code == 3
    assert captured.err == (
        "jobkit: skipped comprehendmedical.snomedct in eu-west-3: "
        "the service is not offered in this region\n"
    )
    got = collections.Counter(
        (r["adapter"], r["region"]) for r in map(json.loads, captured.out.splitlines())
    )
    assert got == {
        ("sagemaker.processing", "us-east-1"): len(_processing_arns(same_data)),
        ("sagemaker.processing", "eu-west-3"): len(
            expected_raw(same_data, "sagemaker.processing", "eu-west-3")
        ),
        ("comprehendmedical.snomedct", "us-east-1"): len(
            expected_raw(same_data, "comprehendmedical.snomedct", "us-east-1")
        ),
    }


def test_skipped_report_lines_and_summary() -> None:
    """One line per skipped stream with its reason's description (and the service's error
    code); more than eight give one summary line per reason."""
    from jobkit import Skipped

    denied = AccessDeniedError("AccessDenied (HTTP 403): no", code="AccessDeniedException")
    records = [
        Skipped(
            adapter="bedrock.evaluation",
            region="ap-east-1",
            account=None,
            scope={},
            reason="not-offered",
        ),
        Skipped(
            adapter="batch.service",
            region="us-east-1",
            account="prod",
            scope={"jobQueue": "q1"},
            reason="scope-gone",
        ),
        Skipped(
            adapter="sagemaker.processing",
            region="eu-west-1",
            account=None,
            scope={},
            reason="access-denied",
            error=denied,
        ),
    ]
    assert skipped_report(records) == [
        "jobkit: skipped bedrock.evaluation in ap-east-1: "
        "the service is not offered in this region",
        "jobkit: skipped batch.service in us-east-1 (account prod; jobQueue=q1): "
        "a discovered scope was deleted before it was listed",
        "jobkit: skipped sagemaker.processing in eu-west-1: "
        "the credentials may not call this operation here (AccessDeniedException)",
    ]
    many = [
        Skipped(
            adapter="sagemaker.processing",
            region=f"r-{i}",
            account=None,
            scope={},
            reason="opt-in-required",
        )
        for i in range(9)
    ]
    many.append(
        Skipped(
            adapter="glue.job-runs",
            region="us-east-1",
            account="dev",
            scope={},
            reason="not-offered",
        )
    )
    assert skipped_report(many) == [
        "jobkit: skipped 10 streams:",
        "  the region is not enabled (opted in) for the account (9): sagemaker.processing in "
        "r-0, r-1, r-2, r-3, r-4, r-5, +3 more",
        "  the service is not offered in this region (1): glue.job-runs in us-east-1 "
        "(accounts dev)",
    ]


# --------------------------------------------------------------------------- CLI syntax


@pytest.mark.parametrize(
    ("python", "cli"),
    [
        ("pass regions=['us-east-1'], or set X", "pass --region us-east-1, or set X"),
        (
            "e.g. params={'jobQueue': 'my-queue'} or {'jobQueue': ['q1', 'q2']}",
            "e.g. --param jobQueue=my-queue or --param jobQueue=q1 --param jobQueue=q2",
        ),
        ("pass them as params={'WorkteamArn': ...}", "pass them as --param WorkteamArn=..."),
        ("status='exploded' is not a JobStatus", "--status exploded is not a JobStatus"),
        ("e.g. name_contains='etl job'", "e.g. --name-contains 'etl job'"),
        ("e.g. limit=100", "e.g. --limit 100"),
        ("resume with order='created-asc'", "resume with --order created-asc"),
        ("regions= is empty", "--region is empty"),
        ("lower max_concurrency, or pass session=", "lower --max-concurrency, or pass --profile"),
        ("`jobkit.adapters()` lists every adapter", "`jobkit adapters` lists every adapter"),
        ("x; resume where it stopped with jobs(..., cursor=error.cursor)", "x"),
        ("e.g. shards=8; RetryPolicy.max_attempts", "e.g. shards=8; RetryPolicy.max_attempts"),
        ("adapter=batch.service, region=us-east-1", "adapter=batch.service, region=us-east-1"),
    ],
)
def test_cli_syntax_rewrites_python_keywords_to_flags(python: str, cli: str) -> None:
    """Keywords with a `jobkit ls` flag are rewritten to it; the rest is left alone."""
    assert cli_syntax(python) == cli


def test_hints_are_written_as_flags() -> None:
    """With no region anywhere, the hint names `--region us-east-1`, not `regions=[...]`."""
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_DEFAULT_REGION", "AWS_REGION")}
    run = subprocess.run(
        [sys.executable, "-m", "jobkit.cli", "ls", "sagemaker.processing"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr.splitlines()[1].startswith("  hint: pass --region us-east-1,")
    assert "regions=" not in run.stderr


# --------------------------------------------------------------------------- terminal


def run_in_terminal(*args: str, columns: int = 100) -> tuple[int, list[str], str]:
    """Run the CLI with stdout on a pseudo-terminal ``columns`` wide (stderr a pipe); return
    the exit code, the terminal's lines and stderr."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobkit.cli", *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if not ready:
            continue
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the last writer closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    with proc:  # closes the stderr pipe
        assert proc.stderr is not None
        stderr = proc.stderr.read().decode()
        code = proc.wait(timeout=10)
    text = b"".join(chunks).decode().replace("\r\n", "\n")
    return code, text.splitlines(), stderr


def test_table_fits_a_100_column_terminal(
    same_data: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a 100-column terminal no line is wider than 100; columns are dropped, names cut
    with an ellipsis, and still one row per job, every row aligned."""
    # The longest adapter name (34 characters) and a derived-status adapter.
    adapters = ["comprehend.document-classification", "sagemaker.labeling-workteam"]
    adapters += ["sagemaker.processing", "batch.service"]
    code, lines, stderr = run_in_terminal("ls", *adapters, "--emulator", columns=100)
    assert code == 0, stderr
    header, *rows = lines
    assert max(map(len, lines)) <= 100
    assert header.split("  ")[0] == "ADAPTER"
    assert header.rstrip().endswith("NAME")
    assert "RAW STATUS" not in header  # the first column a narrow terminal gives up
    use_emulator(monkeypatch, same_data)  # S3 Control needs the env, not an URL
    with jobkit.jobs(adapters) as listing:
        total = sum(1 for _ in listing)
    assert len(rows) == total
    created_at = header.index("CREATED (UTC)")
    for row in rows:
        dt.datetime.strptime(row[created_at : created_at + 19], "%Y-%m-%d %H:%M:%S")


def test_adapters_table_fits_a_100_column_terminal() -> None:
    """`jobkit adapters` (238 columns piped) wraps into 100 columns, every adapter at the
    start of a line."""
    code, lines, stderr = run_in_terminal("adapters", columns=100)
    assert code == 0, stderr
    assert max(map(len, lines)) <= 100
    starts = [line.split()[0] for line in lines[1:] if not line.startswith(" ")]
    assert starts == [info.name for info in jobkit.adapters()]
    assert max(map(len, run_cli("adapters").stdout.splitlines())) > 100


def test_rows_are_printed_as_they_arrive() -> None:
    """The table's first row is on stdout while later pages are still being fetched."""
    sizes = {"ListProcessingJobs": 600}  # six pages of 100
    with Emulator(sizes=sizes, faults=Faults(latency=0.3)) as emu:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jobkit.cli", "ls", "sagemaker.processing"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, **emu.env()},
            cwd=ROOT,
        )
        assert proc.stdout is not None
        header, first = proc.stdout.readline(), proc.stdout.readline()
        pages_then = emu.request_count(operation="ListProcessingJobs")
        running_then = proc.poll() is None
        with proc:
            rest = proc.stdout.read()
        assert proc.returncode == 0
        pages = emu.request_count(operation="ListProcessingJobs")
    assert header.startswith("ADAPTER") and first.startswith("sagemaker.processing")
    assert running_then
    assert pages_then < pages == 6
    assert len(rest.splitlines()) == 599


def test_progress_bar_on_stderr_when_asked() -> None:
    """`--progress` draws the bar on stderr (streams, jobs, pages) even when piped; stdout
    keeps only the jobs; without it a pipe gets no bar."""
    run = run_cli("ls", "sagemaker.processing", "--emulator", "--format", "jsonl", "--progress")
    assert run.returncode == 0, run.stderr
    last = run.stderr.splitlines()[-1]
    assert last.startswith("[####################] 1/1 streams, 250 jobs, 3 pages, ")
    assert len(run.stdout.splitlines()) == 250
    quiet = run_cli("ls", "sagemaker.processing", "--emulator", "--format", "jsonl")
    assert quiet.stderr == ""
