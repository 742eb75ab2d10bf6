"""jobkit.present: JobList, pandas/Arrow export, HTML, progress; the quickstart notebook runs."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
import time
import types
from pathlib import Path
from typing import Any

import pytest

import jobkit
import jobkit.notebook
from jobkit.core.stats import Stats
from jobkit.errors import MissingDependencyError, UsageError
from jobkit.model import Job, JobStatus
from jobkit.present.html import OPEN_ADAPTERS, STATUS_COLORS, job_html, joblist_html
from jobkit.present.joblist import JobList
from jobkit.present.progress import Progress, make_progress
from jobkit.present.records import COLUMNS, flatten_extras, job_record, text_table
from jobkit.testing import Emulator

ROOT = Path(__file__).resolve().parent.parent
T0 = dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)


def _job(i: int = 0, **changes: object) -> Job:
    fields: dict[str, object] = {
        "adapter": "sagemaker.processing",
        "service": "sagemaker",
        "name": f"job-{i}",
        "id": f"arn:job/{i}",
        "status": JobStatus.SUCCEEDED,
        "raw_status": "Completed",
        "created": T0 + dt.timedelta(hours=i),
        "ended": None,
        "updated": None,
        "region": "us-east-1",
        "account": "123456789012",
        "extras": {},
    }
    fields.update(changes)
    return Job(**fields)  # type: ignore[arg-type]


def _mixed() -> JobList:
    return JobList(
        [
            _job(0, extras={"Config": {"S3": {"Bucket": "b0"}, "Empty": {}}, "Tags": ["a", "b"]}),
            _job(
                1,
                adapter="batch.service",
                service="batch",
                status=JobStatus.FAILED,
                raw_status="FAILED",
                ended=T0 + dt.timedelta(hours=2),
                extras={"isTerminated": True, "Mixed": 1},
            ),
            _job(2, status=JobStatus.RUNNING, extras={"Mixed": "one"}),
        ]
    )


def _rows(html: str, css_class: str) -> list[list[str]]:
    """The body rows of the HTML table with ``css_class``, each cell's text without tags."""
    table = html.split(f'<table class="{css_class}">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


# --------------------------------------------------------------------------- JobList


def test_joblist_is_a_list_of_jobs_with_stats() -> None:
    """A JobList compares equal to the plain list and keeps the stats it was given."""
    stats = Stats()
    jobs = [_job(0), _job(1)]
    listing = JobList(jobs, stats=stats)
    assert isinstance(listing, list)
    assert listing == jobs
    assert listing.stats is stats
    assert JobList().stats is None


def test_slicing_and_where_return_joblists() -> None:
    """Slices and where() stay JobLists; where() filters by status name, adapter and predicate."""
    jobs = _mixed()
    assert isinstance(jobs[:2], JobList)
    assert jobs[1].status is JobStatus.FAILED
    assert [j.name for j in jobs.where(status="failed")] == ["job-1"]
    assert [j.name for j in jobs.where(status=[JobStatus.RUNNING, "Succeeded"])] == [
        "job-0",
        "job-2",
    ]
    assert [j.name for j in jobs.where(adapter="batch.service")] == ["job-1"]
    assert [j.name for j in jobs.where(lambda j: j.name == "job-2")] == ["job-2"]
    assert jobs.counts() == {"RUNNING": 1, "SUCCEEDED": 1, "FAILED": 1}


def test_summary_and_repr_count_statuses_adapters_and_stats() -> None:
    """The terminal views name the counts per status and adapter and the listing's stats."""
    stats = Stats()
    stats.add("sagemaker/us-east-1", requests=7, retries=2, throttles=1)
    jobs = JobList(_mixed(), stats=stats)
    assert repr(jobs) == (
        "<JobList: 3 jobs (RUNNING 1, SUCCEEDED 1, FAILED 1); 7 requests, 2 retries, 1 throttle>"
    )
    text = jobs.summary(max_rows=2)
    lines = text.splitlines()
    assert lines[1].split() == ["ADAPTER", "JOBS", "STATUSES"]
    assert lines[2].split() == ["batch.service", "1", "FAILED", "1"]
    assert lines[3].split() == ["sagemaker.processing", "2", "RUNNING", "1,", "SUCCEEDED", "1"]
    assert "job-1" in text
    assert "job-2" not in text
    assert text.endswith("... 1 more")
    assert str(JobList()) == "JobList: 0 jobs"
    assert repr(JobList([_job(0)])) == "<JobList: 1 job (SUCCEEDED 1)>"


def test_text_table_aligns_columns_in_utc() -> None:
    """Every row starts each column at the header's offset and shows times in UTC."""
    other_tz = dt.timezone(dt.timedelta(hours=2))
    jobs = [_job(0, name="a-much-longer-name", created=T0.astimezone(other_tz)), _job(1)]
    lines = text_table(jobs).splitlines()
    status_at = lines[0].index("STATUS")
    created_at = lines[0].index("CREATED (UTC)")
    assert [line[status_at:].split()[0] for line in lines[1:]] == ["SUCCEEDED", "SUCCEEDED"]
    assert lines[1][created_at:].startswith("2026-01-02 03:04:05")


def test_job_record_is_json_with_utc_z_times() -> None:
    """job_record() turns every datetime (extras included) into ISO-8601 UTC ending in Z."""
    job = _job(0, extras={"At": T0, "Nested": {"When": T0}})
    record = job_record(job)
    assert record["created"] == "2026-01-02T03:04:05.678000Z"
    assert record["extras"] == {
        "At": "2026-01-02T03:04:05.678000Z",
        "Nested": {"When": "2026-01-02T03:04:05.678000Z"},
    }
    assert json.loads(json.dumps(record)) == record


def test_flatten_extras_joins_nested_keys_and_keeps_lists() -> None:
    """Nested mappings become dotted columns; lists and empty mappings stay whole."""
    flat = flatten_extras({"A": {"B": {"C": 1}, "D": []}, "E": {}, "F": [1, {"x": 2}]})
    assert flat == {"extras.A.B.C": 1, "extras.A.D": [], "extras.E": {}, "extras.F": [1, {"x": 2}]}


# --------------------------------------------------------------------------- pandas / Arrow


def test_to_pandas_types_every_column() -> None:
    """to_pandas() gives string, categorical-status and UTC datetime64[ns] columns, then extras."""
    import pandas as pd

    df = _mixed().to_pandas()
    assert list(df.columns) == [
        *COLUMNS,
        "extras.Config.Empty",
        "extras.Config.S3.Bucket",
        "extras.Mixed",
        "extras.Tags",
        "extras.isTerminated",
    ]
    assert list(df["status"].cat.categories) == [s.value for s in JobStatus]
    assert list(df["status"]) == ["SUCCEEDED", "FAILED", "RUNNING"]
    for name in ("created", "ended", "updated"):
        assert str(df[name].dtype) == "datetime64[ns, UTC]"
    assert df["created"][0] == pd.Timestamp(T0)
    assert df["ended"].isna().tolist() == [True, False, True]
    for name in ("adapter", "name", "id", "raw_status", "region", "account", "problem"):
        assert isinstance(df[name].dtype, pd.StringDtype), name
    assert df["extras.Config.S3.Bucket"].tolist() == ["b0", None, None]
    assert df["extras.Tags"][0] == ["a", "b"]
    assert df["extras.Config.Empty"][0] == {}
    assert df["extras.Mixed"].tolist() == [None, 1, "one"]


def test_to_pandas_of_an_empty_list_has_the_same_columns() -> None:
    """An empty JobList gives the fixed columns with the same dtypes as a non-empty one."""
    import pandas  # noqa: F401 - the test needs the extra installed

    empty = JobList().to_pandas()
    full = _mixed().to_pandas()
    assert list(empty.columns) == list(COLUMNS)
    assert len(empty) == 0
    assert empty.dtypes.equals(full.dtypes[list(COLUMNS)])


def test_to_arrow_types_every_column() -> None:
    """to_arrow() gives a status dictionary of every JobStatus, UTC us timestamps, typed extras."""
    import pyarrow as pa

    table = _mixed().to_arrow()
    schema = table.schema
    assert schema.names[: len(COLUMNS)] == list(COLUMNS)
    assert schema.field("status").type == pa.dictionary(pa.int8(), pa.string())
    assert table.column("status").chunk(0).dictionary.to_pylist() == [s.value for s in JobStatus]
    assert table.column("status").to_pylist() == ["SUCCEEDED", "FAILED", "RUNNING"]
    assert schema.field("created").type == pa.timestamp("us", tz="UTC")
    assert table.column("created").to_pylist()[0] == T0
    assert schema.field("name").type == pa.string()
    assert schema.field("extras.isTerminated").type == pa.bool_()
    # Lists and mixed-type columns become JSON text.
    assert table.column("extras.Tags").to_pylist() == ['["a", "b"]', None, None]
    assert table.column("extras.Mixed").to_pylist() == [None, "1", '"one"']
    assert table.column("extras.Config.Empty").to_pylist() == ["{}", None, None]


def test_to_arrow_of_an_empty_list_has_the_same_schema() -> None:
    """An empty JobList gives the fixed columns with the same Arrow types."""
    import pyarrow as pa

    empty = JobList().to_arrow()
    full = _mixed().to_arrow()
    assert empty.num_rows == 0
    assert empty.schema == pa.schema([full.schema.field(name) for name in COLUMNS])


def test_export_of_an_emulator_listing_keeps_every_job(emu_env: Emulator) -> None:
    """A real listing converts to pandas and Arrow with one row per job, in listing order."""
    import pandas as pd
    import pyarrow  # noqa: F401 - the test needs the extra installed

    listing = jobkit.jobs(["sagemaker.processing", "cleanroomsml.trained-model-export"])
    jobs = JobList(listing, stats=listing.stats)
    df = jobs.to_pandas()
    table = jobs.to_arrow()
    assert len(df) == table.num_rows == len(jobs) > 0
    assert [None if pd.isna(v) else v for v in df["id"]] == [j.id for j in jobs]
    assert table.column("name").to_pylist() == [j.name for j in jobs]
    assert "extras.outputConfiguration.members" in df.columns


@pytest.mark.parametrize(
    ("module", "call", "extra"),
    [
        ("pandas", lambda: JobList().to_pandas(), "pandas"),
        ("pyarrow", lambda: JobList().to_arrow(), "arrow"),
        ("tqdm.auto", Progress, "progress"),
    ],
)
def test_missing_optional_dependency_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, module: str, call: object, extra: str
) -> None:
    """Without the optional module, MissingDependencyError (an ImportError) names the extra."""
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(MissingDependencyError) as info:
        call()  # type: ignore[operator]
    assert isinstance(info.value, ImportError)
    assert info.value.extra == extra
    assert f"jobkit[{extra}]" in str(info.value)


