"""The sessions jobkit creates itself, reused while the environment they came from holds.

A new botocore session registers a few hundred event handlers (about 15 ms of CPU); in a
notebook, or a service that lists every minute, that cost would come back on every listing.
jobkit therefore keeps the sessions it creates (never the ones a caller passes in) and reuses
one while nothing it was built from has changed: the ``AWS_*`` and proxy environment variables
and the shared config and credentials files (path, size and modification time). Any change
gives a new session, so a new ``AWS_PROFILE``, endpoint or key is picked up at once.
aiobotocore sessions are kept per event loop, because refreshable credentials hold asyncio
locks. The clients of the boto3 sessions kept here are kept too (``_clients``), not those of
aiobotocore sessions. ``jobkit.clear_session_cache()`` forgets them all.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import boto3
import botocore.session
from aiobotocore.session import AioSession

from jobkit.drivers._clients import SYNC_CLIENTS, ClientCache
from jobkit.drivers._config import shared_loader, use_utc_timestamps
from jobkit.errors import UsageError

__all__ = [
    "aio_session",
    "clear_session_cache",
    "environment_key",
    "new_aio_session",
    "new_sync_session",
    "session_lock",
    "sync_session",
]

_PROXY_VARIABLES = frozenset({"http_proxy", "https_proxy", "no_proxy", "all_proxy"})
_KEEP = 16  # sessions kept per cache (one per profile and environment in practice)

S = TypeVar("S")


def environment_key() -> str:
    """A digest of everything a default session reads when it is created (credentials are
    hashed, never kept in clear)."""
    variables = sorted(
        (name, value)
        for name, value in os.environ.items()
        if name.startswith("AWS_") or name.lower() in _PROXY_VARIABLES
    )
    files: list[tuple[str, tuple[int, int] | None]] = []
    for variable, default in (
        ("AWS_CONFIG_FILE", "~/.aws/config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
    ):
        path = os.path.expanduser(os.environ.get(variable, default))
        try:
            stat = os.stat(path)
        except OSError:
            files.append((path, None))
        else:
            files.append((path, (stat.st_size, stat.st_mtime_ns)))
    return hashlib.sha256(repr((variables, files)).encode()).hexdigest()


class _Cache:
    """A small LRU of sessions by (profile, environment key); ``clients`` (if any) keeps the
    clients of the sessions kept here, and of those only."""

    def __init__(self, clients: ClientCache | None = None) -> None:
        self._sessions: OrderedDict[tuple[str | None, str], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._clients = clients

    def get(self, profile: str | None, create: Callable[[], S]) -> S:
        key = (profile, environment_key())
        with self._lock:
            session = self._sessions.get(key)
            if session is not None:
                self._sessions.move_to_end(key)
                return session  # type: ignore[no-any-return]
        made = create()
        dropped: list[Any] = []
        with self._lock:
            session = self._sessions.setdefault(key, made)
            self._sessions.move_to_end(key)
            if session is made and self._clients is not None:
                self._clients.adopt(made)  # before any other thread can have it
            while len(self._sessions) > _KEEP:
                dropped.append(self._sessions.popitem(last=False)[1])
        if self._clients is not None:
            for old in dropped:
                self._clients.forget(old)
        return session

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()
        if self._clients is not None:
            self._clients.clear()


_SYNC = _Cache(SYNC_CLIENTS)
_AIO: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Cache] = weakref.WeakKeyDictionary()
_AIO_LOCK = threading.Lock()


def _new_sync(profile: str | None) -> boto3.Session:
    core = botocore.session.get_session()
    core.register_component("data_loader", shared_loader())
    use_utc_timestamps(core)
    if profile is not None and profile not in core.available_profiles:
        raise _no_profile(profile)
    return boto3.Session(botocore_session=core, profile_name=profile)


def _no_profile(profile: str) -> UsageError:
    return UsageError(
        f"no AWS profile named {profile!r}", hint="check ~/.aws/config and ~/.aws/credentials"
    )


def new_sync_session() -> boto3.Session:
    """A new boto3 session on the shared loader (never cached: the caller configures it,
    e.g. with an assumed role's credentials)."""
    return _new_sync(None)


def sync_session(profile: str | None = None) -> boto3.Session:
    """The default boto3 session (credential chain, ``AWS_PROFILE``...) or ``profile``'s, on
    the shared loader, reused while the environment is unchanged."""
    return _SYNC.get(profile, lambda: _new_sync(profile))


def new_aio_session() -> AioSession:
    """A new aiobotocore session on the shared loader, parsing timestamps to UTC."""
    aio = AioSession()
    aio.register_component("data_loader", shared_loader())
    use_utc_timestamps(aio)
    return aio


def _new_aio(profile: str | None) -> AioSession:
    aio = new_aio_session()
    if profile is not None:
        if profile not in aio.available_profiles:
            raise _no_profile(profile)
        aio.set_config_variable("profile", profile)
    return aio


def aio_session(profile: str | None = None) -> AioSession:
    """The default aiobotocore session, or ``profile``'s: reused within the running event loop
    while the environment is unchanged; a new one when no loop is running."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return _new_aio(profile)
    with _AIO_LOCK:
        cache = _AIO.get(loop)
        if cache is None:
            cache = _AIO[loop] = _Cache()
    return cache.get(profile, lambda: _new_aio(profile))


_LOCKS: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()


def session_lock(session: Any) -> threading.Lock:
    """The lock to hold while creating clients from ``session``: botocore sessions are not
    thread-safe, and one session may serve several listings running in different threads."""
    with _LOCKS_LOCK:
        lock = _LOCKS.get(session)
        if lock is None:
            lock = _LOCKS[session] = threading.Lock()
        return lock


def clear_session_cache() -> None:
    """Forget every session jobkit created and close the clients kept for them (a client a
    listing in progress uses is closed when that listing ends); the next listing makes new
    ones."""
    _SYNC.clear()
    with _AIO_LOCK:
        caches = list(_AIO.values())
    for cache in caches:
        cache.clear()
