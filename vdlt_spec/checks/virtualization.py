"""Self-checks of virtualization (§III-C, §IV-B) and the management hierarchy (§IV-H)."""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from fractions import Fraction

import networkx as nx

from vdlt_spec import hierarchy, virtualization
from vdlt_spec.audit import trace
from vdlt_spec.audit.auditor import audit
from vdlt_spec.audit.rules.virtualization import reference_trace
from vdlt_spec.checks import Outcome, check
from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import SpecError
from vdlt_spec.roles import NodeRole
from vdlt_spec.verdict import Verdict

SEED = 20240501
CAMPAIGN_STEPS = 80
RELEASE_ODDS = Fraction(1, 4)
SEARCH_INSTANCES = 150
REGIONS = ("eu", "us", "asia")
R = virtualization.Resources
MC, EX = NodeRole.MANAGEMENT_CONTROL, NodeRole.EXECUTION
REQUIREMENTS = virtualization.ManagementRequirements(minimum=R(4000, 100 * 1024, 10_000))


def _substrate(rng: random.Random, count: int, linked: bool) -> virtualization.Substrate:
    nodes = []
    for i in range(count):
        qualified = rng.randrange(2) == 0
        scale = 2 if qualified else 1
        capacity = R(
            rng.randrange(2000, 4001, 500) * scale,
            rng.randrange(50, 101, 10) * 1024 * scale,
            rng.randrange(5000, 10_001, 1000) * scale,
        )
        nodes.append(
            virtualization.PhysicalNode(
                f"p{i:02d}",
                f"dinp{rng.randrange(4)}",
                REGIONS[i % len(REGIONS)],
                capacity,
                qualified,
                qualified,
            )
        )
    links = []
    if linked:  # a chain per region, eu and us bridged, asia apart
        for region in REGIONS:
            members = [n.id for n in nodes if n.region == region]
            links += [virtualization.Link(a, b) for a, b in itertools.pairwise(members)]
        links.append(virtualization.Link(nodes[0].id, nodes[1].id))
    return virtualization.Substrate(tuple(nodes), tuple(links), REQUIREMENTS)


def _system(rng: random.Random, name: str, largest: int) -> virtualization.VirtualSystem:
    def demand() -> virtualization.Resources:
        return R(
            rng.randrange(250, 1501, 250),
            rng.randrange(1, 21) * 1024,
            rng.randrange(500, 3001, 500),
        )

    nodes = [virtualization.VirtualNode(f"m{i}", MC, demand()) for i in range(rng.randint(1, 4))]
    nodes += [
        virtualization.VirtualNode(f"e{i}", EX, demand()) for i in range(rng.randint(1, largest))
    ]
    classes = tuple(sorted(rng.sample(sorted(ServiceClass), rng.randint(1, 3))))
    return virtualization.VirtualSystem(name, f"vdsp{rng.randrange(3)}", classes, tuple(nodes))


def _tamper(text: str) -> str:
    """Move a node onto its sibling's host in the last event placing two systems or more."""
    lines = text.splitlines()
    for index in range(len(lines) - 1, 0, -1):
        event = json.loads(lines[index])
        placement = event.get("placement", {})
        if len(placement.get("systems", [])) > 1:
            first = placement["systems"][0]["id"]
            mine = [a for a in placement["assignments"] if a["system"] == first]
            mine[0]["host"] = mine[1]["host"]
            lines[index] = json.dumps(event, sort_keys=True)
            return "\n".join(lines) + "\n"
    return text


@check("virtualization-campaign", "virtualization", "§III-C")
def admission_campaign() -> Outcome:
    """Admit and release seeded systems; rules, isolation, leases hold throughout (§III-C)."""
    rng = random.Random(SEED)
    substrate = _substrate(rng, 24, linked=True)
    placement = virtualization.EMPTY_PLACEMENT
    steps: list[virtualization.VirtualSystem | str] = []
    outcomes: Counter[str] = Counter()
    problems: list[str] = []
    for index in range(CAMPAIGN_STEPS):
        before = placement
        if before.systems and rng.randrange(RELEASE_ODDS.denominator) < RELEASE_ODDS.numerator:
            gone = rng.choice([s.id for s in before.systems])
            steps.append(gone)
            placement = virtualization.release(substrate, before, gone)
            free_before = virtualization.free_capacity(substrate, before)
            free_after = virtualization.free_capacity(substrate, placement)
            returned = virtualization.total(free_after.values()) - virtualization.total(
                free_before.values()
            )
            if returned != before.system(gone).demand():
                problems.append(f"step {index}: release of {gone} returned {returned}")
            outcomes["released"] += 1
        else:
            system = _system(rng, f"s{index:02d}", 6)
            steps.append(system)
            try:
                placement = virtualization.admit(substrate, before, system)
                outcomes["admitted"] += 1
            except SpecError as exc:
                outcomes[exc.reason.value] += 1
        for s in placement.systems:
            if s in before.systems and placement.hosts_of(s.id) != before.hosts_of(s.id):
                problems.append(f"step {index}: system {s.id} moved")
        for violation in virtualization.validate(substrate, placement):
            problems.append(f"step {index}: {violation.kind.value} at {violation.subject}")
        if virtualization.worst_single_failure(substrate, placement) > 1:
            problems.append(f"step {index}: one failure costs a system two replicas")
        leased = virtualization.total(
            x.resources for x in virtualization.leases(substrate, placement)
        )
        if leased != virtualization.placed_demand(placement):
            problems.append(f"step {index}: leases {leased} differ from placed demand")
    recorded = reference_trace(substrate, steps)
    honest = audit(trace.parse(recorded.splitlines()))
    tampered = audit(trace.parse(_tamper(recorded).splitlines()))
    if honest.verdict is not Verdict.VALID:
        problems.append(f"auditor finds the reference trace {honest.verdict.value}")
    if tampered.verdict is not Verdict.INVALID:
        problems.append("auditor misses a moved node in a tampered trace")
    used = virtualization.placed_demand(placement)
    capacity = virtualization.total(n.capacity for n in substrate.nodes)
    figures = {
        "steps": CAMPAIGN_STEPS,
        "outcomes": dict(sorted(outcomes.items())),
        "systems_at_end": len(placement.systems),
        "compute_used": str(Fraction(used.compute, capacity.compute)),
        "audit_events": honest.events,
        "tampered_findings": len(tampered.findings),
    }
    if problems:
        return Outcome(Verdict.INVALID, f"{len(problems)} problems, first: {problems[0]}", figures)
    if not outcomes["admitted"] or not outcomes["released"]:
        return Outcome(Verdict.UNKNOWN, "the campaign admitted or released nothing", figures)
    rejected = sum(v for k, v in outcomes.items() if k not in ("admitted", "released"))
    return Outcome(
        Verdict.VALID,
        f"{outcomes['admitted']} admitted, {rejected} rejected, {outcomes['released']} released; "
        f"rules and isolation hold at every step; auditor agrees, catches tampering",
        figures,
    )