# --------------------------------------------------------------------------- HTML


def test_html_escapes_every_text() -> None:
    """Names, ids, raw statuses and extras keys and values are HTML-escaped in both views."""
    evil = "<script>alert('x')</script>"
    job = _job(
        0, name=evil, id=evil, raw_status=evil, account=evil, extras={evil: evil}, problem=evil
    )
    for text in (job_html(job), joblist_html(JobList([job]))):
        assert "<script>" not in text
        assert "&lt;script&gt;" in text


def test_joblist_html_shows_counts_colours_and_stats() -> None:
    """The HTML view has the count per status in its colour, per adapter, and the stats line."""
    stats = Stats()
    stats.add("batch/us-east-1", requests=4, pages=3, retries=2, throttles=1)
    jobs = JobList(_mixed(), stats=stats)
    text = jobs._repr_html_()
    assert "<b>3 jobs</b>" in text
    assert STATUS_COLORS[JobStatus.FAILED] in text
    assert "FAILED 1" in text
    per_adapter = _rows(text, "jobkit-adapter-counts")
    assert [(row[0], row[1]) for row in per_adapter] == [
        ("batch.service", "1"),
        ("sagemaker.processing", "2"),
    ]
    assert "FAILED 1" in per_adapter[0][2] and "RUNNING 1" in per_adapter[1][2]
    assert "4 requests, 3 pages, 2 retries, 1 throttle, 0.00 s waited" in text
    assert "requests" not in JobList(_mixed())._repr_html_()
    assert "<b>1 job</b>" in JobList([_job(0)])._repr_html_()
    assert "<details open><summary>per adapter (2 adapters)</summary>" in text


