"""Bad input gets a clear, typed error saying what was wrong and what would be right."""

from __future__ import annotations

import pytest

import jobkit
from jobkit.errors import (
    CredentialsError,
    InvalidRegionError,
    JobkitError,
    MissingScopeError,
    UnknownAdapterError,
    UsageError,
)


def test_every_error_derives_from_the_root() -> None:
    """Each public error class is a JobkitError; the one warning class is a UserWarning."""
    from jobkit import errors

    for name in errors.__all__:
        cls = getattr(errors, name)
        if name == "JobkitWarning":
            assert issubclass(cls, UserWarning) and not issubclass(cls, JobkitError)
            continue
        assert issubclass(cls, JobkitError), name


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("sagemaker.procesing", "sagemaker.processing"),
        ("batch.services", "batch.service"),
        ("batch", "batch.service"),
        ("ListSNOMEDCTInferenceJobs", "comprehendmedical.snomedct"),
    ],
)
def test_unknown_adapter_lists_close_matches(name: str, suggestion: str) -> None:
    """An unknown adapter name raises before any request and names the close matches."""
    with pytest.raises(UnknownAdapterError) as info:
        jobkit.jobs(name)
    assert suggestion in info.value.suggestions
    assert suggestion in str(info.value) and "jobkit.adapters()" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_adapter_name_is_case_insensitive() -> None:
    """Case does not matter in adapter names."""
    it = jobkit.jobs("SageMaker.Processing", regions="us-east-1")
    assert [s.name for s in it.options.specs] == ["sagemaker.processing"]


def test_missing_scope_names_the_parameter() -> None:
    """Without discovery, a missing scope parameter is named, with how to pass it."""
    with pytest.raises(MissingScopeError) as info:
        next(jobkit.jobs("batch.service", discover=False))
    assert info.value.missing == ["jobQueue"]
    assert "jobQueue" in str(info.value) and "params=" in str(info.value)
    assert info.value.adapter == "batch.service"
    assert info.value.operation == "ListServiceJobs"


async def test_missing_scope_async() -> None:
    """The async API reports a missing scope the same way."""
    with pytest.raises(MissingScopeError, match="collaborationIdentifier"):
        await jobkit.ajobs("cleanroomsml.trained-model-export", discover=False).collect()


@pytest.mark.parametrize(("region", "close"), [("us-est-1", "us-east-1"), ("eu-west-9", None)])
def test_bad_region(region: str, close: str | None) -> None:
    """A region botocore does not know raises at once, with close matches when there are."""
    with pytest.raises(InvalidRegionError) as info:
        jobkit.jobs("sagemaker.processing", regions=[region])
    assert info.value.region == region
    if close:
        assert close in info.value.suggestions


def test_no_region_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no region configured or given, the error says how to give one."""
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(UsageError, match="no region") as info:
        jobkit.jobs("sagemaker.processing")
    assert "AWS_DEFAULT_REGION" in str(info.value)


def test_unknown_param_is_named() -> None:
    """A parameter no selected adapter takes is refused, listing the scope parameters."""
    with pytest.raises(UsageError, match="'WorkTeamArn'") as info:
        jobkit.jobs("sagemaker.labeling-workteam", params={"WorkTeamArn": "x"})
    assert "WorkteamArn" in str(info.value)


def test_bad_param_value() -> None:
    """A scope value must be a string or a list of strings."""
    with pytest.raises(UsageError, match="jobQueue"):
        jobkit.jobs("batch.service", params={"jobQueue": 3})  # type: ignore[dict-item]


def test_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no credentials anywhere, listing raises CredentialsError with a hint, no request."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    it = jobkit.jobs("sagemaker.processing", endpoint_url="http://127.0.0.1:9")
    with pytest.raises(CredentialsError) as info:
        next(it)
    assert info.value.adapter == "sagemaker.processing"
    assert info.value.region == "us-east-1"
    assert "credentials" in str(info.value) and info.value.hint
    assert it.stats.requests == 0  # nothing was sent: signing failed before the request left


async def test_no_credentials_async(monkeypatch: pytest.MonkeyPatch) -> None:
    """The async driver raises the same CredentialsError."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(CredentialsError):
        await jobkit.ajobs("sagemaker.processing", endpoint_url="http://127.0.0.1:9").collect()


def test_credentials_never_in_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """An error from an unreachable endpoint does not carry the secret key."""
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "SUPERSECRETVALUE123")
    it = jobkit.jobs(
        "sagemaker.processing",
        endpoint_url="http://127.0.0.1:9",
        retry=jobkit.RetryPolicy(max_attempts=2, backoff_base=0.001),
    )
    with pytest.raises(JobkitError) as info:
        next(it)
    assert "SUPERSECRETVALUE123" not in str(info.value)
    assert "SUPERSECRETVALUE123" not in repr(info.value.__cause__)


def test_a_misspelt_keyword_is_a_usage_error_naming_the_right_one() -> None:
    """jobs(), explain() and plan() take their keywords as **options: a misspelt one is a
    UsageError that suggests the keyword meant, not silently ignored."""
    for call in (jobkit.jobs, jobkit.explain, jobkit.plan):
        with pytest.raises(UsageError, match="'regoins'") as caught:
            call("sagemaker.processing", regoins="us-east-1")  # type: ignore[call-arg]
        assert caught.value.hint == "did you mean regions=?"
