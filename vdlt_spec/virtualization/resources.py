"""Measure compute, storage and bandwidth exactly, in fixed units (§III-C, D-virt-1).

Compute is in millicores (1000 = one core), storage in MiB, bandwidth in kbit/s; all amounts
are non-negative integers, so every sum and comparison is exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vdlt_spec.errors import Reason, SpecError

RESOURCE_KINDS = ("compute", "storage", "bandwidth")
RESOURCE_UNITS = {"compute": "millicores", "storage": "MiB", "bandwidth": "kbit/s"}
MILLICORES_PER_CORE = 1000
MIB_PER_GIB = 1024
MIB_PER_TIB = 1024 * MIB_PER_GIB
KBITS_PER_MBIT = 1000


def require_identifier(value: object, what: str) -> None:
    """Reject an identifier that is not a non-empty string with ``BAD_IDENTIFIER`` (§III-C)."""
    if not isinstance(value, str) or not value.strip():
        raise SpecError(Reason.BAD_IDENTIFIER, f"{what} must be a non-empty string, got {value!r}")


@dataclass(frozen=True)
class Resources:
    """Hold an amount of compute, storage and bandwidth, exact non-negative integers (§III-C)."""

    compute: int = 0
    storage: int = 0
    bandwidth: int = 0

    def __post_init__(self) -> None:
        for kind in RESOURCE_KINDS:
            amount = getattr(self, kind)
            if isinstance(amount, bool) or not isinstance(amount, int):
                raise SpecError(
                    Reason.SCHEMA_VIOLATION, f"{kind} must be an integer, got {amount!r}"
                )
            if amount < 0:
                raise SpecError(Reason.NEGATIVE_RESOURCE, f"{kind} must be >= 0, got {amount}")

    def amount(self, kind: str) -> int:
        """Return the amount of one resource kind (§III-C)."""
        if kind not in RESOURCE_KINDS:
            raise SpecError(Reason.SCHEMA_VIOLATION, f"unknown resource kind {kind!r}")
        value: int = getattr(self, kind)
        return value

    def __add__(self, other: Resources) -> Resources:
        """Add two amounts kind by kind, exactly (§III-C)."""
        return Resources(
            self.compute + other.compute,
            self.storage + other.storage,
            self.bandwidth + other.bandwidth,
        )

    def __sub__(self, other: Resources) -> Resources:
        """Subtract kind by kind; going below zero is ``NEGATIVE_RESOURCE`` (§III-C)."""
        return Resources(
            self.compute - other.compute,
            self.storage - other.storage,
            self.bandwidth - other.bandwidth,
        )

    def shortfall(self, available: Resources) -> tuple[str, ...]:
        """Return the kinds in which this demand exceeds ``available``, in kind order (§III-C)."""
        return tuple(k for k in RESOURCE_KINDS if getattr(self, k) > getattr(available, k))

    def fits_in(self, available: Resources) -> bool:
        """Say whether this demand fits in ``available`` in every kind (§III-C)."""
        return (
            self.compute <= available.compute
            and self.storage <= available.storage
            and self.bandwidth <= available.bandwidth
        )

    def describe(self) -> str:
        """Render the amounts with their units, for rejection details (§III-C)."""
        return ", ".join(f"{k}={self.amount(k)} {RESOURCE_UNITS[k]}" for k in RESOURCE_KINDS)


NO_RESOURCES = Resources()


def total(amounts: Iterable[Resources]) -> Resources:
    """Sum amounts of resources exactly (§III-C)."""
    result = NO_RESOURCES
    for amount in amounts:
        result = result + amount
    return result
