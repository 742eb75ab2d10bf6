"""Every error jobkit raises.

::

    JobkitError                         root; carries adapter, region, operation
    ├── UsageError                      the call itself is wrong (also a ValueError)
    │   ├── UnknownAdapterError         names the close matches
    │   ├── MissingScopeError           names the scope parameter(s) to pass
    │   ├── InvalidRegionError          names the close matches
    │   ├── InvalidFilterError          says what is accepted
    │   ├── MissingDependencyError      names the extra to install (also an ImportError)
    │   └── UnitFormatError             a work unit this jobkit cannot read (a newer format)
    ├── CredentialsError                no credentials could be found
    ├── ServiceError                    AWS answered with an error; ``code``, ``http_status``
    │   ├── AccessDeniedError           not retried
    │   ├── NotFoundError               not retried
    │   ├── InvalidRequestError         validation, bad or expired token; not retried
    │   └── RetriesExhaustedError       throttling or transient errors outlasted the policy
    ├── ConnectionFailedError           the endpoint could not be reached (after retries)
    ├── PaginationError                 the service broke its own paging contract
    │   └── RepeatedTokenError          the same page token came back twice
    ├── ModelMismatchError              the installed botocore model lacks what an adapter
    │                                   relies on (a paginator, a member)
    ├── JobNotFoundError                wait() was given jobs that do not exist; ``missing``
    ├── WaitTimeoutError                wait() timed out (also a TimeoutError); ``running``
    └── Cancelled                       the listing was closed while a call waited

    JobkitWarning (a UserWarning)       a stream failed under errors="warn", or was skipped

Errors from botocore are chained (``raise ... from``), never swallowed. No message contains
credentials: only the adapter, region, operation, error code and the service's message.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AccessDeniedError",
    "Cancelled",
    "ConnectionFailedError",
    "CredentialsError",
    "InvalidFilterError",
    "InvalidRegionError",
    "InvalidRequestError",
    "JobNotFoundError",
    "JobkitError",
    "JobkitWarning",
    "MissingDependencyError",
    "MissingScopeError",
    "ModelMismatchError",
    "NotFoundError",
    "PaginationError",
    "RepeatedTokenError",
    "RetriesExhaustedError",
    "ServiceError",
    "UnitFormatError",
    "UnknownAdapterError",
    "UsageError",
    "WaitTimeoutError",
]


class JobkitError(Exception):
    """Root of every error jobkit raises.

    ``adapter``, ``region`` and ``operation`` say where it happened (None where it does not
    apply); ``hint`` says what to do about it, and is part of ``str(error)``.
    """

    def __init__(
        self,
        message: str,
        *,
        adapter: str | None = None,
        region: str | None = None,
        operation: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.adapter = adapter
        self.region = region
        self.operation = operation
        self.hint = hint
        #: Where the listing stood when this error stopped it (pass as ``cursor=``), if any.
        self.cursor: dict[str, Any] | None = None
        super().__init__(message)

    def __str__(self) -> str:
        where = ", ".join(
            f"{key}={value}"
            for key, value in (
                ("adapter", self.adapter),
                ("region", self.region),
                ("operation", self.operation),
            )
            if value
        )
        text = f"{self.message} [{where}]" if where else self.message
        return f"{text}\n  hint: {self.hint}" if self.hint else text

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep errors picklable (thread pools, multiprocessing) despite keyword-only fields.
        return (_rebuild, (type(self), self.message, self.__dict__))


def _rebuild(cls: type[JobkitError], message: str, state: dict[str, Any]) -> JobkitError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class UsageError(JobkitError, ValueError):
    """The call to jobkit is wrong; nothing was sent."""


class UnknownAdapterError(UsageError):
    """No adapter has this name; ``suggestions`` holds the close matches."""

    def __init__(self, name: str, suggestions: list[str], known: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        close = f" Did you mean {', '.join(map(repr, suggestions))}?" if suggestions else ""
        super().__init__(
            f"unknown adapter {name!r}.{close}",
            hint="`jobkit.adapters()` lists every adapter; known: " + ", ".join(known),
        )


class MissingScopeError(UsageError):
    """The operation needs a parent scope (a work team, a job queue, ...) that was not given."""

    def __init__(
        self,
        adapter: str,
        operation: str,
        missing: list[str],
        how: dict[str, str] | None = None,
    ) -> None:
        self.missing = missing
        # ``how`` says what each parameter is and where its values come from.
        names = ", ".join(f"{m!r} ({how[m]})" if how and m in how else repr(m) for m in missing)
        super().__init__(
            f"{operation} needs the scope parameter(s) {names}",
            adapter=adapter,
            operation=operation,
            hint="pass them as params={" + ", ".join(f"{m!r}: ..." for m in missing) + "}",
        )


class InvalidRegionError(UsageError):
    """The region name is not one botocore knows or is malformed."""

    def __init__(self, region: str, suggestions: list[str], *, adapter: str | None = None) -> None:
        self.suggestions = suggestions
        close = f" Did you mean {', '.join(map(repr, suggestions))}?" if suggestions else ""
        super().__init__(
            f"invalid region {region!r}.{close}",
            adapter=adapter,
            region=region,
            hint="use a region name such as 'us-east-1'; botocore's endpoint data lists them",
        )


class InvalidFilterError(UsageError):
    """A filter value (status, since, until, limit, ...) is not one jobkit accepts."""


class MissingDependencyError(UsageError, ImportError):
    """An optional feature needs an extra that is not installed."""

    def __init__(self, feature: str, extra: str, module: str) -> None:
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional dependency {module!r}",
            hint=f"pip install 'jobkit[{extra}]'",
        )


class UnitFormatError(UsageError):
    """A serialized work unit is not one this jobkit can read (e.g. written by a newer one)."""


class CredentialsError(JobkitError):
    """botocore found no credentials (or could not load the profile)."""


class ServiceError(JobkitError):
    """AWS answered with an error. ``code`` is the service's error code."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        adapter: str | None = None,
        region: str | None = None,
        operation: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.code = code
        self.http_status = http_status
        super().__init__(message, adapter=adapter, region=region, operation=operation, hint=hint)


