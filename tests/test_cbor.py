"""Comprehend Medical over smithy RPC v2 CBOR, through jobkit, sync and async."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import botocore.loaders
import pytest
from aiobotocore.session import AioSession

import jobkit
from jobkit.errors import AccessDeniedError
from jobkit.testing import Emulator, Faults
from tests.groundtruth import check_normalized, expected_raw, same_jobs

ADAPTER = "comprehendmedical.snomedct"


@pytest.fixture
def cbor_only_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the comprehendmedical model that lists only CBOR, on AWS_DATA_PATH."""
    loader = botocore.loaders.create_loader()
    model = loader.load_service_model("comprehendmedical", "service-2")
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    model["metadata"]["protocol"] = "smithy-rpc-v2-cbor"
    version = model["metadata"]["apiVersion"]
    target = tmp_path / "comprehendmedical" / version
    target.mkdir(parents=True)
    (target / "service-2.json").write_text(json.dumps(model))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    return tmp_path


def _protocols(emu: Emulator) -> set[str]:
    return {r.protocol for r in emu.requests if r.operation == "ListSNOMEDCTInferenceJobs"}


def test_default_client_speaks_json(emu_env: Emulator) -> None:
    """The installed botocore picks awsJson1_1 for Comprehend Medical by its own priority."""
    emu_env.clear_requests()
    list(jobkit.jobs(ADAPTER))
    assert _protocols(emu_env) == {"json"}


def test_sync_over_cbor(emu_env: Emulator, cbor_only_model: Path) -> None:
    """With a CBOR-only model every page goes over CBOR, and the result is the same truth."""
    emu_env.clear_requests()
    session = boto3.Session()
    assert session.client("comprehendmedical").meta.service_model.resolved_protocol == (
        "smithy-rpc-v2-cbor"
    )
    got = list(jobkit.jobs(ADAPTER, session=session))
    assert _protocols(emu_env) == {"smithy-rpc-v2-cbor"}
    same_jobs([j.raw for j in got], expected_raw(emu_env, ADAPTER, "us-east-1"))
    check_normalized(got, ADAPTER, "us-east-1")


async def test_async_over_cbor(emu_env: Emulator, cbor_only_model: Path) -> None:
    """The aiobotocore client also speaks CBOR from the same model copy."""
    emu_env.clear_requests()
    got = await jobkit.ajobs(ADAPTER, session=AioSession()).collect()
    assert _protocols(emu_env) == {"smithy-rpc-v2-cbor"}
    same_jobs([j.raw for j in got], expected_raw(emu_env, ADAPTER, "us-east-1"))


def test_cbor_error_is_typed(emu_env: Emulator, cbor_only_model: Path) -> None:
    """An AccessDeniedException sent in CBOR becomes jobkit's AccessDeniedError, not retried."""
    emu_env.clear_requests()
    emu_env.set_faults(Faults(access_denied=True), service="comprehendmedical")
    try:
        with pytest.raises(AccessDeniedError) as info:
            next(jobkit.jobs(ADAPTER, session=boto3.Session(), errors="raise"))
    finally:
        emu_env.clear_faults(service="comprehendmedical")
    assert info.value.code == "AccessDeniedException" and info.value.http_status == 400
    assert _protocols(emu_env) == {"smithy-rpc-v2-cbor"}
    assert emu_env.request_count(operation="ListSNOMEDCTInferenceJobs") == 1
