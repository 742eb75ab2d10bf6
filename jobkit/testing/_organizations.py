"""AWS Organizations and STS AssumeRole: many accounts behind one emulator.

``Organization`` is the tree the emulator serves: the management account (``ACCOUNT_ID``, the
account of the fake static keys) in the root, the member accounts spread round-robin over the
organizational units, which may nest (``"Production/EU"`` is the OU EU inside Production).
Ids are deterministic under the seed: member account ids, ``o-...``, ``r-...`` and
``ou-<root>-<8>``.

Organizations (awsJson1_1) answers only the management account: another account gets
``AccessDeniedException``, and an emulator without an organization (``accounts=1``)
``AWSOrganizationsNotInUseException``. ``MaxResults`` is 1-20 (default 20), as the model says.

STS ``AssumeRole`` (awsQuery) returns temporary credentials of the role's account: requests
signed with them see that account's data (its ARNs, its jobs) until they expire. A role in an
account outside the organization is ``AccessDenied``; so is one that ``Emulator.deny(...,
account=...)`` denies (the account of an AssumeRole is the role's). ``DurationSeconds``
900-43200 (default 3600) sets the lifetime unless ``Emulator.assume_role_lifetime`` overrides
it (tests want seconds, not a quarter of an hour).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from jobkit.testing._data import ACCOUNT_ID, _salt, ms_to_datetime

__all__ = ["Organization", "OrganizationalUnit", "role_account"]

DEFAULT_OUS = ("Production", "Production/EU", "Development", "Sandbox")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):role/(?P<name>[\w+=,.@/-]+)$")


@attrs.frozen(kw_only=True)
class OrganizationalUnit:
    """One OU: its id, ARN, name, parent id and path of names."""

    id: str
    arn: str
    name: str
    parent: str
    path: str


class Organization:
    """The organization of an emulator: accounts, root and OUs, generated from the seed."""

    def __init__(self, *, seed: int, accounts: int, ous: Sequence[str], now: dt.datetime) -> None:
        if accounts < 1:
            raise ValueError(f"accounts must be >= 1, got {accounts!r}")
        self.enabled = accounts > 1
        suffix = f"{_salt(seed, 'org') % 36**10:010x}"[:10]
        self.id = f"o-{suffix}"
        self.management = ACCOUNT_ID
        root_suffix = f"{_salt(seed, 'root') % 16**4:04x}"
        self.root_id = f"r-{root_suffix}"
        arn = f"arn:aws:organizations::{ACCOUNT_ID}"
        self.root = {
            "Id": self.root_id,
            "Arn": f"{arn}:root/{self.id}/{self.root_id}",
            "Name": "Root",
            "PolicyTypes": [],
        }
        self.ous: list[OrganizationalUnit] = []
        by_path: dict[str, str] = {"": self.root_id}
        for path in ous:
            parent_path, _, name = path.rpartition("/")
            if parent_path not in by_path:
                raise ValueError(f"OU {path!r} comes before its parent {parent_path!r}")
            ou_id = f"ou-{root_suffix}-{_salt(seed, 'ou', path) % 16**8:08x}"
            self.ous.append(
                OrganizationalUnit(
                    id=ou_id,
                    arn=f"{arn}:ou/{self.id}/{ou_id}",
                    name=name,
                    parent=by_path[parent_path],
                    path=path,
                )
            )
            by_path[path] = ou_id
        self.account_ids = [ACCOUNT_ID]
        taken = {ACCOUNT_ID}
        for k in range(1, accounts):
            attempt = 0
            while (account := f"{_salt(seed, 'account', k, attempt) % 10**12:012d}") in taken:
                attempt += 1
            taken.add(account)
            self.account_ids.append(account)
        self._parent_of: dict[str, str] = {ACCOUNT_ID: self.root_id}
        places = [self.root_id, *(ou.id for ou in self.ous)]
        base = now - dt.timedelta(days=700)
        self.accounts: list[dict[str, Any]] = []
        for k, account in enumerate(self.account_ids):
            parent = self.root_id if k == 0 else places[k % len(places)]
            self._parent_of[account] = parent
            joined = ms_to_datetime(
                int(base.timestamp() * 1000) + k * 3_600_000 + _salt(seed, "joined", k) % 1000
            )
            self.accounts.append(
                {
                    "Id": account,
                    "Arn": f"{arn}:account/{self.id}/{account}",
                    "Email": f"aws+{'management' if k == 0 else f'member-{k:03d}'}@example.com",
                    "Name": "Management" if k == 0 else f"Member {k:03d}",
                    "Status": "ACTIVE",
                    "State": "ACTIVE",
                    "JoinedMethod": "CREATED" if k else "INVITED",
                    "JoinedTimestamp": joined,
                }
            )

    def __contains__(self, account: object) -> bool:
        return account in self._parent_of

    def parent_of(self, account: str) -> str:
        """The id of the root or OU an account is in."""
        return self._parent_of[account]

    def is_parent(self, parent_id: str) -> bool:
        """Whether ``parent_id`` names the root or one of the OUs."""
        return parent_id == self.root_id or any(ou.id == parent_id for ou in self.ous)

    def ous_for_parent(self, parent_id: str) -> list[dict[str, Any]]:
        """ListOrganizationalUnitsForParent items."""
        return [
            {"Id": ou.id, "Arn": ou.arn, "Name": ou.name}
            for ou in self.ous
            if ou.parent == parent_id
        ]

    def accounts_for_parent(self, parent_id: str) -> list[dict[str, Any]]:
        """ListAccountsForParent items."""
        return [a for a in self.accounts if self._parent_of[a["Id"]] == parent_id]


def role_account(role_arn: str) -> tuple[str, str] | None:
    """(account, role name) of an IAM role ARN, or None when it is not one."""
    found = _ROLE_ARN.match(role_arn or "")
    return None if found is None else (found["account"], found["name"])


def summary(org: Organization) -> Mapping[str, Any]:
    """DescribeOrganization's Organization."""
    return {
        "Id": org.id,
        "Arn": f"arn:aws:organizations::{ACCOUNT_ID}:organization/{org.id}",
        "FeatureSet": "ALL",
        "MasterAccountArn": org.accounts[0]["Arn"],
        "MasterAccountId": ACCOUNT_ID,
        "MasterAccountEmail": org.accounts[0]["Email"],
    }
