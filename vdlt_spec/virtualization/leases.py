"""Account for what each DInP hosts for each vDSP (Fig. 5).

The business model: a vDSP leases resources from the DInPs whose physical nodes host its
virtual systems; a lease sums them per (vDSP, DInP) pair.
"""

from __future__ import annotations

from dataclasses import dataclass

from vdlt_spec.virtualization.resources import NO_RESOURCES, Resources, total
from vdlt_spec.virtualization.substrate import Substrate
from vdlt_spec.virtualization.systems import Placement
from vdlt_spec.virtualization.validation import require_valid


@dataclass(frozen=True)
class Lease:
    """State what one DInP hosts for one vDSP: resources, virtual nodes, systems (Fig. 5)."""

    vdsp: str
    dinp: str
    resources: Resources
    virtual_nodes: int
    systems: tuple[str, ...]


def leases(substrate: Substrate, placement: Placement) -> tuple[Lease, ...]:
    """Return the lease of every (vDSP, DInP) pair of a valid placement, sorted (Fig. 5)."""
    require_valid(substrate, placement)
    dinp_of = {n.id: n.dinp for n in substrate.nodes}
    systems = {s.id: s for s in placement.systems}
    amounts: dict[tuple[str, str], Resources] = {}
    counts: dict[tuple[str, str], int] = {}
    names: dict[tuple[str, str], set[str]] = {}
    for a in placement.assignments:
        system = systems[a.system]
        key = (system.vdsp, dinp_of[a.host])
        demand = next(n.demand for n in system.nodes if n.id == a.node)
        amounts[key] = amounts.get(key, NO_RESOURCES) + demand
        counts[key] = counts.get(key, 0) + 1
        names.setdefault(key, set()).add(a.system)
    return tuple(
        Lease(
            vdsp,
            dinp,
            amounts[(vdsp, dinp)],
            counts[(vdsp, dinp)],
            tuple(sorted(names[(vdsp, dinp)])),
        )
        for vdsp, dinp in sorted(amounts)
    )


def placed_demand(placement: Placement) -> Resources:
    """Return the total demand of every admitted system (§III-C)."""
    return total(s.demand() for s in placement.systems)
