"""Describe an allocation instance of Eq. (1): execution nodes, the control tier, streams.

Every quantity the evaluator checks is an exact ``int`` or ``Fraction``; each field carries its
unit and meaning in ``metadata`` (``unit``, ``doc``), from which the JSON Schema and the model
documentation are built. Units: GHz (10^9 cycles/s), Mcycles (10^6 cycles), ms, kB (10^3
bytes), GB (10^9 bytes), Mbps (10^6 bit/s), tx/s (contract invocations per second), tokens per
allocation epoch. See docs/allocation.md for the model written down.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from typing import Any

from vdlt_spec.cos import ServiceClass, cos_byte
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole

#: Smallest replica count that tolerates one Byzantine replica: f = floor((K-1)/3) >= 1 (§IV-G).
MIN_REPLICAS = 4
#: Largest execution group a transaction may use by default (§IV-D: PBFT groups stay small).
MAX_REPLICAS = 10


def meta(unit: str, doc: str) -> dict[str, Any]:
    """Return field metadata giving a quantity's unit and meaning, read by the schema (§IV-E)."""
    return {"unit": unit, "doc": doc}


class Utility(StrEnum):
    """Name the two utilities of Eq. (1): total throughput or social welfare (§IV-E)."""

    THROUGHPUT = "throughput"
    WELFARE = "welfare"

    @classmethod
    def parse(cls, text: str, where: str = "utility") -> Utility:
        """Return the utility named ``text`` (§IV-E); any other name is ``BAD_USAGE``.

        ``where`` names the input in the message, e.g. a command-line option.
        """
        for utility in cls:
            if utility.value == text:
                return utility
        names = " or ".join(utility.value for utility in cls)
        raise SpecError(Reason.BAD_USAGE, f"{where} must be {names}, got {text!r}")


@dataclass(frozen=True)
class Node:
    """State a node reports to the management/control tier (§IV-G)."""

    id: str = field(metadata=meta("-", "unique node name"))
    role: NodeRole = field(
        metadata=meta("-", "execution node, or management/control node lent for high security")
    )
    cpu_ghz: Fraction = field(metadata=meta("GHz", "execution capacity c_j"))
    trust: Fraction = field(metadata=meta("probability", "probability t_j of being honest, (0, 1]"))
    compute_price: Fraction = field(
        metadata=meta("tokens/(GHz·epoch)", "price p_j of reserved rate")
    )
    storage_price: Fraction = field(metadata=meta("tokens/(GB·epoch)", "price q_j of storage"))
    storage_gb: Fraction = field(metadata=meta("GB", "storage capacity S_j"))
    bandwidth_mbps: Fraction = field(metadata=meta("Mbps", "link rate b_j"))
    private: bool = field(metadata=meta("-", "privacy-capable (can run private contracts)"))
    region: str = field(metadata=meta("-", "region g_j, for the inter-region delay"))


@dataclass(frozen=True)
class TransactionStream:
    """State one transaction stream (a contract and its invocation rate) and its QoS (§IV-E).

    Each invocation of the stream is one transaction of §III-A (:class:`vdlt_spec.cos.Transaction`)
    whose CoS byte carries ``service_class``; ``id`` and ``service_class`` identify the
    transactions the stream stands for, and the bounds below are their QoS demands (Eq. (1)).
    """

    id: str = field(metadata=meta("-", "unique transaction name"))
    service_class: ServiceClass = field(metadata=meta("-", "class of service, Table II bits"))
    compute_mcycles: Fraction = field(metadata=meta("Mcycles", "execution work w_n per invocation"))
    size_kb: Fraction = field(
        metadata=meta("kB", "payload a_n sent to each replica per invocation")
    )
    ordering_mcycles: Fraction = field(
        metadata=meta("Mcycles", "control-tier ordering work o_n per invocation")
    )
    latency_ms: Fraction = field(metadata=meta("ms", "confirmation latency bound gamma^CL_n"))
    throughput_tps: Fraction = field(metadata=meta("tx/s", "throughput demand gamma^Th_n"))
    budget: Fraction = field(metadata=meta("tokens/epoch", "cost budget gamma^Co_n"))
    value: Fraction = field(metadata=meta("tokens/epoch", "value v_n of serving it (welfare)"))
    origin: str = field(metadata=meta("-", "region the transaction comes from"))
    storage_gb: Fraction = field(
        default=Fraction(0), metadata=meta("GB", "state d_n each replica stores")
    )
    private: bool = field(default=False, metadata=meta("-", "privacy needed, gamma^Pr_n"))
    high_security: bool = field(
        default=False, metadata=meta("-", "may add management/control nodes to its replicas")
    )
    min_replicas: int = field(
        default=MIN_REPLICAS, metadata=meta("replicas", "smallest execution group K^min_n")
    )
    mandatory: bool = field(default=False, metadata=meta("-", "must be admitted"))

    @property
    def cos(self) -> int:
        """Return the CoS byte each invocation of the stream carries, reserved bits 0 (§IV-A)."""
        return cos_byte(self.service_class)


