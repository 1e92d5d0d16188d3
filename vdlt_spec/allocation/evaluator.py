"""Score any allocation against Eq. (1): its utility and every constraint's slack (§IV-E, §IV-G).

The evaluator is the referee of every allocator (the MILP, the heuristics, DRL agents): it
knows nothing of how an allocation was found. For each constraint it reports the value, the
bound and the slack in the constraint's unit (negative slack = violation), naming the
transaction or node concerned. All arithmetic is exact.

An allocation that names unknown transactions or nodes, lists a transaction twice, a node
twice in one group, or a rate that is not positive is malformed: ``SpecError``, not a score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation import rules
from vdlt_spec.allocation.decision import Allocation, Assignment
from vdlt_spec.allocation.instance import Instance, TransactionStream, Utility
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole

SYSTEM = "system"
#: Assignments checked between two calls of :func:`evaluate`'s ``on_progress``.
PROGRESS_STEP = 10_000


class Constraint(StrEnum):
    """Name each constraint of Eq. (1) and of the model's structure (§IV-E; stable keys)."""

    DECENTRALIZATION = "C1-decentralization"
    LATENCY = "C2-latency"
    THROUGHPUT = "C3-throughput"
    ORDERING_THROUGHPUT = "C3-ordering"
    COST = "C4-cost"
    PRIVACY = "C5-privacy"
    SECURITY = "security"
    REPLICAS_MIN = "replicas-min"
    REPLICAS_MAX = "replicas-max"
    ELIGIBILITY = "control-node-eligibility"
    RATE_LEVEL = "rate-level"
    CONTROL_LEVEL = "control-level"
    MANDATORY = "mandatory"
    CPU = "capacity-cpu"
    STORAGE = "capacity-storage"
    BANDWIDTH = "capacity-bandwidth"
    CONTROL_CAPACITY = "capacity-control"


#: The domain constraints judged on one transaction's placement alone (C2-C5, security, group
#: size, control-node eligibility): what a greedy checks before committing a placement.
PLACEMENT_CONSTRAINTS = frozenset(
    {
        Constraint.LATENCY,
        Constraint.THROUGHPUT,
        Constraint.ORDERING_THROUGHPUT,
        Constraint.COST,
        Constraint.PRIVACY,
        Constraint.SECURITY,
        Constraint.REPLICAS_MIN,
        Constraint.REPLICAS_MAX,
        Constraint.ELIGIBILITY,
    }
)


#: Each constraint's comparison, from :mod:`vdlt_spec.allocation.rules` (the rows the proofs use):
#: a report is satisfied when its row holds on (value, bound).
ROW_RULES: dict[Constraint, Callable[[Fraction, Fraction], object]] = {
    Constraint.DECENTRALIZATION: rules.decentralization_within,
    Constraint.LATENCY: rules.latency_within,
    Constraint.THROUGHPUT: rules.throughput_met,
    Constraint.ORDERING_THROUGHPUT: rules.throughput_met,
    Constraint.COST: rules.cost_within,
    Constraint.PRIVACY: rules.privacy_kept,
    Constraint.SECURITY: rules.security_within,
    Constraint.REPLICAS_MIN: rules.at_least,
    Constraint.REPLICAS_MAX: rules.at_most,
    Constraint.ELIGIBILITY: rules.at_most,
    Constraint.RATE_LEVEL: rules.at_most,
    Constraint.CONTROL_LEVEL: rules.at_most,
    Constraint.MANDATORY: rules.at_least,
    Constraint.CPU: rules.capacity_within,
    Constraint.STORAGE: rules.capacity_within,
    Constraint.BANDWIDTH: rules.capacity_within,
    Constraint.CONTROL_CAPACITY: rules.capacity_within,
}