def test_joblist_html_folds_the_table_of_many_adapters() -> None:
    """Up to OPEN_ADAPTERS adapters show at once; more fold behind their count."""
    few = JobList(_job(i, adapter=f"a{i}") for i in range(OPEN_ADAPTERS))
    many = JobList(_job(i, adapter=f"a{i}") for i in range(OPEN_ADAPTERS + 1))
    assert f"<details open><summary>per adapter ({OPEN_ADAPTERS} adapters)" in few._repr_html_()
    assert f"<details><summary>per adapter ({OPEN_ADAPTERS + 1} adapters)" in many._repr_html_()
    assert len(_rows(many._repr_html_(), "jobkit-adapter-counts")) == OPEN_ADAPTERS + 1


def test_joblist_html_truncates_long_lists() -> None:
    """Only max_rows rows are drawn; the rest are counted."""
    jobs = JobList(_job(i) for i in range(30))
    text = joblist_html(jobs, max_rows=5)
    assert [row[1] for row in _rows(text, "jobkit-jobs")] == [f"job-{i}" for i in range(5)]
    assert "25 more" in text


def test_job_html_shows_fields_and_flattened_extras() -> None:
    """A job's HTML view shows its status badge, UTC times and dotted extras keys."""
    text = job_html(_job(0, extras={"Config": {"S3": {"Bucket": "b0"}}}))
    assert STATUS_COLORS[JobStatus.SUCCEEDED] in text
    assert "2026-01-02 03:04:05" in text
    assert "extras.Config.S3.Bucket" in text
    assert "b0" in text


