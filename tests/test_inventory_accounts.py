"""jobkit.sync takes the accounts jobs() takes (an Organization, account ids with a role,
sessions), and lists every stream of a sync in one listing at the request floor."""

from __future__ import annotations

import collections
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from emulator_env import use_emulator
from inventory_helpers import identity

import jobkit
from jobkit.errors import UsageError
from jobkit.incremental import inventory, sync
from jobkit.testing import REFERENCE_NOW, Emulator, JobChanges
from tests.groundtruth import GROUND_TRUTH_ADAPTERS, expected_raw

ROLE = "OrganizationAccountAccessRole"
ORG_ADAPTERS = ["sagemaker.processing", "batch.service"]


@pytest.fixture
def org(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """A fresh organization of 4 accounts with a few jobs each, its environment set."""
    sizes = {"ListProcessingJobs": 12, "ListServiceJobs": 8}
    with Emulator(accounts=4, now=REFERENCE_NOW, sizes=sizes) as emu:
        use_emulator(monkeypatch, emu)
        jobkit.clear_session_cache()
        yield emu
    jobkit.clear_session_cache()


def _expected(emu: Emulator, accounts: list[str]) -> set[str]:
    """The job keys sync must store for ``accounts``: adapter|account id|region|identity."""
    return {
        f"{adapter}|{account}|us-east-1|{identity(adapter, record)}"
        for account in accounts
        for adapter in ORG_ADAPTERS
        for record in expected_raw(emu, adapter, "us-east-1", account=account)
    }


def _stored(target: Path) -> tuple[set[str], set[str]]:
    jobs = inventory(target).to_pandas()
    state = inventory(target).to_pandas("sync_state")
    return set(jobs["job_key"]), {str(a) for a in state["account"]}


def test_sync_an_organization(org: Emulator, tmp_path: Path) -> None:
    """sync(accounts=Organization(...)) stores every member's jobs, keyed and streamed by
    the resolved account id; a re-sync reads them again in one listing."""
    target = tmp_path / "org.duckdb"
    accounts = list(org.organization.account_ids)
    report = sync(
        target, ORG_ADAPTERS, regions="us-east-1", accounts=jobkit.Organization(role_name=ROLE)
    )
    keys, owners = _stored(target)
    assert keys == _expected(org, accounts)
    assert owners == set(accounts)
    assert {s.account for s in report.streams} == set(accounts)
    again = sync(
        target, ORG_ADAPTERS, regions="us-east-1", accounts=jobkit.Organization(role_name=ROLE)
    )
    assert again.listings == 1 and again.new == 0
    assert _stored(target)[0] == keys


def test_sync_account_ids_with_a_role(org: Emulator, tmp_path: Path) -> None:
    """accounts=[ids], role_name= syncs exactly those accounts, a single one keyed by its id
    too (not by an empty label)."""
    members = list(org.organization.account_ids[1:3])
    target = tmp_path / "ids.duckdb"
    sync(target, ORG_ADAPTERS, regions="us-east-1", accounts=members, role_name=ROLE)
    assert _stored(target) == (_expected(org, members), set(members))
    one = tmp_path / "one.duckdb"
    report = sync(one, ORG_ADAPTERS, regions="us-east-1", accounts=members[:1], role_name=ROLE)
    assert {s.account for s in report.streams} == {members[0]}
    assert all(s.stream.split("|")[2] == members[0] for s in report.streams)


def test_sync_bad_accounts_change_nothing(org: Emulator, tmp_path: Path) -> None:
    """Bad account arguments are the UsageErrors of jobs(), raised before the store exists."""
    target = tmp_path / "bad.duckdb"
    with pytest.raises(UsageError, match="role_name"):
        sync(target, ORG_ADAPTERS, regions="us-east-1", accounts=["123456789012"])
    with pytest.raises(UsageError, match="accounts="):
        sync(target, ORG_ADAPTERS, accounts=["123456789012"], role_name=ROLE, profiles=["a"])
    assert not target.exists()


def test_cli_sync_org_role(
    org: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`jobkit sync --org-role R --exclude-account X` syncs every other account; --ou
    without --org-role is a usage error (the options of `jobkit ls`)."""
    from jobkit.cli import main

    excluded = org.organization.account_ids[1]
    target = tmp_path / "cli.duckdb"
    args = ["sync", str(target), "--region", "us-east-1", "--format", "json"]
    args += [f"--adapter={a}" for a in ORG_ADAPTERS]
    code = main([*args, "--org-role", ROLE, "--exclude-account", excluded])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert json.loads(captured.out)["streams"]
    rest = [a for a in org.organization.account_ids if a != excluded]
    assert _stored(target) == (_expected(org, rest), set(rest))
    assert main(["sync", str(tmp_path / "x.duckdb"), "--ou", "ou-abcd-12345678"]) == 2


# --------------------------------------------------------------------------- one listing

#: Default scopes (3 work teams, 2 queues, 2 collaborations x 2 models), small job sets:
#: every read of a re-sync fits in one page.
FLOOR_SIZES = {
    "ListProcessingJobs": 30,
    "ListLabelingJobsForWorkteam": 20,
    "ListSNOMEDCTInferenceJobs": 30,
    "ListServiceJobs": 20,
    "ListCollaborationTrainedModelExportJobs": 10,
    "ListTrainingJobs": 30,
}
FLOOR_ADAPTERS = [*GROUND_TRUTH_ADAPTERS, "sagemaker.training"]
#: One request per stream and scope: processing, 3 work teams, SNOMED CT, 2 queues,
#: training; plus Clean Rooms ML listed whole, one page per trained model (4).
FLOOR = 1 + 3 + 1 + 2 + 1 + 4


class CountingSession(boto3.Session):
    """A boto3 session that counts the clients made from it, per (service, region)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.made: collections.Counter[tuple[str, str | None]] = collections.Counter()

    def client(self, service_name: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        self.made[(service_name, kwargs.get("region_name"))] += 1
        return super().client(service_name, *args, **kwargs)


def test_resync_is_one_listing_at_the_request_floor(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A re-sync after some jobs changed sends at most one request per stream and scope plus
    the pages of the streams listed whole, and runs every stream in one listing: one client
    per service and region (three SageMaker adapters share one), not one per stream."""
    with Emulator(seed=9, sizes=FLOOR_SIZES) as emu:
        use_emulator(monkeypatch, emu)
        changes = JobChanges(emu, hold_back=2, seed=4)
        changes.settle(5)
        target = tmp_path / "floor.duckdb"
        sync(target, FLOOR_ADAPTERS, regions="us-east-1")
        changes.change(2)
        changes.appear(1)
        session = CountingSession(region_name="us-east-1")
        emu.clear_requests()
        again = sync(target, FLOOR_ADAPTERS, regions="us-east-1", session=session)
        assert again.new > 0 and again.listings == 1
        assert len(emu.requests) == again.requests <= FLOOR, [s.requests for s in again.streams]
        assert set(session.made.values()) == {1}, session.made
        assert session.made[("sagemaker", "us-east-1")] == 1
