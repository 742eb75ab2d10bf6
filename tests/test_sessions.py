"""Sessions jobkit creates are reused while their environment holds; clients send one fixed
User-Agent; the scheduler keeps exactly ``max_concurrency`` calls in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

import jobkit
from jobkit.core.cursor import CursorState, Page
from jobkit.core.fanout import Scheduler
from jobkit.core.plan import Call
from jobkit.drivers._sessions import aio_session, clear_session_cache, sync_session
from jobkit.testing import Emulator


def test_default_session_is_reused_until_the_environment_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
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
