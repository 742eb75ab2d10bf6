"""jobkit.dask: a plan's units as a Dask DataFrame, on the local scheduler and on a cluster."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import boto3
import dask
import pandas as pd
import pytest
from emulator_env import use_emulator

import jobkit
from jobkit.core.units import CredentialSource
from jobkit.dask import PROBLEM_COLUMNS, read, read_jobs
from jobkit.errors import AccessDeniedError, UsageError
from jobkit.present.records import COLUMNS
from jobkit.testing import REFERENCE_NOW, Emulator

ADAPTERS = ["sagemaker.processing", "batch.jobs"]
REGIONS = ["us-east-1", "eu-west-1"]
KEY = ["account", "adapter", "region", "id"]


def role(account: str) -> CredentialSource:
    return CredentialSource(role_arn=f"arn:aws:iam::{account}:role/Reader")


@pytest.fixture(scope="module")
def org() -> Iterator[Emulator]:
    """An emulated organization of 6 accounts."""
    sizes = {"ListProcessingJobs": 40, "ListJobs": 12}
    with Emulator(accounts=6, seed=5, sizes=sizes, now=REFERENCE_NOW) as emu:
        yield emu


@pytest.fixture
def org_env(org: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The organization's emulator, with every client (and every worker process) at it."""
    use_emulator(monkeypatch, org)
    return org


def single_process(emu: Emulator) -> pd.DataFrame:
    """The reference: one jobs() listing over every account (issued keys, not roles)."""
    sessions = [
        boto3.Session(**emu.issue_credentials(account=a).session_kwargs(), region_name="us-east-1")
        for a in emu.organization.account_ids
    ]
    frame = jobkit.jobs(ADAPTERS, regions=REGIONS, session=sessions).collect().to_pandas()
    return frame.sort_values(KEY).reset_index(drop=True)


def check_same(frame: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same rows and dtypes on to_pandas()'s columns; the frame's other columns are empty."""
    assert list(frame.columns[: len(COLUMNS)]) == list(COLUMNS)
    assert set(expected.columns) <= set(frame.columns)
    ordered = frame.sort_values(KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(ordered[list(expected.columns)], expected)
    others = [c for c in frame.columns if c not in expected.columns]
    assert all(frame[c].isna().all() for c in others)


def test_local_cluster_with_two_worker_processes_reads_the_organization(
    org_env: Emulator,
) -> None:
    """A LocalCluster of 2 worker processes reads every account of the organization (roles
    assumed by the workers) and returns the rows of jobs(...).collect().to_pandas()."""
    from distributed import Client, LocalCluster

    accounts = [role(a) for a in org_env.organization.account_ids]
    plan = jobkit.plan(ADAPTERS, regions=REGIONS, accounts=accounts)
    reading = read(plan=plan, partition_size=2)
    graph = pickle.dumps(dict(reading.jobs.dask))
    assert b"ASIA" not in graph and b"SecretAccessKey" not in graph
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=2,
            processes=True,
            # Loopback and a free port: with None the scheduler's HTTP server still takes
            # :8787 on every interface, and fails (leaking a socket) when 8787 is taken.
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            env=org_env.env(),
        ) as cluster,
        Client(cluster) as client,
    ):
        frame, problems = dask.compute(reading.jobs, reading.problems)
        pids = set(client.run(lambda: __import__("os").getpid()).values())
    assert len(pids) == 2
    assert len(problems) == 0
    assert reading.jobs.npartitions == len(plan.groups(2))
    check_same(frame, single_process(org_env))


def test_local_scheduler_by_default(org_env: Emulator) -> None:
    """Without a client, read_jobs() runs on Dask's local scheduler, with the same rows."""
    accounts = [role(a) for a in org_env.organization.account_ids]
    frame = read_jobs(ADAPTERS, regions=REGIONS, accounts=accounts).compute()
    check_same(frame, single_process(org_env))
    empty = jobkit.jobs(ADAPTERS, regions=["us-east-1"], name_contains="none-such")
    assert (frame.dtypes[list(COLUMNS)] == empty.collect().to_pandas().dtypes).all()


def test_unavailable_streams_are_reported_not_dropped(org_env: Emulator) -> None:
    """Under errors="skip" a denied region is a row of read().problems, with its reason."""
    account = org_env.organization.account_ids[2]
    org_env.deny(region="eu-west-1", account=account, service="sagemaker")
    try:
        reading = read("sagemaker.processing", regions=REGIONS, accounts=[role(account)])
        with pytest.warns(jobkit.JobkitWarning, match="1 access-denied"):
            # The local scheduler runs the unit in this process: its listing warns here too.
            frame, problems = dask.compute(reading.jobs, reading.problems)
    finally:
        org_env.allow()
    assert list(problems.columns) == list(PROBLEM_COLUMNS)
    assert [(r.kind, r.region, r.reason) for r in problems.itertuples()] == [
        ("skipped", "eu-west-1", "access-denied")
    ]
    assert set(frame["region"]) == {"us-east-1"}


def test_a_failed_unit_fails_the_computation_under_raise(org_env: Emulator) -> None:
    """Under errors="raise" a denied unit fails compute() with its typed error."""
    account = org_env.organization.account_ids[3]
    org_env.deny(service="sagemaker", account=account)
    try:
        frame = read_jobs(
            "sagemaker.processing", regions=["us-east-1"], accounts=[role(account)], errors="raise"
        )
        with pytest.raises(AccessDeniedError):
            frame.compute()
    finally:
        org_env.allow()


@pytest.mark.parametrize("mode", ["warn", "collect"])
def test_read_jobs_refuses_modes_it_could_only_drop(mode: str) -> None:
    """read_jobs(errors="collect"/"warn") is a UsageError pointing at read()."""
    with pytest.raises(UsageError, match=mode) as info:
        read_jobs("sagemaker.processing", regions=["us-east-1"], errors=mode)  # type: ignore[arg-type]
    assert "read(" in str(info.value.hint)


def test_read_jobs_without_the_extra_names_it() -> None:
    """Without dask installed, read_jobs() raises MissingDependencyError naming jobkit[dask]."""
    code = textwrap.dedent(
        """
        import sys
        sys.modules["dask"] = None  # as if the extra were not installed
        from jobkit.dask import read_jobs
        from jobkit.errors import MissingDependencyError
        try:
            read_jobs("sagemaker.processing", regions=["us-east-1"])
        except MissingDependencyError as error:
            print(error.hint)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "jobkit[dask]" in done.stdout


def test_units_of_one_role_share_a_session_within_an_event_loop(org_env: Emulator) -> None:
    """In one event loop (a partition) the units of one role share one aiobotocore session
    (a new one costs ~5 ms of CPU), which another loop does not reuse; both list the same."""
    import asyncio

    from jobkit.planning import _aio_account

    account = org_env.organization.account_ids[1]
    plan = jobkit.plan("sagemaker.processing", regions=REGIONS, accounts=[role(account)])

    async def one_loop() -> tuple[set[int], list[int]]:
        sessions = {id(_aio_account(u.account, u.source).session) for u in plan.units}
        counts = []
        for unit in plan.units:
            async with unit.ajobs() as listing:
                counts.append(len([job async for job in listing]))
        return sessions, counts

    sessions_a, counts_a = asyncio.run(one_loop())
    sessions_b, counts_b = asyncio.run(one_loop())
    assert len(sessions_a) == 1 and len(sessions_b) == 1 and sessions_a != sessions_b
    assert counts_a == counts_b and sum(counts_a) > 0
