"""Elect management/control delegates and keep the node roles apart (§III-D, §IV-B, §IV-C).

Nodes register for one role. Management/control candidates must meet the node requirements of
§IV-B ("a dedicated IP address, running 24/7, high bandwidth, good hardware"), given as data by
:func:`node_requirements`, and bond collateral. Every epoch token holders vote on an election
ballot (token-lock quadratic voting by default); when the epoch ends, the ``delegate_count``
(K = 21, as EOS) eligible candidates with the most votes serve the next epoch. Ties are broken
by a hash of the epoch and the candidate's key, so no candidate always wins ties (D-gov-3).

Role model: a node is a management/control node or an execution node, never both in one epoch;
only execution nodes produce user transaction blocks (§III-B, §IV-B: "the management/control
nodes do not produce user transaction blocks"). :func:`authorize_user_block` enforces it and
:func:`role_violations` checks it as an invariant.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import coincurve

from vdlt_spec.crypto import tagged_hash
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import voting
from vdlt_spec.governance.parameters import Parameters
from vdlt_spec.governance.voting import Ballot, VotingMode
from vdlt_spec.ledger import Ledger
from vdlt_spec.roles import PRODUCES_USER_BLOCKS, NodeRole

COMPRESSED_KEY_BYTES = 33
TIE_BREAK_TAG = b"vDLT/dpos-tie"
ELECTION_PREFIX = "election-"


@dataclass(frozen=True)
class NodeSpec:
    """Describe a node as its operator declares it (§IV-B)."""

    dedicated_ip: bool
    uptime_bp: int
    bandwidth_mbps: int
    cpu_cores: int
    memory_gib: int
    storage_gib: int


@dataclass(frozen=True)
class NodeRequirements:
    """State what a management/control node must offer (§IV-B), as data from the parameters."""

    dedicated_ip: bool
    min_uptime_bp: int
    min_bandwidth_mbps: int
    min_cpu_cores: int
    min_memory_gib: int
    min_storage_gib: int


def node_requirements(params: Parameters) -> NodeRequirements:
    """Return the §IV-B node requirements of management/control nodes under ``params``."""
    return NodeRequirements(
        dedicated_ip=True,
        min_uptime_bp=params.min_uptime_bp,
        min_bandwidth_mbps=params.min_bandwidth_mbps,
        min_cpu_cores=params.min_cpu_cores,
        min_memory_gib=params.min_memory_gib,
        min_storage_gib=params.min_storage_gib,
    )


def unmet_requirements(spec: NodeSpec, required: NodeRequirements) -> tuple[str, ...]:
    """List the requirements a node spec misses; empty when it qualifies (§IV-B)."""
    misses = []
    if required.dedicated_ip and not spec.dedicated_ip:
        misses.append("a dedicated IP address")
    checks = (
        ("uptime (basis points)", spec.uptime_bp, required.min_uptime_bp),
        ("bandwidth (Mbit/s)", spec.bandwidth_mbps, required.min_bandwidth_mbps),
        ("CPU cores", spec.cpu_cores, required.min_cpu_cores),
        ("memory (GiB)", spec.memory_gib, required.min_memory_gib),
        ("storage (GiB)", spec.storage_gib, required.min_storage_gib),
    )
    misses.extend(f"{what} {have} < {need}" for what, have, need in checks if have < need)
    return tuple(misses)


@dataclass(frozen=True)
class RegisteredNode:
    """Register one node: its account, role, consensus key, declared pay and spec (§IV-B, §IV-I).

    ``declared_pay`` is the pay per contribution the operator asks for, in base units; the
    protocol pays the median of the declarations (§IV-I).
    """

    account: str
    role: NodeRole
    key: bytes
    declared_pay: int
    spec: NodeSpec
    registered_at: int


@dataclass(frozen=True)
class RosterEntry:
    """Name one delegate of an epoch, its consensus key and declared pay (§IV-D, §IV-J)."""

    account: str
    key: bytes
    declared_pay: int


@dataclass(frozen=True)
class DposState:
    """Hold the registered nodes, the sitting delegates, recent rosters and the open election.

    ``rosters`` maps an epoch to its delegates in election order; past rosters are kept so
    that evidence about an epoch can be checked against the keys that served in it (§IV-J).
    """

    nodes: dict[str, RegisteredNode] = field(default_factory=dict)
    delegates: tuple[str, ...] = ()
    rosters: dict[int, tuple[RosterEntry, ...]] = field(default_factory=dict)
    election: Ballot | None = None

    def management_nodes(self) -> tuple[str, ...]:
        """Return the accounts registered as management/control candidates, sorted (§IV-B)."""
        return tuple(
            sorted(a for a, n in self.nodes.items() if n.role == NodeRole.MANAGEMENT_CONTROL)
        )

    def execution_nodes(self) -> tuple[str, ...]:
        """Return the accounts registered as execution nodes, sorted (§IV-G)."""
        return tuple(sorted(a for a, n in self.nodes.items() if n.role == NodeRole.EXECUTION))


def check_key(key: bytes) -> bytes:
    """Return a 33-byte compressed secp256k1 key, or raise ``BAD_PUBLIC_KEY`` (§IV-D)."""
    if not isinstance(key, bytes) or len(key) != COMPRESSED_KEY_BYTES or key[0] not in (2, 3):
        raise SpecError(Reason.BAD_PUBLIC_KEY, "keys are 33-byte compressed secp256k1 points")
    try:
        coincurve.PublicKey(key)
    except ValueError:
        raise SpecError(Reason.BAD_PUBLIC_KEY, f"{key.hex()} is not on secp256k1") from None
    return key


def register(
    state: DposState, ledger: Ledger, params: Parameters, node: RegisteredNode
) -> DposState:
    """Register a node for its role after checking collateral, key and requirements (§IV-B)."""
    if node.account not in ledger.accounts:
        raise SpecError(Reason.UNKNOWN_ACCOUNT, f"no account named {node.account!r}")
    if node.account in state.nodes:
        raise SpecError(Reason.ALREADY_REGISTERED, f"{node.account} is already registered")
    if node.account in state.delegates:
        raise SpecError(
            Reason.ROLE_CONFLICT, f"{node.account} serves as a delegate until the epoch ends"
        )
    check_key(node.key)
    if any(other.key == node.key for other in state.nodes.values()):
        raise SpecError(Reason.DUPLICATE_KEY, f"key {node.key.hex()} is already registered")
    if isinstance(node.declared_pay, bool) or node.declared_pay < 0:
        raise SpecError(Reason.NEGATIVE_AMOUNT, f"declared pay must be >= 0: {node.declared_pay}")
    if ledger.account(node.account).collateral < params.min_collateral:
        raise SpecError(
            Reason.INSUFFICIENT_COLLATERAL,
            f"{node.account} bonds {ledger.account(node.account).collateral}"
            f" < {params.min_collateral}",
        )
    if node.role == NodeRole.MANAGEMENT_CONTROL:
        misses = unmet_requirements(node.spec, node_requirements(params))
        if misses:
            raise SpecError(Reason.NODE_REQUIREMENTS_UNMET, "missing " + ", ".join(misses))
    if node.role not in PRODUCES_USER_BLOCKS:
        raise SpecError(Reason.SCHEMA_VIOLATION, f"unknown role {node.role!r}")
    election = state.election
    if election is not None and node.role == NodeRole.MANAGEMENT_CONTROL:
        election = voting.add_option(election, node.account)
    return dataclasses.replace(state, nodes={**state.nodes, node.account: node}, election=election)


def deregister(state: DposState, account: str) -> DposState:
    """Withdraw a node's registration; a sitting delegate serves out its epoch (§IV-B)."""
    if account not in state.nodes:
        raise SpecError(Reason.NOT_REGISTERED, f"{account} is not a registered node")
    return dataclasses.replace(state, nodes={a: n for a, n in state.nodes.items() if a != account})


