"""The boto3 clients of the sessions jobkit keeps, reused across listings.

Creating a botocore client costs 2-14 ms of CPU (client class, endpoint resolution); a
listing of a few services made them all again, and so did every ``jobkit.sync()`` and every
watch poll. The sessions jobkit creates itself and keeps (``_sessions.sync_session``) are
*adopted* here, and their clients are kept across listings: one per (session, service,
region, endpoint, client configuration). Nothing else is cached: a session a caller passes
in, or one that assumes a role, is never adopted, and its listing creates and closes its own
clients as before.

A key holds the session's identity (a number given on adoption, the session itself is held
weakly) and the client configuration's values, never credentials. A listing *leases* the
clients it uses and releases them when it closes; it never closes them. The cache closes a
client when it lets it go: evicted (least recently used beyond ``keep``), its session
forgotten (evicted from the session cache, or garbage-collected) or the cache cleared
(``jobkit.clear_session_cache()``); a client still leased then is closed when its last
listing releases it, so a listing never loses a client under its feet.

botocore clients are thread-safe: listings in several threads share one. Creation itself
happens under the session's lock (``_sessions.session_lock``), held by the caller.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["SYNC_CLIENTS", "ClientCache", "Lease"]

_KEEP = 256  # clients kept across listings: a listing of every adapter in two regions holds ~120


class Lease:
    """A listing's use of one cached client; ``ClientCache.release`` ends it."""

    __slots__ = ("client", "evicted", "leases")

    def __init__(self, client: Any) -> None:
        self.client = client
        self.leases = 0  # listings using the client now
        self.evicted = False  # no longer in the cache: closed once no listing uses it


class ClientCache:
    """A bounded, thread-safe LRU of the clients of adopted sessions."""

    def __init__(self, keep: int = _KEEP) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        self._tokens: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self._entries: OrderedDict[tuple[int, Hashable], Lease] = OrderedDict()
        self._numbers = itertools.count()
        self._dead: list[int] = []  # sessions collected while the lock was held elsewhere

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def adopt(self, session: Any) -> None:
        """Keep the clients of ``session`` (a session jobkit keeps) from now on."""
        with self._lock:
            if session in self._tokens:
                return
            token = self._tokens[session] = next(self._numbers)
        weakref.finalize(session, self._collected, token)

    def adopted(self, session: Any) -> bool:
        """Whether ``session``'s clients are cached."""
        with self._lock:
            return session in self._tokens

    def forget(self, session: Any) -> None:
        """Stop keeping ``session``'s clients; close them (each once no listing uses it)."""
        with self._lock:
            token = self._tokens.pop(session, None)
            closing = self._drop({token}) if token is not None else []
        _close(closing)

    def clear(self) -> None:
        """Forget every session and close every client (each once no listing uses it)."""
        with self._lock:
            self._tokens.clear()
            closing = self._drop(None)
        _close(closing)

    def get(
        self, session: Any, key: Hashable, create: Callable[[], Any]
    ) -> tuple[Any, Lease | None]:
        """``session``'s client for ``key``: the cached one, leased to the caller (who
        releases the lease and never closes the client), or one made with ``create()``.

        The lease is None when ``session`` is not adopted: the client is then the caller's,
        to close. The caller holds the session's lock (botocore sessions are not thread-safe)."""
        with self._lock:
            closing = self._sweep()
            token = self._tokens.get(session)
            lease = None
            if token is not None and (lease := self._entries.get((token, key))) is not None:
                self._entries.move_to_end((token, key))
                lease.leases += 1
        _close(closing)
        if lease is not None:
            return lease.client, lease
        client = create()
        if token is None:
            return client, None
        with self._lock:
            if self._tokens.get(session) != token:  # forgotten meanwhile: the caller's
                return client, None
            lease = self._entries.setdefault((token, key), Lease(client))
            self._entries.move_to_end((token, key))
            lease.leases += 1
            closing = self._evict()
        if lease.client is not client:  # made at once by a caller not holding the lock
            closing.append(client)
        _close(closing)
        return lease.client, lease

    def release(self, lease: Lease) -> None:
        """A listing is done with a leased client (closed if it left the cache meanwhile)."""
        with self._lock:
            lease.leases -= 1
            close = lease.evicted and lease.leases == 0
        if close:
            lease.client.close()

    def _collected(self, token: int) -> None:
        """A session was garbage-collected: drop its clients. This may run inside any code
        of any thread (a collection), also with the lock held: then the next call does it."""
        self._dead.append(token)
        if self._lock.acquire(blocking=False):
            try:
                closing = self._sweep()
            finally:
                self._lock.release()
            _close(closing)

    def _sweep(self) -> list[Any]:
        """Drop the clients of sessions collected (under the lock)."""
        if not self._dead:
            return []
        count = len(self._dead)  # a collection may append meanwhile: take these only
        tokens = set(self._dead[:count])
        del self._dead[:count]
        return self._drop(tokens)

    def _drop(self, tokens: set[int] | None) -> list[Any]:
        """Take the clients of ``tokens`` (None: all) out of the cache; those to close now
        (under the lock)."""
        gone = [key for key in self._entries if tokens is None or key[0] in tokens]
        return [client for key in gone if (client := self._out(key)) is not None]

    def _evict(self) -> list[Any]:
        """Take the least recently used clients beyond ``keep`` out (under the lock)."""
        closing: list[Any] = []
        while len(self._entries) > self.keep:
            client = self._out(next(iter(self._entries)))
            if client is not None:
                closing.append(client)
        return closing

    def _out(self, key: tuple[int, Hashable]) -> Any:
        """Take one client out of the cache: returned if no listing uses it (to close)."""
        lease = self._entries.pop(key)
        lease.evicted = True
        return lease.client if lease.leases == 0 else None


def _close(clients: list[Any]) -> None:
    for client in clients:
        client.close()


#: The clients of the boto3 sessions ``_sessions.sync_session`` keeps.
SYNC_CLIENTS = ClientCache()