def test_ipython_shows_jobs_and_stats_as_html() -> None:
    """register() makes IPython's HTML formatter render Job and Stats, which have no repr_html."""
    from IPython.core.formatters import DisplayFormatter

    from jobkit.present.ipython import register

    shell = types.SimpleNamespace(display_formatter=DisplayFormatter())
    assert register(shell)
    job, stats = _job(0), Stats()
    assert not hasattr(job, "_repr_html_") and not hasattr(stats, "_repr_html_")
    assert shell.display_formatter.format(job)[0]["text/html"] == job_html(job)
    assert 'class="jobkit-stats"' in shell.display_formatter.format(stats)[0]["text/html"]
    assert not register()  # no IPython shell runs in this process: nothing to do
    later = types.SimpleNamespace(display_formatter=DisplayFormatter())
    jobkit.notebook.load_ipython_extension(later)  # %load_ext jobkit.notebook
    assert later.display_formatter.format(job)[0]["text/html"] == job_html(job)


# --------------------------------------------------------------------------- progress


def _stats(jobs: int, pages: int, endpoints: int = 1) -> Stats:
    stats = Stats()
    stats.count(streams=endpoints)
    for i in range(endpoints):
        stats.add(f"svc{i}/us-east-1", jobs=jobs, pages=pages, requests=pages)
    return stats


def test_progress_counts_jobs_and_shows_pages_per_endpoint() -> None:
    """update(stats) moves the bar to stats.jobs and puts pages and streams in the postfix."""
    out = io.StringIO()
    bar = Progress(file=out, max_endpoints=2)
    bar.update(_stats(jobs=40, pages=2))
    assert bar.count == 40
    assert bar.postfix == {"pages": "2", "streams": "0/1", "svc0/us-east-1": "2p"}
    stats = _stats(jobs=50, pages=3, endpoints=3)
    stats.add("svc0/us-east-1", retries=2, throttles=1)
    bar.update(stats)
    assert bar.count == 150
    assert bar.postfix["retries"] == "2 (1 throttled)"
    assert bar.postfix["endpoints"] == "+1 more"
    bar.close()
    assert "150job" in out.getvalue()
    assert "pages=9" in out.getvalue()


