"""jobkit: list jobs across AWS services through one API, sync and async."""

from jobkit._version import __version__
from jobkit.api import (
    AdapterInfo,
    AsyncJobIterator,
    Explanation,
    JobIterator,
    adapters,
    ajobs,
    explain,
    jobs,
)
from jobkit.core.availability import Skipped
from jobkit.core.fanout import Failure
from jobkit.core.policy import RetryPolicy
from jobkit.core.polling import JobEvent
from jobkit.core.stats import RetryEvent, Stats
from jobkit.core.units import CredentialSource
from jobkit.drivers._sessions import clear_session_cache
from jobkit.errors import JobkitError, JobkitWarning
from jobkit.incremental import inventory, sync
from jobkit.model import Job, JobStatus
from jobkit.organization import Organization
from jobkit.planning import Plan, WorkUnit, plan
from jobkit.present.ipython import register as _register_ipython
from jobkit.present.joblist import JobList
from jobkit.watching import await_jobs, awatch, wait, watch

__all__ = [
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

# In IPython / Jupyter: Job and Stats show as HTML (they cannot import the presentation
# layer themselves); elsewhere this does nothing.
_register_ipython()
