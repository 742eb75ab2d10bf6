"""Shared fixtures: fake credentials, no host AWS config, loopback servers only."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_env import use_emulator

from jobkit.testing import REFERENCE_NOW, Emulator
from tests.drivers import DRIVERS, Driver
from tests.groundtruth import few_jobs

# Everything below talks to 127.0.0.1 only. The metadata service is switched off so that the
# credential chain never reaches for 169.254.169.254 when a test removes the credentials.
# JOBKIT_EMULATOR_NOW fixes the clock of every emulator a test creates without now= (those of
# `jobkit ls --emulator` subprocesses too), so they all serve the same data as the ground truth.
_ENV = {
    "JOBKIT_EMULATOR_NOW": REFERENCE_NOW.isoformat(),
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
_UNSET = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_DATA_PATH",
)


def _clean_environment() -> None:
    for name in list(os.environ):
        if name in _UNSET or name.startswith("AWS_ENDPOINT_URL_"):
            del os.environ[name]
    os.environ.update(_ENV)


# Session-scoped servers start before function fixtures run, so set the baseline at import.
_clean_environment()


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and a region for every test; nothing from the host's AWS config."""
    for name in list(os.environ):
        if name in _UNSET or name.startswith("AWS_ENDPOINT_URL_"):
            monkeypatch.delenv(name)
    for name, value in _ENV.items():
        monkeypatch.setenv(name, value)
    yield


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """moto's server on 127.0.0.1 (a random free port), for the operations moto implements."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


#: Sizes that give every adapter several pages per stream.
E2E_SIZES = {
    "ListProcessingJobs": 321,
    "ListLabelingJobsForWorkteam": 230,
    "ListSNOMEDCTInferenceJobs": 1234,
    "ListServiceJobs": 1100,
    "ListCollaborationTrainedModelExportJobs": 230,
}


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """One emulator for the session, sized so that every stream spans several pages."""
    with Emulator(seed=11, sizes=E2E_SIZES, malformed=2, now=REFERENCE_NOW) as emu:
        yield emu


@pytest.fixture
def emu_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The session emulator, with AWS_ENDPOINT_URL pointing every client at it."""
    use_emulator(monkeypatch, emulator)
    return emulator


@pytest.fixture(scope="session")
def small_emulator() -> Iterator[Emulator]:
    """One emulator for the session with a few jobs (and two malformed ones) per stream."""
    with Emulator(seed=11, sizes=few_jobs(), malformed=2, now=REFERENCE_NOW) as emu:
        yield emu


@pytest.fixture
def small_env(small_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The small session emulator, with AWS_ENDPOINT_URL pointing every client at it."""
    use_emulator(monkeypatch, small_emulator)
    return small_emulator


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> Driver:
    """Each test that takes it runs twice: with ``jobkit.jobs`` and with ``jobkit.ajobs``."""
    return Driver(request.param)


#: The profiles ``aws_profiles`` writes, each with its own (fake) keys and us-east-1.
PROFILES = ("team-a", "team-b")


@pytest.fixture
def aws_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    """A temporary AWS config and credentials file holding the profiles in ``PROFILES``.

    Keys come from the credentials file (an explicit profile ignores AWS_ACCESS_KEY_ID); the
    endpoint still comes from AWS_ENDPOINT_URL, so with ``emu_env`` they reach the emulator.
    """
    config = tmp_path / "config"
    credentials = tmp_path / "credentials"
    config.write_text("".join(f"[profile {name}]\nregion = us-east-1\n\n" for name in PROFILES))
    credentials.write_text(
        "".join(
            f"[{name}]\naws_access_key_id = testing-{name}\naws_secret_access_key = testing\n\n"
            for name in PROFILES
        )
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    return PROFILES
