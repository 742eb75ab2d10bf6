"""Deterministic, lazily generated ground truth for the emulator.

Every job is a pure function of ``(seed, now, region, scope, index)``: nothing is stored per job,
so a listing of a million jobs costs a million small computations and no memory. Index 0 is the
newest job; creation time strictly decreases with the index (``t0 - i*step - jitter(i)`` with
``0 <= jitter < step``), which also lets the server turn time-window filters into index ranges by
bisection. Times span about 60 days before the emulator's ``now`` and have millisecond
precision, so what botocore parses from the wire equals these records exactly.

``now`` is the real clock when the emulator is created, so ``since="7d"`` finds the jobs of
the last week as it would on AWS; tests pass a fixed ``now`` (``REFERENCE_NOW``) or set
``JOBKIT_EMULATOR_NOW`` (ISO 8601) so that every emulator of a run, subprocesses included,
serves the same data.

Records are exactly what a boto3 client returns after parsing: AWS member names, tz-aware UTC
datetimes for timestamp shapes, ints for Batch's epoch-millisecond longs, absent keys for absent
members.

Malformed Batch records (``malformed=N``): N extra RUNNING jobs per service-job queue, after the
regular ones. The brief asked for a non-numeric string ``createdAt``, but botocore's rest-json
parser runs ``int()`` on ``long`` members, so such a string fails the whole page with a
``ValueError`` instead of reaching the caller. The emulator therefore sends an integer that no
``datetime`` can hold (year > 9999): botocore passes it through untouched and only the consumer's
conversion fails. For the emulator's own ordering and filters their ``createdAt`` counts as 0:
they sort last, never match ``AFTER_CREATED_AT`` and always match ``BEFORE_CREATED_AT``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = [
    "ACCOUNT_ID",
    "DEFAULT_SIZES",
    "MALFORMED_CREATED_AT_BASE",
    "NOW_ENV",
    "REFERENCE_NOW",
    "EmulatorData",
    "JobSet",
]

ACCOUNT_ID = "123456789012"
REFERENCE_NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
"""A fixed instant for reproducible tests: ``Emulator(now=REFERENCE_NOW)``."""
NOW_ENV = "JOBKIT_EMULATOR_NOW"
"""Environment variable (ISO 8601) fixing ``now`` for emulators created without ``now=``."""
MALFORMED_CREATED_AT_BASE = 253_402_300_800_000
"""First epoch-ms value past 9999-12-31T23:59:59.999Z; malformed Batch jobs count up from here."""

_SPAN_MS = 60 * 86_400_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MASK = (1 << 64) - 1

DEFAULT_SIZES: Mapping[str, int] = {
    "ListProcessingJobs": 250,
    "ListLabelingJobsForWorkteam": 120,
    "ListSNOMEDCTInferenceJobs": 300,
    "ListServiceJobs": 200,
    "ListCollaborationTrainedModelExportJobs": 60,
    # Discovery (parents): counts per region, or per collaboration for trained models.
    "ListWorkteams": 3,
    "DescribeJobQueues": 2,
    "ListCollaborations": 2,
    "ListCollaborationTrainedModels": 2,
    # Operations emulated generically from their botocore shapes (_generic.py). A name that
    # several emulated services share is qualified as "service:Operation".
    **dict.fromkeys(
        (
            "ListTrainingJobs",
            "ListTransformJobs",
            "ListHyperParameterTuningJobs",
            "ListCompilationJobs",
            "ListAutoMLJobs",
            "ListLabelingJobs",
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
            "mediaconvert:ListJobs",
            "s3control:ListJobs",
        ),
        40,
    ),
    # Per parent (pipeline, Glue job, application, state machine, job queue).
    **dict.fromkeys(("ListPipelineExecutions", "GetJobRuns", "ListJobRuns", "ListExecutions"), 25),
    "batch:ListJobs": 40,
    "ListPipelines": 2,
    "glue:ListJobs": 2,
    "ListApplications": 2,
    "ListStateMachines": 3,
    "ListRoles": 4,
}

_HAND_WRITTEN_OPS = {
    ("sagemaker", "ListProcessingJobs"),
    ("sagemaker", "ListLabelingJobsForWorkteam"),
    ("comprehendmedical", "ListSNOMEDCTInferenceJobs"),
    ("batch", "ListServiceJobs"),
    ("cleanroomsml", "ListCollaborationTrainedModelExportJobs"),
}


def _generic() -> Any:
    # _generic builds on JobSet (defined here), so it is imported when first needed.
    from jobkit.testing import _generic  # noqa: PLC0415

    return _generic


def _mix(x: int) -> int:
    """splitmix64: a fast, well-spread 64-bit hash step."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _salt(*parts: object) -> int:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _uuid(*parts: object) -> str:
    a = _salt(*parts)
    return str(uuid.UUID(int=(a << 64) | _mix(a), version=4))


def ms_to_datetime(ms: int) -> dt.datetime:
    """Epoch milliseconds to an aware UTC datetime, exactly."""
    return _EPOCH + dt.timedelta(milliseconds=ms)


