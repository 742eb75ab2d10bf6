"""Apply environment variables for the emulator and restore the previous ones exactly."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Self

__all__ = ["EmulatorEnvironment"]


class EmulatorEnvironment:
    """Environment variables that point boto3 at an emulator, applied to ``os.environ``.

    ``variables`` maps each name to its value, or to None for a variable that must be absent
    (e.g. the static keys when credentials come from the emulator's credential endpoint).
    ``apply()`` (or entering the ``with`` block) saves what was there and sets them;
    ``restore()`` (or leaving the block, or closing the emulator) puts back exactly what was
    there before, removing the variables that did not exist.
    """

    def __init__(
        self,
        variables: Mapping[str, str | None],
        *,
        on_apply: Callable[[EmulatorEnvironment], None] | None = None,
        on_restore: Callable[[EmulatorEnvironment], None] | None = None,
    ) -> None:
        self.variables: dict[str, str | None] = dict(variables)
        self._saved: dict[str, str | None] | None = None
        self._on_apply = on_apply
        self._on_restore = on_restore

    @property
    def applied(self) -> bool:
        """Whether the variables are applied (and not yet restored)."""
        return self._saved is not None

    def apply(self) -> Self:
        """Save the current values of the variables and set them; returns self."""
        if self._saved is not None:
            raise RuntimeError("this emulator environment is already applied")
        self._saved = {name: os.environ.get(name) for name in self.variables}
        _write(self.variables)
        if self._on_apply is not None:
            self._on_apply(self)
        return self

    def restore(self) -> None:
        """Put back the values saved by ``apply()``; a no-op when not applied."""
        saved, self._saved = self._saved, None
        if saved is None:
            return
        _write(saved)
        if self._on_restore is not None:
            self._on_restore(self)

    def __enter__(self) -> dict[str, str | None]:
        self.apply()
        return dict(self.variables)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.restore()

    def __repr__(self) -> str:
        # Names only: the values include (fake or issued) credentials.
        state = "applied" if self.applied else "not applied"
        return f"<EmulatorEnvironment {state}: {', '.join(sorted(self.variables))}>"


def _write(values: Mapping[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
