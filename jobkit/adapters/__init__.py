"""The adapter registry: one declaration per AWS operation."""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Iterator
from types import MappingProxyType

from jobkit.core.spec import AdapterSpec
from jobkit.errors import UnknownAdapterError

__all__ = ["REGISTRY", "get", "resolve"]


def _collect() -> Iterator[AdapterSpec]:
    """Every spec of every adapter module (each module's ``SPECS``), modules by name.

    Adding an adapter module is enough to register it: no list is kept by hand. Modules whose
    name starts with ``_`` are helpers, not adapters.
    """
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        specs = getattr(module, "SPECS", None)
        if not isinstance(specs, tuple) or not all(isinstance(s, AdapterSpec) for s in specs):
            raise TypeError(f"{module.__name__} must define SPECS, a tuple of AdapterSpec")
        yield from specs


def _registry() -> dict[str, AdapterSpec]:
    found: dict[str, AdapterSpec] = {}
    for spec in sorted(_collect(), key=lambda s: s.name):
        if spec.name in found:
            raise ValueError(f"two adapters are named {spec.name!r}")
        found[spec.name] = spec
    return found


#: Every adapter by name, sorted by name (the default order of a listing of all adapters).
REGISTRY: MappingProxyType[str, AdapterSpec] = MappingProxyType(_registry())


def get(name: str) -> AdapterSpec:
    """The adapter called ``name``; an unknown name raises with the close matches."""
    try:
        return REGISTRY[name]
    except KeyError:
        pass
    known = sorted(REGISTRY)
    lowered = {k.lower(): k for k in known}
    if name.lower() in lowered:
        return REGISTRY[lowered[name.lower()]]
    candidates = set(difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.5))
    # A bare service or operation name ("batch", "ListProcessingJobs") matches its adapters.
    candidates |= {
        k for k in known if name.lower() in (k.split(".")[0], REGISTRY[k].operation.lower())
    }
    suggestions = sorted(lowered.get(c, c) for c in candidates)
    raise UnknownAdapterError(name, suggestions, known)


def resolve(adapters: str | AdapterSpec | list[str | AdapterSpec] | None) -> list[AdapterSpec]:
    """The specs for the caller's ``adapters`` argument.

    None means every registered adapter; a listing of every adapter skips (and reports, as
    ``scope-required``) those whose scope parameter no listing can discover (an IoT SiteWise
    workspace) unless ``params=`` gives it.
    """
    if adapters is None:
        return list(REGISTRY.values())
    items = [adapters] if isinstance(adapters, str | AdapterSpec) else list(adapters)
    specs: list[AdapterSpec] = []
    for item in items:
        spec = item if isinstance(item, AdapterSpec) else get(item)
        if spec not in specs:
            specs.append(spec)
    return specs
