"""A whole AWS Organization as the accounts of one listing.

``Organization(role_name=...)`` discovers the accounts the caller's credentials can see
(Organizations ``ListAccounts``, or the accounts under the given OUs, recursively) and reaches
each by assuming a role in it (STS ``AssumeRole`` on the regional endpoint, with an optional
external id and an optional chain of roles to assume first). The account the caller is in is
listed with the caller's own credentials. Every bad argument is caught before any job is
listed: an OU that does not exist, credentials that may not call Organizations (naming the
permission), an account id that is not 12 digits, a role ARN where a role name belongs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import boto3
from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from jobkit.accounts import Account, check_account_id, role_arn_for
from jobkit.drivers._sessions import sync_session
from jobkit.errors import AccessDeniedError, CredentialsError, UsageError

__all__ = ["Organization"]

_OU = re.compile(r"^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$")
_PERMISSIONS = {
    "DescribeOrganization": "organizations:DescribeOrganization",
    "ListAccounts": "organizations:ListAccounts",
    "ListAccountsForParent": "organizations:ListAccountsForParent",
    "ListOrganizationalUnitsForParent": "organizations:ListOrganizationalUnitsForParent",
}


def _check_role_name(value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise UsageError(
            f"role_name={value!r} must be a role name",
            hint="e.g. role_name='OrganizationAccountAccessRole'",
        )
    if value.startswith("arn:"):
        raise UsageError(
            f"role_name={value!r} is a role ARN; the role name is the same in every account",
            hint="pass its name, e.g. role_name='OrganizationAccountAccessRole' (ARNs of roles "
            "to assume first go in role_chain=)",
        )


def _check_ous(value: Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    ous = (value,) if isinstance(value, str) else tuple(value)
    for ou in ous:
        if not isinstance(ou, str) or not _OU.match(ou):
            raise UsageError(
                f"{ou!r} is not an organizational unit id",
                hint="OU ids look like 'ou-ab12-cd34ef56' (or a root, 'r-ab12'); "
                "`aws organizations list-organizational-units-for-parent` lists them",
            )
    return ous


def _check_ids(value: Iterable[str] | None, name: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    ids = (value,) if isinstance(value, str) else tuple(value)
    for account_id in ids:
        check_account_id(account_id, name)
    return ids


def _validate_role_name(_: Any, __: Any, value: Any) -> None:
    _check_role_name(value)


def _check_exclude(value: Iterable[str] | None) -> tuple[str, ...]:
    return _check_ids(value, "exclude") or ()


def _check_include(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return _check_ids(value, "include")


def _check_chain(value: Iterable[str]) -> tuple[str, ...]:
    chain = (value,) if isinstance(value, str) else tuple(value)
    for arn in chain:
        if not isinstance(arn, str) or not arn.startswith("arn:") or ":role/" not in arn:
            raise UsageError(
                f"role_chain entry {arn!r} is not a role ARN",
                hint="e.g. role_chain=['arn:aws:iam::111122223333:role/Hub']",
            )
    return chain


@attrs.frozen(kw_only=True)
class Organization:
    """The accounts of an AWS Organization, each reached by assuming ``role_name`` in it.

    ``ous``: only the accounts under these OU ids (recursively); ``include`` / ``exclude``:
    account ids to keep only / leave out; ``active_only``: leave out suspended accounts;
    ``external_id``: passed to every AssumeRole; ``role_chain``: role ARNs assumed in turn
    before the member role (a hub account); ``session``: the caller's boto3 session (None:
    the default credential chain). Pass it as ``jobs(accounts=Organization(...))``.
    """

    role_name: str = attrs.field(
        default="OrganizationAccountAccessRole", validator=_validate_role_name
    )
    external_id: str | None = attrs.field(default=None, repr=False)
    session_name: str = "jobkit"
    ous: tuple[str, ...] | None = attrs.field(default=None, converter=_check_ous)
    exclude: tuple[str, ...] = attrs.field(default=(), converter=_check_exclude)
    include: tuple[str, ...] | None = attrs.field(default=None, converter=_check_include)
    active_only: bool = True
    role_chain: tuple[str, ...] = attrs.field(default=(), converter=_check_chain)
    session: boto3.Session | None = attrs.field(default=None, eq=False, repr=False)

    def accounts(self) -> tuple[Account, ...]:
        """Discover the accounts (Organizations and STS calls, made now) and say how each is
        reached; raise a typed error with a hint for what the caller may not see."""
        caller = self.session or sync_session()
        region = caller.region_name or "us-east-1"
        org = caller.client("organizations", region_name=region)
        self._call(org, "DescribeOrganization")
        listed = self._under_ous(org, self.ous) if self.ous is not None else self._all(org)
        sts = caller.client("sts", region_name=region)
        try:
            identity = sts.get_caller_identity()
        except (ClientError, BotoCoreError) as exc:
            raise CredentialsError(
                f"could not tell the caller's account: {exc}",
                hint="check the credentials (GetCallerIdentity needs no permission)",
            ) from exc
        own = identity.get("Account")
        partition = str(identity.get("Arn", "arn:aws:")).split(":")[1] or "aws"
        base = _via(self.role_chain, self.external_id, self.session_name, caller)
        chosen = []
        for item in listed:
            account_id = item["Id"]
            if self.include is not None and account_id not in self.include:
                continue
            if account_id in self.exclude:
                continue
            status = item.get("State") or item.get("Status")
            if self.active_only and status not in (None, "ACTIVE"):
                continue
            if account_id == own and not self.role_chain:
                chosen.append(Account(account_id, session=self.session, account_id=account_id))
                continue
            chosen.append(
                Account(
                    account_id,
                    account_id=account_id,
                    role_arn=role_arn_for(account_id, self.role_name, partition),
                    external_id=self.external_id,
                    session_name=self.session_name,
                    via=base,
                )
            )
        return tuple(sorted(chosen, key=lambda a: a.label or ""))

    # ------------------------------------------------------------------ discovery

    def _call(self, client: Any, operation: str, **params: Any) -> dict[str, Any]:
        method = getattr(client, xform_name(operation))
        try:
            answer: dict[str, Any] = method(**params)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("ParentNotFoundException", "OrganizationalUnitNotFoundException"):
                raise UsageError(
                    f"the organizational unit {params.get('ParentId')!r} does not exist",
                    hint="check the OU id: `aws organizations "
                    "list-organizational-units-for-parent --parent-id <root>` lists them",
                ) from exc
            if code == "AWSOrganizationsNotInUseException":
                raise UsageError(
                    "the caller's account is not in an AWS Organization",
                    hint="list the accounts as profiles=[...] or accounts=['<id>', ...] with "
                    "role_name=",
                ) from exc
            if code in ("AccessDeniedException", "AccessDenied"):
                raise AccessDeniedError(
                    f"the credentials may not call Organizations {operation}",
                    code=code,
                    operation=operation,
                    hint=f"allow {_PERMISSIONS.get(operation, operation)} to the caller, or "
                    "call from the management account or a delegated administrator",
                ) from exc
            raise
        return answer

    def _pages(self, client: Any, operation: str, key: str, **params: Any) -> list[Any]:
        out: list[Any] = []
        token = None
        while True:
            page = self._call(
                client, operation, **params, **({"NextToken": token} if token else {})
            )
            out.extend(page.get(key, []))
            token = page.get("NextToken")
            if not token:
                return out

    def _all(self, client: Any) -> list[dict[str, Any]]:
        return self._pages(client, "ListAccounts", "Accounts")

    def _under_ous(self, client: Any, ous: Sequence[str]) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        pending = list(ous)
        while pending:
            parent = pending.pop()
            for account in self._pages(
                client, "ListAccountsForParent", "Accounts", ParentId=parent
            ):
                seen.setdefault(account["Id"], account)
            children = self._pages(
                client, "ListOrganizationalUnitsForParent", "OrganizationalUnits", ParentId=parent
            )
            pending.extend(child["Id"] for child in children)
        return list(seen.values())


def _via(
    chain: Sequence[str], external_id: str | None, session_name: str, caller: boto3.Session | None
) -> Account | None:
    """The account whose credentials assume the member roles: the caller, or the last role
    of ``chain`` assumed in turn from it."""
    via: Account | None = Account("caller", session=caller) if caller is not None else None
    for arn in chain:
        via = Account(
            f"via:{arn}",
            role_arn=arn,
            external_id=external_id,
            session_name=session_name,
            via=via,
        )
    return via
