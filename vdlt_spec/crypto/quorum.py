"""State the Byzantine quorum rule once: a quorum is over two thirds of n (§III-D, §IV-D).

"In iPBFT, only over 2n/3 nodes are needed to sign the message" (§IV-D): k signers out of n
form a quorum iff 3k > 2n, and n replicas tolerate f Byzantine ones iff 3f < n (§III-D). Both
predicates use only multiplication by constants, addition and comparison, so the same
functions evaluate on Python ints and on solver terms (Z3 overloads these operators); the
proofs in ``vdlt_spec.models`` state their claims with these very functions. The sizes
:func:`quorum_size` and :func:`max_faulty` are the least k and the largest f that satisfy the
predicates; :func:`quorum_size_bounds` and :func:`max_faulty_bounds` characterise the same
sizes as constraints, for a solver. A roster has at least one member: the sizes reject an
int n < 1 (``ROSTER_EMPTY``), and the predicates and bounds stay free of checks so that
they apply to solver terms.
"""

from __future__ import annotations

from typing import Any, Protocol, overload

from vdlt_spec.errors import Reason, SpecError

__all__ = [
    "FAULT_DENOMINATOR",
    "QUORUM_DENOMINATOR",
    "QUORUM_NUMERATOR",
    "Term",
    "is_quorum",
    "max_faulty",
    "max_faulty_bounds",
    "quorum_size",
    "quorum_size_bounds",
    "within_fault_bound",
]

QUORUM_NUMERATOR = 2
QUORUM_DENOMINATOR = 3
"""k signers out of n are a quorum iff k / n > QUORUM_NUMERATOR / QUORUM_DENOMINATOR."""
FAULT_DENOMINATOR = 3
"""f Byzantine replicas out of n are tolerated iff f / n < 1 / FAULT_DENOMINATOR."""


class Term(Protocol):
    """Name an integer term of a solver (a Z3 ``ArithRef``): scaled, shifted and compared."""

    def __rmul__(self, other: int, /) -> Term: ...

    def __add__(self, other: int, /) -> Term: ...

    def __sub__(self, other: int, /) -> Term: ...

    def __gt__(self, other: Term | int, /) -> Any: ...

    def __lt__(self, other: Term | int, /) -> Any: ...

    def __ge__(self, other: Term | int, /) -> Any: ...

    def __le__(self, other: Term | int, /) -> Any: ...


@overload
def is_quorum(count: int, n: int) -> bool: ...
@overload
def is_quorum(count: Term | int, n: Term | int) -> Any: ...
def is_quorum(count: Term | int, n: Term | int) -> Any:
    """Tell whether ``count`` signers out of ``n`` exceed two thirds: 3·count > 2n (§IV-D)."""
    return QUORUM_DENOMINATOR * count > QUORUM_NUMERATOR * n


@overload
def within_fault_bound(faulty: int, n: int) -> bool: ...
@overload
def within_fault_bound(faulty: Term | int, n: Term | int) -> Any: ...
def within_fault_bound(faulty: Term | int, n: Term | int) -> Any:
    """Tell whether ``n`` replicas tolerate ``faulty`` Byzantine ones: 3·faulty < n (§III-D)."""
    return FAULT_DENOMINATOR * faulty < n


def _require_members(n: int) -> None:
    if isinstance(n, int) and n < 1:
        raise SpecError(Reason.ROSTER_EMPTY, f"a roster needs at least one member, got n = {n}")


def quorum_size(n: int) -> int:
    """Return the least k with ``is_quorum(k, n)``: floor(2n/3) + 1 (§IV-D).

    Raise ``ROSTER_EMPTY`` for an int n < 1: a roster has at least one member.
    """
    _require_members(n)
    return QUORUM_NUMERATOR * n // QUORUM_DENOMINATOR + 1


def max_faulty(n: int) -> int:
    """Return the largest f with ``within_fault_bound(f, n)``: floor((n-1)/3) (§III-D).

    Raise ``ROSTER_EMPTY`` for an int n < 1, as :func:`quorum_size` does.
    """
    _require_members(n)
    return (n - 1) // FAULT_DENOMINATOR


def quorum_size_bounds(q: Term, n: Term) -> tuple[Any, Any]:
    """Return the constraints that make ``q`` the least quorum of ``n``, for a solver (§IV-D)."""
    return is_quorum(q, n), QUORUM_DENOMINATOR * (q - 1) <= QUORUM_NUMERATOR * n


def max_faulty_bounds(f: Term, n: Term) -> tuple[Any, Any]:
    """Return the constraints that make ``f`` the largest tolerated count, for a solver (§III-D)."""
    return within_fault_bound(f, n), FAULT_DENOMINATOR * (f + 1) >= n
