"""Count quorums over Venn regions in linear integer arithmetic, for every n (§III-D, §IV-D).

Two quorums Q1, Q2 and the Byzantine set B cut the n replicas into eight Venn regions; a
region's size is a non-negative integer unknown and ``n`` is their sum. Every fact about
sizes of intersections is then a linear claim over nine integers, so Z3 proves it for all
n at once. The stake-weighted variant attaches a non-negative stake to each region.

The quorum rule and the fault bound are the spec's own functions,
:func:`vdlt_spec.crypto.quorum.is_quorum` (3·|Q| > 2n) and
:func:`vdlt_spec.crypto.quorum.within_fault_bound` (3·|B| < n, i.e. |B| <= f = floor((n-1)/3)),
applied here to Z3 terms: the proofs are about the code's rule, not a copy of it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import z3

from vdlt_spec.crypto.quorum import (
    FAULT_DENOMINATOR,
    QUORUM_DENOMINATOR,
    QUORUM_NUMERATOR,
    is_quorum,
    max_faulty,
    max_faulty_bounds,
    quorum_size,
    quorum_size_bounds,
    within_fault_bound,
)
from vdlt_spec.models.query import Query, Setup, decode_values, total

Region = tuple[bool, bool, bool]  # (in Q1, in Q2, in B)
REGIONS: tuple[Region, ...] = tuple(
    (a, b, c) for a, b, c in itertools.product((True, False), repeat=3)
)
SET_NAMES = ("Q1", "Q2", "B")
SizeRule = Callable[[z3.ArithRef, z3.ArithRef], Any]  # a rule on a set size and n


def is_weak_quorum(size: z3.ArithRef | int, n: z3.ArithRef | int) -> z3.BoolRef:
    """Return the non-strict rule 3·size >= 2n, the weaker rule the tightness checks try (§IV-D)."""
    return QUORUM_DENOMINATOR * size >= QUORUM_NUMERATOR * n


def within_a_third(size: z3.ArithRef | int, n: z3.ArithRef | int) -> z3.BoolRef:
    """Return 3·size <= n: at most a third, one step past the fault bound 3·size < n (§IV-D)."""
    return FAULT_DENOMINATOR * size <= n


def fault_bound_term(n: z3.ArithRef, f: z3.ArithRef) -> list[z3.BoolRef]:
    """Constrain ``f`` to the spec's max_faulty(n) = floor((n-1)/3), linearly (§IV-D)."""
    return list(max_faulty_bounds(f, n))


@dataclass(frozen=True)
class Venn:
    """Hold the size (and stake) unknowns of the eight regions of Q1, Q2 and B (§IV-D)."""

    n: z3.ArithRef
    count: dict[Region, z3.ArithRef]
    stake: dict[Region, z3.ArithRef]

    def size(self, keep: Callable[[Region], bool]) -> z3.ArithRef:
        """Return the number of replicas in the regions that ``keep`` selects (§IV-D)."""
        return total([self.count[r] for r in REGIONS if keep(r)])

    def weight(self, keep: Callable[[Region], bool]) -> z3.ArithRef:
        """Return the stake held in the regions that ``keep`` selects (§IV-D)."""
        return total([self.stake[r] for r in REGIONS if keep(r)])

    def basics(self) -> list[z3.BoolRef]:
        """Return the facts every Venn diagram obeys: sizes >= 0, summing to n >= 1 (§IV-D)."""
        facts = [self.count[r] >= 0 for r in REGIONS]
        facts += [self.n == self.size(lambda _r: True), self.n >= 1]
        return facts

    def stake_basics(self) -> list[z3.BoolRef]:
        """Return stake facts: stakes >= 0, empty regions hold none, total > 0 (§IV-D)."""
        facts = [self.stake[r] >= 0 for r in REGIONS]
        facts += [z3.Implies(self.count[r] == 0, self.stake[r] == 0) for r in REGIONS]
        facts.append(self.weight(lambda _r: True) > 0)
        return facts


def _label(region: Region) -> str:
    return "".join(name if inside else "-" for name, inside in zip(SET_NAMES, region, strict=True))


def venn(prefix: str = "") -> Venn:
    """Create fresh region unknowns (sizes and stakes) named after their regions (§IV-D)."""
    count = {r: z3.Int(f"{prefix}size[{_label(r)}]") for r in REGIONS}
    stake = {r: z3.Int(f"{prefix}stake[{_label(r)}]") for r in REGIONS}
    return Venn(z3.Int(f"{prefix}n"), count, stake)


def in_q1(r: Region) -> bool:
    """Select the regions inside Q1 (§IV-D)."""
    return r[0]


def in_q2(r: Region) -> bool:
    """Select the regions inside Q2 (§IV-D)."""
    return r[1]


def in_b(r: Region) -> bool:
    """Select the regions inside the Byzantine set B (§IV-D)."""
    return r[2]


def in_both(r: Region) -> bool:
    """Select the regions inside Q1 ∩ Q2 (§IV-D)."""
    return r[0] and r[1]


