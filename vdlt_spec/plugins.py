"""Register named plugins of one kind, look them up, list them and discover them.

The spec's extension points (self-checks, conformance operations, vector suites, trace
auditors) are each a :class:`Registry`: a component adds a plugin under a unique name with the
registry's decorator in a module of a plugin package, and :func:`discover` imports every module
of a package the caller names, so that the registering code runs. No registry knows its plugins
in advance, and this module imports nothing from the spec above the shared words.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

from vdlt_spec.errors import Reason, SpecError

T = TypeVar("T")
F = TypeVar("F")


class Registry(Generic[T]):
    """Hold the plugins of one kind by name; reject a second, different plugin of one name."""

    def __init__(self, kind: str, unknown: Reason) -> None:
        """Start an empty registry of ``kind`` plugins; reject unknown names with ``unknown``."""
        self.kind = kind
        self.unknown = unknown
        self._plugins: dict[str, T] = {}

    def add(self, name: str, plugin: T) -> T:
        """Register ``plugin`` as ``name``; registering an equal plugin again changes nothing.

        A different plugin under a name already taken is a programming error (``ValueError``).
        """
        if name in self._plugins and self._plugins[name] != plugin:
            raise ValueError(f"{self.kind} {name!r} registered twice")
        self._plugins[name] = plugin
        return plugin

    def register(self, name: str, make: Callable[[F], T]) -> Callable[[F], F]:
        """Return a decorator that registers ``make(function)`` as ``name``, keeping it."""

        def decorate(function: F) -> F:
            self.add(name, make(function))
            return function

        return decorate

    def get(self, name: str) -> T:
        """Return the plugin ``name``; reject an unknown name with the registry's reason."""
        if name not in self._plugins:
            known = ", ".join(self.names()) or "none"
            raise SpecError(self.unknown, f"no {self.kind} named {name!r}; known: {known}")
        return self._plugins[name]

    def __contains__(self, name: object) -> bool:
        """Say whether a plugin is registered as ``name``."""
        return name in self._plugins

    def names(self) -> tuple[str, ...]:
        """Return the registered names, sorted."""
        return tuple(sorted(self._plugins))

    def items(self) -> tuple[tuple[str, T], ...]:
        """Return the (name, plugin) pairs, sorted by name."""
        return tuple(sorted(self._plugins.items(), key=lambda item: item[0]))

    def __iter__(self) -> Iterator[T]:
        """Yield the plugins in the order of their names."""
        return (plugin for _, plugin in self.items())


def discover(package: str) -> tuple[str, ...]:
    """Import every module of the package named ``package``; return their names, sorted.

    Importing a plugin module runs its registering decorators. The caller names the package,
    so that a registry never imports the layer above it.
    """
    root = importlib.import_module(package)
    names = sorted(info.name for info in pkgutil.iter_modules(root.__path__, package + "."))
    for name in names:
        importlib.import_module(name)
    return tuple(names)


def first_line(function: Callable[..., object]) -> str:
    """Return the first line of a function's docstring, or "" (a plugin's description)."""
    lines = (function.__doc__ or "").strip().splitlines()
    return lines[0] if lines else ""


def select(
    items: Iterable[T],
    only: Iterable[str],
    keys: Callable[[T], tuple[str, str]],
    kinds: str,
    unknown: Reason,
) -> tuple[T, ...]:
    """Keep the items that ``only`` names by either of their ``keys``; all of them if empty.

    A name that no item carries is ``unknown``, its detail naming ``kinds`` (e.g. "check or
    component") and listing the known names.
    """
    available = tuple(items)
    wanted = list(only)
    if not wanted:
        return available
    known = {key for item in available for key in keys(item)}
    missing = [w for w in wanted if w not in known]
    if missing:
        raise SpecError(
            unknown,
            f"no {kinds} named {', '.join(missing)}; known: {', '.join(sorted(known))}",
        )
    return tuple(item for item in available if any(key in wanted for key in keys(item)))


__all__ = ["Registry", "discover", "first_line", "select"]