def datetime_to_us(value: dt.datetime) -> int:
    """Aware datetime to epoch microseconds, exactly (for comparisons with record times)."""
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class JobSet:
    """One operation's jobs in one region and scope; ``record(i)`` is a pure function of ``i``."""

    statuses: tuple[str, ...] = ()

    def __init__(
        self, *, seed: int, region: str, scope: str, n: int, ref_ms: int, malformed: int = 0
    ) -> None:
        self.region = region
        self.scope = scope
        self.n = n
        self.malformed = malformed
        self.salt = _salt(seed, region, type(self).__name__, scope)
        self.step = max(2, _SPAN_MS // max(n, 1))
        # Scopes start up to an hour apart so merged listings interleave rather than tie.
        self.t0_ms = ref_ms - 1_000 - self.salt % 3_600_000
        self.ref_ms = ref_ms

    @property
    def size(self) -> int:
        """Number of records including malformed ones."""
        return self.n + self.malformed

    def created_ms(self, i: int) -> int:
        """Creation time in epoch ms used for ordering/filters (0 for malformed records)."""
        if i >= self.n:
            return 0
        return self.t0_ms - i * self.step - _mix(self.salt ^ (i << 8)) % self.step

    def rand(self, i: int, k: int) -> int:
        """The k-th independent 64-bit pseudo-random value of record ``i``."""
        return _mix(self.salt ^ (i << 8) ^ (k + 1))

    def status(self, i: int) -> str:
        """Status of record ``i``; the first indices walk the enum so every value appears."""
        if i < len(self.statuses):
            return self.statuses[i]
        return self.statuses[self.rand(i, 0) % len(self.statuses)]

    def later(self, start_ms: int, i: int, k: int, max_ms: int) -> int:
        """A time after ``start_ms`` by up to ``max_ms``, never past the reference instant."""
        room = max(1, self.ref_ms - start_ms - 1)
        return start_ms + 1 + self.rand(i, k) % max(1, min(max_ms, room))

    def record(self, i: int) -> dict[str, Any]:
        """The ground-truth record at index ``i`` (0 = newest)."""
        raise NotImplementedError

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self.record(i) for i in range(self.size))


def _pick(options: tuple[str, ...], value: int) -> str:
    return options[value % len(options)]


class ProcessingJobs(JobSet):
    """SageMaker ListProcessingJobs summaries."""

    statuses = ("InProgress", "Completed", "Failed", "Stopping", "Stopped")
    _prefixes = ("Proc-Nightly", "etl-daily", "ETL-Hourly", "FeatureGen", "featuregen-backfill")

    def status(self, i: int) -> str:
        if i < len(self.statuses):
            return self.statuses[i]
        roll = self.rand(i, 0) % 100
        for status, edge in (
            ("Completed", 55),
            ("Failed", 70),
            ("InProgress", 82),
            ("Stopped", 94),
        ):
            if roll < edge:
                return status
        return "Stopping"

    def record(self, i: int) -> dict[str, Any]:
        name = f"{_pick(self._prefixes, self.rand(i, 1))}-{i:05d}"
        created = self.created_ms(i)
        status = self.status(i)
        rec: dict[str, Any] = {
            "ProcessingJobName": name,
            "ProcessingJobArn": (
                f"arn:aws:sagemaker:{self.region}:{ACCOUNT_ID}:processing-job/{name.lower()}"
            ),
            "CreationTime": ms_to_datetime(created),
        }
        modified = self.later(created, i, 2, 3_600_000)
        if status in ("Completed", "Failed", "Stopped"):
            end = self.later(created, i, 3, 7_200_000)
            rec["ProcessingEndTime"] = ms_to_datetime(end)
            modified = max(modified, end)
        rec["LastModifiedTime"] = ms_to_datetime(modified)
        rec["ProcessingJobStatus"] = status
        if status == "Failed":
            rec["FailureReason"] = _pick(
                (
                    "AlgorithmError: container exited with code 1",
                    "ClientError: insufficient capacity for ml.m5.4xlarge",
                    "InternalServerError: an internal error occurred",
                ),
                self.rand(i, 4),
            )
        if status == "Completed":
            rec["ExitMessage"] = "Processing complete"
        return rec


class LabelingJobs(JobSet):
    """SageMaker ListLabelingJobsForWorkteam summaries (no status; LabelCounters only)."""

    _prefixes = ("Label-Images", "text-classify", "BBox-Review", "ner-Annotate")
    _refs = ("Ref-Batch", "ref-img", "REF-Text", "ref-Audio")

    def record(self, i: int) -> dict[str, Any]:
        created = self.created_ms(i)
        rec: dict[str, Any] = {
            "LabelingJobName": f"{_pick(self._prefixes, self.rand(i, 1))}-{i:05d}",
            "JobReferenceCode": (
                f"{_pick(self._refs, self.rand(i, 2))}-{self.salt % 997:03d}-{i:05d}"
            ),
            "WorkRequesterAccountId": ACCOUNT_ID,
            "CreationTime": ms_to_datetime(created),
        }
        total = 10 + self.rand(i, 3) % 990
        kind = i % 4 if i < 4 else self.rand(i, 4) % 4
        if kind == 0:
            return rec  # some summaries carry no LabelCounters at all
        if kind == 1:
            counters = {"HumanLabeled": 0, "PendingHuman": 0, "Total": total}
        elif kind == 2:
            done = self.rand(i, 5) % total
            counters = {"HumanLabeled": done, "PendingHuman": total - done, "Total": total}
        else:
            counters = {"HumanLabeled": total, "PendingHuman": 0, "Total": total}
        rec["LabelCounters"] = counters
        rec["NumberOfHumanWorkersPerDataObject"] = 1 + self.rand(i, 6) % 3
        return rec


