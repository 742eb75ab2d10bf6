"""Plans and work units: cutting a listing into units, sharding them, running one unit."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import json
import pickle
from collections.abc import Iterator

import boto3
import pytest
from emulator_env import use_emulator

import jobkit
from jobkit.accounts import Account
from jobkit.core.units import (
    UNIT_FORMAT,
    CredentialSource,
    check_shard,
    parse_shard,
    shard_index,
)
from jobkit.errors import UnitFormatError, UsageError
from jobkit.planning import Plan, WorkUnit
from jobkit.testing import REFERENCE_NOW, Emulator

ADAPTERS = ["sagemaker.processing", "sagemaker.training"]


def role(account: str, name: str = "Reader") -> CredentialSource:
    return CredentialSource(role_arn=f"arn:aws:iam::{account}:role/{name}")


@pytest.fixture(scope="module")
def org() -> Iterator[Emulator]:
    """An emulated organization of 100 accounts with a few jobs each."""
    sizes = {"ListProcessingJobs": 7, "ListTrainingJobs": 5}
    with Emulator(accounts=100, seed=3, sizes=sizes, now=REFERENCE_NOW) as emu:
        yield emu


@pytest.fixture
def org_env(org: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The organization's emulator, with every client pointed at it."""
    use_emulator(monkeypatch, org)
    return org


def _row(job: jobkit.Job) -> tuple[object, ...]:
    return (job.account, job.adapter, job.region, job.id, job.status, job.created)


# ------------------------------------------------------------------ sharding, without I/O


def test_union_of_shards_is_the_single_process_listing_exactly_once(org_env: Emulator) -> None:
    """For n in 1..5 the shards' units, listed by workers, give every job of the single-process
    listing exactly once (100 emulated accounts, each unit listed as its role)."""
    accounts = org_env.organization.account_ids
    adapter = "sagemaker.processing"
    plan = jobkit.plan(adapter, regions=["us-east-1"], accounts=[role(a) for a in accounts])
    assert len(plan) == len(accounts)
    sessions = [
        boto3.Session(
            **org_env.issue_credentials(account=a).session_kwargs(), region_name="us-east-1"
        )
        for a in accounts
    ]
    single = collections.Counter(
        map(_row, jobkit.jobs(adapter, regions=["us-east-1"], session=sessions))
    )
    assert len({row[0] for row in single}) == len(accounts)
    listed: dict[str, list[tuple[object, ...]]] = {}  # each unit is listed once, then reused

    def rows(unit: WorkUnit) -> list[tuple[object, ...]]:
        if unit.key not in listed:
            listed[unit.key] = [_row(job) for job in unit.jobs()]
        return listed[unit.key]

    for n in range(1, 6):
        union: collections.Counter[tuple[object, ...]] = collections.Counter()
        for k in range(n):
            for unit in plan.shard(k, n):
                union.update(rows(unit))
        assert union == single, n
    assert len(listed) == len(plan)


def test_shards_partition_the_units_and_keep_an_account_whole() -> None:
    """Every unit lands in exactly one shard, and all units of an account in the same one."""
    plan = jobkit.plan(
        ADAPTERS,
        regions=["us-east-1", "eu-west-1"],
        accounts=[role(f"{i:012d}") for i in range(1, 101)],
    )
    for n in range(1, 6):
        shards = [plan.shard(k, n) for k in range(n)]
        assert sorted(u.key for s in shards for u in s) == sorted(u.key for u in plan)
        for shard in shards:
            for label, _ in shard.accounts:
                assert all(u in shard.units for u in plan if u.account == label)


