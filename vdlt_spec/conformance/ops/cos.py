"""Conformance operations of the class-of-service byte (§III-A, §IV-A, Table II)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vdlt_spec import cos, serial
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.suite import VectorInput, inputs


@operation("cos.classify", "§IV-A")
def classify(payload: Any) -> Any:
    """Return the class and the preserved reserved bits of a CoS byte (§IV-A, Table II)."""
    byte = serial.decode(int, payload.get("cos_byte"), "$.cos_byte")
    service_class = cos.class_of(byte)
    return {
        "class": service_class.name,
        "class_bits": service_class.value,
        "reserved": cos.reserved_bits(byte),
    }


@inputs("cos")
def _cos_inputs() -> Iterator[VectorInput]:
    for byte in range(cos.COS_BYTE_VALUES):
        yield VectorInput(f"cos-classify-{byte:02x}", "cos.classify", {"cos_byte": byte})
    for bad in (cos.COS_BYTE_VALUES, -1, "0x20", None):
        yield VectorInput(
            f"cos-classify-bad-{bad}", "cos.classify", {"cos_byte": bad}, "rejected input"
        )
