"""Adapters of operations moto implements, against moto's server: jobkit (sync and async)
lists exactly what a plain boto3 listing of the same server returns, normalized."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import boto3
import moto
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

import jobkit
from jobkit.adapters import REGISTRY
from jobkit.model import JobStatus
from tests.groundtruth import canonical

N = 130  # above every page size below: each listing spans two pages where moto pages


def _client(url: str, service: str) -> Any:
    return boto3.Session().client(service, endpoint_url=url, region_name="us-east-1")


def _pages(call: Callable[..., Any], key: str, token: str, out_token: str, **kw: Any) -> list[Any]:
    """Every item of a plain boto3 listing, following the token by hand."""
    items: list[Any] = []
    seen: set[str] = set()
    while True:
        page = call(**kw)
        items += page[key]
        if not page.get(out_token):
            return items
        assert page[out_token] not in seen, f"moto repeated a {out_token}"
        seen.add(page[out_token])
        kw[token] = page[out_token]


def _seed_iot(url: str) -> list[Any]:
    # One page only: moto 5.2's ListJobs hands out the same nextToken on every page and
    # restarts the listing (jobkit would stop with RepeatedTokenError).
    iot = _client(url, "iot")
    for i in range(40):
        iot.create_job(
            jobId=f"moto-iot-{i:03d}",
            targets=["arn:aws:iot:us-east-1:123456789012:thing/sensor"],
            document="{}",
        )
    return _pages(iot.list_jobs, "jobs", "nextToken", "nextToken")


def _seed_emr_containers(url: str) -> list[Any]:
    emr = _client(url, "emr-containers")
    out: list[Any] = []
    for c in range(2):
        cluster = emr.create_virtual_cluster(
            name=f"moto-vc-{c}",
            containerProvider={
                "id": "eks",
                "type": "EKS",
                "info": {"eksInfo": {"namespace": f"ns-{c}"}},
            },
        )["id"]
        for i in range(N):
            emr.start_job_run(
                name=f"moto-run-{c}-{i:03d}",
                virtualClusterId=cluster,
                executionRoleArn="arn:aws:iam::123456789012:role/emr",
                releaseLabel="emr-6.3.0-latest",
                jobDriver={"sparkSubmitJobDriver": {"entryPoint": "s3://bucket/job.py"}},
            )
        out += _pages(
            emr.list_job_runs, "jobRuns", "nextToken", "nextToken", virtualClusterId=cluster
        )
    return out


def _seed_dms(url: str) -> list[Any]:
    dms = _client(url, "dms")
    arn = "arn:aws:dms:us-east-1:123456789012"
    for i in range(N):
        dms.create_replication_task(
            ReplicationTaskIdentifier=f"moto-task-{i:03d}",
            SourceEndpointArn=f"{arn}:endpoint:source",
            TargetEndpointArn=f"{arn}:endpoint:target",
            ReplicationInstanceArn=f"{arn}:rep:instance",
            MigrationType="full-load",
            TableMappings=json.dumps({"rules": []}),
        )
    return _pages(
        dms.describe_replication_tasks,
        "ReplicationTasks",
        "Marker",
        "Marker",
        WithoutSettings=True,
    )


def _seed_glue_crawls(url: str) -> list[Any]:
    glue = _client(url, "glue")
    out: list[Any] = []
    for c in range(3):
        name = f"moto-crawler-{c}"
        glue.create_crawler(Name=name, Role="crawler", Targets={"S3Targets": [{"Path": "s3://b"}]})
        glue.start_crawler(Name=name)
        out += _pages(glue.list_crawls, "Crawls", "NextToken", "NextToken", CrawlerName=name)
    return out


ROLE = "arn:aws:iam::123456789012:role/moto"
SMALL = 3  # the listings below are checked for content, not paging: a few jobs each


def _listed(url: str, name: str, **scope: Any) -> list[Any]:
    """Every item boto3 lists for adapter ``name`` under ``scope``, by the spec's paging
    keys (read by hand, not through jobkit)."""
    spec = REGISTRY[name]
    call = getattr(_client(url, spec.service), xform_name(spec.operation))
    return _pages(
        call, spec.result_key, spec.input_token, spec.output_token, **spec.base_params, **scope
    )


def _seed_codebuild(url: str) -> list[Any]:
    # 101 builds: two BatchGetBuilds calls of at most 100 ids.
    codebuild = _client(url, "codebuild")
    for p, builds in enumerate((100, 1)):
        codebuild.create_project(
            name=f"moto-project-{p}",
            source={"type": "S3", "location": "bucket/source.zip"},
            artifacts={"type": "NO_ARTIFACTS"},
            environment={
                "type": "LINUX_CONTAINER",
                "image": "aws/codebuild/standard:7.0",
                "computeType": "BUILD_GENERAL1_SMALL",
            },
            serviceRole=ROLE,
        )
        for _ in range(builds):
            codebuild.start_build(projectName=f"moto-project-{p}")
    ids = _listed(url, "codebuild.builds")
    return [b for at in range(0, len(ids), 100) for b in _builds(codebuild, ids[at : at + 100])]


def _builds(codebuild: Any, ids: list[str]) -> list[Any]:
    found: list[Any] = codebuild.batch_get_builds(ids=ids)["builds"]
    return found


def _seed_emr_steps(url: str) -> list[Any]:
    emr = _client(url, "emr")
    out: list[Any] = []
    for c in range(2):
        cluster = emr.run_job_flow(
            Name=f"moto-cluster-{c}",
            ReleaseLabel="emr-6.10.0",
            Instances={
                "MasterInstanceType": "m5.xlarge",
                "SlaveInstanceType": "m5.xlarge",
                "InstanceCount": 1,
                "KeepJobFlowAliveWhenNoSteps": True,
            },
            JobFlowRole="EMR_EC2_DefaultRole",
            ServiceRole="EMR_DefaultRole",
        )["JobFlowId"]
        steps = [
            {
                "Name": f"moto-step-{c}-{i:02d}",
                "ActionOnFailure": "CONTINUE",
                "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["true"]},
            }
            for i in range(SMALL)
        ]
        emr.add_job_flow_steps(JobFlowId=cluster, Steps=steps)
        out += _listed(url, "emr.steps", ClusterId=cluster)
    return out


def _seed_stepfunctions(url: str) -> list[Any]:
    sfn = _client(url, "stepfunctions")
    definition = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    out: list[Any] = []
    for m in range(2):
        arn = sfn.create_state_machine(
            name=f"moto-machine-{m}", definition=definition, roleArn=ROLE
        )["stateMachineArn"]
        for i in range(SMALL):
            sfn.start_execution(stateMachineArn=arn, name=f"moto-execution-{m}-{i}")
        out += _listed(url, "stepfunctions.executions", stateMachineArn=arn)
    return out


def _seed_bedrock(url: str) -> list[Any]:
    bedrock = _client(url, "bedrock")
    for i in range(SMALL):
        bedrock.create_model_customization_job(
            jobName=f"moto-customization-{i}",
            customModelName=f"moto-model-{i}",
            roleArn=ROLE,
            baseModelIdentifier="amazon.titan-text-express-v1",
            trainingDataConfig={"s3Uri": "s3://bucket/train"},
            outputDataConfig={"s3Uri": "s3://bucket/out"},
            hyperParameters={},
        )
    return _listed(url, "bedrock.model-customization")


#: Comprehend's start call and its own arguments, per adapter.
_COMPREHEND: dict[str, tuple[str, dict[str, Any]]] = {
    "comprehend.document-classification": (
        "start_document_classification_job",
        {
            "DocumentClassifierArn": (
                "arn:aws:comprehend:us-east-1:123456789012:document-classifier/moto"
            )
        },
    ),
    "comprehend.dominant-language": ("start_dominant_language_detection_job", {}),
    "comprehend.entities": ("start_entities_detection_job", {"LanguageCode": "en"}),
    "comprehend.events": (
        "start_events_detection_job",
        {"LanguageCode": "en", "TargetEventTypes": ["BANKRUPTCY"]},
    ),
    "comprehend.key-phrases": ("start_key_phrases_detection_job", {"LanguageCode": "en"}),
    "comprehend.pii-entities": (
        "start_pii_entities_detection_job",
        {"LanguageCode": "en", "Mode": "ONLY_OFFSETS"},
    ),
    "comprehend.sentiment": ("start_sentiment_detection_job", {"LanguageCode": "en"}),
    "comprehend.targeted-sentiment": (
        "start_targeted_sentiment_detection_job",
        {"LanguageCode": "en"},
    ),
    "comprehend.topics": ("start_topics_detection_job", {}),
}


def _comprehend_seed(name: str) -> Callable[[str], list[Any]]:
    def seed(url: str) -> list[Any]:
        start, own = _COMPREHEND[name]
        comprehend = _client(url, "comprehend")
        for i in range(SMALL):
            getattr(comprehend, start)(
                JobName=f"moto-{i}",
                InputDataConfig={"S3Uri": "s3://bucket/in"},
                OutputDataConfig={"S3Uri": "s3://bucket/out"},
                DataAccessRoleArn=ROLE,
                **own,
            )
        return _listed(url, name)

    return seed


def _seed_transcription(url: str) -> list[Any]:
    transcribe = _client(url, "transcribe")
    for i in range(SMALL):
        transcribe.start_transcription_job(
            TranscriptionJobName=f"moto-transcription-{i}",
            LanguageCode="en-US",
            Media={"MediaFileUri": "s3://bucket/audio.wav"},
        )
    return _listed(url, "transcribe.transcription")


def _seed_medical_transcription(url: str) -> list[Any]:
    transcribe = _client(url, "transcribe")
    for i in range(SMALL):
        transcribe.start_medical_transcription_job(
            MedicalTranscriptionJobName=f"moto-medical-{i}",
            LanguageCode="en-US",
            Media={"MediaFileUri": "s3://bucket/audio.wav"},
            OutputBucketName="bucket",
            Specialty="PRIMARYCARE",
            Type="DICTATION",
        )
    return _listed(url, "transcribe.medical-transcription")


def _seed_glue_job_runs(url: str) -> list[Any]:
    glue = _client(url, "glue")
    out: list[Any] = []
    for j in range(2):
        name = f"moto-glue-job-{j}"
        glue.create_job(
            Name=name, Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": "s3://b/job.py"}
        )
        for _ in range(SMALL):
            glue.start_job_run(JobName=name)
        out += _listed(url, "glue.job-runs", JobName=name)
    return out


def _seed_emr_serverless(url: str) -> list[Any]:
    emr = _client(url, "emr-serverless")
    out: list[Any] = []
    for a in range(2):
        app = emr.create_application(name=f"moto-app-{a}", releaseLabel="emr-6.6.0", type="SPARK")[
            "applicationId"
        ]
        for i in range(SMALL):
            emr.start_job_run(
                applicationId=app,
                name=f"moto-run-{a}-{i}",
                executionRoleArn=ROLE,
                jobDriver={"sparkSubmit": {"entryPoint": "s3://bucket/job.py"}},
            )
        out += _listed(url, "emr-serverless.job-runs", applicationId=app)
    return out


def _sagemaker_seed(name: str, create: Callable[[Any, int], None]) -> Callable[[str], list[Any]]:
    def seed(url: str) -> list[Any]:
        sagemaker = _client(url, "sagemaker")
        for i in range(SMALL):
            create(sagemaker, i)
        return _listed(url, name)

    return seed


_RESOURCES = {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10}
_TRAINING = {
    "AlgorithmSpecification": {"TrainingImage": "image", "TrainingInputMode": "File"},
    "RoleArn": ROLE,
    "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
    "ResourceConfig": _RESOURCES,
    "StoppingCondition": {"MaxRuntimeInSeconds": 60},
}


def _training(sm: Any, i: int) -> None:
    sm.create_training_job(TrainingJobName=f"moto-training-{i}", **_TRAINING)


def _transform(sm: Any, i: int) -> None:
    sm.create_transform_job(
        TransformJobName=f"moto-transform-{i}",
        ModelName="model",
        TransformInput={
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in"}}
        },
        TransformOutput={"S3OutputPath": "s3://bucket/out"},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
    )


def _compilation(sm: Any, i: int) -> None:
    sm.create_compilation_job(
        CompilationJobName=f"moto-compilation-{i}",
        RoleArn=ROLE,
        InputConfig={"S3Uri": "s3://b/in", "DataInputConfig": "{}", "Framework": "PYTORCH"},
        OutputConfig={"S3OutputLocation": "s3://bucket/out", "TargetDevice": "ml_m5"},
        StoppingCondition={"MaxRuntimeInSeconds": 60},
    )


def _automl(sm: Any, i: int) -> None:
    sm.create_auto_ml_job_v2(
        AutoMLJobName=f"moto-automl-{i}",
        AutoMLJobInputDataConfig=[
            {
                "ChannelType": "training",
                "ContentType": "text/csv;header=present",
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in"}},
            }
        ],
        OutputDataConfig={"S3OutputPath": "s3://bucket/out"},
        # moto needs ProblemType and CompletionCriteria, which AWS makes optional.
        AutoMLProblemTypeConfig={
            "TabularJobConfig": {
                "TargetAttributeName": "y",
                "ProblemType": "BinaryClassification",
                "CompletionCriteria": {"MaxCandidates": 1},
            }
        },
        RoleArn=ROLE,
    )


def _tuning(sm: Any, i: int) -> None:
    sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=f"moto-tuning-{i}",
        HyperParameterTuningJobConfig={
            "Strategy": "Bayesian",
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 1, "MaxParallelTrainingJobs": 1},
        },
        TrainingJobDefinition=_TRAINING,
    )


def _seed_pipeline_executions(url: str) -> list[Any]:
    sagemaker = _client(url, "sagemaker")
    definition = json.dumps({"Version": "2020-12-01", "Steps": []})
    out: list[Any] = []
    for p in range(2):
        name = f"moto-pipeline-{p}"
        sagemaker.create_pipeline(PipelineName=name, PipelineDefinition=definition, RoleArn=ROLE)
        for _ in range(SMALL):
            sagemaker.start_pipeline_execution(PipelineName=name)
        out += _listed(url, "sagemaker.pipeline-executions", PipelineName=name)
    return out


SEEDS: dict[str, Callable[[str], list[Any]]] = {
    "iot.jobs": _seed_iot,
    "emr-containers.job-runs": _seed_emr_containers,
    "dms.replication-tasks": _seed_dms,
    "glue.crawls": _seed_glue_crawls,
    "codebuild.builds": _seed_codebuild,
    "emr.steps": _seed_emr_steps,
    "stepfunctions.executions": _seed_stepfunctions,
    "bedrock.model-customization": _seed_bedrock,
    **{name: _comprehend_seed(name) for name in _COMPREHEND},
    "transcribe.transcription": _seed_transcription,
    "transcribe.medical-transcription": _seed_medical_transcription,
    "glue.job-runs": _seed_glue_job_runs,
    "emr-serverless.job-runs": _seed_emr_serverless,
    "sagemaker.training": _sagemaker_seed("sagemaker.training", _training),
    "sagemaker.transform": _sagemaker_seed("sagemaker.transform", _transform),
    "sagemaker.compilation": _sagemaker_seed("sagemaker.compilation", _compilation),
    "sagemaker.automl": _sagemaker_seed("sagemaker.automl", _automl),
    "sagemaker.hyperparameter-tuning": _sagemaker_seed("sagemaker.hyperparameter-tuning", _tuning),
    "sagemaker.pipeline-executions": _seed_pipeline_executions,
}


@pytest.fixture(scope="module")
def seeded(moto_url: str) -> Iterator[dict[str, list[Any]]]:
    """moto seeded once per adapter; each value is what boto3 lists back."""
    yield {name: seed(moto_url) for name, seed in SEEDS.items()}


def _utc(value: Any) -> Any:
    """``value`` with every datetime in UTC (moto sends some without a zone; jobkit's
    clients parse timestamps as UTC, a default boto3 client as local time)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if isinstance(value, Mapping):
        return {k: _utc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_utc(v) for v in value]
    return value


