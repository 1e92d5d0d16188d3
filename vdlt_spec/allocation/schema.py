"""Publish and enforce the JSON Schemas of instances and allocations (§IV-E; D-alloc-9).

The schemas are derived from the dataclasses themselves (field types, defaults, and the
``unit``/``doc`` metadata of each field), so the published schema, the JSON codec
(:mod:`vdlt_spec.serial`) and the Python types cannot drift apart. Parsing runs three gates
in order: the JSON Schema (shape), the codec (types), then the semantic validation (ranges,
unique ids); each rejects with a ``SpecError`` naming the place.
"""

from __future__ import annotations

import dataclasses
import typing
from enum import Enum, IntEnum
from fractions import Fraction
from typing import Any

import jsonschema

from vdlt_spec import serial
from vdlt_spec.allocation.decision import Allocation
from vdlt_spec.allocation.instance import Instance, validate_instance
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_BASE = "https://vdlt-spec.invalid/schema/allocation/"
INTEGER_TEXT = r"^-?[0-9]+$"
RATIONAL_TEXT = r"^-?[0-9]+(/[0-9]+|\.[0-9]+)?$"
MAX_MESSAGE = 160
LEGACY_ROLE_SPELLINGS = {"control": NodeRole.MANAGEMENT_CONTROL.value}
"""Node-role spellings of older instance files, still read as the role they name (§IV-B)."""


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin is tuple:
        return {"type": "array", "items": _type_schema(typing.get_args(tp)[0], defs)}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # reserve first: recursion-safe
            defs[name] = _dataclass_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    if isinstance(tp, type) and issubclass(tp, Enum):
        values = [m.value for m in tp]
        doc = ", ".join(f"{m.value} = {m.name.lower()}" for m in tp)
        if issubclass(tp, IntEnum):
            return {"type": "integer", "enum": values, "description": doc}
        return {"type": "string", "enum": values}
    if tp is bool:
        return {"type": "boolean"}
    if tp is str:
        return {"type": "string"}
    if tp is int:
        return {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": INTEGER_TEXT}]}
    if tp is Fraction:
        return {
            "anyOf": [{"type": "integer"}, {"type": "string", "pattern": RATIONAL_TEXT}],
            "description": "exact rational: an integer, or a string 'p/q' or '1.25'",
        }
    raise TypeError(f"no JSON Schema for {tp!r}")  # pragma: no cover - a programming error


def _dataclass_schema(tp: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(tp)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for f in dataclasses.fields(tp):
        prop = dict(_type_schema(hints[f.name], defs))
        unit = f.metadata.get("unit", "-")
        doc = f.metadata.get("doc", "")
        text = doc if unit == "-" else f"{doc} [{unit}]"
        if "description" in prop:
            text = f"{text}; {prop['description']}"
        prop["description"] = text
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(f.name)
        else:
            prop["default"] = serial.encode(f.default)
        properties[f.name] = prop
    summary = (tp.__doc__ or "").strip().splitlines()[0]
    return {
        "type": "object",
        "description": summary,
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def schema_of(tp: type, name: str) -> dict[str, Any]:
    """Return the JSON Schema (2020-12) of a dataclass type, units in descriptions (§IV-E)."""
    defs: dict[str, Any] = {}
    root = _dataclass_schema(tp, defs)
    return {"$schema": DIALECT, "$id": SCHEMA_BASE + name, "title": name, **root, "$defs": defs}


def instance_schema() -> dict[str, Any]:
    """Return the JSON Schema of an allocation instance (§IV-E)."""
    return schema_of(Instance, "instance")


def allocation_schema() -> dict[str, Any]:
    """Return the JSON Schema of an allocation (§IV-E)."""
    return schema_of(Allocation, "allocation")


def _check_schema(schema: dict[str, Any], data: Any, what: str) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return
    where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path)
    message = error.message
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 3] + "..."
    raise SpecError(Reason.SCHEMA_VIOLATION, f"{what} {where}: {message}")


def _current_spellings(data: Any) -> Any:
    """Return instance data with legacy node-role spellings replaced by the current ones."""
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        return data
    nodes = [
        {**node, "role": LEGACY_ROLE_SPELLINGS[node["role"]]}
        if isinstance(node, dict)
        and isinstance(node.get("role"), str)
        and node["role"] in LEGACY_ROLE_SPELLINGS
        else node
        for node in data["nodes"]
    ]
    return {**data, "nodes": nodes}


def parse_instance(data: Any) -> Instance:
    """Check JSON data against the instance schema, decode it, validate its ranges (§IV-E).

    A node role spelled ``"control"`` (older instance files) is read as
    ``"management_control"``.
    """
    data = _current_spellings(data)
    _check_schema(instance_schema(), data, "instance")
    instance: Instance = serial.decode(Instance, data)
    return validate_instance(instance)


def parse_allocation(data: Any) -> Allocation:
    """Check JSON data against the allocation schema and decode it (§IV-E)."""
    _check_schema(allocation_schema(), data, "allocation")
    allocation: Allocation = serial.decode(Allocation, data)
    return allocation


def loads_instance(text: str) -> Instance:
    """Parse an instance from JSON text; malformed JSON is ``MALFORMED_JSON`` (§IV-E)."""
    return parse_instance(serial.load_json(text))
