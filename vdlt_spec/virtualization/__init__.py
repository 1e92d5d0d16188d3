"""Place virtual DLT systems on one substrate DLT system, and account for them (§III-C, §IV-B).

A substrate DLT system is a set of physical nodes, each owned by a DLT infrastructure provider
(DInP), with a capacity in three resources (Fig. 4). A virtual DLT system belongs to a virtual
DLT service provider (vDSP), serves some classes of service, and consists of virtual nodes, each
in the management/control role or the execution role (Fig. 8) with a resource demand.

Admission embeds a virtual system's nodes onto physical nodes, never moving another system
(isolation), never exceeding a capacity, never putting two nodes of one system on one physical
node (anti-affinity: one physical fault costs a BFT group at most one replica), and putting
management/control nodes only on physical nodes that declare what §IV-B asks of them. The
rules and the admission order are recorded in docs/decisions.md (D-virt-1 ... D-virt-9).

The package holds one concept per module: :mod:`.resources` (amounts and units),
:mod:`.substrate` (physical nodes, links, management requirements), :mod:`.systems` (virtual
systems and placements), :mod:`.validation` (the placement rules), :mod:`.admission` (admit,
release), :mod:`.leases` (the business model of Fig. 5) and :mod:`.faults` (quorum impact of
failed hosts).
"""

from vdlt_spec.virtualization.admission import (
    AdmissionOutcome,
    Campaign,
    admit,
    admit_all,
    embedding_by_search,
    host_order,
    placement_order,
    release,
)
from vdlt_spec.virtualization.faults import (
    GroupImpact,
    fault_impact,
    group_quorum,
    worst_single_failure,
)
from vdlt_spec.virtualization.leases import Lease, leases, placed_demand
from vdlt_spec.virtualization.report import PlacementReport, place
from vdlt_spec.virtualization.resources import (
    KBITS_PER_MBIT,
    MIB_PER_GIB,
    MIB_PER_TIB,
    MILLICORES_PER_CORE,
    NO_RESOURCES,
    RESOURCE_KINDS,
    RESOURCE_UNITS,
    Resources,
    total,
)
from vdlt_spec.virtualization.substrate import (
    MANAGEMENT_MIN_BANDWIDTH,
    MANAGEMENT_MIN_COMPUTE,
    MANAGEMENT_MIN_STORAGE,
    MANAGEMENT_MINIMUM,
    Link,
    ManagementRequirements,
    PhysicalNode,
    Substrate,
    management_shortfalls,
    qualifies_for_management,
    reachability_groups,
    substrate_graph,
)
from vdlt_spec.virtualization.systems import (
    EMPTY_PLACEMENT,
    MIN_GROUP_SIZE,
    ROLES,
    HostAssignment,
    Placement,
    VirtualNode,
    VirtualSystem,
)
from vdlt_spec.virtualization.validation import (
    Violation,
    free_capacity,
    require_valid,
    validate,
)

__all__ = [
    "EMPTY_PLACEMENT",
    "KBITS_PER_MBIT",
    "MANAGEMENT_MINIMUM",
    "MANAGEMENT_MIN_BANDWIDTH",
    "MANAGEMENT_MIN_COMPUTE",
    "MANAGEMENT_MIN_STORAGE",
    "MIB_PER_GIB",
    "MIB_PER_TIB",
    "MILLICORES_PER_CORE",
    "MIN_GROUP_SIZE",
    "NO_RESOURCES",
    "RESOURCE_KINDS",
    "RESOURCE_UNITS",
    "ROLES",
    "AdmissionOutcome",
    "Campaign",
    "GroupImpact",
    "HostAssignment",
    "Lease",
    "Link",
    "ManagementRequirements",
    "PhysicalNode",
    "Placement",
    "PlacementReport",
    "Resources",
    "Substrate",
    "Violation",
    "VirtualNode",
    "VirtualSystem",
    "admit",
    "admit_all",
    "embedding_by_search",
    "fault_impact",
    "free_capacity",
    "group_quorum",
    "host_order",
    "leases",
    "management_shortfalls",
    "place",
    "placed_demand",
    "placement_order",
    "qualifies_for_management",
    "reachability_groups",
    "release",
    "require_valid",
    "substrate_graph",
    "total",
    "validate",
    "worst_single_failure",
]
