"""Name the two node roles of vDLT's decoupled architecture (§III-B, §IV-B, Fig. 8).

This module is the one definition of a node's role. Every component that speaks of roles
(reclassification, DPoS, allocation, virtualization, the hierarchy) uses :class:`NodeRole`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from vdlt_spec.errors import Reason, SpecError


class NodeRole(StrEnum):
    """Tell management/control nodes from execution nodes (§III-B, §IV-B).

    Management/control nodes order transactions, prioritise them and allocate resources;
    execution nodes run the contracts and produce the user blocks.
    """

    MANAGEMENT_CONTROL = "management_control"
    EXECUTION = "execution"


PRODUCES_USER_BLOCKS: Mapping[NodeRole, bool] = MappingProxyType(
    {NodeRole.MANAGEMENT_CONTROL: False, NodeRole.EXECUTION: True}
)
"""Which roles may produce user transaction blocks (§IV-B): execution nodes only."""


def as_node_role(value: object) -> NodeRole:
    """Return ``value`` as a NodeRole or reject it with ``UNKNOWN_ROLE`` (§IV-B)."""
    if isinstance(value, str):
        try:
            return NodeRole(value)
        except ValueError:
            pass
    known = ", ".join(role.value for role in NodeRole)
    raise SpecError(Reason.UNKNOWN_ROLE, f"no node role {value!r}; known: {known}")


__all__ = ["PRODUCES_USER_BLOCKS", "NodeRole", "as_node_role"]
