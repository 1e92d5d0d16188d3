"""Bridge the signer-bitmap bytes of a certificate to the counting facts, per roster size (§IV-D).

A certificate's bitmap has ceil(n/8) bytes, least-significant bit first (signer i is bit i mod 8
of byte i div 8), 1 = signed, padding bits 0; it is accepted iff 3·popcount > 2n, i.e.
popcount >= quorum_size(n) = 2n//3 + 1 (D-crypto-7). The acceptance rule in every query is the
spec's own test, :func:`vdlt_spec.crypto.bitmap.bits_form_quorum`, applied to the bit unknowns;
the claims (3·popcount > 2n, an overlap above n/3) are stated separately. The counting facts of
:mod:`vdlt_spec.models.quorum` hold for all n; the queries here check the bytes-level rule for
each roster size in scope, up to n = 1024.

Encoding (docs/decisions.md, D-proof-3): bits are 0/1 integers, a byte is sum 2^j·bit_j, the
popcount is a plain sum, and the plain SMT core decides the query by simplex. Cardinality
constraints in ``SolverFor("QF_FD")`` are not used (D-proof-3): CDCL with cardinality
constraints cannot refute even AtLeast(x, 683) ∧ AtMost(x, 682) over 1024 literals within 10 s,
nor the two-certificate overlap at n = 64, while the linear relaxation of both is infeasible and
simplex finds that in well under a second at n = 1024.
"""

from __future__ import annotations

import z3

from vdlt_spec.crypto.bitmap import bits_form_quorum
from vdlt_spec.crypto.quorum import QUORUM_DENOMINATOR, QUORUM_NUMERATOR, quorum_size
from vdlt_spec.models.query import Query, Setup

BITS_PER_BYTE = 8
BYTE_MAX = (1 << BITS_PER_BYTE) - 1
MAX_ROSTER = 1024  # the bound of the bounded bitmap obligations
# Every residue of n mod 3 and mod 8 (all n <= 24), and powers of two up to the bound.
ROSTER_SIZES: tuple[int, ...] = (*range(1, 25), 64, 128, 256, 512, MAX_ROSTER)


def bitmap_length(n: int) -> int:
    """Return ceil(n/8), the number of bitmap bytes for a roster of n (§IV-D)."""
    return (n + BITS_PER_BYTE - 1) // BITS_PER_BYTE


def bit_position(signer: int) -> tuple[int, int]:
    """Return (byte index, bit index) of a signer: least-significant bit first (§IV-D)."""
    return divmod(signer, BITS_PER_BYTE)


def model_well_formed(bitmap: bytes, n: int) -> bool:
    """Evaluate the model's shape rule: ceil(n/8) bytes, no bit at an index >= n (§IV-D)."""
    if len(bitmap) != bitmap_length(n):
        return False
    return int.from_bytes(bitmap, "little") >> n == 0


def model_accepts(bitmap: bytes, n: int) -> bool:
    """Evaluate the model's acceptance rule on concrete bytes (a tie-in mirror) (§IV-D)."""
    if len(bitmap) != bitmap_length(n):
        return False
    bits = [(bitmap[k] >> j) & 1 for k in range(len(bitmap)) for j in range(BITS_PER_BYTE)]
    if any(bits[n:]):
        return False
    return bool(bits_form_quorum(bits[:n], n))


