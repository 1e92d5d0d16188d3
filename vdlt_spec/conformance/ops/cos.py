"""Conformance operations of the class-of-service byte and reclassification (§III-A, §IV-A).

On the wire, ``cos.reclassify`` lists a sender's standing among its roles: the role list may
hold ``"banned"`` beside the node roles (``"management_control"``, ``"execution"``). This module
parses that list into the two notions of :class:`vdlt_spec.cos.Sender`: node roles
(:class:`vdlt_spec.roles.NodeRole`) and the ``banned`` standing (§IV-J).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from vdlt_spec import cos, serial
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.suite import VectorInput, inputs
from vdlt_spec.roles import NodeRole

BANNED = "banned"
"""The wire spelling of a banned sender's standing in a role list (§IV-J)."""


@operation(
    "cos.classify",
    "§IV-A",
    input_schema='{"cos_byte": int}',
    output_schema='{"class": name, "class_bits": int, "reserved": int}',
)
def classify(payload: Any) -> Any:
    """Return the class and the preserved reserved bits of a CoS byte (§IV-A, Table II)."""
    byte = serial.decode(int, payload.get("cos_byte"), "$.cos_byte")
    service_class = cos.class_of(byte)
    return {
        "class": service_class.name,
        "class_bits": service_class.value,
        "reserved": cos.reserved_bits(byte),
    }


def _sender_roles(payload: Any) -> tuple[frozenset[NodeRole], bool]:
    """Split a wire role list into node roles and the banned standing (§III-A, §IV-J)."""
    items = serial.decode(tuple[str, ...], payload.get("roles", []), "$.roles")
    roles = frozenset(
        serial.decode(NodeRole, item, f"$.roles[{i}]")
        for i, item in enumerate(items)
        if item != BANNED
    )
    return roles, BANNED in items


@operation(
    "cos.reclassify",
    "§III-A",
    input_schema='{"declared": class_bits, "trust": "p/q", "roles": [role or "banned"]}',
    output_schema='{"effective": name, "reason": str}',
)
def reclassify(payload: Any) -> Any:
    """Return the effective class of a declared class from a sender of given trust and roles."""
    declared = serial.decode(cos.ServiceClass, payload.get("declared"), "$.declared")
    trust = serial.decode(Fraction, payload.get("trust"), "$.trust")
    roles, banned = _sender_roles(payload)
    result = cos.reclassify(declared, trust, roles, banned=banned)
    return {"effective": result.effective.name, "reason": result.reason.value}


@inputs("cos")
def _cos_inputs() -> Iterator[VectorInput]:
    for byte in range(cos.COS_BYTE_VALUES):
        yield VectorInput(f"cos-classify-{byte:02x}", "cos.classify", {"cos_byte": byte})
    for bad in (cos.COS_BYTE_VALUES, -1, "0x20", None):
        yield VectorInput(
            f"cos-classify-bad-{bad}", "cos.classify", {"cos_byte": bad}, "rejected input"
        )
    for declared in cos.ServiceClass:
        for trust in ("0", "1/3", "1/2", "1"):
            for roles in ([], [NodeRole.MANAGEMENT_CONTROL.value], [BANNED]):
                yield VectorInput(
                    f"cos-reclassify-{declared.name.lower()}-{trust.replace('/', 'over')}-"
                    f"{'-'.join(roles) or 'none'}",
                    "cos.reclassify",
                    {"declared": declared.value, "trust": trust, "roles": roles},
                )
    yield VectorInput(
        "cos-reclassify-bad-trust", "cos.reclassify", {"declared": 7, "trust": "3/2", "roles": []}
    )
    yield VectorInput(
        "cos-reclassify-bad-role",
        "cos.reclassify",
        {"declared": 7, "trust": "1", "roles": ["king"]},
    )