def test_progress_close_is_idempotent_and_final() -> None:
    """After close(), further updates change nothing and a second close() is harmless."""
    with Progress(file=io.StringIO()) as bar:
        bar.update(_stats(jobs=5, pages=1))
    assert bar.closed
    bar.update(_stats(jobs=99, pages=9))
    bar.close()
    assert bar.count == 5


def test_make_progress_is_silent_by_default() -> None:
    """progress=False/None makes no bar, True makes one, a Progress is used as given."""
    assert make_progress(None) is None
    assert make_progress(False) is None
    made = make_progress(True)
    assert isinstance(made, Progress)
    made.close()
    mine = Progress(file=io.StringIO())
    assert make_progress(mine) is mine
    mine.close()


def test_make_progress_takes_any_reporter_and_rejects_the_rest() -> None:
    """Any object with update() and close() is a reporter; other values are a UsageError."""

    class Reporter:
        def update(self, stats: Stats) -> None: ...
        def close(self) -> None: ...

    mine = Reporter()
    assert make_progress(mine) is mine
    for wrong in ("yes", 1, object()):
        with pytest.raises(UsageError) as info:
            make_progress(wrong)  # type: ignore[arg-type]
        assert "update(stats) and close()" in str(info.value)


# --------------------------------------------------------------------------- event loops


async def test_sync_api_works_inside_a_running_event_loop(emu_env: Emulator) -> None:
    """jobs() (sync) works where a loop already runs, as in a notebook cell."""
    listing = jobkit.jobs("sagemaker.processing")
    jobs = JobList(listing, stats=listing.stats)
    expected = emu_env.data.records("sagemaker", "ListProcessingJobs", "us-east-1")
    assert sorted(j.id or "" for j in jobs) == sorted(r["ProcessingJobArn"] for r in expected)


# --------------------------------------------------------------------------- the notebook

QUICKSTART = ROOT / "examples" / "quickstart.ipynb"
#: A hang guard per cell, not a speed target (the quickstart takes about 15 s on a quiet
#: machine; speed targets live in benchmarks/, never as timed assertions here).
CELL_TIMEOUT_S = 300


@pytest.fixture(scope="module")
def executed_quickstart(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, float]:
    """examples/quickstart.ipynb executed in a python3 kernel of this interpreter, and the
    seconds it took."""
    import nbclient
    import nbformat

    tmp_path = tmp_path_factory.mktemp("quickstart")
    # A python3 kernel spec that runs this interpreter, ahead of any other on the machine.
    spec_dir = tmp_path / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (jobkit tests)",
                "language": "python",
            }
        )
    )
    nb = nbformat.read(QUICKSTART, as_version=4)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(tmp_path))
        # The kernel picks matplotlib's inline backend only when MPLBACKEND is not forced.
        patch.delenv("MPLBACKEND", raising=False)
        client = nbclient.NotebookClient(
            nb,
            kernel_name="python3",
            timeout=CELL_TIMEOUT_S,
            resources={"metadata": {"path": str(tmp_path)}},
        )
        started = time.monotonic()
        client.execute()  # raises CellExecutionError naming the failing cell
    return nb, time.monotonic() - started


def _outputs(nb: Any) -> list[Any]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def test_quickstart_notebook_runs_every_cell_quietly(
    executed_quickstart: tuple[Any, float],
) -> None:
    """The quickstart executes top to bottom with no error and nothing on stderr, and its
    jobs, job and stats show as jobkit's HTML views."""
    nb, _ = executed_quickstart
    outputs = _outputs(nb)
    assert [out for out in outputs if out.output_type == "error"] == []
    assert [out.text for out in outputs if out.get("name") == "stderr"] == []
    html = "".join(
        out["data"]["text/html"] for out in outputs if "text/html" in out.get("data", {})
    )
    views = ("jobkit-joblist", "jobkit-job", "jobkit-stats", "jobkit-adapter-counts")
    for view in (*views, "jobkit-watchboard"):
        assert f'class="{view}"' in html, view
    assert any("image/png" in out.get("data", {}) for out in outputs)