#: Adapters whose moto listing carries no status member (moto leaves it out of the summary;
#: AWS always sends it): jobkit yields them UNKNOWN with no raw word.
NO_STATUS = {
    "transcribe.transcription": "TranscriptionJobStatus",
    "transcribe.medical-transcription": "TranscriptionJobStatus",
}


#: Members moto changes on every read (each BatchGetBuilds appends phases and moves the end
#: time on): compared everywhere else, left out of the comparison.
VOLATILE = {"codebuild.builds": ("phases", "endTime")}


def _stable(name: str, record: Mapping[str, Any]) -> str:
    drop = VOLATILE.get(name, ())
    return canonical(_utc({k: v for k, v in record.items() if k not in drop}))


def _check(name: str, got: list[Any], expected: list[Any]) -> None:
    assert expected, f"moto listed nothing for {name}"
    want = sorted(_stable(name, r) for r in expected)
    assert sorted(_stable(name, j.raw) for j in got) == want
    spec = REGISTRY[name]
    for job in got:
        assert job.problem is None, job.problem
        if name in NO_STATUS:
            assert job.raw_status is None and job.status is JobStatus.UNKNOWN
        elif job.raw_status in spec.status_map:
            assert job.status is spec.status_map[job.raw_status]
        else:
            # A word the model does not list (moto's IoT answers QUEUED): UNKNOWN, kept raw.
            assert job.status is JobStatus.UNKNOWN and job.raw_status
        if spec.created_field:
            assert job.created is not None and job.created.utcoffset() is not None


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_sync_listing_equals_boto3(moto_url: str, seeded: dict[str, list[Any]], name: str) -> None:
    """jobs() yields what boto3 lists from moto, each job once, normalized."""
    _check(name, list(jobkit.jobs(name, endpoint_url=moto_url, regions="us-east-1")), seeded[name])