def model_signers(bitmap: bytes, n: int) -> list[int]:
    """Return the signers the model reads: signer i is bit i of the LSB-first map (§IV-D)."""
    return [i for i in range(n) if (bitmap[i // BITS_PER_BYTE] >> (i % BITS_PER_BYTE)) & 1]


def _sum(names: list[str]) -> str:
    return f"(+ 0 {' '.join(names)})" if names else "0"


def _bitmap_lines(prefix: str, n: int, threshold: int | None, with_bytes: bool) -> list[str]:
    """Return SMT-LIB lines declaring one bitmap: 0/1 bits, bytes, padding, a fixed threshold.

    ``threshold`` None leaves acceptance to :func:`_accepted` (the spec's rule on the bits).
    """
    length = bitmap_length(n)
    lines: list[str] = []
    for i in range(length * BITS_PER_BYTE if with_bytes else n):
        lines.append(f"(declare-const {prefix}bit{i} Int)")
        if i < n:
            lines.append(f"(assert (<= 0 {prefix}bit{i} 1))")
        else:  # a padding bit must be 0, else the spec rejects the bitmap
            lines.append(f"(assert (= {prefix}bit{i} 0))")
    if with_bytes:
        for k in range(length):
            terms = " ".join(
                f"(* {1 << j} {prefix}bit{k * BITS_PER_BYTE + j})" for j in range(BITS_PER_BYTE)
            )
            lines.append(f"(declare-const {prefix}byte{k} Int)")
            lines.append(f"(assert (= {prefix}byte{k} (+ {terms})))")
            lines.append(f"(assert (<= 0 {prefix}byte{k} {BYTE_MAX}))")
    if threshold is not None:
        signers = [f"{prefix}bit{i}" for i in range(n)]
        lines.append(f"(assert (>= {_sum(signers)} {threshold}))")
    return lines


def _accepted(prefix: str, n: int) -> z3.BoolRef:
    """Return the spec's acceptance test on the bit unknowns of one bitmap (§IV-D)."""
    accepted: z3.BoolRef = bits_form_quorum(_ints(f"{prefix}bit", n), n)
    return accepted


def _parse(lines: list[str]) -> tuple[z3.BoolRef, ...]:
    return tuple(z3.parse_smt2_string("\n".join(lines)))


def _ints(prefix: str, count: int) -> list[z3.ArithRef]:
    return [z3.Int(f"{prefix}{i}") for i in range(count)]


def _value(model: z3.ModelRef, term: z3.ArithRef) -> int:
    return int(model.eval(term, model_completion=True).as_long())


def accept_threshold_query(n: int) -> Query:
    """Ask for accepted bitmap bytes of a roster of n with 3·popcount <= 2n (§IV-D)."""
    lines = _bitmap_lines("c.", n, None, with_bytes=True)
    bits = _sum([f"c.bit{i}" for i in range(n)])
    lines.append(f"(assert (<= (* {QUORUM_DENOMINATOR} {bits}) {QUORUM_NUMERATOR * n}))")
    facts = (*_parse(lines), _accepted("c.", n))
    octets = _ints("c.byte", bitmap_length(n))

    def decode(model: z3.ModelRef) -> dict[str, str]:
        raw = bytes(_value(model, t) for t in octets)
        return {"n": str(n), "bitmap": raw.hex(), "popcount": str(len(model_signers(raw, n)))}

    return Query(f"accept-implies-quorum@n={n}", facts, "QF_LIA", Setup.SIMPLEX, decode)


def quorum_accepted_query(n: int) -> Query:
    """Ask for signer bits of a roster of n with 3·popcount > 2n that the spec rejects (§IV-D)."""
    bits = _ints("c.bit", n)
    facts = (
        *[z3.And(b >= 0, b <= 1) for b in bits],
        QUORUM_DENOMINATOR * sum(bits[1:], bits[0]) > QUORUM_NUMERATOR * n,  # n >= 1
        z3.Not(_accepted("c.", n)),
    )

    def decode(model: z3.ModelRef) -> dict[str, str]:
        signers = [i for i, t in enumerate(bits) if _value(model, t)]
        return {"n": str(n), "signers": str(signers), "bitmap": _to_bytes(signers, n).hex()}

    return Query(f"quorum-accepted@n={n}", facts, "QF_LIA", Setup.SIMPLEX, decode)


def conflicting_overlap_query(n: int, threshold: int | None = None) -> Query:
    """Ask for two accepted bitmaps of n signers sharing at most n/3 signers (§IV-D).

    ``threshold`` overrides the acceptance threshold (default quorum_size(n)); the weaker
    threshold quorum_size(n) - 1 is the negative control.
    """
    q = quorum_size(n) if threshold is None else threshold
    fixed = threshold
    lines = _bitmap_lines("a.", n, fixed, with_bytes=False) + _bitmap_lines("b.", n, fixed, False)
    for i in range(n):  # both_i = a_i AND b_i, exactly, for 0/1 values
        lines.append(f"(declare-const both{i} Int)")
        lines.append(f"(assert (<= 0 both{i} a.bit{i}))")
        lines.append(f"(assert (<= both{i} b.bit{i}))")
        lines.append(f"(assert (>= both{i} (- (+ a.bit{i} b.bit{i}) 1)))")
    lines.append(f"(assert (<= (* 3 {_sum([f'both{i}' for i in range(n)])}) {n}))")
    facts = _parse(lines)
    if threshold is None:
        facts += (_accepted("a.", n), _accepted("b.", n))
    a_bits, b_bits = _ints("a.bit", n), _ints("b.bit", n)

    def decode(model: z3.ModelRef) -> dict[str, str]:
        a_set = [i for i, t in enumerate(a_bits) if _value(model, t)]
        b_set = [i for i, t in enumerate(b_bits) if _value(model, t)]
        common = sorted(set(a_set) & set(b_set))
        return {
            "n": str(n),
            "threshold": str(q),
            "|A|": str(len(a_set)),
            "|B|": str(len(b_set)),
            "shared signers": str(len(common)),
            "n/3": f"{n / 3:.2f}",
            "bitmap A": _to_bytes(a_set, n).hex(),
            "bitmap B": _to_bytes(b_set, n).hex(),
        }

    name = f"conflicting-overlap@n={n}" + ("" if threshold is None else f",threshold={q}")
    return Query(name, facts, "QF_LIA", Setup.SIMPLEX, decode)


def acceptance_facts(n: int) -> tuple[list[z3.ArithRef], tuple[z3.BoolRef, ...]]:
    """Return the byte unknowns and the formula "the spec accepts these bytes" (§IV-D)."""
    lines = _bitmap_lines("c.", n, None, with_bytes=True)
    return _ints("c.byte", bitmap_length(n)), (*_parse(lines), _accepted("c.", n))


def model_bitmap(signers: list[int], n: int) -> bytes:
    """Return the bytes the model assigns to a signer set (LSB first, padding 0) (§IV-D)."""
    return _to_bytes(signers, n)


def _to_bytes(signers: list[int], n: int) -> bytes:
    out = bytearray(bitmap_length(n))
    for i in signers:
        k, j = bit_position(i)
        out[k] |= 1 << j
    return bytes(out)


def accept_threshold_queries(sizes: tuple[int, ...] = ROSTER_SIZES) -> tuple[Query, ...]:
    """Return the single-certificate bridge queries for every roster size in scope (§IV-D)."""
    return tuple(accept_threshold_query(n) for n in sizes)


def quorum_accepted_queries(sizes: tuple[int, ...] = ROSTER_SIZES) -> tuple[Query, ...]:
    """Return the completeness queries: every quorum of signers is accepted, per size (§IV-D)."""
    return tuple(quorum_accepted_query(n) for n in sizes)


def conflicting_overlap_queries(sizes: tuple[int, ...] = ROSTER_SIZES) -> tuple[Query, ...]:
    """Return the two-certificate overlap queries for every roster size in scope (§IV-D)."""
    return tuple(conflicting_overlap_query(n) for n in sizes)


def weak_threshold_queries(n: int = MAX_ROSTER) -> tuple[Query, ...]:
    """Return the negative control: one signer fewer lets two bitmaps share only n/3 (§IV-D)."""
    return (conflicting_overlap_query(n, threshold=quorum_size(n) - 1),)
