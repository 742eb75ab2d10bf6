"""A whole organization in one call: accounts discovered, roles assumed, denials isolated."""

from __future__ import annotations

import collections
import time
import warnings
from collections.abc import Iterator

import pytest
from emulator_env import use_emulator

import jobkit
from jobkit.drivers.aio import SharedTLSSession
from jobkit.errors import AccessDeniedError, UsageError
from jobkit.testing import REFERENCE_NOW, Emulator
from tests.drivers import Driver
from tests.groundtruth import GROUND_TRUTH_ADAPTERS, expected_raw, same_jobs

ADAPTERS = list(GROUND_TRUTH_ADAPTERS)
ROLE = "OrganizationAccountAccessRole"


#: Small accounts: the organization tests are about accounts, not volume (paging is tested
#: elsewhere); a tenth of the default jobs per operation keeps 50 accounts quick.
SIZES = {
    "ListProcessingJobs": 25,
    "ListLabelingJobsForWorkteam": 12,
    "ListSNOMEDCTInferenceJobs": 30,
    "ListServiceJobs": 20,
    "ListCollaborationTrainedModelExportJobs": 6,
}


@pytest.fixture(scope="module")
def org_emulator() -> Iterator[Emulator]:
    """An emulator serving an organization of 50 accounts (management + 49 members)."""
    with Emulator(accounts=50, now=REFERENCE_NOW, sizes=SIZES) as emu:
        yield emu


