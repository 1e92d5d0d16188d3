"""Expose spec functions as named conformance operations on plain JSON (reference adapter).

An operation maps a JSON input to a JSON output, or rejects it with a ``Reason``; the same
names are what an implementation under test answers through its adapter. Components add their
operations with :func:`operation` in modules under :mod:`vdlt_spec.conformance.ops`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vdlt_spec import plugins, serial
from vdlt_spec.errors import Reason, SpecError

OperationBody = Callable[[Any], Any]


@dataclass(frozen=True)
class AdapterOperation:
    """Name a conformance operation, the whitepaper section it specifies, and its body."""

    name: str
    section: str
    description: str
    body: OperationBody
    input_schema: str = ""
    output_schema: str = ""


OPERATIONS: plugins.Registry[AdapterOperation] = plugins.Registry(
    "operation", Reason.UNSUPPORTED_OPERATION
)
"""The registered conformance operations, by name."""

OPERATION_PACKAGE = "vdlt_spec.conformance.ops"


def field(payload: Any, name: str, tp: Any, default: Any = None) -> Any:
    """Decode input field ``name`` of an operation as ``tp``; ``default`` when it is absent.

    Without a default, an absent field decodes as JSON null (refused unless ``tp`` takes it).
    """
    if name not in payload and default is not None:
        return default
    return serial.decode(tp, payload.get(name), f"$.{name}")


def operation(
    name: str, section: str, *, input_schema: str = "", output_schema: str = ""
) -> Callable[[OperationBody], OperationBody]:
    """Register the decorated JSON-to-JSON function as conformance operation ``name``.

    ``input_schema`` and ``output_schema`` give the JSON shapes of the input and the output in
    the compact notation of the operation table of docs/conformance.md (generated from them).
    """
    return OPERATIONS.register(
        name,
        lambda body: AdapterOperation(
            name, section, plugins.first_line(body), body, input_schema, output_schema
        ),
    )


def operations() -> dict[str, AdapterOperation]:
    """Import every module of :mod:`vdlt_spec.conformance.ops` and return the operations."""
    plugins.discover(OPERATION_PACKAGE)
    return dict(OPERATIONS.items())


def call(name: str, payload: Any) -> Any:
    """Run operation ``name`` on a JSON payload with the reference spec; raise ``SpecError``."""
    plugins.discover(OPERATION_PACKAGE)
    body = OPERATIONS.get(name).body
    if not isinstance(payload, dict):
        raise SpecError(Reason.SCHEMA_VIOLATION, f"{name}: input must be a JSON object")
    return body(payload)