@dataclass(frozen=True)
class Instance:
    """Hold one instance of Eq. (1): system parameters, nodes and transactions (§IV-E)."""

    name: str = field(metadata=meta("-", "instance name"))
    utility: Utility = field(metadata=meta("-", "objective: throughput or welfare"))
    rate_levels_ghz: tuple[Fraction, ...] = field(
        metadata=meta("GHz", "execution rate levels r_l a replica may reserve, ascending")
    )
    control_levels_ghz: tuple[Fraction, ...] = field(
        metadata=meta("GHz", "control-tier rate levels rho_m for ordering, ascending")
    )
    control_capacity_ghz: Fraction = field(
        metadata=meta("GHz", "ordering capacity P of the management/control tier")
    )
    control_price: Fraction = field(metadata=meta("tokens/(GHz·epoch)", "price p^0 of ordering"))
    consensus_base_ms: Fraction = field(metadata=meta("ms", "consensus time tau_0 of any group"))
    consensus_per_replica_ms: Fraction = field(
        metadata=meta("ms", "consensus time tau_K added per replica")
    )
    consensus_per_fault_ms: Fraction = field(
        metadata=meta("ms", "consensus time tau_f added per tolerated fault f")
    )
    inter_region_ms: Fraction = field(
        metadata=meta("ms", "delay added when a replica's region differs from the origin")
    )
    max_replicas: int = field(metadata=meta("replicas", "largest execution group K^max"))
    decentralization_nodes: int = field(
        metadata=meta("nodes", "C1: at least D nodes needed to hold more than share phi of load")
    )
    decentralization_share: Fraction = field(metadata=meta("share", "C1: the share phi in (0, 1)"))
    nodes: tuple[Node, ...] = field(metadata=meta("-", "execution and management/control nodes"))
    transactions: tuple[TransactionStream, ...] = field(
        metadata=meta("-", "transactions to allocate")
    )

    def node(self, node_id: str) -> Node:
        """Return the node named ``node_id`` or raise ``UNKNOWN_NODE`` (§IV-G)."""
        found = self.node_index.get(node_id)
        if found is None:
            raise SpecError(Reason.UNKNOWN_NODE, f"no node named {node_id!r}")
        return self.nodes[found]

    def transaction(self, tx_id: str) -> TransactionStream:
        """Return the transaction named ``tx_id`` or raise ``UNKNOWN_TRANSACTION`` (§IV-E)."""
        found = self.transaction_index.get(tx_id)
        if found is None:
            raise SpecError(Reason.UNKNOWN_TRANSACTION, f"no transaction named {tx_id!r}")
        return self.transactions[found]

    @cached_property
    def node_index(self) -> dict[str, int]:
        """Map node names to their positions."""
        return {n.id: i for i, n in enumerate(self.nodes)}

    @cached_property
    def transaction_index(self) -> dict[str, int]:
        """Map transaction names to their positions."""
        return {t.id: i for i, t in enumerate(self.transactions)}


def _require(ok: bool, reason: Reason, detail: str) -> None:
    if not ok:
        raise SpecError(reason, detail)


def _positive_levels(levels: tuple[Fraction, ...], what: str) -> None:
    _require(len(levels) > 0, Reason.PARAMETER_OUT_OF_RANGE, f"{what}: at least one level")
    _require(
        all(level > 0 for level in levels),
        Reason.NON_POSITIVE_RATE,
        f"{what}: every level must be > 0, got {[str(v) for v in levels]}",
    )
    _require(
        all(a < b for a, b in itertools.pairwise(levels)),
        Reason.PARAMETER_OUT_OF_RANGE,
        f"{what}: levels must be strictly ascending, got {[str(v) for v in levels]}",
    )


def validate_node(node: Node) -> None:
    """Reject a node whose reported state is out of range (§IV-G)."""
    where = f"node {node.id!r}"
    _require(bool(node.id), Reason.PARAMETER_OUT_OF_RANGE, "node id must be non-empty")
    _require(node.cpu_ghz > 0, Reason.NON_POSITIVE_RATE, f"{where}: cpu_ghz must be > 0")
    _require(node.bandwidth_mbps > 0, Reason.NON_POSITIVE_RATE, f"{where}: bandwidth must be > 0")
    _require(
        0 < node.trust <= 1,
        Reason.TRUST_OUT_OF_RANGE,
        f"{where}: trust must be in (0, 1], got {node.trust}",
    )
    for name in ("compute_price", "storage_price", "storage_gb"):
        _require(
            getattr(node, name) >= 0,
            Reason.PARAMETER_OUT_OF_RANGE,
            f"{where}: {name} must be >= 0, got {getattr(node, name)}",
        )