def honest_in_both(r: Region) -> bool:
    """Select the regions inside Q1 ∩ Q2 outside B (§IV-D)."""
    return r[0] and r[1] and not r[2]


def _ranges(ids: list[int]) -> str:
    if not ids:
        return "{}"
    if len(ids) <= 8:
        return "{" + ",".join(map(str, ids)) + "}"
    return "{" + f"{ids[0]}..{ids[-1]} ({len(ids)} replicas)" + "}"


def decode_venn(v: Venn, model: z3.ModelRef, with_stake: bool = False) -> dict[str, str]:
    """Turn region sizes into n, f, explicit replica sets and the honest common members (§IV-D)."""
    sizes = {r: model.eval(v.count[r], model_completion=True).as_long() for r in REGIONS}
    members: dict[str, list[int]] = {name: [] for name in SET_NAMES}
    next_id = 0
    stake_text: list[str] = []
    for r in REGIONS:
        ids = list(range(next_id, next_id + sizes[r]))
        next_id += sizes[r]
        for name, inside in zip(SET_NAMES, r, strict=True):
            if inside:
                members[name].extend(ids)
        if with_stake and sizes[r]:
            amount = model.eval(v.stake[r], model_completion=True).as_long()
            stake_text.append(f"{_label(r)}:{amount}")
    n = next_id
    both = sorted(set(members["Q1"]) & set(members["Q2"]))
    honest_both = sorted(set(both) - set(members["B"]))
    out = {
        "n": str(n),
        "f": str(max_faulty(n)) if n >= 1 else "-",
        "|Q1|": str(len(members["Q1"])),
        "|Q2|": str(len(members["Q2"])),
        "|B|": str(len(members["B"])),
        "Q1": _ranges(members["Q1"]),
        "Q2": _ranges(members["Q2"]),
        "B": _ranges(members["B"]),
        "Q1∩Q2": _ranges(both),
        "honest in Q1∩Q2": _ranges(honest_both),
    }
    if with_stake:
        out["stake by region"] = " ".join(stake_text)
    return out


def _query(name: str, v: Venn, facts: list[z3.BoolRef], stake: bool = False) -> Query:
    def decode(model: z3.ModelRef) -> dict[str, str]:
        return decode_venn(v, model, with_stake=stake)

    return Query(name, tuple(facts), "QF_LIA", Setup.SIMPLEX, decode)


def _no_honest_common_member(name: str, rule: SizeRule, fault_rule: SizeRule) -> tuple[Query, ...]:
    """Ask for two ``rule`` quorums with no honest common member, ``fault_rule`` holding for B."""
    v = venn()
    facts = [
        *v.basics(),
        rule(v.size(in_q1), v.n),
        rule(v.size(in_q2), v.n),
        fault_rule(v.size(in_b), v.n),
        v.size(honest_in_both) == 0,
    ]
    return (_query(name, v, facts),)


def honest_intersection_queries() -> tuple[Query, ...]:
    """Ask for two quorums (3|Q| > 2n) sharing no honest replica while 3|B| < n (§IV-D)."""
    return _no_honest_common_member("honest-intersection", is_quorum, within_fault_bound)


def stake_intersection_queries() -> tuple[Query, ...]:
    """Ask for two stake quorums (3·stake > 2·total) sharing no honest replica (§III-D, §IV-C)."""
    v = venn()
    total = v.weight(lambda _r: True)
    facts = v.basics() + v.stake_basics()
    facts += [
        is_quorum(v.weight(in_q1), total),
        is_quorum(v.weight(in_q2), total),
        within_fault_bound(v.weight(in_b), total),
        v.size(honest_in_both) == 0,
    ]
    return (_query("stake-honest-intersection", v, facts, stake=True),)


def weak_rule_byzantine_third_queries() -> tuple[Query, ...]:
    """Ask for two weak quorums (3|Q| >= 2n) with no honest common member when 3|B| <= n (§IV-D)."""
    return _no_honest_common_member("weak-rule-byzantine-third", is_weak_quorum, within_a_third)


def weak_rule_within_bound_queries() -> tuple[Query, ...]:
    """Ask for two weak quorums (3|Q| >= 2n) with no honest common member when 3|B| < n (§IV-D)."""
    return _no_honest_common_member("weak-rule-within-bound", is_weak_quorum, within_fault_bound)


def strict_rule_byzantine_third_queries() -> tuple[Query, ...]:
    """Ask for two quorums (3|Q| > 2n) with no honest common member when 3|B| <= n (§IV-D)."""
    return _no_honest_common_member("strict-rule-byzantine-third", is_quorum, within_a_third)


def two_f_plus_one_queries() -> tuple[Query, ...]:
    """Ask for two sets of 2f+1 signers with no honest common member when n > 3f+1 (§IV-D)."""
    v = venn()
    f = z3.Int("f")
    facts = [
        *v.basics(),
        f >= 1,  # an informative witness: at least one tolerated fault
        v.n > 3 * f + 1,
        v.size(in_q1) >= 2 * f + 1,
        v.size(in_q2) >= 2 * f + 1,
        v.size(in_b) <= f,
        v.size(honest_in_both) == 0,
    ]
    return (_query("two-f-plus-one-signers", v, facts),)