@dataclass(frozen=True)
class ConstraintReport:
    """Report one constraint on one subject: value, bound, slack (< 0 violated), unit (§IV-E)."""

    constraint: Constraint
    subject: str
    value: Fraction
    bound: Fraction
    slack: Fraction
    unit: str
    note: str = ""

    @property
    def satisfied(self) -> bool:
        """Tell whether the constraint holds: its row of :data:`ROW_RULES` on value and bound."""
        return bool(ROW_RULES[self.constraint](self.value, self.bound))

    @property
    def where(self) -> str:
        """Name the constraint and its subject, e.g. ``C2-latency on t012`` (§IV-E)."""
        return f"{self.constraint.value} on {self.subject}"


@dataclass(frozen=True)
class Evaluation:
    """Hold an allocation's score: utility, feasibility and every constraint report (§IV-E)."""

    utility: Utility
    objective: Fraction
    throughput: Fraction
    welfare: Fraction
    admitted: int
    transactions: int
    nakamoto: int
    feasible: bool
    reports: tuple[ConstraintReport, ...]

    @property
    def violations(self) -> tuple[ConstraintReport, ...]:
        """Return the reports whose constraint is violated."""
        return tuple(r for r in self.reports if not r.satisfied)


def relative_slack(report: ConstraintReport) -> Fraction:
    """Return a report's slack relative to its bound, ``slack / max(|bound|, 1)`` (§IV-E).

    Constraints are measured in different units (seconds, tx/s, tokens, replicas); dividing
    by the bound's magnitude (at least 1, so a zero bound does not divide by zero) makes them
    comparable: the smaller, the tighter. Exact.
    """
    return report.slack / max(abs(report.bound), Fraction(1))


def can_bind(report: ConstraintReport) -> bool:
    """Tell whether a constraint report could ever bind: not a 0 <= 0 row (§IV-E).

    A report whose value and bound are both 0 (a node no transaction may use, a class with no
    demand) holds whatever the allocation does, so it says nothing about how tight it is.
    """
    return not (report.value == 0 and report.bound == 0)


def tightest(
    evaluation: Evaluation, k: int, *, bindable: bool = False
) -> tuple[ConstraintReport, ...]:
    """Return the ``k`` constraint reports of smallest relative slack, tightest first (§IV-E).

    Ties keep the evaluator's order of reports. With ``bindable``, reports that cannot bind
    (:func:`can_bind`) are left out. A negative ``k`` is ``PARAMETER_OUT_OF_RANGE``.
    """
    if k < 0:
        raise SpecError(Reason.PARAMETER_OUT_OF_RANGE, f"k must be at least 0, got {k}")
    reports = [r for r in evaluation.reports if can_bind(r)] if bindable else evaluation.reports
    return tuple(sorted(reports, key=relative_slack)[:k])


def _upper(
    constraint: Constraint,
    subject: str,
    value: Fraction,
    bound: Fraction,
    unit: str,
    note: str = "",
) -> ConstraintReport:
    """Report a constraint ``value <= bound``: its slack is ``bound - value``."""
    return ConstraintReport(constraint, subject, value, bound, bound - value, unit, note)


def _lower(
    constraint: Constraint,
    subject: str,
    value: Fraction,
    bound: Fraction,
    unit: str,
    note: str = "",
) -> ConstraintReport:
    """Report a constraint ``value >= bound``: its slack is ``value - bound``."""
    return ConstraintReport(constraint, subject, value, bound, value - bound, unit, note)


def check_shape(instance: Instance, allocation: Allocation) -> None:
    """Reject a malformed allocation: unknown or repeated ids, non-positive rates (§IV-E)."""
    seen: set[str] = set()
    for a in allocation.assignments:
        instance.transaction(a.transaction)
        if a.transaction in seen:
            raise SpecError(
                Reason.DUPLICATE_TRANSACTION, f"transaction {a.transaction!r} assigned twice"
            )
        seen.add(a.transaction)
        if a.control_ghz <= 0:
            raise SpecError(
                Reason.NON_POSITIVE_RATE,
                f"transaction {a.transaction!r}: control_ghz must be > 0, got {a.control_ghz}",
            )
        nodes: set[str] = set()
        for r in a.replicas:
            instance.node(r.node)
            if r.node in nodes:
                raise SpecError(
                    Reason.DUPLICATE_NODE,
                    f"transaction {a.transaction!r}: node {r.node!r} listed twice",
                )
            nodes.add(r.node)
            if r.rate_ghz <= 0:
                raise SpecError(
                    Reason.NON_POSITIVE_RATE,
                    f"transaction {a.transaction!r} on {r.node!r}: rate must be > 0",
                )


