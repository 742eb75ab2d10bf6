"""The lists ``jobkit.adapters()`` and ``jobkit.explain()`` return: plain lists that show as
one HTML table in Jupyter and as aligned text in IPython's terminal."""

from __future__ import annotations

from typing import Any, TypeVar

from jobkit.present.html import AdapterRow, ExplanationRow, adapters_html, explanations_html
from jobkit.present.records import align

__all__ = ["AdapterTable", "ExplanationList"]

_A = TypeVar("_A", bound=AdapterRow)
_E = TypeVar("_E", bound=ExplanationRow)


class AdapterTable(list[_A]):
    """``adapters()``'s result: a list of ``AdapterInfo`` that shows as a table."""

    def _repr_html_(self) -> str:
        return adapters_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        rows = [["ADAPTER", "SERVICE", "OPERATION", "SCOPE"]]
        rows += [[a.name, a.service, a.operation, ", ".join(a.scope) or "-"] for a in self]
        printer.text(repr(self) if cycle else align(rows))


class ExplanationList(list[_E]):
    """``explain()``'s result: a list of ``Explanation`` that shows as a table."""

    def _repr_html_(self) -> str:
        return explanations_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self) if cycle else "\n".join(str(p) for p in self))