def overlap_queries(extra: int) -> tuple[Query, ...]:
    """Ask for two quorums overlapping in at most f + extra replicas, f = floor((n-1)/3) (§IV-D)."""
    v = venn()
    f = z3.Int("f")
    facts = v.basics() + fault_bound_term(v.n, f)
    facts += [
        is_quorum(v.size(in_q1), v.n),
        is_quorum(v.size(in_q2), v.n),
        v.size(in_both) <= f + extra,
    ]
    if extra:
        facts.append(f >= 1)  # an informative witness: at least one tolerated fault
    name = "overlap-at-most-f" if extra == 0 else f"overlap-at-most-f-plus-{extra}"
    return (_query(name, v, facts),)


def overlap_at_least_f_plus_one_queries() -> tuple[Query, ...]:
    """Ask for two quorums overlapping in at most f replicas (refuted: overlap >= f+1) (§IV-D)."""
    return overlap_queries(0)


def overlap_f_plus_two_queries() -> tuple[Query, ...]:
    """Ask for two quorums overlapping in at most f+1 replicas (found: no f+2) (§IV-D)."""
    return overlap_queries(1)


@dataclass(frozen=True)
class Floored:
    """Carry a Z3 integer term through integer code written with ``//`` (§IV-D).

    Python's ``a // k`` rounds down; so does Z3's integer division ``a / k`` for k > 0 (SMT-LIB
    ``div``), so :func:`~vdlt_spec.crypto.quorum.quorum_size` and
    :func:`~vdlt_spec.crypto.quorum.max_faulty` evaluate on a wrapped term exactly as on an int.
    Only scaling and shifting by ints and flooring by a positive int are supported; any other
    operation raises ``TypeError`` (a changed rule then fails its obligation).
    """

    term: z3.ArithRef

    def __mul__(self, k: int) -> Floored:
        """Scale by an int."""
        return Floored(self.term * _int(k))

    __rmul__ = __mul__

    def __add__(self, k: int) -> Floored:
        """Shift by an int."""
        return Floored(self.term + _int(k))

    __radd__ = __add__

    def __sub__(self, k: int) -> Floored:
        """Shift down by an int."""
        return Floored(self.term - _int(k))

    def __rsub__(self, k: int) -> Floored:
        """Subtract from an int."""
        return Floored(_int(k) - self.term)

    def __floordiv__(self, k: int) -> Floored:
        """Divide by a positive int, rounding down."""
        if _int(k) <= 0:
            raise TypeError(f"floor division by {k}: only a positive divisor is modelled")
        return Floored(self.term / k)


def _int(k: object) -> int:
    if not isinstance(k, int) or isinstance(k, bool):
        raise TypeError(f"only ints combine with a modelled term, got {type(k).__name__}")
    return k


def on_term(size: Callable[[int], int], n: z3.ArithRef) -> z3.ArithRef:
    """Evaluate the spec's integer size function ``size`` on a Z3 term ``n`` (§IV-D)."""
    value = size(cast(int, Floored(n)))  # the function's own code, run on the wrapped term
    if not isinstance(value, Floored):
        raise TypeError(f"{size.__name__} did not return a term of n")
    return value.term


def _least_quorum(q: z3.ArithRef, n: z3.ArithRef) -> z3.BoolRef:
    """Return the claim side: q is the least count over two thirds of n (§IV-D, as written)."""
    return z3.And(3 * q > 2 * n, 3 * (q - 1) <= 2 * n)


def _largest_fault(f: z3.ArithRef, n: z3.ArithRef) -> z3.BoolRef:
    """Return the claim side: f is the largest count under a third of n (§III-D, as written)."""
    return z3.And(3 * f < n, 3 * (f + 1) >= n)


def size_queries() -> tuple[Query, ...]:
    """Ask for an n whose quorum size is not the least quorum, or fault bound not the largest.

    (§III-D, §IV-D) Four queries, each for every n >= 1: the spec's ``quorum_size(n)`` and
    ``max_faulty(n)``, run on a term, are the least count over 2n/3 and the largest under n/3;
    ``quorum_size_bounds`` and ``max_faulty_bounds`` hold for exactly those counts.
    """
    n, q, f = z3.Ints("n q f")

    def query(name: str, claim: z3.BoolRef) -> Query:
        return Query(name, (n >= 1, z3.Not(claim)), "QF_LIA", Setup.DEFAULT, decode_values)

    return (
        query("quorum-size-is-least", _least_quorum(on_term(quorum_size, n), n)),
        query("max-faulty-is-largest", _largest_fault(on_term(max_faulty, n), n)),
        query("quorum-size-bounds-exact", z3.And(*quorum_size_bounds(q, n)) == _least_quorum(q, n)),
        query("max-faulty-bounds-exact", z3.And(*max_faulty_bounds(f, n)) == _largest_fault(f, n)),
    )
