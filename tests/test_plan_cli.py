"""The command line of plans: `jobkit plan`, `jobkit ls --shard k/n` and `jobkit ls --unit`."""

from __future__ import annotations

import collections
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_env import use_emulator

import jobkit
from jobkit.cli import main
from jobkit.planning import WorkUnit
from jobkit.testing import REFERENCE_NOW, Emulator

PROFILES = ("p-a", "p-b", "p-c", "p-d", "p-e")


@pytest.fixture(scope="module")
def org() -> Iterator[Emulator]:
    """An emulated organization: one account per profile."""
    with Emulator(
        accounts=len(PROFILES), seed=9, sizes={"ListProcessingJobs": 9}, now=REFERENCE_NOW
    ) as emu:
        yield emu


@pytest.fixture
def profiles(org: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    """A config with one profile per organization account (keys the emulator issued)."""
    use_emulator(monkeypatch, org)
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("".join(f"[profile {p}]\nregion = us-east-1\n\n" for p in PROFILES))
    lines = []
    for profile, account in zip(PROFILES, org.organization.account_ids, strict=True):
        keys = org.issue_credentials(account=account)
        lines.append(
            f"[{profile}]\naws_access_key_id = {keys.access_key_id}\n"
            f"aws_secret_access_key = {keys.secret_access_key}\n"
            f"aws_session_token = {keys.session_token}\n\n"
        )
    credentials.write_text("".join(lines))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    return PROFILES


def _flags(profiles: tuple[str, ...]) -> list[str]:
    return [arg for p in profiles for arg in ("--profile", p)]


def test_plan_prints_one_unit_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    """`jobkit plan --format jsonl` prints the units of jobkit.plan(), one JSON line each."""
    args = ["sagemaker.processing", "batch.jobs", "--region", "us-east-1", "--region", "eu-west-1"]
    assert main(["plan", *args, "--status", "failed,running"]) == 0
    lines = capsys.readouterr().out.splitlines()
    expected = jobkit.plan(
        ["sagemaker.processing", "batch.jobs"],
        regions=["us-east-1", "eu-west-1"],
        status=["failed", "running"],
    )
    assert [WorkUnit.from_json(line) for line in lines] == list(expected.units)
    assert all(json.loads(line)["format"] == 1 for line in lines)


def test_plan_summary_and_shard(
    capsys: pytest.CaptureFixture[str], profiles: tuple[str, ...]
) -> None:
    """`jobkit plan --shard k/n` prints that shard's units; the shards add up to the plan."""
    base = ["plan", "sagemaker.processing", "--region", "us-east-1", *_flags(profiles)]
    counts = []
    for k in range(3):
        assert main([*base, "--shard", f"{k}/3"]) == 0
        counts.append(len(capsys.readouterr().out.splitlines()))
    assert sum(counts) == len(profiles)
    assert main([*base, "--format", "summary"]) == 0
    assert capsys.readouterr().out.startswith(f"{len(profiles)} units: {len(profiles)} account(s)")


@pytest.mark.parametrize("shard", ["3/2", "2/2", "x", "1/0"])
def test_bad_shard_exits_2_with_a_hint(capsys: pytest.CaptureFixture[str], shard: str) -> None:
    """`jobkit ls --shard 3/2` (and other bad k/n) is a usage error: exit 2 and a hint."""
    assert main(["ls", "sagemaker.processing", "--shard", shard]) == 2
    err = capsys.readouterr().err
    assert "--shard" in err or "shard" in err
    assert "hint:" in err


def test_shards_of_ls_add_up_to_ls_exactly_once(
    capsys: pytest.CaptureFixture[str], profiles: tuple[str, ...]
) -> None:
    """The jobs of `jobkit ls --shard k/n` over k are those of `jobkit ls`, each once."""
    base = ["ls", "sagemaker.processing", "--region", "us-east-1", "--format", "jsonl"]
    assert main([*base, *_flags(profiles)]) == 0
    whole = collections.Counter(capsys.readouterr().out.splitlines())
    assert len(whole) == 9 * len(profiles)
    for n in (2, 3):
        union: collections.Counter[str] = collections.Counter()
        for k in range(n):
            assert main([*base, *_flags(profiles), "--shard", f"{k}/{n}"]) == 0
            union.update(capsys.readouterr().out.splitlines())
        assert union == whole, n


def test_ls_unit_lists_one_unit(
    capsys: pytest.CaptureFixture[str], profiles: tuple[str, ...]
) -> None:
    """`jobkit ls --unit LINE` lists exactly that unit's jobs (its profile's account)."""
    plan = jobkit.plan("sagemaker.processing", regions=["us-east-1"], profiles=list(profiles))
    unit = plan.units[2]
    assert main(["ls", "--format", "jsonl", "--unit", unit.dumps()]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(job.id for job in unit.jobs())
    assert len(rows) == 9


def test_ls_unit_takes_no_selection(capsys: pytest.CaptureFixture[str]) -> None:
    """`jobkit ls --unit` with adapters or regions is a usage error (the unit says them)."""
    unit = WorkUnit(adapter="sagemaker.processing", region="us-east-1")
    assert main(["ls", "--unit", unit.dumps(), "--region", "eu-west-1"]) == 2
    assert "--unit says what to list" in capsys.readouterr().err
    newer = {**unit.to_json(), "format": 99}
    assert main(["ls", "--unit", json.dumps(newer)]) == 2
    assert "upgrade jobkit" in capsys.readouterr().err


def test_shards_of_an_organization_add_up(
    capsys: pytest.CaptureFixture[str], org: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`jobkit ls --org-role R --shard k/n` over k lists the organization's jobs exactly once."""
    use_emulator(monkeypatch, org)
    base = ["ls", "sagemaker.processing", "--region", "us-east-1", "--format", "jsonl"]
    base += ["--org-role", "JobReader"]
    assert main(base) == 0
    whole = collections.Counter(capsys.readouterr().out.splitlines())
    assert len({json.loads(line)["account"] for line in whole}) == len(PROFILES)
    union: collections.Counter[str] = collections.Counter()
    for k in range(3):
        assert main([*base, "--shard", f"{k}/3"]) == 0
        union.update(capsys.readouterr().out.splitlines())
    assert union == whole
