"""Report a placement campaign: placement, outcomes, leases, fault impact, worst failure (§III-C).

:func:`place` offers systems to a substrate in order and gathers what an operator reads about
the result: where every virtual node runs, which systems were rejected and why, the lease of
every (vDSP, DInP) pair (Fig. 5), what failing chosen physical nodes does to each consensus
group, and the most replicas one system loses to any single physical failure (D-virt-3).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vdlt_spec.virtualization.admission import AdmissionOutcome, admit_all
from vdlt_spec.virtualization.faults import GroupImpact, fault_impact, worst_single_failure
from vdlt_spec.virtualization.leases import Lease, leases
from vdlt_spec.virtualization.substrate import Substrate
from vdlt_spec.virtualization.systems import Placement, VirtualSystem


@dataclass(frozen=True)
class PlacementReport:
    """Hold the outcome of a placement campaign and what it means for faults (§III-C)."""

    placement: Placement
    outcomes: tuple[AdmissionOutcome, ...]
    leases: tuple[Lease, ...]
    faults: tuple[GroupImpact, ...]  # of the failed nodes asked for; empty if none
    worst_single_failure: int

    @property
    def rejected(self) -> tuple[AdmissionOutcome, ...]:
        """Return the outcomes of the systems not admitted, in offer order."""
        return tuple(o for o in self.outcomes if not o.admitted)


def place(
    substrate: Substrate, systems: Sequence[VirtualSystem], failed: Iterable[str] = ()
) -> PlacementReport:
    """Admit ``systems`` in order and report leases and the impact of ``failed`` nodes (§III-C).

    A rejected system is an outcome, not an error; an unknown failed node is the
    ``SpecError`` of :func:`~.faults.fault_impact`.
    """
    campaign = admit_all(substrate, systems)
    placement = campaign.placement
    failed = tuple(failed)
    return PlacementReport(
        placement=placement,
        outcomes=campaign.outcomes,
        leases=leases(substrate, placement),
        faults=fault_impact(substrate, placement, failed) if failed else (),
        worst_single_failure=worst_single_failure(substrate, placement),
    )
