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


@operation(
    "cos.encode",
    "§IV-A, Fig. 6",
    input_schema='{"class_bits": int, "reserved"?: int}',
    output_schema='{"cos_byte": int}',
)
def encode(payload: Any) -> Any:
    """Build the CoS byte of a class and the reserved bits it carries (§IV-A, Fig. 6).

    ``reserved`` may be left out: the byte then carries reserved bits 0. A class that is not a
    Table II class is ``UNKNOWN_CLASS``; reserved bits outside 0..31, or not an integer, are
    ``COS_BYTE_OUT_OF_RANGE``.
    """
    service_class = payload.get("class_bits")
    if "reserved" not in payload:
        return {"cos_byte": cos.cos_byte(service_class)}
    return {"cos_byte": cos.cos_byte(service_class, payload["reserved"])}


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


@operation(
    "cos.reclassify_transaction",
    "§III-A, §IV-A",
    input_schema=(
        '{"transaction": Transaction, "sender": {"trust", "roles"?: [role], "banned"?: bool},'
        ' "policy"?: ReclassificationPolicy}'
    ),
    output_schema='{"transaction": Transaction, "effective": name, "reason": str}',
)
def reclassify_transaction(payload: Any) -> Any:
    """Rewrite a transaction's class bits to its effective class, reserved bits kept (§III-A).

    ``policy`` left out is the vDLT default (D-cos-1 .. D-cos-4); each of its fields may be
    left out too and then takes its default.
    """
    tx = serial.decode(cos.Transaction, payload.get("transaction"), "$.transaction")
    sender = serial.decode(cos.Sender, payload.get("sender"), "$.sender")
    policy = serial.decode(cos.ReclassificationPolicy, payload.get("policy", {}), "$.policy")
    rewritten, result = cos.reclassify_from(tx, sender, policy)
    return {
        "transaction": rewritten,
        "effective": result.effective.name,
        "reason": result.reason.value,
    }


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
    yield from _encode_inputs()
    yield from _transaction_inputs()
    yield VectorInput(
        "cos-reclassify-bad-trust", "cos.reclassify", {"declared": 7, "trust": "3/2", "roles": []}
    )
    yield VectorInput(
        "cos-reclassify-bad-role",
        "cos.reclassify",
        {"declared": 7, "trust": "1", "roles": ["king"]},
    )


def _encode_inputs() -> Iterator[VectorInput]:
    """Yield CoS bytes built from every class, reserved bits at and past both ends of 0..31."""
    op = "cos.encode"
    for service_class in cos.ServiceClass:
        for reserved in (0, 1, cos.RESERVED_MASK):
            yield VectorInput(
                f"cos-encode-{service_class.name.lower()}-reserved-{reserved}",
                op,
                {"class_bits": service_class.value, "reserved": reserved},
            )
        yield VectorInput(
            f"cos-encode-{service_class.name.lower()}-no-reserved",
            op,
            {"class_bits": service_class.value},
            "reserved bits left out: 0",
        )
    bad: dict[str, dict[str, Any]] = {
        "reserved-32": {"class_bits": 7, "reserved": cos.RESERVED_MASK + 1},
        "reserved-minus-1": {"class_bits": 7, "reserved": -1},
        "reserved-true": {"class_bits": 7, "reserved": True},
        "reserved-float": {"class_bits": 7, "reserved": 1.5},
        "reserved-text": {"class_bits": 7, "reserved": "1"},
        "class-8": {"class_bits": 8, "reserved": 0},
        "class-minus-1": {"class_bits": -1, "reserved": 0},
        "class-true": {"class_bits": True, "reserved": 0},
        "class-float": {"class_bits": 6.5, "reserved": 0},
        "class-missing": {"reserved": 0},
    }
    for name, payload in bad.items():
        yield VectorInput(f"cos-encode-bad-{name}", op, payload, "rejected input")


#: Reclassification policies, each changing one field of the default (D-cos-1 .. D-cos-4).
POLICIES: dict[str, dict[str, Any]] = {
    "default": {},
    "strict-trust": {"min_trust": "1"},
    "lenient-trust": {"min_trust": "1/3"},
    "low-trust-to-scavenger": {"low_trust_class": 0},
    "banned-to-best-effort": {"banned_class": 1},
    "unauthorised-to-scavenger": {"unauthorised_class": 0},
    "nothing-restricted": {"restricted": []},
    "fast-restricted": {"restricted": [{"service_class": 7, "required_role": "execution"}]},
    "floor-scavenger-only": {"demotion_floor": [0]},
    "floor-three": {"demotion_floor": [0, 1, 2]},
}
#: Senders: trusted without roles, a trusted management/control node, one at the trust
#: threshold, one below it, and a banned one.
SENDERS: dict[str, dict[str, Any]] = {
    "trusted": {"trust": "1"},
    "control-node": {"trust": "1", "roles": ["management_control"]},
    "threshold": {"trust": "1/2", "roles": ["execution"]},
    "low-trust": {"trust": "1/3"},
    "banned": {"trust": "1", "roles": ["management_control"], "banned": True},
}


def _transaction_inputs() -> Iterator[VectorInput]:
    """Yield transactions of five classes, reserved bits set, from every sender and policy."""
    op = "cos.reclassify_transaction"
    for cos_byte in (0x7F, 0x45, 0x00, 0xE1, 0x3E):
        tx = {"id": 7, "sender": "node-1", "cos": cos_byte, "size": 3, "arrival": "5/2"}
        for policy_name, policy in POLICIES.items():
            for sender_name, sender in SENDERS.items():
                payload = {"transaction": tx, "sender": sender}
                if policy_name != "default":
                    payload["policy"] = policy
                yield VectorInput(
                    f"cos-reclassify-tx-{cos_byte:02x}-{sender_name}-{policy_name}", op, payload
                )
    tx = {"id": 7, "sender": "node-1", "cos": 0x7F, "size": 3, "arrival": "5/2"}
    bad: dict[str, dict[str, Any]] = {
        "policy-min-trust": {"policy": {"min_trust": "3/2"}},
        "policy-restricted-twice": {
            "policy": {"restricted": [{"service_class": 3, "required_role": "execution"}] * 2}
        },
        "policy-floor-twice": {"policy": {"demotion_floor": [0, 0]}},
        "policy-unknown-class": {"policy": {"low_trust_class": 9}},
        "policy-unknown-role": {
            "policy": {"restricted": [{"service_class": 3, "required_role": "king"}]}
        },
        "policy-unknown-field": {"policy": {"colour": "red"}},
        "sender-trust": {"sender": {"trust": "3/2"}},
        "sender-banned-number": {"sender": {"trust": "1", "banned": 1}},
        "sender-role": {"sender": {"trust": "1", "roles": ["king"]}},
        "sender-no-trust": {"sender": {"roles": []}},
        "transaction-cos": {"transaction": {**tx, "cos": 256}},
        "transaction-size": {"transaction": {**tx, "size": 0}},
    }
    for name, change in bad.items():
        yield VectorInput(
            f"cos-reclassify-tx-bad-{name}",
            op,
            {"transaction": tx, "sender": SENDERS["trusted"]} | change,
            "rejected input",
        )
