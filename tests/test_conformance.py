"""Every registered adapter, sync and async, against the emulator's ground truth.

The ground truth is derived generically: the spec's scope parameters are expanded through the
emulator's parent data (``emu.data.parents``) as the spec's discovery declarations say, and
each scope's records come from ``emu.data.records``. Sizes are chosen so that every stream
spans more than one page.
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Iterator, Mapping
from datetime import UTC
from typing import Any

import pytest

import jobkit
from jobkit.adapters import REGISTRY
from jobkit.core.spec import AdapterSpec
from jobkit.drivers._config import available_regions
from jobkit.model import JobStatus
from jobkit.testing import ACCOUNT_ID, REFERENCE_NOW, Emulator
from tests.groundtruth import canonical

REGION = "us-east-1"


def dig(record: Any, path: str) -> Any:
    """The value at a dotted path of a summary (a nested status: ``status.state``)."""
    for part in path.split("."):
        record = record.get(part) if isinstance(record, Mapping) else None
    return record


#: The value passed for a scope parameter no listing can discover (the emulator accepts any).
GIVEN = "given-by-the-caller"


def given_params(spec: AdapterSpec) -> dict[str, str]:
    """params= for the scope parameters without discovery."""
    return {p.name: GIVEN for p in spec.scope if p.discovery is None}


def listing_args(spec: AdapterSpec) -> dict[str, Any]:
    """params= for the scope parameters without discovery, and page_size= where set."""
    args: dict[str, Any] = {"params": given_params(spec)}
    if spec.name in PAGE_SIZES:
        args["page_size"] = PAGE_SIZES[spec.name]
    return args


def region_of(spec: AdapterSpec) -> str:
    """us-east-1, or the first region botocore lists for a service not offered there."""
    regions = available_regions(spec.service)
    return REGION if REGION in regions or not regions else regions[0]


#: Records per region or per scope: above each adapter's page size (above it for every status
#: for the Batch listings, which are one stream per status).
SIZES = {
    "ListProcessingJobs": 250,
    "ListLabelingJobsForWorkteam": 130,
    "ListSNOMEDCTInferenceJobs": 700,
    "ListServiceJobs": 1100,
    "ListCollaborationTrainedModelExportJobs": 130,
    "batch:ListJobs": 1000,
    "GetJobRuns": 230,
    "emr-serverless:ListJobRuns": 70,
    "mediaconvert:ListJobs": 45,
    "s3control:ListJobs": 130,
    **dict.fromkeys(
        (
            "ListTrainingJobs",
            "ListTransformJobs",
            "ListHyperParameterTuningJobs",
            "ListCompilationJobs",
            "ListAutoMLJobs",
            "ListLabelingJobs",
            "ListPipelineExecutions",
            "ListDocumentClassificationJobs",
            "ListDominantLanguageDetectionJobs",
            "ListEntitiesDetectionJobs",
            "ListKeyPhrasesDetectionJobs",
            "ListSentimentDetectionJobs",
            "ListTargetedSentimentDetectionJobs",
            "ListTopicsDetectionJobs",
            "ListEventsDetectionJobs",
            "ListPiiEntitiesDetectionJobs",
            "ListTextTranslationJobs",
            "ListTranscriptionJobs",
            "ListMedicalTranscriptionJobs",
            "ListModelCustomizationJobs",
            "ListModelInvocationJobs",
            "ListEvaluationJobs",
            "ListBackupJobs",
            "ListCopyJobs",
            "ListRestoreJobs",
            "ListExecutions",
        ),
        130,
    ),
    # Map runs exist for one execution in twenty (the emulator's sparse scopes): one per
    # status word each, read two a page, each read again by DescribeMapRun.
    "stepfunctions:ListMapRuns": 4,
}

#: page_size= where the sizes above cannot make every stream span several pages cheaply.
PAGE_SIZES = {"stepfunctions.map-runs": 2}

SPECS = sorted(REGISTRY.values(), key=lambda s: s.name)


@pytest.fixture(scope="module")
def conformance_emulator() -> Iterator[Emulator]:
    """One emulator for this module, sized so that every stream spans several pages."""
    with Emulator(seed=7, sizes=SIZES) as emu:
        yield emu


@pytest.fixture
def emu(conformance_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The module's emulator, with AWS_ENDPOINT_URL pointing every client at it."""
    for name, value in conformance_emulator.env(region=REGION).items():
        monkeypatch.setenv(name, value)
    return conformance_emulator


def scopes_of(emu: Emulator, spec: AdapterSpec, region: str) -> list[dict[str, str]]:
    """Every scope of ``spec`` as its discovery declarations find them in the emulator data."""
    scopes: list[dict[str, str]] = [{}]
    for param in spec.scope:
        discovery = param.discovery
        if discovery is None:  # no parent listing exists: the caller names the parent
            scopes = [{**scope, param.name: GIVEN} for scope in scopes]
            continue
        grown: list[dict[str, str]] = []
        for scope in scopes:
            values = discovered(emu, discovery, region, scope)
            grown += [{**scope, param.name: value} for value in values]
        scopes = grown
    return scopes


