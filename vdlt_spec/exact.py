"""Accept exact numbers only: integers and fractions, never floats.

Times, sizes, shares and trust values feed decisions that vectors and proofs check, so a
binary float (``0.1``) is rejected with ``INEXACT_NUMBER`` instead of being silently rounded.
"""

from __future__ import annotations

from fractions import Fraction

from vdlt_spec.errors import Reason, SpecError


def as_fraction(value: object, what: str) -> Fraction:
    """Return ``value`` as an exact Fraction; reject floats, bools and non-numbers (§IV-A)."""
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise SpecError(
            Reason.INEXACT_NUMBER,
            f"{what} must be an integer or a fraction such as 3/4, got {value!r}",
        )
    return Fraction(value)


def as_int(value: object, what: str) -> int:
    """Return ``value`` as an int; reject floats, bools, fractions and non-numbers (§IV-A)."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float):
            raise SpecError(Reason.INEXACT_NUMBER, f"{what} must be an integer, got {value!r}")
        raise SpecError(Reason.NOT_AN_INTEGER, f"{what} must be an integer, got {value!r}")
    return value
