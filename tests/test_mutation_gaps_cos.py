"""The default reclassification threshold: trust 1/2 keeps its class, just below is demoted."""

from fractions import Fraction

from vdlt_spec import cos
from vdlt_spec.roles import NodeRole


def test_default_min_trust_is_one_half() -> None:
    assert cos.DEFAULT_POLICY.min_trust == Fraction(1, 2)


def test_trust_one_half_keeps_the_declared_class() -> None:
    declared = cos.ServiceClass.FAST_CONFIRMATION
    kept = cos.reclassify(declared, Fraction(1, 2), {NodeRole.EXECUTION})
    assert kept.effective == declared
    assert kept.reason == cos.ReclassificationReason.DECLARED


def test_trust_just_below_one_half_is_demoted_to_best_effort() -> None:
    declared = cos.ServiceClass.FAST_CONFIRMATION
    low = cos.reclassify(declared, Fraction(1, 2) - Fraction(1, 10**6), {NodeRole.EXECUTION})
    assert low.effective == cos.ServiceClass.BEST_EFFORT
    assert low.reason == cos.ReclassificationReason.LOW_TRUST