def test_adding_accounts_moves_no_other_unit() -> None:
    """The shard of a unit does not change when unrelated accounts are added."""
    small = [role(f"{i:012d}") for i in range(1, 61)]
    large = small + [role(f"{i:012d}") for i in range(500, 540)]
    before = jobkit.plan(ADAPTERS, regions=["us-east-1"], accounts=small)
    after = jobkit.plan(ADAPTERS, regions=["us-east-1"], accounts=large)
    for n in range(1, 6):
        where = {u.key: k for k in range(n) for u in after.shard(k, n)}
        for k in range(n):
            assert all(where[u.key] == k for u in before.shard(k, n))


def test_shards_are_balanced_enough() -> None:
    """100 accounts over 4 shards: each shard holds between 10 and 40 of them."""
    keys = [role(f"{i:012d}").key for i in range(1, 101)]
    counts = collections.Counter(shard_index(key, 4) for key in keys)
    assert sorted(counts) == [0, 1, 2, 3]
    assert all(10 <= c <= 40 for c in counts.values()), counts


def test_shard_by_account_region_spreads_one_account() -> None:
    """by="account-region" spreads one account's regions over workers; by account it cannot."""
    plan = jobkit.plan(
        "sagemaker.processing",
        regions=["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"],
    )
    by_account = [len(plan.shard(k, 3)) for k in range(3)]
    assert sorted(by_account) == [0, 0, 5]
    spread = [len(plan.shard(k, 3, by="account-region")) for k in range(3)]
    assert sum(spread) == 5 and max(spread) < 5


@pytest.mark.parametrize(
    ("k", "n", "words"),
    [(0, 0, "positive"), (0, -1, "positive"), (2, 2, "outside 0..1"), (-1, 3, "outside 0..2")],
)
def test_bad_shard_is_a_usage_error_with_a_hint(k: int, n: int, words: str) -> None:
    """shard(k, n) with n < 1 or k outside 0..n-1 raises UsageError with a hint."""
    with pytest.raises(UsageError, match=words) as info:
        Plan(()).shard(k, n)
    assert info.value.hint


@pytest.mark.parametrize("text", ["3/2", "2/2", "1", "a/b", "1/0", "-1/4"])
def test_bad_shard_text_is_a_usage_error(text: str) -> None:
    """--shard text that is not k/n with 0 <= k < n raises UsageError with a hint."""
    with pytest.raises(UsageError) as info:
        parse_shard(text)
    assert info.value.hint
    assert parse_shard("1/4") == (1, 4) == check_shard(1, 4)


# ------------------------------------------------------------------ units and their form


def test_unit_round_trips_through_json_and_pickle() -> None:
    """A unit is equal to itself read back from its JSON line and from a pickle."""
    via = CredentialSource(profile="hub")
    source = CredentialSource(
        role_arn="arn:aws:iam::111122223333:role/Reader",
        external_id="x-1",
        session_name="jobkit-w1",
        via=CredentialSource(role_arn="arn:aws:iam::444455556666:role/Hop", via=via),
    )
    unit = WorkUnit(
        adapter="batch.jobs",
        region="eu-west-1",
        account="111122223333",
        source=source,
        options={"params": {"jobQueue": ["a", "b"]}, "status": ["FAILED"], "errors": "raise"},
    )
    line = unit.dumps()
    assert "\n" not in line and json.loads(line)["format"] == UNIT_FORMAT
    assert WorkUnit.from_json(line) == unit == pickle.loads(pickle.dumps(unit))
    assert hash(unit) == hash(WorkUnit.from_json(unit.to_json()))
    assert source.account_id == "111122223333" and source.kind == "role"


def test_unit_from_a_newer_jobkit_is_refused_with_a_hint() -> None:
    """A unit whose format is newer than this jobkit's raises UnitFormatError (a UsageError)."""
    data = WorkUnit(adapter="batch.jobs", region="us-east-1").to_json()
    data["format"] = UNIT_FORMAT + 1
    with pytest.raises(UnitFormatError, match="format 2") as info:
        WorkUnit.from_json(data)
    assert "upgrade jobkit" in str(info.value.hint)
    assert isinstance(info.value, UsageError)


