"""What both drivers share: the botocore client configuration and region checks."""

from __future__ import annotations

import datetime
import difflib
import functools
import hashlib
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.utils import parse_timestamp

from jobkit._botodata import shared_loader
from jobkit._version import __version__
from jobkit.core.policy import RetryPolicy
from jobkit.errors import InvalidRegionError

__all__ = [
    "available_regions",
    "client_config",
    "config_key",
    "fixed_user_agent",
    "identity_key",
    "known_regions",
    "partition_of",
    "shared_loader",
    "use_utc_timestamps",
    "utc_timestamp",
    "validate_region",
]


def client_config(session: Any, policy: RetryPolicy, *, max_pool_connections: int = 10) -> Config:
    """The botocore ``Config`` of every client jobkit creates from ``session``.

    botocore's own retries are off (one attempt per call) so that jobkit's policy owns every
    retry and counts it, with the policy's timeouts per attempt; the User-Agent is fixed per
    session (``fixed_user_agent``). Sync and async clients get the same configuration.
    """
    return Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=policy.connect_timeout,
        read_timeout=policy.read_timeout,
        max_pool_connections=max_pool_connections,
        user_agent=fixed_user_agent(session),
        user_agent_extra=f"jobkit/{__version__}",
    )


#: Options left out of ``config_key``: a proxy URL may hold a password. jobkit never sets
#: them; proxies come from the environment, which gives a new session when it changes.
_UNKEYED = frozenset({"proxies", "proxies_config"})


def config_key(config: Config) -> tuple[tuple[str, str], ...]:
    """The values of ``config`` that make one client differ from another (timeouts, pool
    size, User-Agent, retries...), as a hashable key that holds no credentials: every option
    botocore's ``Config`` has, but the proxies."""
    return tuple(
        (name, repr(getattr(config, name, None)))
        for name in Config.OPTION_DEFAULTS
        if name not in _UNKEYED
    )


def fixed_user_agent(session: Any) -> str | None:
    """The User-Agent header for every client of ``session``, computed once.

    botocore rebuilds its structured User-Agent twice per request (about 0.3 ms of CPU, an
    eighth of a small call); a fixed string set through the public ``Config(user_agent=...)``
    skips that. It names the SDK, Python, the platform and botocore, the configured app id
    (``AWS_SDK_UA_APP_ID`` / ``sdk_ua_app_id``) and, through ``user_agent_extra``, jobkit; it
    no longer lists botocore's per-request feature codes.
    """
    core = getattr(session, "_session", session)  # a boto3 Session wraps a botocore one
    try:
        text = str(core.user_agent())
        app_id = core.get_config_variable("user_agent_appid")
    except Exception:  # an unusual session keeps botocore's own header
        return None
    return f"{text} app/{app_id}" if app_id else text


@functools.lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every region named in botocore's endpoint data, across partitions."""
    endpoints = shared_loader().load_data("endpoints")
    return frozenset(
        region for partition in endpoints["partitions"] for region in partition["regions"]
    )


def validate_region(region: Any, *, adapter: str | None = None) -> str:
    """``region`` if botocore knows it; else an InvalidRegionError naming close matches."""
    if isinstance(region, str) and region in known_regions():
        return region
    text = region if isinstance(region, str) else repr(region)
    suggestions = difflib.get_close_matches(text.lower(), sorted(known_regions()), n=3)
    raise InvalidRegionError(text, suggestions, adapter=adapter)


def identity_key(access_key: str | None, endpoint_url: str | None) -> str:
    """A short, one-way key for "these credentials at this endpoint": limiters are shared per
    identity, and the access key itself is never kept or shown."""
    text = f"{access_key or 'anonymous'}|{endpoint_url or ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def _endpoint_session() -> botocore.session.Session:
    # Only reads endpoint data: one session serves every look-up.
    session = botocore.session.Session()
    session.register_component("data_loader", shared_loader())
    return session


@functools.lru_cache(maxsize=256)
def available_regions(service: str, partition: str | None = None) -> tuple[str, ...]:
    """The regions botocore's endpoint data lists for ``service`` in ``partition`` (None:
    every partition); empty when it lists none."""
    session = _endpoint_session()
    partitions = [partition] if partition else session.get_available_partitions()
    regions: set[str] = set()
    for name in partitions:
        regions.update(session.get_available_regions(service, partition_name=name))
    return tuple(sorted(regions))


@functools.lru_cache(maxsize=64)
def partition_of(region: str | None) -> str:
    """The partition ("aws", "aws-cn", "aws-us-gov", ...) a region belongs to ("aws" if
    unknown)."""
    endpoints = shared_loader().load_data("endpoints")
    for partition in endpoints["partitions"]:
        if region in partition["regions"]:
            return str(partition["partition"])
    return "aws"


def utc_timestamp(value: Any) -> datetime.datetime:
    """botocore's timestamp parser, returning UTC datetimes directly.

    botocore's default gives epoch timestamps the local zone (``tzlocal``), whose offset is
    computed in Python on every use; parsing straight to UTC saves that on every timestamp of
    every record (jobkit converts to UTC anyway).
    """
    if type(value) is int or type(value) is float:
        try:
            return datetime.datetime.fromtimestamp(value, datetime.UTC)
        except (OSError, OverflowError, ValueError):
            pass
    parsed: datetime.datetime = parse_timestamp(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=datetime.UTC)
    return parsed.astimezone(datetime.UTC)


def use_utc_timestamps(session: Any) -> None:
    """Make the clients of a botocore (or aiobotocore) session that jobkit created parse
    timestamps with ``utc_timestamp`` (the AWS CLI sets its own parser the same way)."""
    session.get_component("response_parser_factory").set_parser_defaults(
        timestamp_parser=utc_timestamp
    )