@check("virtualization-complete", "virtualization", "§III-C")
def admission_matches_search() -> Outcome:
    """Admission equals the exhaustive first-fit search on small seeded instances (D-virt-8)."""
    rng = random.Random(SEED + 1)
    mismatches = []
    admitted = rejected = 0
    for index in range(SEARCH_INSTANCES):
        substrate = _substrate(rng, rng.randint(3, 7), linked=rng.randrange(2) == 0)
        placement = virtualization.EMPTY_PLACEMENT
        for k in range(3):
            system = _system(rng, f"s{k}", 3)
            expected = virtualization.embedding_by_search(substrate, placement, system)
            try:
                after = virtualization.admit(substrate, placement, system)
            except SpecError:
                rejected += 1
                if expected is not None:
                    mismatches.append(f"instance {index}: {system.id} rejected, search found one")
                continue
            admitted += 1
            if after.hosts_of(system.id) != expected:
                mismatches.append(f"instance {index}: {system.id} placed differently")
            placement = after
    figures = {"instances": SEARCH_INSTANCES, "admitted": admitted, "rejected": rejected}
    if mismatches:
        return Outcome(Verdict.INVALID, mismatches[0], figures)
    if not admitted or not rejected:
        return Outcome(Verdict.UNKNOWN, "the instances did not exercise both outcomes", figures)
    return Outcome(
        Verdict.VALID,
        f"{admitted} admissions and {rejected} rejections equal exhaustive search",
        figures,
    )


LOCALITIES = tuple(Fraction(k, 4) for k in range(5))
GLOBAL_SHARE = Fraction(1, 20)
WORKLOAD = 2000


@check("hierarchy-routing", "virtualization", "§IV-H")
def hierarchy_routing() -> Outcome:
    """Route seeded workloads: routes match the tree, top share falls with locality (§IV-H)."""
    nodes = [
        hierarchy.ExecutionNode(f"{region}-{i:02d}", region)
        for region in REGIONS
        for i in range(12)
    ]
    built = hierarchy.build(nodes)
    problems = [f"{x.kind.value} at {x.subject}" for x in hierarchy.validate(built)]
    graph = hierarchy.tree(built)
    rows = hierarchy.locality_sweep(built, SEED, WORKLOAD, LOCALITIES, GLOBAL_SHARE)
    txs = hierarchy.workload(built, random.Random(SEED), WORKLOAD, Fraction(1, 2), GLOBAL_SHARE)
    for tx, decided in zip(txs, hierarchy.route_all(built, txs), strict=True):
        if tx.service_class in hierarchy.GLOBAL_CLASSES or len(tx.nodes) < 2:
            continue
        ancestor = tx.nodes[0]
        for other in tx.nodes[1:]:
            ancestor = nx.lowest_common_ancestor(graph, ancestor, other)
        if decided.group != ancestor:
            problems.append(f"{tx.id} routed to {decided.group}, tree says {ancestor}")
    shares = [row.load.top_share for row in rows]
    if shares != sorted(shares, reverse=True):
        problems.append(f"top share does not fall with locality: {[str(s) for s in shares]}")
    if shares[0] != 1:
        problems.append("with no locality the top should decide everything")
    figures = {
        "groups": len(built.groups),
        "sweep": [
            {
                "locality": str(row.locality),
                "top": row.load.top,
                "top_share": str(row.load.top_share),
                "busiest_local": row.load.busiest_local,
            }
            for row in rows
        ],
    }
    if problems:
        return Outcome(Verdict.INVALID, problems[0], figures)
    return Outcome(
        Verdict.VALID,
        f"{len(built.groups)} local groups; top share {float(shares[0]):.2f} -> "
        f"{float(shares[-1]):.3f} as locality goes 0 -> 1",
        figures,
    )
