"""Say how each constraint of Eq. (1) enters the model: enforced, elastic or left out (D-alloc-14).

The exact oracle builds the hard model; the infeasibility diagnosis builds the elastic one, in
which every domain constraint may be violated at a cost, and confirms a diagnosis by dropping
the constraints it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vdlt_spec.allocation.evaluator import PLACEMENT_CONSTRAINTS, Constraint

#: Constraints the elastic relaxation may violate (the others are structure: one level per
#: replica, one control level per admitted transaction, mandatory admission).
RELAXABLE = PLACEMENT_CONSTRAINTS | {
    Constraint.DECENTRALIZATION,
    Constraint.CPU,
    Constraint.STORAGE,
    Constraint.BANDWIDTH,
    Constraint.CONTROL_CAPACITY,
}


class ConstraintMode(StrEnum):
    """Say how the model treats a constraint: enforced, elastic, or left out (D-alloc-14)."""

    HARD = "hard"
    SOFT = "soft"
    DROPPED = "dropped"


Key = tuple[Constraint, str]


@dataclass(frozen=True)
class Relaxation:
    """Choose per constraint whether it is hard, elastic or dropped (D-alloc-14)."""

    elastic: bool = False
    dropped: frozenset[Key] = frozenset()

    def mode(self, constraint: Constraint, subject: str) -> ConstraintMode:
        """Return how ``constraint`` on ``subject`` enters the model."""
        if (constraint, subject) in self.dropped:
            return ConstraintMode.DROPPED
        if self.elastic and constraint in RELAXABLE:
            return ConstraintMode.SOFT
        return ConstraintMode.HARD
