"""The public surface: a small, sorted, documented, typed set of names."""

from __future__ import annotations

import inspect
from pathlib import Path

import jobkit

EXPECTED = [
    "AdapterInfo",
    "AsyncJobIterator",
    "CredentialSource",
    "Explanation",
    "Failure",
    "Job",
    "JobEvent",
    "JobIterator",
    "JobList",
    "JobStatus",
    "JobkitError",
    "JobkitWarning",
    "Organization",
    "Plan",
    "RetryEvent",
    "RetryPolicy",
    "Skipped",
    "Stats",
    "WorkUnit",
    "__version__",
    "adapters",
    "ajobs",
    "await_jobs",
    "awatch",
    "clear_session_cache",
    "explain",
    "inventory",
    "jobs",
    "plan",
    "sync",
    "wait",
    "watch",
]


def test_all_is_the_expected_sorted_list() -> None:
    """__all__ names exactly the public API, sorted, and every name exists."""
    assert jobkit.__all__ == EXPECTED == sorted(EXPECTED)
    for name in jobkit.__all__:
        assert hasattr(jobkit, name), name


def test_every_public_name_has_a_docstring() -> None:
    """Each public class and function says what it is for."""
    for name in jobkit.__all__:
        obj = getattr(jobkit, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert (obj.__doc__ or "").strip(), name


def test_jobs_and_ajobs_take_the_same_arguments() -> None:
    """The sync and async entry points accept the same keywords, in the same order."""
    sync = list(inspect.signature(jobkit.jobs).parameters)
    aio = list(inspect.signature(jobkit.ajobs).parameters)
    assert sync == aio


def test_package_ships_py_typed() -> None:
    """py.typed is in the package so type checkers read the annotations."""
    assert (Path(jobkit.__file__).parent / "py.typed").exists()
