"""Unavailable is not failed: which stream errors mean "this part of the account says no".

A real account lists many streams that cannot be read: a role that may not call Bedrock, a
region that is not opted in, a service the account is not subscribed to, a service with no
endpoint in a region, a discovered work team deleted between discovery and listing. Such a
stream is *skipped* (and reported, counted and summarized), not failed: the rest of the
listing goes on. ``unavailable_reason`` decides, without I/O, from the typed error.

A scope the caller named explicitly that does not exist stays an error: only a *discovered*
scope that is gone is skipped.
"""

from __future__ import annotations

import re
import socket
from typing import Final

import attrs

from jobkit.core.policy import in_chain
from jobkit.errors import JobkitError

__all__ = ["PLANNED_SKIPS", "REASONS", "Skipped", "unavailable_reason"]

#: Every reason a stream can be skipped for, with what it means (shown in docs and the CLI).
REASONS: Final = {
    "access-denied": "the credentials may not call this operation here",
    "opt-in-required": "the region is not enabled (opted in) for the account",
    "not-subscribed": "the account is not subscribed to the service",
    "unrecognized-client": "the credentials are not valid in this region (not enabled?)",
    "no-endpoint": "the service has no endpoint here (the host name does not resolve)",
    "scope-gone": "a discovered scope was deleted before it was listed",
    "not-offered": "the service is not offered in this region",
    "scope-required": "the operation needs a scope parameter no API lists, or whose listing "
    "has no bound (pass it in params=, or name the adapter)",
}

#: Reasons known from the plan, before any call: reported and counted, but no warning.
PLANNED_SKIPS = frozenset({"not-offered", "scope-required"})

_ACCESS = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException"}
)
_OPT_IN = frozenset({"OptInRequired", "OptInRequiredException", "RegionDisabledException"})
_SUBSCRIPTION = frozenset(
    {"SubscriptionRequiredException", "NotSubscribed", "NotSubscribedException"}
)
_UNRECOGNIZED = frozenset({"UnrecognizedClientException", "InvalidClientTokenId"})
#: Services that answer a missing parent with a generic client error (Batch's
#: ClientException) say so in the message.
_GENERIC_CLIENT = frozenset({"ClientException", "ValidationException", "InvalidRequestException"})
_SAYS_GONE = re.compile(r"not found|does not exist|doesn't exist|no such", re.IGNORECASE)
_NOT_FOUND = frozenset(
    {"ResourceNotFound", "ResourceNotFoundException", "NotFoundException", "NotFound"}
)


@attrs.frozen(kw_only=True)
class Skipped:
    """A stream (or a scope discovery) that was not listed because it is unavailable.

    ``reason`` is one of ``REASONS``; ``error`` the typed error the service answered (None
    for a region botocore lists no endpoint in).
    """

    adapter: str
    region: str
    account: str | None
    scope: dict[str, str]
    reason: str
    error: JobkitError | None = None

    def __str__(self) -> str:
        where = f"{self.adapter} in {self.region}"
        if self.account:
            where += f" ({self.account})"
        if self.scope:
            where += " " + ", ".join(f"{k}={v}" for k, v in sorted(self.scope.items()))
        return f"{where}: {self.reason}"


def unavailable_reason(error: JobkitError, *, discovered_scope: bool = False) -> str | None:
    """The reason ``error`` makes its stream unavailable (a key of ``REASONS``), or None
    when it is a failure. ``discovered_scope``: the stream's scope came from discovery, so a
    not-found answer means the scope was deleted meanwhile."""
    code = getattr(error, "code", None)
    if code in _ACCESS:
        return "access-denied"
    if code in _OPT_IN:
        return "opt-in-required"
    if code in _SUBSCRIPTION:
        return "not-subscribed"
    if code in _UNRECOGNIZED:
        return "unrecognized-client"
    if discovered_scope and (
        code in _NOT_FOUND or (code in _GENERIC_CLIENT and _SAYS_GONE.search(str(error)))
    ):
        return "scope-gone"
    if code is None and in_chain(error, socket.gaierror):
        return "no-endpoint"
    return None
