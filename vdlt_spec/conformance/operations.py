"""Expose spec functions as named conformance operations on plain JSON (reference adapter).

An operation maps a JSON input to a JSON output, or rejects it with a ``Reason``; the same
names are what an implementation under test answers through its adapter. Components add their
operations with :func:`operation` in modules under :mod:`vdlt_spec.conformance.ops`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vdlt_spec.errors import Reason, SpecError

OperationBody = Callable[[Any], Any]


@dataclass(frozen=True)
class Operation:
    """Name a conformance operation, the whitepaper section it specifies, and its body."""

    name: str
    section: str
    description: str
    body: OperationBody


_OPERATIONS: dict[str, Operation] = {}


def operation(name: str, section: str) -> Callable[[OperationBody], OperationBody]:
    """Register the decorated JSON-to-JSON function as conformance operation ``name``."""

    def register(body: OperationBody) -> OperationBody:
        if name in _OPERATIONS and _OPERATIONS[name].body is not body:
            raise ValueError(f"operation {name!r} registered twice")
        doc = (body.__doc__ or "").strip().splitlines()
        _OPERATIONS[name] = Operation(name, section, doc[0] if doc else "", body)
        return body

    return register


def operations() -> dict[str, Operation]:
    """Import every module of :mod:`vdlt_spec.conformance.ops` and return the operations."""
    import vdlt_spec.conformance.ops as package

    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
    return dict(sorted(_OPERATIONS.items()))


def call(name: str, payload: Any) -> Any:
    """Run operation ``name`` on a JSON payload with the reference spec; raise ``SpecError``."""
    ops = operations()
    if name not in ops:
        raise SpecError(Reason.UNSUPPORTED_OPERATION, f"no operation named {name!r}")
    if not isinstance(payload, dict):
        raise SpecError(Reason.SCHEMA_VIOLATION, f"{name}: input must be a JSON object")
    return ops[name].body(payload)