def expel(state: DposState, account: str) -> DposState:
    """Remove a slashed node from the registry and from the sitting delegates (§IV-J)."""
    return dataclasses.replace(
        state,
        nodes={a: n for a, n in state.nodes.items() if a != account},
        delegates=tuple(d for d in state.delegates if d != account),
    )


def election_id(epoch: int) -> str:
    """Return the identifier of the election ballot held during ``epoch`` (§IV-C)."""
    return f"{ELECTION_PREFIX}{epoch}"


def open_election(state: DposState, ledger: Ledger, mode: VotingMode) -> DposState:
    """Open this epoch's election: one ballot over the registered candidates (§III-D, §IV-C).

    Candidates who register while the ballot is open are added to it.
    """
    ballot = voting.open_ballot(
        election_id(ledger.now),
        state.management_nodes(),
        mode,
        opens_at=ledger.now,
        closes_at=ledger.now + 1,
        eligible_stake=sum(a.staked for a in ledger.accounts.values()),
    )
    return dataclasses.replace(state, election=ballot)


def is_eligible(state: DposState, ledger: Ledger, params: Parameters, account: str) -> bool:
    """Tell whether an account may be elected now: registered, bonded, qualified (§IV-B)."""
    node = state.nodes.get(account)
    return (
        node is not None
        and node.role == NodeRole.MANAGEMENT_CONTROL
        and ledger.account(account).collateral >= params.min_collateral
        and not unmet_requirements(node.spec, node_requirements(params))
    )


