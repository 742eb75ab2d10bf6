"""Regenerate what is derived from the installed botocore: run after a botocore upgrade.

``python -m jobkit.adapters._generate`` rewrites

* ``jobkit/adapters/classification.txt``: one line per ``List*Jobs`` operation of the
  installed botocore, either the adapter that lists it or the reason it is excluded (the
  reasons are kept from the previous file; a new operation is written ``unclassified``, which
  fails the tests until a person decides), then one line per adapter of another operation;
* ``jobkit/adapters/model_facts.json``: the summary members and status enums of every
  adapter's operation (``_model.model_facts``), so that importing jobkit parses no model;
* ``docs/adapters.md``: the adapter table (``jobkit adapters --format markdown``).

``--check`` writes nothing and exits 1 when any of them is stale.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from jobkit._botodata import shared_loader

__all__ = [
    "CLASSIFICATION",
    "FACTS",
    "classification_text",
    "facts_text",
    "list_jobs_operations",
    "main",
    "read_classification",
]

HERE = Path(__file__).parent
CLASSIFICATION = HERE / "classification.txt"
FACTS = HERE / "model_facts.json"
DOCS = HERE.parent.parent / "docs" / "adapters.md"

_LIST_JOBS = re.compile(r"List\w*Jobs")
_HEADER = """\
# Every List*Jobs operation of the installed botocore, one line each:
#   <service> <Operation> adapter <name>        jobkit lists it
#   <service> <Operation> excluded <reason>     why not (kept when regenerated)
#   <service> <Operation> unclassified          new: decide, then regenerate
# then the job-like listings of other names that have adapters:
#   <service> <Operation> extra <name>
# Regenerate: python -m jobkit.adapters._generate
"""


def list_jobs_operations() -> list[tuple[str, str]]:
    """Every (service, operation) named ``List*Jobs`` in the installed botocore."""
    loader = shared_loader()
    found: list[tuple[str, str]] = []
    for service in loader.list_available_services("service-2"):
        model = loader.load_service_model(service, "service-2")
        found += [(service, op) for op in model["operations"] if _LIST_JOBS.fullmatch(op)]
    return sorted(found)


def read_classification(path: Path = CLASSIFICATION) -> dict[tuple[str, str], tuple[str, str]]:
    """(service, operation) -> (kind, detail) from a classification file."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        service, operation, kind, *rest = line.split(maxsplit=3)
        out[(service, operation)] = (kind, rest[0] if rest else "")
    return out


def classification_text(
    operations: Iterable[tuple[str, str]],
    adapters: Mapping[tuple[str, str], str],
    previous: Mapping[tuple[str, str], tuple[str, str]],
) -> str:
    """The classification file for ``operations`` given the registry's ``adapters`` and the
    ``previous`` file's exclusion reasons."""
    lines = [_HEADER]
    listed = set()
    for key in sorted(operations):
        listed.add(key)
        if key in adapters:
            lines.append(f"{key[0]} {key[1]} adapter {adapters[key]}")
        elif previous.get(key, ("",))[0] == "excluded":
            lines.append(f"{key[0]} {key[1]} excluded {previous[key][1]}")
        else:
            lines.append(f"{key[0]} {key[1]} unclassified")
    lines.append("")
    lines += [
        f"{key[0]} {key[1]} extra {name}"
        for key, name in sorted(adapters.items())
        if key not in listed
    ]
    return "\n".join(lines) + "\n"


def _adapters() -> dict[tuple[str, str], str]:
    from jobkit.adapters import REGISTRY  # noqa: PLC0415 - the registry imports this package

    out: dict[tuple[str, str], str] = {}
    for spec in REGISTRY.values():
        key = (spec.service, spec.operation)
        # Two adapters of one operation (none today) are listed under the first name.
        out.setdefault(key, spec.name)
    return out


def facts_text() -> str:
    """``model_facts.json`` for every adapter's operation, from the installed model."""
    from jobkit.adapters import REGISTRY  # noqa: PLC0415
    from jobkit.adapters._model import facts_key, model_facts  # noqa: PLC0415

    data: dict[str, Any] = {}
    for spec in REGISTRY.values():
        hydrate = (spec.hydrate.operation, spec.hydrate.result_key) if spec.hydrate else None
        key = facts_key(spec.service, spec.operation, hydrate)
        data[key] = model_facts(spec.service, spec.operation, hydrate=hydrate)
    return json.dumps(dict(sorted(data.items())), indent=1, sort_keys=True) + "\n"


def _docs_text() -> str:
    from jobkit.cli import adapters_markdown  # noqa: PLC0415

    return adapters_markdown()


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with ``--check``, compare) the generated files; 1 when stale or unclassified."""
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    wanted = {
        CLASSIFICATION: classification_text(
            list_jobs_operations(), _adapters(), read_classification()
        ),
        FACTS: facts_text(),
        DOCS: _docs_text(),
    }
    stale = [p for p, text in wanted.items() if not p.exists() or p.read_text() != text]
    if not check:
        for path in stale:
            path.write_text(wanted[path])
    for path in stale:
        print(f"{'stale' if check else 'rewrote'}: {path}")
    unclassified = [
        line for line in wanted[CLASSIFICATION].splitlines() if line.endswith(" unclassified")
    ]
    for line in unclassified:
        print(f"unclassified: {line.rsplit(' ', 1)[0]}")
    return 1 if (check and stale) or unclassified else 0


if __name__ == "__main__":
    raise SystemExit(main())