def transaction_reports(
    instance: Instance, tx: TransactionStream, a: Assignment
) -> tuple[ConstraintReport, ...]:
    """Report the per-transaction constraints C2-C5, security, structure of a placement (§IV-E)."""
    nodes = [instance.node(r.node) for r in a.replicas]
    k = len(a.replicas)
    s = tx.id
    reports: list[ConstraintReport] = []
    # C2: every replica's latency within the bound (the max over replicas, made per replica).
    worst, worst_node = q.ordering_ms(tx, a.control_ghz) + q.consensus_ms(instance, k), "-"
    for node, r in zip(nodes, a.replicas, strict=True):
        lat = q.replica_latency_ms(instance, tx, node, r.rate_ghz, a.control_ghz, k)
        if worst_node == "-" or lat > worst:
            worst, worst_node = lat, node.id
    reports.append(
        _upper(Constraint.LATENCY, s, worst, tx.latency_ms, "ms", f"slowest replica {worst_node}")
    )
    # C3: every replica keeps up with the stream; so does the ordering rate.
    slowest = min((r.rate_ghz for r in a.replicas), default=Fraction(0))
    reports.append(
        _lower(Constraint.THROUGHPUT, s, slowest, q.execution_demand_ghz(tx), "GHz", "min rate")
    )
    reports.append(
        _lower(Constraint.ORDERING_THROUGHPUT, s, a.control_ghz, q.ordering_demand_ghz(tx), "GHz")
    )
    # C4: cost within budget.
    cost = q.control_cost(instance, a.control_ghz) + sum(
        (q.replica_cost(tx, n, r.rate_ghz) for n, r in zip(nodes, a.replicas, strict=True)),
        Fraction(0),
    )
    reports.append(_upper(Constraint.COST, s, cost, tx.budget, "tokens/epoch"))
    # C5: a private transaction only on privacy-capable nodes.
    if tx.private:
        exposed = [n.id for n in nodes if not n.private]
        reports.append(
            _upper(
                Constraint.PRIVACY,
                s,
                Fraction(len(exposed)),
                Fraction(0),
                "replicas",
                ",".join(exposed),
            )
        )
    # Security: expected faulty replicas within the fault bound f = floor((K-1)/3).
    reports.append(
        _upper(
            Constraint.SECURITY,
            s,
            q.expected_faulty(nodes),
            Fraction(q.fault_bound(k)),
            "replicas",
            f"K={k}",
        )
    )
    # Structure: group size, control nodes only for high security, levels from the menus.
    reports.append(
        _lower(Constraint.REPLICAS_MIN, s, Fraction(k), Fraction(tx.min_replicas), "replicas")
    )
    reports.append(
        _upper(Constraint.REPLICAS_MAX, s, Fraction(k), Fraction(instance.max_replicas), "replicas")
    )
    if not tx.high_security:
        lent = [n.id for n in nodes if n.role is NodeRole.MANAGEMENT_CONTROL]
        reports.append(
            _upper(
                Constraint.ELIGIBILITY,
                s,
                Fraction(len(lent)),
                Fraction(0),
                "replicas",
                ",".join(lent),
            )
        )
    off_menu = [r.node for r in a.replicas if r.rate_ghz not in instance.rate_levels_ghz]
    reports.append(
        _upper(
            Constraint.RATE_LEVEL,
            s,
            Fraction(len(off_menu)),
            Fraction(0),
            "replicas",
            ",".join(off_menu),
        )
    )
    reports.append(
        _upper(
            Constraint.CONTROL_LEVEL,
            s,
            Fraction(int(a.control_ghz not in instance.control_levels_ghz)),
            Fraction(0),
            "levels",
        )
    )
    return tuple(reports)