class SnomedJobs(JobSet):
    """Comprehend Medical ListSNOMEDCTInferenceJobs job properties."""

    statuses = (
        "SUBMITTED",
        "IN_PROGRESS",
        "COMPLETED",
        "PARTIAL_SUCCESS",
        "FAILED",
        "STOP_REQUESTED",
        "STOPPED",
    )
    _prefixes = ("Snomed-Notes", "clinical-batch", "ER-Discharge", "er-discharge-backfill")

    def record(self, i: int) -> dict[str, Any]:
        name = f"{_pick(self._prefixes, self.rand(i, 1))}-{i:05d}"
        submitted = self.created_ms(i)
        status = self.status(i)
        rec: dict[str, Any] = {
            "JobId": f"{self.rand(i, 2):016x}{self.rand(i, 3):016x}",
            "JobName": name,
            "JobStatus": status,
        }
        if status == "FAILED":
            rec["Message"] = "Unable to read input: access denied to s3://jobkit-medical-input"
        elif status == "PARTIAL_SUCCESS":
            rec["Message"] = "Some documents could not be processed; see the output manifest"
        rec["SubmitTime"] = ms_to_datetime(submitted)
        if status in ("COMPLETED", "PARTIAL_SUCCESS", "FAILED", "STOPPED"):
            end = self.later(submitted, i, 4, 5_400_000)
            rec["EndTime"] = ms_to_datetime(end)
            rec["ExpirationTime"] = ms_to_datetime(end + 90 * 86_400_000)
        rec["InputDataConfig"] = {"S3Bucket": "jobkit-medical-input", "S3Key": f"notes/{name}/"}
        rec["OutputDataConfig"] = {"S3Bucket": "jobkit-medical-output", "S3Key": f"out/{name}/"}
        rec["LanguageCode"] = "en"
        rec["DataAccessRoleArn"] = f"arn:aws:iam::{ACCOUNT_ID}:role/ComprehendMedicalAccess"
        rec["ModelVersion"] = "0.1.0"
        return rec