@pytest.mark.parametrize("name", sorted(SEEDS))
async def test_async_listing_equals_boto3(
    moto_url: str, seeded: dict[str, list[Any]], name: str
) -> None:
    """ajobs() yields what boto3 lists from moto, each job once, normalized."""
    it = jobkit.ajobs(name, endpoint_url=moto_url, regions="us-east-1")
    _check(name, await it.collect(), seeded[name])


def test_moto_still_leaves_the_status_out(seeded: dict[str, list[Any]]) -> None:
    """The NO_STATUS quirk is still true: remove an entry when moto sends the status."""
    for name, member in NO_STATUS.items():
        assert all(member not in item for item in seeded[name]), f"moto now sends {member}"


def test_moto_still_changes_builds_on_every_read(moto_url: str) -> None:
    """The VOLATILE quirk is still true: remove it when moto's builds hold still."""
    codebuild = _client(moto_url, "codebuild")
    ids = codebuild.list_builds()["ids"][:1]
    first, second = (codebuild.batch_get_builds(ids=ids)["builds"][0] for _ in range(2))
    assert first["phases"] != second["phases"]


# ------------------------------------------------------------ what moto implements, and not


def _strict(url: str, service: str) -> Any:
    """A client that does not retry, so a moto failure shows at once."""
    config = Config(retries={"mode": "standard", "max_attempts": 1})
    return boto3.Session().client(service, endpoint_url=url, region_name="us-east-1", config=config)


