"""Self-checks of the class-of-service byte and reclassification (§III-A, §IV-A, Table II)."""

from __future__ import annotations

import random
from fractions import Fraction

from vdlt_spec.checks import Outcome, check
from vdlt_spec.cos import (
    DEFAULT_MIN_TRUST,
    DEFAULT_POLICY,
    ReclassificationReason,
    ServiceClass,
    Transaction,
    class_of,
    cos_byte,
    reclassify,
    reclassify_transaction,
    reserved_bits,
)
from vdlt_spec.roles import NodeRole
from vdlt_spec.verdict import Verdict

TABLE_II_BITS = {
    "111": "FAST_CONFIRMATION",
    "110": "COMPUTATION_INTENSIVE",
    "101": "STORAGE_INTENSIVE",
    "100": "LOW_COST",
    "011": "MANAGEMENT_CONTROL",
    "010": "PRIVATE",
    "001": "BEST_EFFORT",
    "000": "SCAVENGER",
}
"""Table II of the whitepaper, written out independently of :class:`ServiceClass`."""

Case = tuple[ServiceClass, Fraction, set[NodeRole], bool, ServiceClass, ReclassificationReason]
"""A defining case: declared class, trust, roles, banned, then the expected class and reason."""

SEED = 20190101
SAMPLES = 2000


@check("cos-table", "cos", "§IV-A, Table II")
def cos_table() -> Outcome:
    """Map all 256 CoS bytes per Table II and keep their reserved bits through reclassification."""
    problems = []
    for byte in range(256):
        bits = f"{byte:08b}"
        cls = class_of(byte)
        if cls.name != TABLE_II_BITS[bits[:3]]:
            problems.append(
                f"byte {byte:#04x} is {cls.name}, Table II says {TABLE_II_BITS[bits[:3]]}"
            )
        if reserved_bits(byte) != int(bits[3:], 2) or cos_byte(cls, reserved_bits(byte)) != byte:
            problems.append(f"byte {byte:#04x} does not keep its reserved bits")
        for trust in (Fraction(0), Fraction(1)):
            tx = Transaction(byte, "node", byte, 1, Fraction(0))
            rewritten, _ = reclassify_transaction(tx, trust, banned=True)
            if reserved_bits(rewritten.cos) != reserved_bits(byte):
                problems.append(f"reclassifying byte {byte:#04x} changes its reserved bits")
    figures = {"bytes": 256, "classes": len(ServiceClass), "problems": problems[:5]}
    if problems:
        return Outcome(Verdict.INVALID, f"{len(problems)} bytes wrong: {problems[0]}", figures)
    return Outcome(
        Verdict.VALID, "256 bytes: class = top 3 bits per Table II, 5 bits kept", figures
    )


@check("cos-reclassification", "cos", "§III-A")
def cos_reclassification() -> Outcome:
    """Apply the default reclassification policy to its defining cases and to random senders."""
    sc, why = ServiceClass, ReclassificationReason
    below = DEFAULT_MIN_TRUST - Fraction(1, 1000)
    mc = NodeRole.MANAGEMENT_CONTROL
    cases: list[Case] = [
        (sc.FAST_CONFIRMATION, DEFAULT_MIN_TRUST, set(), False, sc.FAST_CONFIRMATION, why.DECLARED),
        (sc.MANAGEMENT_CONTROL, Fraction(1), set(), False, sc.BEST_EFFORT, why.UNAUTHORISED_CLASS),
        (sc.MANAGEMENT_CONTROL, Fraction(1), {mc}, False, sc.MANAGEMENT_CONTROL, why.DECLARED),
        (sc.FAST_CONFIRMATION, below, set(), False, sc.BEST_EFFORT, why.LOW_TRUST),
        (sc.SCAVENGER, below, set(), False, sc.SCAVENGER, why.DECLARED),
        (sc.PRIVATE, Fraction(1), set(), True, sc.SCAVENGER, why.BANNED_SENDER),
    ]
    problems = []
    for declared, trust, roles, banned, effective, reason in cases:
        got = reclassify(declared, trust, roles, banned=banned)
        if (got.effective, got.reason) != (effective, reason):
            standing = " (banned)" if banned else ""
            problems.append(
                f"{declared.name} at trust {trust} with {sorted(roles)}{standing}: got "
                f"{got.effective.name}/{got.reason.value}, expected {effective.name}/{reason.value}"
            )
    rng = random.Random(SEED)
    for _ in range(SAMPLES):
        declared = sc(rng.randrange(len(sc)))
        trust = Fraction(rng.randint(0, 100), 100)
        roles = {r for r in NodeRole if rng.random() < 1 / 3}
        banned = rng.random() < 1 / 3
        got = reclassify(declared, trust, roles, banned=banned)
        if DEFAULT_POLICY.rank(got.effective) > DEFAULT_POLICY.rank(declared):
            problems.append(f"{declared.name} promoted to {got.effective.name}")
        if banned and got.effective is not sc.SCAVENGER:
            problems.append(f"banned sender keeps {got.effective.name}")
        if trust < DEFAULT_MIN_TRUST and got.effective not in (sc.SCAVENGER, sc.BEST_EFFORT):
            problems.append(f"low-trust sender keeps {got.effective.name}")
    figures = {"cases": len(cases), "random_senders": SAMPLES, "problems": problems[:5]}
    if problems:
        return Outcome(Verdict.INVALID, f"{len(problems)} wrong: {problems[0]}", figures)
    detail = f"{len(cases)} policy cases and {SAMPLES} random senders classified as decided"
    return Outcome(Verdict.VALID, detail, figures)