class AccessDeniedError(ServiceError):
    """The credentials may not call this operation here."""


class NotFoundError(ServiceError):
    """The scope (work team, queue, collaboration, ...) does not exist."""


class InvalidRequestError(ServiceError):
    """The service rejected the request as invalid (including a bad or expired token)."""


class RetriesExhaustedError(ServiceError):
    """Throttling or transient errors went on past the retry policy."""


class ConnectionFailedError(JobkitError):
    """The endpoint could not be reached, even after retries."""


class PaginationError(JobkitError):
    """The service broke its own paging contract."""


class RepeatedTokenError(PaginationError):
    """The service returned a page token it had returned before; following it would loop."""


class ModelMismatchError(JobkitError):
    """The installed botocore model lacks a paginator or member an adapter relies on."""

    def __init__(self, message: str, *, adapter: str | None = None, operation: str) -> None:
        super().__init__(
            message,
            adapter=adapter,
            operation=operation,
            hint="the installed botocore differs from the one jobkit was checked against: "
            "upgrade jobkit, or install the botocore version it pins",
        )


class JobNotFoundError(JobkitError, LookupError):
    """``wait()`` was given jobs that the service does not have; ``missing`` names them."""

    def __init__(self, missing: list[str], *, hint: str | None = None) -> None:
        shown = ", ".join(missing[:10]) + (
            f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        )
        super().__init__(
            f"{len(missing)} job(s) to wait for do not exist: {shown}",
            hint=hint
            or "check the names, the adapter and the region (or pass the Job objects a "
            "listing returned)",
        )
        self.missing = missing


class WaitTimeoutError(JobkitError, TimeoutError):
    """``wait()`` reached its timeout; ``running`` holds the jobs still not terminal (as last
    seen) and ``done`` the ones that finished."""

    def __init__(self, timeout: float, running: list[Any], done: list[Any]) -> None:
        names = ", ".join(str(j.name or j.id) for j in running[:10])
        more = f" and {len(running) - 10} more" if len(running) > 10 else ""
        super().__init__(
            f"{len(running)} job(s) still running after {timeout:g} s: {names}{more}",
            hint="wait longer (timeout=...), or read .running for the jobs still running",
        )
        self.timeout = timeout
        self.running = running
        self.done = done


class Cancelled(JobkitError):
    """The listing was closed (break, close(), task cancelled) while a call was waiting."""


class JobkitWarning(UserWarning):
    """A stream failed under ``errors="warn"``, or was skipped (e.g. a region without the
    service)."""