class ServiceJobs(JobSet):
    """Batch ListServiceJobs summaries for one SAGEMAKER_TRAINING job queue."""

    statuses = (
        "SUBMITTED",
        "PENDING",
        "RUNNABLE",
        "SCHEDULED",
        "STARTING",
        "RUNNING",
        "SUCCEEDED",
        "FAILED",
    )
    _prefixes = ("Train-ResNet", "train-resnet-sweep", "HPO-Sweep", "FineTune-LLM", "finetune-llm")

    def __init__(self, *, share_kind: str, shares: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.share_kind = share_kind
        self.shares = shares

    def status(self, i: int) -> str:
        return "RUNNING" if i >= self.n else super().status(i)

    def record(self, i: int) -> dict[str, Any]:
        job_id = _uuid(self.salt, i)
        status = self.status(i)
        if i >= self.n:
            name = f"Malformed-Job-{i - self.n:05d}"
            created: int = MALFORMED_CREATED_AT_BASE + (i - self.n)
            anchor = self.t0_ms - self.n * self.step
        else:
            name = f"{_pick(self._prefixes, self.rand(i, 1))}-{i:05d}"
            created = self.created_ms(i)
            anchor = created
        rec: dict[str, Any] = {}
        started = status in ("RUNNING", "SUCCEEDED", "FAILED")
        if started:
            rec["latestAttempt"] = {
                "serviceResourceId": {
                    "name": "TrainingJobArn",
                    "value": (
                        f"arn:aws:sagemaker:{self.region}:{ACCOUNT_ID}:training-job/"
                        f"{name.lower()}-{job_id[:8]}"
                    ),
                }
            }
        if status in ("SCHEDULED", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"):
            rec["capacityUsage"] = [
                {
                    "capacityUnit": _pick(
                        ("ml.m5.xlarge", "ml.g5.2xlarge", "ml.p4d.24xlarge"), self.rand(i, 2)
                    ),
                    "quantity": float(1 + self.rand(i, 3) % 4),
                }
            ]
        rec["createdAt"] = created
        rec["jobArn"] = f"arn:aws:batch:{self.region}:{ACCOUNT_ID}:job/{job_id}"
        rec["jobId"] = job_id
        rec["jobName"] = name
        scheduled = None
        if status in ("SCHEDULED", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"):
            scheduled = self.later(anchor, i, 4, 600_000)
            rec["scheduledAt"] = scheduled
        rec["serviceJobType"] = "SAGEMAKER_TRAINING"
        share = _pick(self.shares, self.rand(i, 5))
        rec["shareIdentifier" if self.share_kind == "SHARE_IDENTIFIER" else "quotaShareName"] = (
            share
        )
        rec["status"] = status
        if started and scheduled is not None:
            start = self.later(scheduled, i, 6, 300_000)
            rec["startedAt"] = start
            if status in ("SUCCEEDED", "FAILED"):
                rec["stoppedAt"] = self.later(start, i, 7, 14_400_000)
        terminated = status == "FAILED" and self.rand(i, 8) % 3 == 0
        if status == "FAILED":
            rec["statusReason"] = (
                "Terminated by user" if terminated else "AlgorithmError: training diverged"
            )
        elif status == "SUCCEEDED":
            rec["statusReason"] = "Training job completed"
        rec["isTerminated"] = terminated
        return rec


class ExportJobs(JobSet):
    """Clean Rooms ML ListCollaborationTrainedModelExportJobs summaries for one trained model."""

    statuses = ("CREATE_PENDING", "CREATE_IN_PROGRESS", "CREATE_FAILED", "ACTIVE")
    _prefixes = ("Export-Weekly", "export-adhoc", "EXPORT-Audit")

    def __init__(self, *, model: Mapping[str, Any], versions: tuple[str, ...], **kw: Any) -> None:
        super().__init__(**kw)
        self.model = model
        self.versions = versions

    def record(self, i: int) -> dict[str, Any]:
        created = self.created_ms(i)
        status = self.status(i)
        updated = created if status == "CREATE_PENDING" else self.later(created, i, 2, 1_800_000)
        rec: dict[str, Any] = {
            "createTime": ms_to_datetime(created),
            "updateTime": ms_to_datetime(updated),
            "name": f"{_pick(self._prefixes, self.rand(i, 1))}-{i:05d}",
            "outputConfiguration": {"members": [{"accountId": ACCOUNT_ID}]},
            "status": status,
        }
        if status == "CREATE_FAILED":
            rec["statusDetails"] = {
                "statusCode": "ValidationError",
                "message": "The receiver member cannot receive model output",
            }
        if self.rand(i, 3) % 2:
            rec["description"] = "Scheduled export of the trained model"
        rec["creatorAccountId"] = ACCOUNT_ID
        rec["trainedModelArn"] = self.model["trainedModelArn"]
        rec["trainedModelVersionIdentifier"] = _pick(self.versions, self.rand(i, 4))
        rec["membershipIdentifier"] = self.model["membershipIdentifier"]
        rec["collaborationIdentifier"] = self.model["collaborationIdentifier"]
        return rec


def resolve_now(now: dt.datetime | None) -> dt.datetime:
    """``now`` (timezone-aware), else ``$JOBKIT_EMULATOR_NOW``, else the real clock; in UTC,
    truncated to the millisecond like every time the emulator serves."""
    if now is None:
        text = os.environ.get(NOW_ENV, "").strip()
        if text:
            try:
                now = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                raise ValueError(
                    f"{NOW_ENV}={text!r} is not an ISO 8601 time, e.g. 2026-11-01T00:00:00Z"
                ) from None
        else:
            now = dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise ValueError(f"now must be timezone-aware, e.g. {REFERENCE_NOW!r}; got {now!r}")
    now = now.astimezone(dt.UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def brand(value: Any, account: str) -> Any:
    """``value`` with the default account id replaced by ``account`` in every string (ARNs,
    account-id members): another account's records are the default account's, rebranded."""
    if account == ACCOUNT_ID:
        return value
    if isinstance(value, str):
        return value.replace(ACCOUNT_ID, account)
    if isinstance(value, dict):
        return {k: brand(v, account) for k, v in value.items()}
    if isinstance(value, list):
        return [brand(v, account) for v in value]
    return value


class _Branded(JobSet):
    """Another account's view of a job set: the same times and statuses, rebranded records."""

    def __init__(self, inner: JobSet, account: str) -> None:  # a view: no JobSet.__init__
        self.inner = inner
        self.account = account
        self.region, self.scope, self.n = inner.region, inner.scope, inner.n
        self.malformed, self.salt, self.step = inner.malformed, inner.salt, inner.step
        self.t0_ms, self.ref_ms, self.statuses = inner.t0_ms, inner.ref_ms, inner.statuses

    def created_ms(self, i: int) -> int:
        return self.inner.created_ms(i)

    def status(self, i: int) -> str:
        return self.inner.status(i)

    def record(self, i: int) -> dict[str, Any]:
        return brand(self.inner.record(i), self.account)  # type: ignore[no-any-return]


class UnknownScopeError(LookupError):
    """The scope (work team, job queue, collaboration, model) does not exist in that region."""


class EmulatorData:
    """The emulator's ground truth: what boto3 returns for every listing, generated on demand.

    ``records()`` lists every job of an operation in a region and scope, all statuses, newest
    first; scopes are keyword arguments named like the AWS parameters (``WorkteamArn=``,
    ``jobQueue=`` name or ARN, ``collaborationIdentifier=`` + ``trainedModelArn=``,
    ``PipelineName=``, ``JobName=``, ``applicationId=``, ``stateMachineArn=``,
    ``AccountId=``). ``parents()`` lists what a discovery operation returns. ``sizes`` keys
    are operation names, qualified as ``service:Operation`` where services share one
    (``batch:ListJobs``); an unqualified shared name sets all of them.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        sizes: Mapping[str, int] | None = None,
        malformed: int = 0,
        now: dt.datetime | None = None,
        account: str = ACCOUNT_ID,
    ) -> None:
        unknown = (
            set(sizes or {})
            - set(DEFAULT_SIZES)
            - {op for key in DEFAULT_SIZES if ":" in key for op in (key.split(":")[1],)}
            - set(_generic().generic_names())
            - _generic().generic_keys()
        )
        if unknown:
            raise ValueError(f"unknown operation(s) in sizes: {sorted(unknown)}")
        if any(v < 0 for v in (sizes or {}).values()) or malformed < 0:
            raise ValueError("sizes and malformed must be >= 0")
        self.seed = seed
        self.account = account
        merged = {**DEFAULT_SIZES}
        qualified = {*DEFAULT_SIZES, *_generic().generic_keys()}
        for key, value in (sizes or {}).items():
            # An unqualified shared name ("ListJobs") sets every service's count.
            shared = [k for k in qualified if k.split(":")[-1] == key and ":" in k]
            merged.update(dict.fromkeys(shared or [key], value))
        self.sizes: Mapping[str, int] = merged
        self.malformed = malformed
        self.now = resolve_now(now)
        self.ref_ms = datetime_to_us(self.now) // 1000
        self._sets: dict[tuple[str, str, str], JobSet] = {}
        #: A ``jobkit.testing.JobChanges`` overlay, when one is attached (see _changes.py).
        self.changes: Any = None
        self._memo: dict[tuple[str, ...], Any] = {}
        self._deleted: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ discovery

    def _parent_time(self, *parts: object) -> dt.datetime:
        # Parents predate every job: 61-400 days before the reference instant.
        offset = 61 * 86_400_000 + _salt(self.seed, *parts) % (340 * 86_400_000)
        return ms_to_datetime(self.ref_ms - offset)

    def workteams(self, region: str) -> list[dict[str, Any]]:
        """ListWorkteams summaries for ``region``, oldest first."""
        names = ("Private-Labelers", "vendor-Team-b", "QA-Reviewers", "medical-Experts")
        teams: list[dict[str, Any]] = []
        for k in range(self.sizes["ListWorkteams"]):
            name = names[k % len(names)] + (f"-{k}" if k >= len(names) else "")
            created = self._parent_time(region, "workteam", k)
            pool = f"{region}_{_salt(self.seed, region, 'pool', k) % 10**9:09d}"
            teams.append(
                {
                    "WorkteamName": name,
                    "MemberDefinitions": [
                        {
                            "CognitoMemberDefinition": {
                                "UserPool": pool,
                                "UserGroup": f"{name.lower()}-group",
                                "ClientId": f"{_salt(self.seed, region, 'client', k):016x}",
                            }
                        }
                    ],
                    "WorkteamArn": (
                        f"arn:aws:sagemaker:{region}:{ACCOUNT_ID}:workteam/private-crowd/{name}"
                    ),
                    "WorkforceArn": f"arn:aws:sagemaker:{region}:{ACCOUNT_ID}:workforce/default",
                    "Description": f"{name} labeling work team",
                    "SubDomain": f"{_salt(self.seed, region, 'sub', k) % 16**10:010x}"
                    f".labeling.{region}.sagemaker.aws",
                    "CreateDate": created,
                    "LastUpdatedDate": created + dt.timedelta(days=3, milliseconds=k),
                }
            )
        teams.sort(key=lambda t: t["CreateDate"])
        return brand(teams, self.account)  # type: ignore[no-any-return]

    def job_queues(self, region: str) -> list[dict[str, Any]]:
        """DescribeJobQueues details: the SAGEMAKER_TRAINING queues, then one ECS queue."""
        queues = []
        names = ("Training-Queue-A", "gpu-training-b", "LLM-FineTune-c")
        for k in range(self.sizes["DescribeJobQueues"]):
            name = names[k % len(names)] + (f"-{k}" if k >= len(names) else "")
            queue: dict[str, Any] = {
                "jobQueueName": name,
                "jobQueueArn": f"arn:aws:batch:{region}:{ACCOUNT_ID}:job-queue/{name}",
                "state": "ENABLED",
            }
            if k % 2 == 0:
                queue["schedulingPolicyArn"] = (
                    f"arn:aws:batch:{region}:{ACCOUNT_ID}:scheduling-policy/fairshare-{k}"
                )
            queue.update(
                {
                    "status": "VALID",
                    "statusReason": "JobQueue Healthy",
                    "priority": 10 * (k + 1),
                    "computeEnvironmentOrder": [],
                    "serviceEnvironmentOrder": [
                        {
                            "order": 1,
                            "serviceEnvironment": (
                                f"arn:aws:batch:{region}:{ACCOUNT_ID}:service-environment/"
                                f"sagemaker-env-{k}"
                            ),
                        }
                    ],
                    "jobQueueType": "SAGEMAKER_TRAINING",
                    "jobStateTimeLimitActions": [],
                }
            )
            queues.append(queue)
        queues.append(
            {
                "jobQueueName": "cpu-batch",
                "jobQueueArn": f"arn:aws:batch:{region}:{ACCOUNT_ID}:job-queue/cpu-batch",
                "state": "ENABLED",
                "status": "VALID",
                "statusReason": "JobQueue Healthy",
                "priority": 1,
                "computeEnvironmentOrder": [
                    {
                        "order": 1,
                        "computeEnvironment": (
                            f"arn:aws:batch:{region}:{ACCOUNT_ID}:compute-environment/cpu-spot"
                        ),
                    }
                ],
                "jobQueueType": "ECS",
                "jobStateTimeLimitActions": [],
            }
        )
        return brand(queues, self.account)  # type: ignore[no-any-return]

    def collaborations(self, region: str) -> list[dict[str, Any]]:
        """ListCollaborations summaries (each with its membershipId), newest first."""
        names = ("Retail-Insights-Collab", "ad-measurement-clean-room", "Health-Research-Hub")
        out: list[dict[str, Any]] = []
        for k in range(self.sizes["ListCollaborations"]):
            cid = _uuid(self.seed, region, "collaboration", k)
            mid = _uuid(self.seed, region, "membership", k)
            created = self._parent_time(region, "collaboration", k)
            out.append(
                {
                    "id": cid,
                    "arn": f"arn:aws:cleanrooms:{region}:{ACCOUNT_ID}:collaboration/{cid}",
                    "name": names[k % len(names)] + (f"-{k}" if k >= len(names) else ""),
                    "creatorAccountId": ACCOUNT_ID,
                    "creatorDisplayName": "Jobkit Analytics",
                    "createTime": created,
                    "updateTime": created + dt.timedelta(hours=5),
                    "memberStatus": "ACTIVE",
                    "membershipId": mid,
                    "membershipArn": f"arn:aws:cleanrooms:{region}:{ACCOUNT_ID}:membership/{mid}",
                    "analyticsEngine": "SPARK",
                }
            )
        out.sort(key=lambda c: c["createTime"], reverse=True)
        return brand(out, self.account)  # type: ignore[no-any-return]

    def memberships(self, region: str) -> list[dict[str, Any]]:
        """ListMemberships summaries: one ACTIVE membership per collaboration, same order."""
        return [
            {
                "id": c["membershipId"],
                "arn": c["membershipArn"],
                "collaborationArn": c["arn"],
                "collaborationId": c["id"],
                "collaborationCreatorAccountId": self.account,
                "collaborationCreatorDisplayName": c["creatorDisplayName"],
                "collaborationName": c["name"],
                "createTime": c["createTime"],
                "updateTime": c["updateTime"],
                "status": "ACTIVE",
                "memberAbilities": ["CAN_RECEIVE_RESULTS"],
                "mlMemberAbilities": {"customMLMemberAbilities": ["CAN_RECEIVE_MODEL_OUTPUT"]},
                "paymentConfiguration": {"queryCompute": {"isResponsible": False}},
            }
            for c in self.collaborations(region)
        ]

    def delete_scope(self, region: str, **scope: str) -> None:
        """Delete parent resources after discovery listed them: ``parents()`` and the
        discovery listings still show them, but ``records()``/``job_set()`` of a deleted
        scope raise ``UnknownScopeError`` (the service's not-found error on the wire). A job
        queue may be named or given by ARN; a deleted collaboration also hides its trained
        models."""
        if not scope:
            raise TypeError("name the scope to delete, e.g. delete_scope(region, jobQueue=...)")
        doomed = set()
        for name, value in scope.items():
            doomed.add((region, name, str(value)))
            if name == "jobQueue":
                for queue in self.job_queues(region):
                    if value in (queue["jobQueueName"], queue["jobQueueArn"]):
                        doomed |= {
                            (region, name, queue["jobQueueName"]),
                            (region, name, queue["jobQueueArn"]),
                        }
        with self._lock:
            self._deleted |= doomed

    def _check_deleted(self, region: str, scope: Mapping[str, Any]) -> None:
        if not self._deleted:
            return
        for name, value in scope.items():
            if (region, name, str(value)) in self._deleted:
                raise UnknownScopeError(f"{name} {value} does not exist in {region}")

    def _collaboration(self, region: str, collaboration_id: str) -> dict[str, Any]:
        self._check_deleted(region, {"collaborationIdentifier": collaboration_id})
        for collab in self.collaborations(region):
            if collab["id"] == collaboration_id:
                return collab
        raise UnknownScopeError(f"collaboration {collaboration_id} not found in {region}")

    def trained_model_versions(self, region: str, trained_model_arn: str) -> tuple[str, ...]:
        """Version identifiers of a trained model (the last one is the latest)."""
        return tuple(_uuid(self.seed, region, trained_model_arn, "version", v) for v in range(2))

    def trained_models(self, region: str, collaboration_id: str) -> list[dict[str, Any]]:
        """ListCollaborationTrainedModels summaries of a collaboration, newest first."""
        collab = self._collaboration(region, collaboration_id)
        mid = collab["membershipId"]
        names = ("Churn-Model", "lookalike-model", "LTV-Regressor")
        out: list[dict[str, Any]] = []
        for k in range(self.sizes["ListCollaborationTrainedModels"]):
            model_id = _uuid(self.seed, region, collaboration_id, "model", k)
            arn = (
                f"arn:aws:cleanrooms-ml:{region}:{ACCOUNT_ID}:membership/{mid}/"
                f"trained-model/{model_id}"
            )
            created = self._parent_time(region, collaboration_id, "model", k)
            if created < collab["createTime"]:
                created = collab["createTime"] + dt.timedelta(days=1 + k)
            out.append(
                {
                    "createTime": created,
                    "updateTime": created + dt.timedelta(hours=2),
                    "trainedModelArn": arn,
                    "name": names[k % len(names)] + f"-{k:02d}",
                    "versionIdentifier": self.trained_model_versions(region, arn)[-1],
                    "description": "Model trained inside the collaboration",
                    "membershipIdentifier": mid,
                    "collaborationIdentifier": collaboration_id,
                    "status": "ACTIVE",
                    "configuredModelAlgorithmAssociationArn": (
                        f"arn:aws:cleanrooms-ml:{region}:{ACCOUNT_ID}:membership/{mid}/"
                        f"configured-model-algorithm-association/{_uuid(model_id, 'cmaa')}"
                    ),
                    "creatorAccountId": ACCOUNT_ID,
                }
            )
        out.sort(key=lambda m: m["createTime"], reverse=True)
        return brand(out, self.account)  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ job sets

    def job_set(self, service: str, operation: str, region: str, **scope: str) -> JobSet:
        """The lazily generated job set behind ``records()`` (raises UnknownScopeError)."""
        if self.changes is not None:
            self.changes.tick()  # time-driven status changes fall due as requests come in
        generic = _generic().GENERIC_OPS.get((service, operation))
        if (service, operation) not in _HAND_WRITTEN_OPS and generic is None:
            raise ValueError(f"{service}:{operation} is not an emulated job listing")
        self._check_deleted(region, scope)
        key = (
            self._scope_key(operation, region, scope)
            if generic is None
            else self._generic_scope(generic, region, scope)
        )
        cache = (f"{service}:{operation}", region, key)
        with self._lock:
            found = self._sets.get(cache)
        if found is not None:
            return found
        if generic is None:
            built = self._build(operation, region, key, scope)
        else:
            built = self._build_generic(generic, region, key)
        if self.account != ACCOUNT_ID:
            built = _Branded(built, self.account)
        if self.changes is not None:
            built = self.changes.wrap(service, operation, region, key, built)
        with self._lock:
            return self._sets.setdefault(cache, built)

    def size(self, service: str, operation: str) -> int:
        """The configured count of ``operation`` (per region, or per parent scope)."""
        qualified = f"{service}:{operation}"
        if qualified in self.sizes:
            return self.sizes[qualified]
        # An unqualified default belongs to the hand-described listing of that name; a listing
        # derived from an adapter spec (EMR on EKS ListJobRuns) gets its own default.
        if operation in self.sizes and (service, operation) not in _generic().DERIVED:
            return self.sizes[operation]
        return int(_generic().default_size(service, operation))

    def parents(self, service: str, operation: str, region: str, **needs: str) -> list[Any]:
        """The items a discovery operation lists in ``region`` (work teams, queues, ...)."""
        if (service, operation) == ("sagemaker", "ListWorkteams"):
            return self.workteams(region)
        if (service, operation) == ("batch", "DescribeJobQueues"):
            return self.job_queues(region)
        if (service, operation) == ("cleanrooms", "ListCollaborations"):
            return self.collaborations(region)
        if (service, operation) == ("cleanrooms", "ListMemberships"):
            return self.memberships(region)
        if (service, operation) == ("cleanroomsml", "ListCollaborationTrainedModels"):
            return self.trained_models(region, needs["collaborationIdentifier"])
        if (service, operation) in _generic().GENERIC_OPS:
            # A job listing that is a discovery too (executions, the parents of map runs).
            return self.records(service, operation, region, **needs)
        parent = _generic().GENERIC_PARENTS.get((service, operation))
        if parent is None:
            raise ValueError(f"{service}:{operation} is not an emulated discovery listing")
        if service == "iam":
            region = ""  # global: the same roles wherever the client says it is
        items = _generic().parent_items(
            parent,
            seed=self.seed,
            region=region,
            n=self.size(service, operation),
            time=lambda k: self._parent_time(region, operation, k),
        )
        return brand(list(items), self.account)  # type: ignore[no-any-return]

    def _generic_scope(self, op: Any, region: str, scope: Mapping[str, str]) -> str:
        if op.scope is None:
            if scope:
                raise TypeError(f"{op.operation} takes no scope, got {sorted(scope)}")
            return ""
        if op.more_scopes or op.scope.lower().endswith("accountid"):
            return "|".join(self._check_scope(op, region, scope, s) for s in op.scopes)
        if set(scope) != {op.scope}:
            raise TypeError(f"{op.operation} takes the scope {op.scope}=, got {sorted(scope)}")
        ref = scope[op.scope]
        if op.scope == "AccountId":
            if ref != self.account:
                raise UnknownScopeError(f"account {ref} is not the caller's ({self.account})")
            return str(ref)
        if op.operation == "ListJobs" and op.service == "batch":
            queue = self._queue_arns(region).get(str(ref))
            if queue is None:
                raise UnknownScopeError(f"job queue {ref} not found in {region}")
            return queue
        if op.parent is None:
            return str(ref)  # no parent listing: any value names a parent

        def values() -> frozenset[Any]:
            items = self.parents(op.parent[0], op.parent[1], region)
            return frozenset(
                item if op.parent_value is None else item[op.parent_value] for item in items
            )

        key = ("parents", op.parent[0], op.parent[1], region, str(op.parent_value))
        if ref not in self._memo_get(key, values):
            raise UnknownScopeError(f"{op.scope} {ref} not found in {region}")
        return str(ref)

    def _check_scope(
        self,
        op: Any,
        region: str,
        scope: Mapping[str, str],
        ref_spec: tuple[str, tuple[str, str] | None, str | None],
    ) -> str:
        """One of several scope members: given, and one of its parent listing's values."""
        member, parent, value = ref_spec
        if member.lower().endswith("accountid") and member in scope:
            if scope[member] != ACCOUNT_ID:
                raise UnknownScopeError(f"account {scope[member]} is not the caller's")
            return str(scope[member])
        if member not in scope:
            names = [s[0] for s in op.scopes]
            raise TypeError(f"{op.operation} takes the scopes {names}, got {sorted(scope)}")
        ref = str(scope[member])
        if parent is None:
            return ref

        def values() -> frozenset[Any]:
            items = self.parents(parent[0], parent[1], region)
            return frozenset(item if value is None else item[value] for item in items)

        if ref not in self._memo_get(("parents", *parent, region, str(value)), values):
            raise UnknownScopeError(f"{member} {ref} not found in {region}")
        return ref

    def _build_generic(self, op: Any, region: str, key: str) -> JobSet:
        n = self.size(op.service, op.operation)
        if op.service == "batch":
            # Container jobs run on ECS/EC2/Fargate/EKS queues, not on SageMaker training ones.
            queue = next(q for q in self.job_queues(region) if q["jobQueueArn"] == key)
            if queue.get("jobQueueType") == "SAGEMAKER_TRAINING":
                n = 0
        if op.sparse > 1 and _salt(self.seed, region, op.operation, key) % op.sparse:
            n = 0
        jobs: JobSet = _generic().GenericJobs(
            op=op,
            scope_value=key or None,
            seed=self.seed,
            region=region,
            scope=f"{op.service}:{op.operation}|{key}",
            n=n,
            ref_ms=self.ref_ms,
        )
        return jobs

    def _memo_get(self, key: tuple[str, ...], build: Callable[[], Any]) -> Any:
        # Scopes are checked on every request: regenerating the parent listing each time
        # (the work teams, say) would be most of the emulator's work per request.
        value = self._memo.get(key)
        if value is None:
            value = self._memo[key] = build()
        return value

    def _queue_arns(self, region: str) -> dict[str, str]:
        """Job queue name or ARN -> ARN."""

        def build() -> dict[str, str]:
            out: dict[str, str] = {}
            for q in self.job_queues(region):
                out.setdefault(q["jobQueueName"], q["jobQueueArn"])
                out.setdefault(q["jobQueueArn"], q["jobQueueArn"])
            return out

        return self._memo_get(("queues", region), build)  # type: ignore[no-any-return]

    def _scope_key(self, operation: str, region: str, scope: Mapping[str, str]) -> str:
        if operation == "ListLabelingJobsForWorkteam":
            arn = scope.get("WorkteamArn")
            arns = self._memo_get(
                ("workteams", region),
                lambda: frozenset(t["WorkteamArn"] for t in self.workteams(region)),
            )
            if arn not in arns:
                raise UnknownScopeError(f"work team {arn} not found in {region}")
            return str(arn)
        if operation == "ListServiceJobs":
            ref = scope.get("jobQueue")
            queue = self._queue_arns(region).get(str(ref))
            if queue is None:
                raise UnknownScopeError(f"job queue {ref} not found in {region}")
            return queue
        if operation == "ListCollaborationTrainedModelExportJobs":
            cid = str(scope.get("collaborationIdentifier"))
            arn = scope.get("trainedModelArn")
            models = self._memo_get(
                ("trained-models", region, cid),
                lambda: frozenset(m["trainedModelArn"] for m in self.trained_models(region, cid)),
            )
            if arn not in models:
                raise UnknownScopeError(f"trained model {arn} not found in {cid}")
            return f"{cid}|{arn}"
        if scope:
            raise TypeError(f"{operation} takes no scope, got {sorted(scope)}")
        return ""

    def _build(self, operation: str, region: str, key: str, scope: Mapping[str, str]) -> JobSet:
        common: dict[str, Any] = {
            "seed": self.seed,
            "region": region,
            "scope": key,
            "n": self.sizes[operation],
            "ref_ms": self.ref_ms,
        }
        if operation == "ListProcessingJobs":
            return ProcessingJobs(**common)
        if operation == "ListLabelingJobsForWorkteam":
            return LabelingJobs(**common)
        if operation == "ListSNOMEDCTInferenceJobs":
            return SnomedJobs(**common)
        if operation == "ListServiceJobs":
            queue = next(q for q in self.job_queues(region) if q["jobQueueArn"] == key)
            if queue.get("jobQueueType") != "SAGEMAKER_TRAINING":
                common["n"] = 0
                return ServiceJobs(share_kind="SHARE_IDENTIFIER", shares=("none",), **common)
            shares: tuple[str, ...]
            if "schedulingPolicyArn" in queue:
                kind, shares = "SHARE_IDENTIFIER", ("teamA", "teamB", "Research")
            else:
                kind, shares = "QUOTA_SHARE_NAME", ("prod-quota", "dev-quota")
            return ServiceJobs(share_kind=kind, shares=shares, malformed=self.malformed, **common)
        cid, _, arn = key.partition("|")
        model = next(m for m in self.trained_models(region, cid) if m["trainedModelArn"] == arn)
        return ExportJobs(model=model, versions=self.trained_model_versions(region, arn), **common)

    def records(
        self, service: str, operation: str, region: str, **scope: str
    ) -> list[dict[str, Any]]:
        """Every job of ``operation`` in ``region``/scope, all statuses, newest first."""
        return list(self.job_set(service, operation, region, **scope))

    def iter_records(
        self, service: str, operation: str, region: str, **scope: str
    ) -> Iterator[dict[str, Any]]:
        """Like ``records()`` but lazy, for very large ``sizes``."""
        return iter(self.job_set(service, operation, region, **scope))
