"""Sessions jobkit creates are reused while their environment holds; clients send one fixed
User-Agent; the scheduler keeps exactly ``max_concurrency`` calls in flight; ``session=`` and
``profiles=`` name accounts the same way in both drivers and refuse what they cannot use."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from pathlib import Path
from typing import Any

import boto3
import pytest

import jobkit
from jobkit.core.cursor import CursorState, Page
from jobkit.core.fanout import Scheduler
from jobkit.core.plan import Call
from jobkit.drivers._sessions import aio_session, clear_session_cache, sync_session
from jobkit.errors import UsageError
from jobkit.testing import Emulator
from tests.drivers import Driver
from tests.groundtruth import expected_raw, same_jobs


def test_default_session_is_reused_until_the_environment_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The default session is kept while the environment holds; a new key gives a new one."""
    first = sync_session()
    assert sync_session() is first
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ANOTHERKEY")
    second = sync_session()
    assert second is not first
    credentials = second.get_credentials()
    assert credentials is not None and credentials.access_key == "ANOTHERKEY"
    clear_session_cache()
    assert sync_session() is not second


def test_a_changed_config_file_gives_a_new_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rewriting the AWS config file gives a new session that reads the new contents."""
    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    first = sync_session()
    assert first.region_name == "eu-west-1"
    config.write_text("[default]\nregion = ap-southeast-2\n")
    second = sync_session()
    assert second is not first
    assert second.region_name == "ap-southeast-2"


def test_aio_sessions_are_kept_per_event_loop() -> None:
    """aiobotocore sessions are reused within one event loop only, never across loops."""

    async def two() -> tuple[Any, Any]:
        return aio_session(), aio_session()

    a, b = asyncio.run(two())
    c, _ = asyncio.run(two())
    assert a is b
    assert c is not a  # another loop: refreshable credentials hold loop-bound locks
    assert aio_session() is not aio_session()  # no running loop: nothing is kept


def test_requests_carry_one_user_agent_naming_jobkit_and_the_app_id(
    emu_env: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """boto3 and aiobotocore requests each carry one User-Agent naming jobkit and the app."""
    monkeypatch.setenv("AWS_SDK_UA_APP_ID", "billing-report")
    emu_env.clear_requests()
    assert list(jobkit.jobs("sagemaker.processing", limit=5))

    async def listing() -> int:
        return len(await jobkit.ajobs("sagemaker.processing", limit=5).collect())

    assert asyncio.run(listing()) == 5
    agents = {record.user_agent for record in emu_env.requests}
    assert len(agents) == 2, agents  # one for boto3, one for aiobotocore
    for agent in agents:
        assert f"jobkit/{jobkit.__version__}" in agent
        assert "app/billing-report" in agent
        assert "Python/" in agent
    assert any(agent.startswith("Boto3/") for agent in agents)
    assert any(agent.startswith("aiobotocore/") for agent in agents)


def _flow(pages: int) -> Generator[Any, Any, None]:
    for number in range(pages):
        yield Call(service="sagemaker", region="us-east-1", operation="ListX", params={})
        yield Page(start=str(number), jobs=[], ends=[])


@pytest.mark.parametrize("bound", [1, 5, 12])
def test_the_scheduler_keeps_exactly_max_concurrency_calls_in_flight(bound: int) -> None:
    """The scheduler hands out max_concurrency calls, then one more per completed call."""
    scheduler = Scheduler(cursor=CursorState(), max_in_flight=bound)
    for n in range(12):
        scheduler.add_stream(
            _flow(3), key=f"s{n}", adapter="a", region="us-east-1", account=None, endpoint="e"
        )
    first = scheduler.submissions()
    assert len(first) == bound
    assert scheduler.in_flight == bound
    assert scheduler.submissions() == []
    scheduler.complete(first[0].ticket, response={})
    list(scheduler.take())
    again = scheduler.submissions()
    assert len(again) == 1
    assert scheduler.in_flight == bound


# --------------------------------------------------------------------------- accounts


def _sessions(profiles: tuple[str, ...]) -> list[boto3.Session]:
    return [boto3.Session(profile_name=name) for name in profiles]


async def test_both_drivers_label_accounts_by_profile(
    emu_env: Emulator, aws_profiles: tuple[str, ...]
) -> None:
    """The same sessions give the same stream keys and the same cursor in jobs() and ajobs(),
    each account labelled by its profile name."""
    runs = [
        await Driver(name).collect("sagemaker.processing", session=_sessions(aws_profiles))
        for name in ("sync", "async")
    ]
    (_, sync_it), (_, async_it) = runs
    assert sorted(sync_it.stats.endpoints) == sorted(async_it.stats.endpoints)
    assert sync_it.cursor == async_it.cursor
    for profile in aws_profiles:
        assert any(profile in key for key in sync_it.stats.endpoints), profile
        assert any(profile in key for key in sync_it.cursor["streams"]), profile


@pytest.mark.parametrize(("first", "then"), [("sync", "async"), ("async", "sync")])
async def test_a_multi_account_cursor_resumes_in_the_other_driver(
    emu_env: Emulator, aws_profiles: tuple[str, ...], first: str, then: str
) -> None:
    """A cursor of a two-account listing taken in one driver resumes exactly in the other:
    every job of each account once, nothing listed again."""
    got, it = await Driver(first).take(250, "sagemaker.processing", session=_sessions(aws_profiles))
    assert len(got) == 250
    rest, _ = await Driver(then).collect(
        "sagemaker.processing", session=_sessions(aws_profiles), cursor=it.cursor
    )
    expected = expected_raw(emu_env, "sagemaker.processing", "us-east-1")
    same_jobs([j.raw for j in got + rest], expected * len(aws_profiles), unique=False)


async def test_two_sessions_of_one_profile_are_a_usage_error(
    emu_env: Emulator, driver: Driver, aws_profiles: tuple[str, ...]
) -> None:
    """Two sessions of the same profile are refused, never silently merged into one account."""
    twice = _sessions((aws_profiles[0], aws_profiles[0]))
    with pytest.raises(UsageError, match=aws_profiles[0]):
        await driver.collect("sagemaker.processing", session=twice, limit=1)


async def test_a_profile_named_twice_is_a_usage_error(
    emu_env: Emulator, driver: Driver, aws_profiles: tuple[str, ...]
) -> None:
    """profiles= naming one profile twice is refused, never silently listed once."""
    with pytest.raises(UsageError, match=aws_profiles[0]):
        await driver.collect(
            "sagemaker.processing", profiles=[aws_profiles[0], aws_profiles[0]], limit=1
        )


async def test_session_and_profiles_together_are_a_usage_error(
    emu_env: Emulator, driver: Driver, aws_profiles: tuple[str, ...]
) -> None:
    """session= and profiles= both name the accounts: giving both is refused."""
    with pytest.raises(UsageError, match="profiles"):
        await driver.collect(
            "sagemaker.processing",
            session=_sessions(aws_profiles[:1])[0],
            profiles=list(aws_profiles),
            limit=1,
        )


def _client() -> object:
    return boto3.client("sagemaker", region_name="us-east-1")


@pytest.mark.parametrize(
    ("name", "make"),
    [
        pytest.param("sync", lambda: "default", id="sync-profile-name"),
        pytest.param("async", lambda: "prod", id="async-profile-name"),
        pytest.param("sync", _client, id="sync-client"),
        pytest.param("async", _client, id="async-client"),
    ],
)
async def test_a_session_that_is_no_session_is_a_usage_error(
    emu_env: Emulator, name: str, make: Any
) -> None:
    """session= given a profile name or a boto3 client is a UsageError saying what to pass,
    the same in both drivers (not an AttributeError or a TypeError from inside)."""
    with pytest.raises(UsageError, match=r"[Ss]ession"):
        await Driver(name).collect("sagemaker.processing", session=make(), limit=1)