def rank_candidates(
    state: DposState, ledger: Ledger, params: Parameters, ballot: Ballot, epoch: int
) -> tuple[tuple[str, int], ...]:
    """Rank the eligible candidates with votes, most votes first, ties by hash (§IV-C, D-gov-3)."""
    ranked = []
    for account, votes in ballot.votes.items():
        if votes > 0 and is_eligible(state, ledger, params, account):
            tie = tagged_hash(TIE_BREAK_TAG, epoch.to_bytes(8, "big") + state.nodes[account].key)
            ranked.append((-votes, tie, account))
    ranked.sort()
    return tuple((account, -negative) for negative, _, account in ranked)


def close_election(
    state: DposState, ledger: Ledger, params: Parameters, next_epoch: int
) -> tuple[DposState, bool]:
    """Seat the top K candidates for ``next_epoch``; report whether it succeeded (§IV-C).

    With fewer than ``min_delegates`` elected, the election fails and the sitting delegates
    who are still eligible serve on (D-gov-4). The roster of ``next_epoch`` is recorded.
    """
    if state.election is None:
        raise SpecError(Reason.UNKNOWN_BALLOT, "no election is open")
    ranked = rank_candidates(state, ledger, params, state.election, next_epoch)
    elected = tuple(account for account, _ in ranked[: params.delegate_count])
    succeeded = len(elected) >= params.min_delegates
    if not succeeded:
        elected = tuple(d for d in state.delegates if is_eligible(state, ledger, params, d))
    roster = tuple(RosterEntry(a, state.nodes[a].key, state.nodes[a].declared_pay) for a in elected)
    return (
        dataclasses.replace(
            state,
            delegates=elected,
            rosters={**state.rosters, next_epoch: roster},
            election=None,
        ),
        succeeded,
    )


def prune_rosters(state: DposState, oldest: int) -> DposState:
    """Forget rosters of epochs before ``oldest``: evidence about them is stale (§IV-J)."""
    return dataclasses.replace(
        state, rosters={e: r for e, r in state.rosters.items() if e >= oldest}
    )


def authorize_user_block(state: DposState, producer: str) -> RegisteredNode:
    """Admit a user transaction block only from an execution node, never a delegate (§IV-B)."""
    if producer in state.delegates:
        raise SpecError(
            Reason.DELEGATE_PRODUCED_USER_BLOCK,
            f"{producer} is a management/control delegate; only execution nodes produce"
            " user transaction blocks",
        )
    node = state.nodes.get(producer)
    if node is None or not PRODUCES_USER_BLOCKS[node.role]:
        raise SpecError(Reason.NOT_AN_EXECUTION_NODE, f"{producer} is not an execution node")
    return node


def decision_leader(state: DposState, index: int) -> str:
    """Return the delegate paid for decision ``index``: one at a time, in turn (§IV-B)."""
    if not state.delegates:
        raise SpecError(Reason.NO_DELEGATES, "no delegates serve in this epoch")
    return state.delegates[index % len(state.delegates)]


def role_violations(state: DposState, params: Parameters) -> tuple[str, ...]:
    """List broken role invariants; empty when delegates and execution nodes are apart (§IV-B)."""
    problems = []
    if len(set(state.delegates)) != len(state.delegates):
        problems.append("a delegate is seated twice")
    if len(state.delegates) > params.delegate_count:
        problems.append(f"{len(state.delegates)} delegates > K = {params.delegate_count}")
    executors = set(state.execution_nodes())
    for delegate in state.delegates:
        if delegate in executors:
            problems.append(f"{delegate} is both a delegate and an execution node")
    keys = [n.key for n in state.nodes.values()]
    if len(set(keys)) != len(keys):
        problems.append("two nodes share a key")
    for role, allowed in PRODUCES_USER_BLOCKS.items():
        if role == NodeRole.MANAGEMENT_CONTROL and allowed:
            problems.append("the role model lets management nodes produce user blocks")
    return tuple(problems)
