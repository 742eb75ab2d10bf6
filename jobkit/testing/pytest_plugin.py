"""pytest fixtures for testing code against the emulator.

Enable the plugin in a ``conftest.py`` (``pytest_plugins = ["jobkit.testing.pytest_plugin"]``)
or on the command line (``pytest -p jobkit.testing.pytest_plugin``). It is not loaded
automatically, so installing jobkit never changes other test suites.

``jobkit_emulator``
    one emulator for the test session (``Emulator(seed=0)``, real clock); override the
    fixture in your ``conftest.py`` to choose ``seed``, ``sizes``, ``now`` or ``faults``.
``jobkit_env``
    the session's emulator with ``environment()`` applied for one test: boto3, aiobotocore
    and jobkit reach the emulator through ``AWS_ENDPOINT_URL`` with fake credentials, and
    every variable is restored exactly after the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jobkit.testing._server import Emulator

__all__ = ["jobkit_emulator", "jobkit_env"]


@pytest.fixture(scope="session")
def jobkit_emulator() -> Iterator[Emulator]:
    """A running emulator shared by the test session."""
    with Emulator(seed=0) as emu:
        yield emu


@pytest.fixture
def jobkit_env(jobkit_emulator: Emulator) -> Iterator[Emulator]:
    """The session emulator with its environment applied for this test, restored after."""
    with jobkit_emulator.environment():
        yield jobkit_emulator
