"""The account options of the command line (``--org-role``, ``--ou``, ``--exclude-account``,
``--external-id``), shared by ``jobkit ls`` and ``jobkit sync``: declared and read once."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from jobkit.errors import UsageError

if TYPE_CHECKING:
    from jobkit.organization import Organization

__all__ = ["add_account_options", "organization"]


def add_account_options(parser: Any, *, verb: str = "list") -> None:
    """Add the organization options to a subcommand's ``parser``."""
    parser.add_argument(
        "--org-role",
        metavar="NAME",
        help=f"{verb} every account of the AWS Organization, assuming this role in each "
        "(e.g. OrganizationAccountAccessRole)",
    )
    parser.add_argument(
        "--ou", action="append", default=[], help="with --org-role: only accounts under this OU"
    )
    parser.add_argument(
        "--exclude-account",
        action="append",
        default=[],
        metavar="ID",
        help="with --org-role: leave this account out; repeatable",
    )
    parser.add_argument("--external-id", help="with --org-role: the external id the role requires")


def organization(args: argparse.Namespace) -> Organization | None:
    """The organization ``--org-role`` asks for (its other flags need it)."""
    if args.org_role is None:
        stray = [
            flag
            for flag, value in (
                ("--ou", args.ou),
                ("--exclude-account", args.exclude_account),
                ("--external-id", args.external_id),
            )
            if value
        ]
        if stray:
            raise UsageError(
                f"{stray[0]} needs --org-role", hint="e.g. --org-role OrganizationAccountAccessRole"
            )
        return None
    from jobkit.organization import Organization  # noqa: PLC0415

    return Organization(
        role_name=args.org_role,
        ous=args.ou or None,
        exclude=args.exclude_account,
        external_id=args.external_id,
    )
