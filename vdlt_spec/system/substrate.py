"""Set up the system's nodes, streams and management group by the components' own rules.

The execution and management/control nodes and the per-class contract streams come from the
allocation generator (§IV-E, D-alloc-8); the management group is elected by DPoS in the
economy state machine (§IV-B, §IV-C): every node bonds and registers for its role, the
candidates vote for themselves with token locks, and the first ``EndEpoch`` seats the
delegates. The delegates' consensus keys are the simulation keys ``keypair_from_seed(seed,
i)``, so the management group's replica i is the i-th delegate of the epoch roster, the form
in which penalties (§IV-J) read consensus evidence.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from vdlt_spec.allocation.generate import DEFAULT_SETTINGS, PROFILES, generate
from vdlt_spec.allocation.instance import Node, TransactionStream
from vdlt_spec.consensus import DEFAULT_CHAIN_ID
from vdlt_spec.cos import ServiceClass
from vdlt_spec.crypto import keypair_from_seed
from vdlt_spec.economics import Economy, apply, start
from vdlt_spec.economics.operations import Bond, EndEpoch, Register, VoteWithLock
from vdlt_spec.economics.signing import compressed_public_key, simulation_secret_key
from vdlt_spec.economics.simulation import QUALIFIED_SPEC
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import Parameters
from vdlt_spec.roles import NodeRole
from vdlt_spec.system.config import SystemConfig

HOLDER = "holder"
DECLARED_PAY = 10**6
MANAGEMENT_KEY_OFFSET = 0
"""Delegate i signs consensus with ``keypair_from_seed(seed, i)``: the real scheme's roster."""


@dataclass(frozen=True)
class SystemSubstrate:
    """Hold the run's nodes, streams, elected management group and economy (§III-B, §IV-C).

    ``management`` lists the delegates in election order (replica i is the i-th);
    ``execution`` the execution nodes; ``streams`` maps a stream id to its contract stream.
    """

    nodes: tuple[Node, ...]
    management: tuple[str, ...]
    execution: tuple[str, ...]
    streams: dict[str, TransactionStream]
    economy: Economy
    epoch: int

    def node(self, name: str) -> Node:
        """Return the node called ``name`` (§IV-G)."""
        for node in self.nodes:
            if node.id == name:
                return node
        raise SpecError(Reason.UNKNOWN_NODE, f"no node named {name!r}")


def stream_id(service_class: ServiceClass, contract: int, chain: str = "") -> str:
    """Return the id of contract ``contract``'s stream of a class, on ``chain`` if named (§IV-E)."""
    name = f"{service_class.name.lower().replace('_', '-')}-{contract}"
    return f"{chain}/{name}" if chain else name


def chain_of(stream: str) -> str:
    """Return the chain a stream belongs to: its prefix, else the default chain (§III-C)."""
    return stream.split("/", 1)[0] if "/" in stream else DEFAULT_CHAIN_ID


def _streams(config: SystemConfig, seed: int) -> dict[str, TransactionStream]:
    streams: dict[str, TransactionStream] = {}
    chains = [c.name for c in config.chains] or [""]
    for index, chain in enumerate(chains):
        streams.update(_chain_streams(config, seed + index, chain))
    return streams


def _chain_streams(config: SystemConfig, seed: int, chain: str) -> dict[str, TransactionStream]:
    streams: dict[str, TransactionStream] = {}
    for service_class in sorted(ServiceClass, reverse=True):
        settings = dataclasses.replace(
            DEFAULT_SETTINGS,
            profiles={service_class: PROFILES[service_class]},
            control_nodes=config.management,
        )
        drawn = generate(config.contracts, config.execution, seed, settings=settings)
        for contract, stream in enumerate(drawn.transactions):
            name = stream_id(service_class, contract, chain)
            streams[name] = dataclasses.replace(stream, id=name)
    return streams


def _elect(config: SystemConfig, nodes: tuple[Node, ...], seed: int) -> tuple[Economy, int]:
    params = Parameters(delegate_count=config.management, min_delegates=min(4, config.management))
    funds = 3 * params.min_collateral
    names = [n.id for n in nodes]
    allocations = {name: funds for name in names}
    allocations[HOLDER] = params.genesis_supply - funds * len(names)
    econ = start(allocations, params)
    managers = [n for n in nodes if n.role == NodeRole.MANAGEMENT_CONTROL]
    for node in nodes:
        econ = apply(econ, Bond(node.id, params.min_collateral))
        if node.role == NodeRole.MANAGEMENT_CONTROL:
            index = managers.index(node) + MANAGEMENT_KEY_OFFSET
            key = keypair_from_seed(seed, index)[1]
        else:
            key = compressed_public_key(simulation_secret_key(seed, node.id))
        econ = apply(econ, Register(node.id, node.role, key, DECLARED_PAY, QUALIFIED_SPEC))
    ballot = econ.registry.election
    if ballot is None:
        raise SpecError(Reason.UNKNOWN_BALLOT, "no election open at genesis")
    for rank, node in enumerate(managers):
        amount = (len(managers) - rank) * params.min_collateral // (2 * len(managers))
        econ = apply(econ, VoteWithLock(node.id, ballot.ballot_id, amount, 1, node.id))
    econ = apply(econ, EndEpoch())
    return econ, econ.epoch


def build_substrate(config: SystemConfig, seed: int) -> SystemSubstrate:
    """Draw nodes and streams, elect the management group by DPoS (§IV-B, §IV-C, §IV-E)."""
    settings = dataclasses.replace(DEFAULT_SETTINGS, control_nodes=config.management)
    nodes = generate(0, config.execution, seed, settings=settings).nodes
    econ, epoch = _elect(config, nodes, seed)
    delegates = econ.registry.delegates
    managers = tuple(n.id for n in nodes if n.role == NodeRole.MANAGEMENT_CONTROL)
    if tuple(delegates) != managers:
        raise SpecError(
            Reason.NO_DELEGATES, f"the election seated {delegates}, expected {managers}"
        )
    execution = tuple(n.id for n in nodes if n.role == NodeRole.EXECUTION)
    return SystemSubstrate(nodes, tuple(delegates), execution, _streams(config, seed), econ, epoch)