def test_quickstart_preview_mixes_adapters_newest_first(
    executed_quickstart: tuple[Any, float],
) -> None:
    """The first job table of the quickstart shows several adapters, newest first."""
    nb, _ = executed_quickstart
    html = next(
        out["data"]["text/html"]
        for out in _outputs(nb)
        if 'class="jobkit-joblist"' in out.get("data", {}).get("text/html", "")
    )
    rows = _rows(html, "jobkit-jobs")
    assert len(rows) == 20
    assert len({row[0] for row in rows}) >= 3
    created = [row[4] for row in rows]
    assert created == sorted(created, reverse=True)


def test_quickstart_schema_summary_is_short(executed_quickstart: tuple[Any, float]) -> None:
    """The Arrow cell prints the fixed columns and a count of extras columns, not the schema."""
    nb, _ = executed_quickstart
    printed = [out.text for out in _outputs(nb) if out.get("name") == "stdout"]
    schema = next(text for text in printed if "extras.* columns" in text)
    assert len(schema.splitlines()) == 1 + len(COLUMNS)
    assert "status      dictionary<values=string, indices=int8" in schema


def test_quickstart_renders_to_html_without_errors(executed_quickstart: tuple[Any, float]) -> None:
    """nbconvert renders the executed quickstart to HTML with the job table, the plot, and no
    error or stderr block."""
    import nbformat
    from nbconvert import HTMLExporter

    nb, _ = executed_quickstart
    page, _ = HTMLExporter().from_notebook_node(nb)
    body = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S)
    assert 'class="jobkit-joblist"' in body
    assert 'src="data:image/png;base64,' in body
    stderr = 'data-mime-type="application/vnd.jupyter.stderr"'
    assert stderr not in body
    assert "Traceback" not in body and "Error" not in body
    # nbconvert marks a stderr stream and an error output alike, so the check above can fail.
    for output in (
        nbformat.v4.new_output("stream", name="stderr", text="a warning\n"),
        nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="", traceback=["x"]),
    ):
        control = nbformat.v4.new_notebook()
        control.cells.append(nbformat.v4.new_code_cell("1/0", outputs=[output]))
        assert stderr in HTMLExporter().from_notebook_node(control)[0]


def _named_packages(nb: Any) -> set[str]:
    intro = "".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    found = re.search(r"Install every package this notebook uses \(([^)]*)\)", intro)
    assert found, "the install line is missing"
    return {name.strip() for name in re.split(r",|\band\b", found.group(1)) if name.strip()}


def _extra(name: str, extras: dict[str, list[str]]) -> set[str]:
    packages: set[str] = set()
    for requirement in extras[name]:
        project = re.match(r"[A-Za-z0-9_.-]+", requirement)
        assert project
        if project.group(0) == "jobkit":
            for inner in re.search(r"\[(.*)\]", requirement).group(1).split(","):  # type: ignore[union-attr]
                packages |= _extra(inner.strip(), extras)
        else:
            packages.add(project.group(0))
    return packages


def test_quickstart_install_line_names_every_package_it_uses() -> None:
    """The install line names jobkit, every package the notebook imports and every package of
    the jobkit[notebook] extra it installs, and nothing else."""
    import ast
    import tomllib

    import nbformat

    nb = nbformat.read(QUICKSTART, as_version=4)
    imported: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            tree = compile(
                cell.source, "cell", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
            )
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    imported |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module:
                    imported.add(node.module.split(".")[0])
    third_party = imported - sys.stdlib_module_names
    assert third_party == {"jobkit", "matplotlib"}
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert "pip install 'jobkit[notebook]'" in "".join(c.source for c in nb.cells)
    assert _named_packages(nb) == {"jobkit"} | third_party | _extra("notebook", extras)