def discovered(
    emu: Emulator, discovery: Any, region: str, scope: Mapping[str, str]
) -> dict[str, None]:
    """The values ``discovery`` finds in the emulator data under ``scope`` (under each of its
    own parents' values first, for a two-level discovery)."""
    outer: list[dict[str, str]] = [{}]
    if discovery.within is not None:
        parent, member = discovery.within
        outer = [{member: v} for v in discovered(emu, parent, region, scope)]
    values: dict[str, None] = {}
    for extra in outer:
        needs = {request: scope[name] for request, name in discovery.needs.items()}
        items = emu.data.parents(discovery.service, discovery.operation, region, **needs, **extra)
        kept = [i for i in items if discovery.keep is None or discovery.keep(i)]
        values.update(dict.fromkeys(v for v in map(discovery.value, kept) if v))
    return values


def ground_truth(emu: Emulator, spec: AdapterSpec, region: str) -> list[dict[str, Any]]:
    """Every summary ``spec`` must yield in ``region``, over all its scopes."""
    return [
        record
        for scope in scopes_of(emu, spec, region)
        for record in emu.data.records(spec.service, spec.operation, region, **scope)
    ]


def check(spec: AdapterSpec, emu: Emulator, it: Any, got: list[Any]) -> None:
    """Exact multiset equality with the truth, no duplicates, several pages, normalized."""
    region = region_of(spec)
    expected = ground_truth(emu, spec, region)
    assert expected, f"{spec.name}: the emulator serves no jobs"
    got_keys = collections.Counter(canonical(job.raw) for job in got)
    assert max(got_keys.values()) == 1, "duplicates in jobkit's result"
    assert got_keys == collections.Counter(canonical(r) for r in expected)
    assert it.stats.pages > it.stats.streams, "every stream should span several pages"
    assert it.stats.streams == it.stats.streams_done
    for job in got:
        assert job.problem is None, job.problem
        assert job.adapter == spec.name and job.region == region
        if spec.created_field is not None:  # a few summaries carry no time at all
            assert job.created is not None and job.created.tzinfo is UTC
        if spec.status_field is not None:
            assert job.raw_status == dig(job.raw, spec.status_field)
            assert job.status is spec.status_map[job.raw_status]
        else:
            assert spec.derive_status is not None
            assert job.status is spec.derive_status(job.raw)
        assert job.account in (None, ACCOUNT_ID)
    statuses = {job.status for job in got}
    assert JobStatus.UNKNOWN not in statuses or spec.derive_status is not None


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_sync_listing_equals_ground_truth(emu: Emulator, spec: AdapterSpec) -> None:
    """jobkit.jobs(adapter) yields exactly the emulator's jobs over every discovered scope."""
    it = jobkit.jobs(spec.name, regions=region_of(spec), **listing_args(spec))
    check(spec, emu, it, list(it))


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
async def test_async_listing_equals_ground_truth(emu: Emulator, spec: AdapterSpec) -> None:
    """jobkit.ajobs(adapter) yields exactly the emulator's jobs over every discovered scope."""
    it = jobkit.ajobs(spec.name, regions=region_of(spec), **listing_args(spec))
    check(spec, emu, it, [job async for job in it])


def test_every_status_word_is_served(conformance_emulator: Emulator) -> None:
    """The emulator serves every status word of every adapter (the maps are exercised)."""
    for spec in SPECS:
        if spec.status_field is None:
            continue
        truth = ground_truth(conformance_emulator, spec, region_of(spec))
        seen = {dig(r, spec.status_field) for r in truth}
        assert set(spec.status_map) <= seen, (spec.name, set(spec.status_map) - seen)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_filtered_listing_equals_filtered_ground_truth(emu: Emulator, spec: AdapterSpec) -> None:
    """With status, time and name filters (pushed down where the API can), the result is the
    ground truth filtered on the client: push-down never changes what is listed."""
    from jobkit.core.normalize import normalize
    from jobkit.core.query import Query

    region = region_of(spec)
    truth = ground_truth(emu, spec, region)
    name = None
    if spec.name_field is not None:
        # A fragment of a real name in the middle of the listing, in another case.
        name = str(truth[len(truth) // 3][spec.name_field])[:5].swapcase()
    filters: dict[str, Any] = {
        "status": ["failed", "running"],
        "since": REFERENCE_NOW - dt.timedelta(days=40),
        "until": REFERENCE_NOW - dt.timedelta(days=3),
        "name_contains": name,
    }
    query = Query.parse(**filters, now=REFERENCE_NOW)
    expected = [r for r in truth if query.matches(normalize(spec, r, region=region, scope={}))]
    got = [
        job.raw for job in jobkit.jobs(spec.name, regions=region, **listing_args(spec), **filters)
    ]
    assert sorted(map(canonical, got)) == sorted(map(canonical, expected))
    assert len(set(map(canonical, got))) == len(got), "duplicates in jobkit's result"