@pytest.mark.parametrize(
    "text",
    ['{"adapter": "batch.jobs"}', "not json", '{"format": 1, "region": "us-east-1"}', "[1]"],
)
def test_what_is_not_a_unit_is_refused(text: str) -> None:
    """Text that is not a unit's JSON raises UnitFormatError with a hint."""
    with pytest.raises(UnitFormatError) as info:
        WorkUnit.from_json(text)
    assert info.value.hint


def test_unknown_source_key_is_refused() -> None:
    """A credential source with a key this jobkit does not know is refused, not ignored."""
    data = WorkUnit(adapter="batch.jobs", region="us-east-1").to_json()
    data["source"] = {"web_identity_token_file": "/t"}
    with pytest.raises(UnitFormatError, match="web_identity_token_file"):
        WorkUnit.from_json(data)


def test_a_source_is_a_profile_a_role_or_the_default_chain() -> None:
    """Accounts become sources: a profile, the default chain; a bare session is refused."""
    from jobkit.planning import source_of

    assert source_of(Account("a", "prod")).to_json() == {"profile": "prod"}
    assert source_of(Account(None)).to_json() == {}
    with pytest.raises(UsageError, match="cannot be sent"):
        source_of(
            Account("s", session=boto3.Session(aws_access_key_id="k", aws_secret_access_key="s"))
        )
    with pytest.raises(UsageError):
        CredentialSource(profile="p", role_arn="arn:aws:iam::111122223333:role/r")
    with pytest.raises(UsageError):
        CredentialSource(external_id="x")


def test_no_credentials_in_a_unit(org_env: Emulator) -> None:
    """A plan's units hold sources only: no key, secret or token of the environment."""
    plan = jobkit.plan(ADAPTERS, regions=["us-east-1"], accounts=[role("123456789012")])
    text = plan.to_jsonl() + repr(pickle.dumps(plan.units))
    assert "testing" not in text.replace("jobkit", "")
    assert Plan.from_jsonl(plan.to_jsonl()) == Plan(plan.units)


# ------------------------------------------------------------------ plan()


def test_plan_sends_no_request(org_env: Emulator) -> None:
    """Planning lists no job: the emulator sees no request at all."""
    org_env.clear_requests()
    plan = jobkit.plan(
        ["batch.jobs", *ADAPTERS],
        regions=["us-east-1", "eu-west-1"],
        accounts=[role(a) for a in org_env.organization.account_ids[:10]],
        status="failed",
    )
    assert len(plan) == 3 * 2 * 10
    assert org_env.requests == []


def test_plan_fixes_a_relative_window_for_every_unit() -> None:
    """since="7d" becomes one absolute instant carried by every unit."""
    before = dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
    plan = jobkit.plan(ADAPTERS, regions=["us-east-1", "eu-west-1"], since="7d")
    instants = {unit.options["since"] for unit in plan}
    assert len(instants) == 1
    (instant,) = instants
    assert abs(dt.datetime.fromisoformat(instant) - before) < dt.timedelta(minutes=1)


@pytest.mark.parametrize("name", ["limit", "order"])
def test_plan_refuses_what_units_cannot_carry(name: str) -> None:
    """limit= and order= need one process: plan() raises UsageError with a hint."""
    value = 5 if name == "limit" else "created-desc"
    with pytest.raises(UsageError, match=name) as info:
        jobkit.plan(ADAPTERS, regions=["us-east-1"], **{name: value})  # type: ignore[arg-type]
    assert info.value.hint


def test_plan_with_profiles_labels_units_like_jobs(aws_profiles: tuple[str, ...]) -> None:
    """profiles= gives one unit per profile, adapter and region, labelled by the profile."""
    plan = jobkit.plan(ADAPTERS, regions=["us-east-1"], profiles=list(aws_profiles))
    assert {(u.account, u.source.profile) for u in plan} == {(p, p) for p in aws_profiles}
    assert len(plan) == len(aws_profiles) * len(ADAPTERS)


