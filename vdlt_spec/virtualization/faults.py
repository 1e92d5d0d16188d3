"""Measure what failed physical nodes cost the BFT groups of virtual systems (§III-D, D-virt-3)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vdlt_spec.crypto import quorum_size
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole
from vdlt_spec.virtualization.substrate import Substrate
from vdlt_spec.virtualization.systems import ROLES, Placement
from vdlt_spec.virtualization.validation import require_valid


def group_quorum(group_size: int) -> int:
    """Return the BFT quorum of a virtual group of n members, n >= 1 (§III-D, §IV-D).

    The quorum is the crypto component's rule (``crypto.quorum_size``: the least q with
    3·q > 2·n); this adds the check that a group has at least one member.
    """
    if isinstance(group_size, bool) or not isinstance(group_size, int) or group_size < 1:
        raise SpecError(
            Reason.GROUP_SIZE_OUT_OF_BOUNDS, f"a group needs >= 1 member, got {group_size!r}"
        )
    return quorum_size(group_size)


@dataclass(frozen=True)
class GroupImpact:
    """Say what a set of failed physical nodes costs one group of one virtual system (§III-D)."""

    system: str
    role: NodeRole
    size: int
    lost: int
    quorum: int
    keeps_quorum: bool


def fault_impact(
    substrate: Substrate, placement: Placement, failed: Iterable[str]
) -> tuple[GroupImpact, ...]:
    """Return, per system and group, the replicas lost to ``failed`` hosts and quorum (§III-D).

    A group keeps its quorum when n − lost ≥ group_quorum(n).
    """
    require_valid(substrate, placement)
    down = frozenset(failed)
    known = {n.id for n in substrate.nodes}
    unknown = sorted(down - known)
    if unknown:
        raise SpecError(Reason.UNKNOWN_PHYSICAL_NODE, f"failed nodes not in substrate: {unknown}")
    return _impacts(placement, down)


def _impacts(placement: Placement, down: frozenset[str]) -> tuple[GroupImpact, ...]:
    impacts = []
    for system in placement.systems:
        hosts = placement.hosts_of(system.id)
        for role in ROLES:
            group = system.group(role)
            lost = sum(1 for n in group if hosts[n.id] in down)
            quorum = group_quorum(len(group))
            impacts.append(
                GroupImpact(system.id, role, len(group), lost, quorum, len(group) - lost >= quorum)
            )
    return tuple(impacts)


def worst_single_failure(substrate: Substrate, placement: Placement) -> int:
    """Return the most replicas any one system loses when one physical node fails (D-virt-3).

    Counts both groups of the system together; anti-affinity makes this at most 1 for every
    valid placement.
    """
    require_valid(substrate, placement)
    worst = 0
    for node in substrate.nodes:
        lost: dict[str, int] = {}
        for impact in _impacts(placement, frozenset((node.id,))):
            lost[impact.system] = lost.get(impact.system, 0) + impact.lost
        worst = max([worst, *lost.values()])
    return worst
