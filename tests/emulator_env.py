"""Point the process's AWS settings at an emulator for one test."""

from __future__ import annotations

import pytest

from jobkit.testing import Emulator


def use_emulator(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> None:
    """Set ``emulator.env()`` (endpoint, fake credentials, region) for the test, undone after
    it by ``monkeypatch``."""
    for name, value in emulator.env().items():
        monkeypatch.setenv(name, value)