def test_regions_all_reports_what_is_not_offered() -> None:
    """A region the service is not offered in is in plan.skipped, not silently missing."""
    plan = jobkit.plan("sagemaker.processing", regions=["us-east-1", "eu-west-1"])
    assert plan.skipped == ()
    plan = jobkit.plan("comprehendmedical.snomedct", regions=["us-east-1", "sa-east-1"])
    assert [(s.region, s.reason) for s in plan.skipped] == [("sa-east-1", "not-offered")]
    assert [u.region for u in plan] == ["us-east-1"]


# ------------------------------------------------------------------ running one unit


def test_unit_lists_its_account_sync_async_and_arrow(org_env: Emulator) -> None:
    """A role unit lists that account's jobs (as its ARNs say) alike in jobs(), ajobs() and
    to_arrow(), matching the emulator's ground truth for the account."""
    account = org_env.organization.account_ids[7]
    (unit, _) = jobkit.plan(ADAPTERS, regions=["us-east-1"], accounts=[role(account)])
    expected = org_env.data_for(account).records("sagemaker", "ListProcessingJobs", "us-east-1")
    synced = sorted(map(_row, unit.jobs()))

    async def collect() -> list[tuple[object, ...]]:
        return sorted([_row(job) async for job in unit.ajobs()])

    assert synced == asyncio.run(collect())
    assert len(synced) == len(expected) and {row[0] for row in synced} == {account}
    table = unit.to_arrow()
    assert table.num_rows == len(synced)
    assert set(table.column("account").to_pylist()) == {account}


def test_a_denied_role_follows_the_errors_policy(org_env: Emulator) -> None:
    """A role the account refuses fails the unit under errors="raise" with a typed error."""
    account = org_env.organization.account_ids[5]
    org_env.deny(service="sts", operation="AssumeRole", account=account)
    try:
        (unit,) = jobkit.plan(
            "sagemaker.processing",
            regions=["us-east-1"],
            accounts=[role(account, "NotYetAssumed")],
            errors="raise",
        )
        with pytest.raises(jobkit.JobkitError):
            list(unit.jobs())
    finally:
        org_env.allow()


def test_an_organization_becomes_role_sources(org_env: Emulator) -> None:
    """accounts=jobkit.Organization(...) is discovered while planning: the caller's own
    account keeps the default chain, every other one is a role source with the
    organization's role; a unit of a member lists that account's jobs."""
    org = jobkit.Organization(role_name="JobReader")
    plan = jobkit.plan("sagemaker.processing", regions=["us-east-1"], accounts=org)
    own, *members = org_env.organization.account_ids
    assert sorted(u.account for u in plan) == sorted([own, *members])  # type: ignore[type-var]
    by_label = {u.account: u.source for u in plan}
    assert by_label[own].kind == "default"
    assert {by_label[m].role_arn for m in members} == {
        f"arn:aws:iam::{m}:role/JobReader" for m in members
    }
    unit = next(u for u in plan if u.account == members[3])
    assert {job.account for job in unit.jobs()} == {members[3]}


def test_role_accounts_and_sources_round_trip() -> None:
    """An Account with a role (and a role chain) becomes a source and back, unchanged."""
    from jobkit.planning import source_account, source_of

    hub = Account(None, role_arn="arn:aws:iam::111122223333:role/Hub", account_id="111122223333")
    account = Account(
        "444455556666",
        role_arn="arn:aws:iam::444455556666:role/Reader",
        external_id="x",
        session_name="w1",
        via=hub,
        account_id="444455556666",
    )
    source = source_of(account)
    assert source.to_json() == {
        "role_arn": "arn:aws:iam::444455556666:role/Reader",
        "external_id": "x",
        "session_name": "w1",
        "via": {"role_arn": "arn:aws:iam::111122223333:role/Hub"},
    }
    assert source_account("444455556666", source) == account
