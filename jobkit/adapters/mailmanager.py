"""Amazon SES Mail Manager: address list import jobs."""

from __future__ import annotations

from jobkit.adapters._model import discovery, jobs
from jobkit.core.spec import ScopeParam

__all__ = ["ADDRESS_LIST_IMPORT", "SPECS"]

ADDRESS_LIST_IMPORT = jobs(
    "mailmanager.address-list-import",
    "ListAddressListImportJobs",
    "Mail Manager import jobs of an address list",
    name_field="Name",
    scope=(
        ScopeParam(
            name="AddressListId",
            doc="the address list's id (ListAddressLists)",
            discovery=discovery("mailmanager", "ListAddressLists", value="AddressListId"),
        ),
    ),
)

SPECS = (ADDRESS_LIST_IMPORT,)