def _athena_batch_get_fails(url: str) -> bool:
    athena = _strict(url, "athena")
    query = athena.start_query_execution(QueryString="SELECT 1", WorkGroup="primary")
    try:
        athena.batch_get_query_execution(QueryExecutionIds=[query["QueryExecutionId"]])
    except ClientError as exc:
        return exc.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    return False


def _map_runs_listing_is_empty(url: str) -> bool:
    sfn = _strict(url, "stepfunctions")
    definition = json.dumps(
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "End": True}},
                    },
                    "End": True,
                }
            },
        }
    )
    arn = sfn.create_state_machine(name="moto-map", definition=definition, roleArn=ROLE)
    execution = sfn.start_execution(stateMachineArn=arn["stateMachineArn"], input="[1, 2]")
    return "mapRuns" not in sfn.list_map_runs(executionArn=execution["executionArn"])


def _no_docker(url: str) -> bool:
    return not Path("/var/run/docker.sock").exists()


#: Adapters whose operations moto implements but that cannot be checked against it, each with
#: the reason and a check that the reason still holds (it fails once moto, or the machine,
#: changes: then seed the adapter above instead).
MOTO_BROKEN: dict[str, tuple[str, Callable[[str], bool]]] = {
    "athena.query-executions": (
        "moto 5.2 answers BatchGetQueryExecution (the hydrate call) with HTTP 500",
        _athena_batch_get_fails,
    ),
    "stepfunctions.map-runs": (
        "moto does not run state machines, so no map run exists; its ListMapRuns answers {}",
        _map_runs_listing_is_empty,
    ),
    "batch.jobs": (
        "moto runs each Batch job in a Docker container; without a Docker daemon every job "
        "leaks an unclosed socket (a ResourceWarning, an error in this suite)",
        _no_docker,
    ),
}