@pytest.fixture
def org(org_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """The organization emulator's environment for one test; denials undone after it."""
    use_emulator(monkeypatch, org_emulator)
    jobkit.clear_session_cache()
    try:
        yield org_emulator
    finally:
        org_emulator.allow()
        jobkit.clear_session_cache()


def _by_account(jobs: list[jobkit.Job]) -> dict[str | None, list[jobkit.Job]]:
    out: dict[str | None, list[jobkit.Job]] = collections.defaultdict(list)
    for job in jobs:
        out[job.account].append(job)
    return out


async def test_fifty_accounts_two_regions_exact(org: Emulator, driver: Driver) -> None:
    """50 accounts x 2 regions x the five original adapters equal each account's ground
    truth; every job carries its account id; one AssumeRole per member account."""
    org.clear_requests()
    regions = ["us-east-1", "eu-west-1"]
    got, it = await driver.collect(
        ADAPTERS, regions=regions, accounts=jobkit.Organization(role_name=ROLE)
    )
    by_account = _by_account(got)
    accounts = org.organization.account_ids
    assert set(by_account) == set(accounts)
    for account in accounts:
        for adapter in ADAPTERS:
            for region in regions:
                same_jobs(
                    [
                        j.raw
                        for j in by_account[account]
                        if j.adapter == adapter and j.region == region
                    ],
                    expected_raw(org, adapter, region, account=account),
                )
    assumed = [r for r in org.requests if r.operation == "AssumeRole"]
    assert len(assumed) == len(accounts) - 1  # the management account uses the caller's keys
    assert not it.skipped and not it.failures


async def test_accounts_are_listed_one_after_another(org: Emulator, driver: Driver) -> None:
    """An organization is listed account after account, not every account's discovery
    first: at no point of the emulator's log are more accounts under way (between their
    first and last request) than calls may be in flight, so clients stay bounded."""
    org.clear_requests()
    adapters = ["sagemaker.labeling-workteam", "cleanroomsml.trained-model-export"]
    got, _ = await driver.collect(
        adapters,
        regions=["us-east-1"],
        accounts=jobkit.Organization(role_name=ROLE),
        max_concurrency=6,
    )
    spans: dict[str, list[int]] = {}
    for index, record in enumerate(org.requests):
        if record.service in ("sagemaker", "cleanroomsml"):
            spans.setdefault(record.account, [index, index])[1] = index
    assert len(spans) == len(org.organization.account_ids) == len(_by_account(got))
    under_way = max(
        sum(1 for first, last in spans.values() if first <= index <= last)
        for index in range(len(org.requests))
    )
    assert under_way <= 6, under_way


async def test_async_clients_share_one_tls_context(org: Emulator) -> None:
    """An async organization listing builds one TLS context for all its clients (aiobotocore
    would load the CA bundle once per client, about 18 ms of CPU each); fails if aiobotocore
    stops asking jobkit's HTTP session for it (none built) or sharing breaks (more than one)."""
    SharedTLSSession._contexts.clear()
    before = SharedTLSSession.built
    listing = jobkit.ajobs(
        ["sagemaker.processing", "comprehendmedical.snomedct"],
        regions=["us-east-1", "eu-west-1"],
        accounts=jobkit.Organization(role_name=ROLE, include=org.organization.account_ids[:5]),
    )
    got = [job async for job in listing]
    assert {job.account for job in got} == set(org.organization.account_ids[:5])
    assert SharedTLSSession.built - before == 1


async def test_role_chain_assumes_the_hub_role_once(org: Emulator, driver: Driver) -> None:
    """With role_chain=, the hub role is assumed once per listing and every member's role
    from it (not the hub once per member); every member's jobs are listed."""
    org.clear_requests()
    members = org.organization.account_ids[:6]
    hub = f"arn:aws:iam::{org.organization.account_ids[0]}:role/Hub"
    got, _ = await driver.collect(
        ["sagemaker.processing"],
        regions=["us-east-1"],
        accounts=jobkit.Organization(role_name=ROLE, role_chain=[hub], include=members),
    )
    assert set(_by_account(got)) == set(members)
    assumed = [r.params["RoleArn"] for r in org.requests if r.operation == "AssumeRole"]
    assert assumed.count(hub) == 1
    assert sorted(a for a in assumed if a != hub) == sorted(
        f"arn:aws:iam::{account}:role/{ROLE}" for account in members
    )


async def test_denied_accounts_are_skipped(org: Emulator, driver: Driver) -> None:
    """Three accounts whose role cannot be assumed are skipped and reported with the
    AssumeRole error; the other 47 are listed exactly."""
    members = org.organization.account_ids[1:]
    denied = members[:3]
    for account in denied:
        org.deny(service="sts", operation="AssumeRole", account=account)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got, it = await driver.collect(
            "sagemaker.processing",
            regions=["us-east-1"],
            accounts=jobkit.Organization(role_name=ROLE),
        )
    by_account = _by_account(got)
    assert set(by_account) == set(org.organization.account_ids) - set(denied)
    for account, jobs in by_account.items():
        assert account is not None
        same_jobs(
            [j.raw for j in jobs],
            expected_raw(org, "sagemaker.processing", "us-east-1", account=account),
        )
    assert {s.account for s in it.skipped} == set(denied)
    assert all(s.reason == "access-denied" for s in it.skipped)
    assert all(isinstance(s.error, AccessDeniedError) for s in it.skipped)
    assert all("AssumeRole" in str(s.error) or "assume" in str(s.error) for s in it.skipped)
    assert len([w for w in caught if issubclass(w.category, jobkit.JobkitWarning)]) == 1


async def test_short_lived_credentials_are_refreshed(
    org_emulator: Emulator, monkeypatch: pytest.MonkeyPatch, driver: Driver
) -> None:
    """Assumed-role credentials that live 4 seconds during a listing of more than twice
    that (paced slow by latency): nothing lost, no error, each role assumed again as its
    credentials age. (4 s, not 2: on a loaded machine an AssumeRole answer took longer than
    2 s to arrive, already expired.)"""
    with Emulator(accounts=3, now=REFERENCE_NOW, assume_role_lifetime=4.0, sizes=SIZES) as emu:
        use_emulator(monkeypatch, emu)
        jobkit.clear_session_cache()
        from jobkit.testing import Faults

        emu.set_faults(Faults(latency=0.25))
        start = time.monotonic()
        got, it = await driver.collect(
            "sagemaker.processing",
            regions=["us-east-1"],
            accounts=jobkit.Organization(role_name=ROLE),
            page_size=2,
            max_concurrency=1,
        )
        elapsed = time.monotonic() - start
        assert elapsed > 10.0, "the listing must outlive the credentials twice"
        for account, jobs in _by_account(got).items():
            assert account is not None
            same_jobs(
                [j.raw for j in jobs],
                expected_raw(emu, "sagemaker.processing", "us-east-1", account=account),
            )
        assert not it.skipped and not it.failures
        assumed = [r for r in emu.requests if r.operation == "AssumeRole"]
        roles = {r.params["RoleArn"] for r in assumed}
        assert len(assumed) > len(roles), (len(assumed), roles)  # refreshed, not once each


async def test_ous_and_exclusions(org: Emulator, driver: Driver) -> None:
    """ous= lists the accounts under an OU (recursively); exclude= and include= filter."""
    import boto3

    client = boto3.client("organizations", region_name="us-east-1")
    root = client.list_roots()["Roots"][0]["Id"]
    ous = client.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
    production = next(ou for ou in ous if ou["Name"] == "Production")

    def under(parent: str) -> set[str]:
        ids = {
            a["Id"]
            for page in client.get_paginator("list_accounts_for_parent").paginate(ParentId=parent)
            for a in page["Accounts"]
        }
        children = client.list_organizational_units_for_parent(ParentId=parent)
        for child in children["OrganizationalUnits"]:
            ids |= under(child["Id"])
        return ids

    expected = under(production["Id"])
    excluded = sorted(expected)[0]
    chosen = jobkit.Organization(role_name=ROLE, ous=[production["Id"]], exclude=[excluded])
    assert {a.label for a in chosen.accounts()} == expected - {excluded}
    only = sorted(expected)[1:3]
    assert {a.label for a in jobkit.Organization(include=only).accounts()} == set(only)
    got, _ = await driver.collect("sagemaker.processing", regions=["us-east-1"], accounts=chosen)
    assert {j.account for j in got} == expected - {excluded}


async def test_cursor_resumes_across_accounts(org: Emulator, driver: Driver) -> None:
    """A cursor taken mid-listing of an organization resumes the rest exactly once."""
    accounts = jobkit.Organization(role_name=ROLE, include=org.organization.account_ids[:6])
    whole, _ = await driver.collect(
        "sagemaker.processing", regions=["us-east-1"], accounts=accounts
    )
    first, it = await driver.take(
        len(whole) // 2, "sagemaker.processing", regions=["us-east-1"], accounts=accounts
    )
    rest, _ = await driver.collect(
        "sagemaker.processing", regions=["us-east-1"], accounts=accounts, cursor=it.cursor
    )
    same_jobs([j.raw for j in first + rest], [j.raw for j in whole])


def test_account_ids_with_a_role_name(org: Emulator) -> None:
    """accounts=[ids] with role_name= assumes the role in each; ids are labels and Job.account."""
    members = list(org.organization.account_ids[1:4])
    got = list(jobkit.jobs("sagemaker.processing", accounts=members, role_name=ROLE))
    assert {j.account for j in got} == set(members)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"accounts": ["12345"], "role_name": ROLE}, "12 digits"),
        ({"accounts": ["123456789012"]}, "role_name"),
        ({"accounts": ["123456789012"], "role_name": f"arn:aws:iam::1:role/{ROLE}"}, "ARN"),
        ({"accounts": ["123456789012"], "role_name": ROLE, "profiles": ["a"]}, "accounts="),
    ],
)
def test_bad_accounts_arguments(kwargs: dict[str, object], match: str) -> None:
    """Bad accounts= arguments are UsageErrors with a hint, before any request."""
    with pytest.raises(UsageError, match=match) as info:
        jobkit.jobs("sagemaker.processing", **kwargs)  # type: ignore[arg-type]
    assert info.value.hint