def node_loads(instance: Instance, allocation: Allocation) -> dict[str, Fraction]:
    """Return each node's load for C1: throughput of the streams it replicates, tx/s (§IV-E)."""
    loads = {n.id: Fraction(0) for n in instance.nodes}
    for a in allocation.assignments:
        tx = instance.transaction(a.transaction)
        for r in a.replicas:
            loads[r.node] += tx.throughput_tps
    return loads


def evaluate(
    instance: Instance,
    allocation: Allocation,
    on_progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Score an allocation: utility, feasibility, every constraint's slack (§IV-E, Eq. (1)).

    ``on_progress(done, total)`` is told the assignments checked so far, every
    :data:`PROGRESS_STEP` of them and at the end.
    """
    check_shape(instance, allocation)
    total = len(allocation.assignments)
    reports: list[ConstraintReport] = []
    cpu: dict[str, Fraction] = defaultdict(Fraction)
    disk: dict[str, Fraction] = defaultdict(Fraction)
    link: dict[str, Fraction] = defaultdict(Fraction)
    control = Fraction(0)
    throughput = Fraction(0)
    welfare = Fraction(0)
    admitted = {a.transaction for a in allocation.assignments}
    for done, a in enumerate(allocation.assignments, 1):
        if on_progress is not None and done % PROGRESS_STEP == 0:
            on_progress(done, total)
        tx = instance.transaction(a.transaction)
        reports.extend(transaction_reports(instance, tx, a))
        control += a.control_ghz
        cost = q.control_cost(instance, a.control_ghz)
        for r in a.replicas:
            node = instance.node(r.node)
            cpu[r.node] += r.rate_ghz
            disk[r.node] += tx.storage_gb
            link[r.node] += q.link_demand_mbps(tx)
            cost += q.replica_cost(tx, node, r.rate_ghz)
        throughput += tx.throughput_tps
        welfare += tx.value - cost
    for tx in instance.transactions:
        if tx.mandatory:
            reports.append(
                _lower(
                    Constraint.MANDATORY,
                    tx.id,
                    Fraction(int(tx.id in admitted)),
                    Fraction(1),
                    "admitted",
                )
            )
    for node in instance.nodes:
        reports.append(_upper(Constraint.CPU, node.id, cpu[node.id], node.cpu_ghz, "GHz"))
        reports.append(_upper(Constraint.STORAGE, node.id, disk[node.id], node.storage_gb, "GB"))
        reports.append(
            _upper(Constraint.BANDWIDTH, node.id, link[node.id], node.bandwidth_mbps, "Mbps")
        )
    reports.append(
        _upper(Constraint.CONTROL_CAPACITY, SYSTEM, control, instance.control_capacity_ghz, "GHz")
    )
    loads = list(node_loads(instance, allocation).values())
    share = instance.decentralization_share
    nakamoto = q.nakamoto_coefficient(loads, share)
    reports.append(
        _upper(
            Constraint.DECENTRALIZATION,
            SYSTEM,
            q.top_sum(loads, instance.decentralization_nodes - 1),
            share * sum(loads, Fraction(0)),
            "tx/s",
            f"Nakamoto coefficient {nakamoto} (need >= {instance.decentralization_nodes})",
        )
    )
    if on_progress is not None:
        on_progress(total, total)
    objective = throughput if instance.utility is Utility.THROUGHPUT else welfare
    return Evaluation(
        utility=instance.utility,
        objective=objective,
        throughput=throughput,
        welfare=welfare,
        admitted=len(admitted),
        transactions=len(instance.transactions),
        nakamoto=nakamoto,
        feasible=all(r.satisfied for r in reports),
        reports=tuple(reports),
    )
