"""Organise management/control in two layers and route decisions to them (§IV-H, Fig. 10).

§IV-H: "There are two layers for the management/control nodes. The bottom layer
management/control nodes are responsible for the local services and applications that occur
frequently near the local execution nodes. Multiple groups of local management/control nodes are
deployed throughout the system; each group manage/control one of a handful of execution nodes.
The top management/control nodes are responsible for the global services and applications that
need a global view of the system."

The hierarchy is a tree: the top management/control group, under it the local groups, under
each local group the execution nodes of its domain (a handful, in one region). A transaction is
decided locally when every execution node it needs lies in one local domain and its class is
not global; otherwise it is escalated to the top (docs/decisions.md D-hier-1 ... D-hier-5).

Modules: :mod:`.structure` (the tree, building and validating it), :mod:`.routing` (who
decides a routing request, and the load of each group) and :mod:`.workload` (seeded workloads
and locality sweeps).
"""

from vdlt_spec.hierarchy.routing import (
    GLOBAL_CLASSES,
    GroupLoad,
    Load,
    Route,
    RoutingRequest,
    load,
    route,
    route_all,
)
from vdlt_spec.hierarchy.structure import (
    DEFAULT_GROUP_SIZE,
    LAYER,
    MIN_GROUP_SIZE,
    REGION,
    TOP_GROUP,
    ExecutionNode,
    Hierarchy,
    Layer,
    LocalGroup,
    build,
    from_placement,
    require_valid_hierarchy,
    tree,
    tree_violations,
    validate,
)
from vdlt_spec.hierarchy.workload import (
    LOCAL_SPAN,
    SWEEP_LOCALITIES,
    SweepRow,
    locality_sweep,
    regional_nodes,
    workload,
)

__all__ = [
    "DEFAULT_GROUP_SIZE",
    "GLOBAL_CLASSES",
    "LAYER",
    "LOCAL_SPAN",
    "MIN_GROUP_SIZE",
    "REGION",
    "SWEEP_LOCALITIES",
    "TOP_GROUP",
    "ExecutionNode",
    "GroupLoad",
    "Hierarchy",
    "Layer",
    "Load",
    "LocalGroup",
    "Route",
    "RoutingRequest",
    "SweepRow",
    "build",
    "from_placement",
    "load",
    "locality_sweep",
    "regional_nodes",
    "require_valid_hierarchy",
    "route",
    "route_all",
    "tree",
    "tree_violations",
    "validate",
    "workload",
]
