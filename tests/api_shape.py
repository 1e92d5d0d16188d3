"""Read the shape of a module's public API: which parameters cannot be passed by name."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any


def public_functions(name: str) -> list[Callable[..., Any]]:
    """Return the public functions of module ``name`` and the public methods of its classes."""
    module = importlib.import_module(name)
    mine = [
        o
        for n, o in vars(module).items()
        if not n.startswith("_") and getattr(o, "__module__", None) == name
    ]
    functions: list[Callable[..., Any]] = [o for o in mine if inspect.isfunction(o)]
    for cls in (o for o in mine if inspect.isclass(o)):
        for n, member in vars(cls).items():
            member = member.__func__ if isinstance(member, classmethod | staticmethod) else member
            if inspect.isfunction(member) and (not n.startswith("_") or n == "__init__"):
                functions.append(member)
    return functions


def positional_only(name: str) -> list[str]:
    """Return ``function(parameter)`` for every positional-only parameter of module ``name``."""
    return [
        f"{function.__qualname__}({parameter.name})"
        for function in public_functions(name)
        for parameter in inspect.signature(function).parameters.values()
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY
    ]
