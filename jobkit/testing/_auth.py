"""Who may call what: denial rules, issued (expiring) credentials, and the auth errors.

Each error is answered the way the protocol's services answer it: JSON-family protocols
(awsJson, restJson, RPC v2 CBOR) carry an ``...Exception`` code, the XML protocols (awsQuery
IAM/STS, restXml S3 Control) a bare code, with the status the service uses.

======================  ==================================  ==================================
reason                  json / rest-json / cbor             query (IAM, STS) / rest-xml (S3)
======================  ==================================  ==================================
access-denied           AccessDeniedException (400 / 403)   AccessDenied (403)
opt-in-required         OptInRequired (403)                 OptInRequired (403)
unrecognized-client     UnrecognizedClientException (400    InvalidClientTokenId (403, query)
                        / 403)                              InvalidAccessKeyId (403, rest-xml)
not-subscribed          SubscriptionRequiredException       OptInRequired (403, query)
                        (400 / 403)                         NotSignedUp (403, rest-xml)
expired credentials     ExpiredTokenException (400 / 403)   ExpiredToken (403 query, 400 S3)
======================  ==================================  ==================================

The first status of a JSON-family pair is awsJson's, the second restJson's (per service,
``ServiceSpec.access_denied_status`` / ``expired_token_status``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import secrets
import threading
import time
from typing import Literal, get_args

import attrs

from jobkit.testing._protocols import QUERY, REST_XML

__all__ = [
    "Denial",
    "DenyReason",
    "IssuedCredentials",
    "Keyring",
    "auth_error",
]

DenyReason = Literal["access-denied", "opt-in-required", "unrecognized-client", "not-subscribed"]
"""Why ``Emulator.deny`` refuses a request (see the table in this module's docstring)."""

DENY_REASONS: tuple[str, ...] = get_args(DenyReason)


@attrs.frozen(kw_only=True)
class Denial:
    """One ``Emulator.deny`` rule: None fields match anything."""

    service: str | None = None
    operation: str | None = None
    region: str | None = None
    account: str | None = None
    reason: str = "access-denied"

    @property
    def key(self) -> tuple[str | None, str | None, str | None, str | None]:
        """What the rule matches (``allow`` removes the rule with the same key)."""
        return (self.service, self.operation, self.region, self.account)

    def matches(self, service: str, operation: str, region: str, account: str) -> bool:
        """Whether the rule applies to this request."""
        return all(
            want is None or want == got
            for want, got in zip(self.key, (service, operation, region, account), strict=True)
        )

    @property
    def specificity(self) -> int:
        """How many fields the rule names: the most specific matching rule answers."""
        return sum(field is not None for field in self.key)


@attrs.frozen(kw_only=True)
class IssuedCredentials:
    """Temporary credentials the emulator minted: refused with an expired-token error once
    ``expiration`` has passed. The secret and the token are left out of ``repr``."""

    access_key_id: str
    secret_access_key: str = attrs.field(repr=False)
    session_token: str = attrs.field(repr=False)
    expiration: dt.datetime
    account: str

    @property
    def expired(self) -> bool:
        """Whether the credentials are past their expiration (wall clock)."""
        return time.time() >= self.expiration.timestamp()

    def session_kwargs(self) -> dict[str, str]:
        """Keyword arguments for ``boto3.Session(...)`` / ``client(...)``."""
        return {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "aws_session_token": self.session_token,
        }

    def container_response(self) -> dict[str, str]:
        """The JSON body of a container credential endpoint (what botocore reads)."""
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "Token": self.session_token,
            "Expiration": self.expiration.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "AccountId": self.account,
        }


class Keyring:
    """The credentials an emulator issued, by access key id; thread-safe."""

    def __init__(self) -> None:
        self._keys: dict[str, IssuedCredentials] = {}
        self._order: list[IssuedCredentials] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def issue(self, lifetime: float, account: str) -> IssuedCredentials:
        """Mint credentials of ``account`` valid for ``lifetime`` seconds from now."""
        if not lifetime > 0:
            raise ValueError(f"lifetime must be > 0 seconds, got {lifetime!r}")
        with self._lock:
            n = next(self._ids)
        digest = hashlib.blake2b(f"{account}|{n}".encode(), digest_size=6).hexdigest().upper()
        # Real temporary keys start with ASIA and are 20 characters long.
        key_id = f"ASIA{digest}{n % 10_000:04d}"
        expiration = dt.datetime.fromtimestamp(time.time() + lifetime, dt.UTC)
        creds = IssuedCredentials(
            access_key_id=key_id,
            secret_access_key=secrets.token_urlsafe(30),
            session_token=secrets.token_urlsafe(64),
            expiration=expiration,
            account=account,
        )
        with self._lock:
            self._keys[key_id] = creds
            self._order.append(creds)
        return creds

    def get(self, access_key_id: str) -> IssuedCredentials | None:
        """The issued credentials of this key id, if the emulator issued it."""
        with self._lock:
            return self._keys.get(access_key_id)

    def revoke(self) -> int:
        """End every credential issued so far now (a token the service stops honouring
        before the expiration its holder was told); returns how many were still valid."""
        now = dt.datetime.fromtimestamp(time.time(), dt.UTC)
        with self._lock:
            live = [c for c in self._order if not c.expired]
            for creds in live:
                ended = attrs.evolve(creds, expiration=now)
                self._keys[creds.access_key_id] = ended
                self._order[self._order.index(creds)] = ended
        return len(live)

    def all(self) -> list[IssuedCredentials]:
        """Every issue so far, in order."""
        with self._lock:
            return list(self._order)


def auth_error(
    protocol: str,
    reason: str,
    *,
    json_status: int,
    xml_status: int = 403,
    region: str = "",
    account: str = "",
    action: str = "",
) -> tuple[str, int, str]:
    """(code, HTTP status, message) of an authentication or authorization refusal."""
    xml = protocol in (QUERY, REST_XML)
    if reason == "access-denied":
        message = (
            f"User: arn:aws:iam::{account}:user/testing is not authorized to perform: "
            f"{action} on resource: * because no identity-based policy allows the {action} "
            "action"
        )
        return (
            ("AccessDenied", 403, message)
            if xml
            else ("AccessDeniedException", json_status, message)
        )
    if reason == "opt-in-required":
        return "OptInRequired", 403, f"The {region} Region is not enabled for this account"
    if reason == "unrecognized-client":
        message = "The security token included in the request is invalid."
        if protocol == QUERY:
            return "InvalidClientTokenId", 403, message
        if protocol == REST_XML:
            return "InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist"
        return "UnrecognizedClientException", json_status, message
    if reason == "not-subscribed":
        message = "The AWS Access Key Id needs a subscription for the service"
        if protocol == QUERY:
            return "OptInRequired", 403, message
        if protocol == REST_XML:
            return "NotSignedUp", 403, "Your account is not signed up for the service"
        return "SubscriptionRequiredException", json_status, message
    if reason == "expired":
        message = "The security token included in the request is expired"
        return (
            ("ExpiredToken", xml_status, message)
            if xml
            else ("ExpiredTokenException", json_status, message)
        )
    raise ValueError(f"unknown reason {reason!r}; expected one of {DENY_REASONS}")