def test_bad_organization_arguments(org: Emulator) -> None:
    """An Organization with a role ARN, a bad account id or an unknown OU is a UsageError;
    credentials that may not call Organizations name the permission."""
    with pytest.raises(UsageError, match="role ARN"):
        jobkit.Organization(role_name=f"arn:aws:iam::123456789012:role/{ROLE}")
    with pytest.raises(UsageError, match="12 digits"):
        jobkit.Organization(exclude=["42"])
    with pytest.raises(UsageError, match="organizational unit id"):
        jobkit.Organization(ous=["Production"])
    with pytest.raises(UsageError, match="does not exist"):
        jobkit.Organization(ous=["ou-zzzz-zzzzzzzz"]).accounts()
    org.deny(service="organizations", operation="ListAccounts")
    with pytest.raises(AccessDeniedError, match="ListAccounts") as info:
        jobkit.Organization().accounts()
    assert "organizations:ListAccounts" in (info.value.hint or "")


def test_no_credentials_in_accounts_or_cursors(org: Emulator) -> None:
    """Neither the accounts' reprs nor a cursor hold a secret or a session token."""
    accounts = jobkit.Organization(role_name=ROLE, external_id="s3cr3t-ext").accounts()
    it = jobkit.jobs("sagemaker.processing", accounts=list(accounts[:3]), limit=5)
    list(it)
    text = repr(accounts) + str(it.cursor)
    issued = list(org.issued_credentials)
    assert "s3cr3t-ext" not in text
    assert all(c.secret_access_key not in text for c in issued)


def test_cli_org_role(org: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    """`jobkit ls --org-role R --exclude-account X` lists every other account of the
    organization; --ou without --org-role is a usage error."""
    import json

    from jobkit.cli import main

    excluded = org.organization.account_ids[1]
    code = main(
        [
            "ls",
            "sagemaker.processing",
            "--region",
            "us-east-1",
            "--org-role",
            ROLE,
            "--exclude-account",
            excluded,
            "--format",
            "jsonl",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    accounts = {json.loads(line)["account"] for line in captured.out.splitlines()}
    assert accounts == set(org.organization.account_ids) - {excluded}
    assert main(["ls", "sagemaker.processing", "--ou", "ou-abcd-12345678"]) == 2