#: Adapters checked against moto in another module.
ELSEWHERE = {"sagemaker.processing": "tests/test_moto.py"}


def _moto_implements(service: str, operation: str) -> bool:
    """Whether the installed moto's responses for ``service`` handle ``operation`` (a
    handler named after it: ``list_builds``, or ``listjobs`` in moto's REST services)."""
    folder = Path(moto.__file__).parent / service.replace("-", "")
    source = folder / "responses.py"
    if not source.exists():
        return False
    text = source.read_text()
    names = (xform_name(operation), operation.lower())
    return any(re.search(rf"def {n}\(", text) for n in names)


def test_every_adapter_moto_implements_is_checked_or_excluded() -> None:
    """Every adapter whose listing moto implements is checked against moto here (or in
    ELSEWHERE), or excluded with its reason; an exclusion names an adapter moto implements."""
    implemented = {
        spec.name for spec in REGISTRY.values() if _moto_implements(spec.service, spec.operation)
    }
    covered = set(SEEDS) | set(ELSEWHERE)
    assert implemented - covered - set(MOTO_BROKEN) == set(), "moto implements these: seed them"
    assert set(MOTO_BROKEN) <= implemented
    assert not covered & set(MOTO_BROKEN)
    # The hydrate and discovery calls of the checked adapters are moto's too.
    for name in SEEDS:
        spec = REGISTRY[name]
        calls = [spec.hydrate.operation] if spec.hydrate else []
        assert all(_moto_implements(spec.service, op) for op in calls), name
        for param in spec.scope:
            if param.discovery is not None:
                found = param.discovery
                assert _moto_implements(found.service, found.operation), (name, found.operation)


@pytest.mark.parametrize("name", sorted(MOTO_BROKEN))
def test_moto_exclusions_are_still_accurate(moto_url: str, name: str) -> None:
    """Each excluded adapter's reason still holds against the installed moto."""
    reason, still_true = MOTO_BROKEN[name]
    assert still_true(moto_url), f"no longer true, seed {name} instead: {reason}"
