"""Name the group operations that signatures need, so that two engines can run them (§IV-D).

BIP340 and BIP327 are written once, against :class:`Group`; :data:`READABLE` runs them on the
plain-integer arithmetic of :mod:`vdlt_spec.crypto.secp256k1`, and
:data:`vdlt_spec.crypto.fast.FAST` on libsecp256k1. Both return the same affine points
(``(x, y)`` or ``None``), so a property test can hold them equal operation by operation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from vdlt_spec.crypto import secp256k1
from vdlt_spec.crypto.secp256k1 import Point


class Group(Protocol):
    """Compute k·G, linear combinations of points and compressed-point decoding (§IV-D)."""

    name: str

    def __hash__(self) -> int:
        """Hash by identity, so that results can be memoised per engine."""
        ...

    def mul_base(self, scalar: int) -> Point:
        """Return scalar·G."""
        ...

    def lincomb(self, terms: Sequence[tuple[Point, int]]) -> Point:
        """Return the sum of k·P over the (P, k) pairs; infinity if empty or if it cancels."""
        ...

    def cpoint(self, data: bytes) -> Point:
        """Decode a 33-byte compressed point or raise ``SpecError`` (BAD_LENGTH, INVALID_POINT)."""
        ...


class ReadableGroup:
    """Run the group operations on the readable affine arithmetic (§IV-D)."""

    name = "readable"

    def mul_base(self, scalar: int) -> Point:
        """Return scalar·G by double-and-add (§IV-D)."""
        return secp256k1.mul_base(scalar)

    def lincomb(self, terms: Sequence[tuple[Point, int]]) -> Point:
        """Return the sum of k·P over ``terms`` (§IV-D)."""
        return secp256k1.lincomb(terms)

    def cpoint(self, data: bytes) -> Point:
        """Decode a 33-byte compressed point (§IV-D)."""
        return secp256k1.cpoint(data)


READABLE: Group = ReadableGroup()
