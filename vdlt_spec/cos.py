"""Classify transactions by the class-of-service byte (§III-A, §IV-A, Table II, Fig. 6).

The class is the three most significant bits of the CoS byte; the five remaining bits are
reserved for future extensions: they are preserved as given and never change how a
transaction is treated (§IV-A: "compatible with the current design").
"""

from __future__ import annotations

from enum import IntEnum

from vdlt_spec.errors import Reason, SpecError

COS_BITS = 8
COS_BYTE_VALUES = 1 << COS_BITS
CLASS_BITS = 3
RESERVED_BITS = COS_BITS - CLASS_BITS
RESERVED_MASK = (1 << RESERVED_BITS) - 1


class ServiceClass(IntEnum):
    """Name the 8 classes of service by their 3-bit pattern of Table II."""

    FAST_CONFIRMATION = 0b111
    COMPUTATION_INTENSIVE = 0b110
    STORAGE_INTENSIVE = 0b101
    LOW_COST = 0b100
    MANAGEMENT_CONTROL = 0b011
    PRIVATE = 0b010
    BEST_EFFORT = 0b001
    SCAVENGER = 0b000


def class_of(cos_byte: int) -> ServiceClass:
    """Return the class of a CoS byte: its three most significant bits (§IV-A, Table II)."""
    if (
        isinstance(cos_byte, bool)
        or not isinstance(cos_byte, int)
        or not 0 <= cos_byte < COS_BYTE_VALUES
    ):
        raise SpecError(Reason.COS_BYTE_OUT_OF_RANGE, f"CoS byte must be 0..255, got {cos_byte!r}")
    return ServiceClass(cos_byte >> RESERVED_BITS)


def reserved_bits(cos_byte: int) -> int:
    """Return the five reserved (future-extension) bits of a CoS byte, unchanged (§IV-A)."""
    class_of(cos_byte)
    return cos_byte & RESERVED_MASK


def cos_byte(service_class: ServiceClass, reserved: int = 0) -> int:
    """Build a CoS byte from a class and the reserved bits to carry (§IV-A, Fig. 6)."""
    if not 0 <= reserved <= RESERVED_MASK:
        raise SpecError(
            Reason.COS_BYTE_OUT_OF_RANGE,
            f"reserved bits must be 0..{RESERVED_MASK}, got {reserved}",
        )
    return (ServiceClass(service_class) << RESERVED_BITS) | reserved