def validate_transaction(tx: TransactionStream, max_replicas: int) -> None:
    """Reject a transaction whose demands are out of range (§IV-E)."""
    where = f"transaction {tx.id!r}"
    _require(bool(tx.id), Reason.PARAMETER_OUT_OF_RANGE, "transaction id must be non-empty")
    for name in ("compute_mcycles", "ordering_mcycles", "latency_ms", "throughput_tps"):
        _require(
            getattr(tx, name) > 0,
            Reason.PARAMETER_OUT_OF_RANGE,
            f"{where}: {name} must be > 0, got {getattr(tx, name)}",
        )
    for name in ("size_kb", "budget", "value", "storage_gb"):
        _require(
            getattr(tx, name) >= 0,
            Reason.PARAMETER_OUT_OF_RANGE,
            f"{where}: {name} must be >= 0, got {getattr(tx, name)}",
        )
    _require(
        1 <= tx.min_replicas <= max_replicas,
        Reason.PARAMETER_OUT_OF_RANGE,
        f"{where}: min_replicas must be in 1..max_replicas={max_replicas}, got {tx.min_replicas}",
    )


def validate_instance(instance: Instance) -> Instance:
    """Reject an instance with out-of-range or inconsistent data; return it unchanged (§IV-E)."""
    _positive_levels(instance.rate_levels_ghz, "rate_levels_ghz")
    _positive_levels(instance.control_levels_ghz, "control_levels_ghz")
    for name in (
        "control_capacity_ghz",
        "control_price",
        "consensus_base_ms",
        "consensus_per_replica_ms",
        "consensus_per_fault_ms",
        "inter_region_ms",
    ):
        _require(
            getattr(instance, name) >= 0,
            Reason.PARAMETER_OUT_OF_RANGE,
            f"{name} must be >= 0, got {getattr(instance, name)}",
        )
    _require(
        instance.max_replicas >= 1,
        Reason.PARAMETER_OUT_OF_RANGE,
        f"max_replicas must be >= 1, got {instance.max_replicas}",
    )
    _require(
        1 <= instance.decentralization_nodes <= len(instance.nodes) + 1,
        Reason.PARAMETER_OUT_OF_RANGE,
        f"decentralization_nodes must be in 1..{len(instance.nodes) + 1} (the number of nodes "
        f"plus one: any more says nothing more), got {str(instance.decentralization_nodes)[:40]}",
    )
    _require(
        0 < instance.decentralization_share < 1,
        Reason.PARAMETER_OUT_OF_RANGE,
        f"decentralization_share must be in (0, 1), got {instance.decentralization_share}",
    )
    seen: set[str] = set()
    for node in instance.nodes:
        validate_node(node)
        _require(node.id not in seen, Reason.DUPLICATE_NODE, f"node {node.id!r} listed twice")
        seen.add(node.id)
    seen = set()
    for tx in instance.transactions:
        validate_transaction(tx, instance.max_replicas)
        _require(
            tx.id not in seen,
            Reason.DUPLICATE_TRANSACTION,
            f"transaction {tx.id!r} listed twice",
        )
        seen.add(tx.id)
    return instance


#: The largest magnitude (and the inverse of the smallest non-zero one) of a number the
#: floating-point model accepts: products of a few such numbers stay well within a double.
FLOAT_RANGE = 10**100


def check_float_range(instance: Instance) -> None:
    """Refuse an instance with a number that floating-point consumers cannot represent.

    The spec evaluates instances exactly; the MILP oracle and the DRL allocator work in
    doubles, so they take instances whose every number lies within 1e-100..1e100 in
    magnitude (or is 0). Raises ``PARAMETER_OUT_OF_RANGE`` naming the first number outside.
    """
    parts: list[tuple[str, Any]] = [("instance", instance)]
    parts += [(f"node {node.id!r}", node) for node in instance.nodes]
    parts += [(f"transaction {tx.id!r}", tx) for tx in instance.transactions]
    names = {type(part): [f.name for f in dataclasses.fields(part)] for _, part in parts}
    for where, part in parts:
        for name in names[type(part)]:
            value = getattr(part, name)
            for x in value if isinstance(value, tuple) else (value,):
                if _outside_float_range(x):
                    shown = "above 1e100" if abs(x) > 1 else "below 1e-100"
                    raise SpecError(
                        Reason.PARAMETER_OUT_OF_RANGE,
                        f"{where}: {name} is {shown} in magnitude; the MILP and the DRL "
                        "allocator work in floating point and take numbers of magnitude "
                        "1e-100..1e100 (or 0)",
                    )


#: Numerators and denominators below this many bits keep a fraction within FLOAT_RANGE.
_SAFE_BITS = FLOAT_RANGE.bit_length() - 1


def _outside_float_range(x: Any) -> bool:
    """Tell whether ``x`` is a non-zero number outside 1e-100..1e100 in magnitude."""
    if isinstance(x, Fraction):
        top, bottom = x.numerator, x.denominator
    elif isinstance(x, int) and not isinstance(x, bool):
        top, bottom = x, 1
    else:
        return False
    if top == 0 or max(top.bit_length(), bottom.bit_length()) <= _SAFE_BITS:
        return False  # |x| lies in [1/denominator, |numerator|]: decided at once
    return not Fraction(1, FLOAT_RANGE) <= abs(Fraction(top, bottom)) <= FLOAT_RANGE
