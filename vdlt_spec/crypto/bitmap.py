"""Name a certificate's signers with a bitmap over the roster (§IV-D).

"A bitmap is used to indicate the nodes who participate in the signing process" (§IV-D). For
a roster of n members the bitmap has ceil(n/8) bytes and lists signers least-significant bit
first: signer i is bit (i mod 8) of byte floor(i/8); 1 = signed; the padding bits of the last
byte are 0.

:func:`bits_form_quorum` is the bitmap's quorum test, 3·popcount > 2n over the signer bits; it
uses only sums and :func:`~vdlt_spec.crypto.quorum.is_quorum`, so it evaluates on ints and on
solver terms, and the bitmap proofs in ``vdlt_spec.models`` state their claims with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from vdlt_spec.crypto.quorum import is_quorum
from vdlt_spec.errors import Reason, SpecError

__all__ = [
    "BITS_PER_BYTE",
    "MAX_ROSTER",
    "bitmap_bits",
    "bitmap_length",
    "bits_form_quorum",
    "decode_bitmap",
    "encode_bitmap",
    "require_members",
    "signer_count",
]

BITS_PER_BYTE = 8
#: The most members a signer bitmap covers (an 8 KiB bitmap); a larger n is ``ROSTER_TOO_LARGE``.
MAX_ROSTER = 2**16


def require_members(n: int) -> None:
    """Reject a roster size below one member (``ROSTER_EMPTY``) (§IV-D)."""
    if n < 1:
        raise SpecError(Reason.ROSTER_EMPTY, f"a roster needs at least one key, got n = {n}")


def bitmap_length(n: int) -> int:
    """Return the bitmap size for ``n`` roster members, ceil(n/8) bytes (§IV-D).

    ``n`` is at most :data:`MAX_ROSTER` (``ROSTER_TOO_LARGE``): a bitmap is built and scanned
    bit by bit, so an unbounded n would run until memory ran out.
    """
    require_members(n)
    if n > MAX_ROSTER:
        raise SpecError(
            Reason.ROSTER_TOO_LARGE,
            f"a signer bitmap covers at most {MAX_ROSTER} members, got n = {str(n)[:40]}",
        )
    return (n + BITS_PER_BYTE - 1) // BITS_PER_BYTE


def encode_bitmap(signers: Iterable[int], n: int) -> bytes:
    """Encode signer indices as a bitmap: LSB first, 1 = signed, padding bits 0 (§IV-D)."""
    length = bitmap_length(n)
    bits = 0
    for i in signers:
        if not 0 <= i < n:
            raise SpecError(Reason.SIGNER_OUTSIDE_ROSTER, f"signer {i} is not in [0, {n})")
        if bits >> i & 1:
            raise SpecError(Reason.DUPLICATE_SIGNER, f"signer {i} listed twice")
        bits |= 1 << i
    return bits.to_bytes(length, "little")


def bitmap_bits(bitmap: bytes, n: int) -> int:
    """Return a bitmap as an int (bit i = signer i), checking length and padding (§IV-D)."""
    expected = bitmap_length(n)
    if len(bitmap) != expected:
        raise SpecError(
            Reason.BITMAP_BAD_LENGTH,
            f"bitmap for n = {n} must be {expected} bytes, got {len(bitmap)}",
        )
    bits = int.from_bytes(bitmap, "little")
    if bits >> n:
        raise SpecError(
            Reason.BITMAP_PADDING_NONZERO,
            f"bitmap names signer {bits.bit_length() - 1}, outside the roster of {n}",
        )
    return bits


def decode_bitmap(bitmap: bytes, n: int) -> tuple[int, ...]:
    """Return the signer indices of a bitmap in increasing order (§IV-D).

    Raises ``BITMAP_BAD_LENGTH`` if it is not ceil(n/8) bytes and ``BITMAP_PADDING_NONZERO``
    if a bit at an index >= n is set.
    """
    bits = bitmap_bits(bitmap, n)
    return tuple(i for i in range(n) if bits >> i & 1)


def signer_count(bitmap: bytes, n: int) -> int:
    """Return the number of signers a valid bitmap names (its popcount) (§IV-D)."""
    return bitmap_bits(bitmap, n).bit_count()


def bits_form_quorum(bits: Sequence[Any], n: Any) -> Any:
    """Tell whether signer bits (1 = signed, one per member) name a quorum: 3·popcount > 2n (§IV-D).

    The popcount is the plain sum of the bits, so the test evaluates on 0/1 ints and on 0/1
    solver terms alike; a certificate is accepted only when this holds (D-crypto-7).
    """
    popcount: Any = 0
    for bit in bits:
        popcount = popcount + bit
    return is_quorum(popcount, n)
