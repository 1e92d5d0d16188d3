"""Self-checks of the consensus component: safety campaign, certificates, accountability, O(n)."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import z3

from vdlt_spec.checks import Outcome, check
from vdlt_spec.consensus import (
    Behaviour,
    ConsensusConfig,
    Crash,
    FaultPlan,
    Mode,
    NetworkParams,
    Partition,
    RealScheme,
    Scenario,
    Signatures,
    SigningDomain,
    VoteKind,
    certify,
    culprits,
    make_scheme,
    simulate,
    verify_proof,
    vote_payload,
)
from vdlt_spec.consensus.block import block_digest
from vdlt_spec.consensus.messages import NewView
from vdlt_spec.consensus.sim.explore import (
    KEY_SITUATIONS,
    explore,
    plan_entries,
)
from vdlt_spec.consensus.sim.view_change_script import differing_prepared_run
from vdlt_spec.crypto import Certificate, encode_bitmap, max_faulty, quorum_size
from vdlt_spec.models import domain, pbft
from vdlt_spec.verdict import Verdict

COMPONENT = "consensus"
SECTION = "§III-D, §IV-D"
CAMPAIGN_SEEDS = range(8)
CAMPAIGN_SIZES = (4, 7)
CHECK_SEED = 2024
GROWTH_SIZES = (4, 16)
EXPLORE_SEEDS = range(4)
EXPLORE_STEPS = 1_500


def _campaign_scenario(seed: int) -> Scenario:
    """Build one seeded campaign run: f Byzantine, a healing partition, a crash, lossy links."""
    rng = random.Random(f"consensus-campaign/{seed}")
    n = CAMPAIGN_SIZES[seed % len(CAMPAIGN_SIZES)]
    f = max_faulty(n)
    members = rng.sample(range(n), n)
    byzantine = {i: rng.choice(list(Behaviour)) for i in members[:f]}
    heal = rng.randint(300, 1200)
    partition = Partition(rng.randint(0, 200), heal, (tuple(members[f : f + f + 1]),))
    down = rng.randint(0, 400)
    crash = Crash(members[-1], down, max(heal, down + 1))  # it recovers, at the heal or after
    return Scenario(
        ConsensusConfig(n, mode=list(Mode)[seed % 2]),
        seed=seed,
        network=NetworkParams(1, 20, Fraction(1, 20), Fraction(1, 20)),
        faults=FaultPlan((partition,), (crash,)),
        byzantine=byzantine,
        requests=8,
        request_interval=25,
        max_time=80_000,
    )


@check("consensus-safety-campaign", COMPONENT, SECTION)
def safety_campaign() -> Outcome:
    """Simulate f Byzantine replicas, partitions, crashes, view changes (§III-D)."""
    runs = [simulate(_campaign_scenario(seed)) for seed in CAMPAIGN_SEEDS]
    bad = [r.seed for r in runs if r.conflicts or r.unproven or r.verdict == Verdict.INVALID]
    stuck = [r.seed for r in runs if not r.requests_complete]
    view_changes = sum(1 for r in runs if r.new_views)
    figures = {
        "runs": len(runs),
        "decided": sum(r.decided_seqs for r in runs),
        "runs_with_view_changes": view_changes,
        "unsafe_seeds": bad,
        "incomplete_seeds": stuck,
    }
    if bad:
        return Outcome(Verdict.INVALID, f"safety violated in seeds {bad}", figures)
    if stuck:
        return Outcome(Verdict.INVALID, f"requests not executed after healing: {stuck}", figures)
    if not view_changes or any(r.verdict == Verdict.UNKNOWN for r in runs):
        return Outcome(Verdict.UNKNOWN, "the campaign did not exercise view changes", figures)
    return Outcome(
        Verdict.VALID,
        f"{len(runs)} runs safe and live, {view_changes} with view changes",
        figures,
    )


@check("consensus-certificates", COMPONENT, "§IV-D")
def certificates_in_consensus() -> Outcome:
    """Check commit certificates: quorum, forged bitmap, outsider, other vote (§IV-D)."""
    n = 7
    scheme = RealScheme(n, CHECK_SEED)
    digest = bytes(range(32))
    domain = SigningDomain.of(scheme.roster)
    message = vote_payload(domain, VoteKind.COMMIT, 3, 11, digest)
    q = quorum_size(n)
    good = certify(scheme, tuple(range(q)), message, b"check")
    small = certify(scheme, tuple(range(q - 1)), message, b"check")
    cases = {
        "quorum certificate accepted": (good, True, VoteKind.COMMIT),
        "sub-quorum certificate refused": (small, False, VoteKind.COMMIT),
        "forged bitmap refused": (
            Certificate(encode_bitmap(range(q + 1), n), good.signature),
            False,
            VoteKind.COMMIT,
        ),
        "signer outside roster refused": (
            Certificate(bytes([good.bitmap[0] | 0x80]), good.signature),
            False,
            VoteKind.COMMIT,
        ),
        "certificate of another vote refused": (good, False, VoteKind.PREPARE),
    }
    wrong = [
        name
        for name, (cert, expected, kind) in cases.items()
        if verify_proof(scheme, domain, kind, 3, 11, digest, cert) != expected
    ]
    run = simulate(
        Scenario(ConsensusConfig(4), seed=CHECK_SEED, requests=4, signatures=Signatures.REAL)
    )
    figures = {"cases": len(cases), "wrong": wrong, "real_run_commits": len(run.commits)}
    if wrong:
        return Outcome(Verdict.INVALID, f"wrong decisions: {', '.join(wrong)}", figures)
    if run.verdict != Verdict.VALID or run.unproven:
        return Outcome(Verdict.INVALID, "a real-signature run has unproven commits", figures)
    return Outcome(
        Verdict.VALID,
        f"{len(cases)} certificate cases right; {len(run.commits)} real commit proofs verify",
        figures,
    )


@check("consensus-accountability", COMPONENT, "§IV-D, §IV-J")
def accountability() -> Outcome:
    """Break safety with f + 1 colluders; the evidence names exactly them (§IV-J)."""
    n = 4
    byzantine = {0: Behaviour.EQUIVOCATE, 1: Behaviour.DOUBLE_VOTE}
    scenario = Scenario(ConsensusConfig(n), seed=CHECK_SEED, byzantine=byzantine, requests=4)
    scheme = make_scheme(scenario.signatures, n, scenario.seed)
    result = simulate(scenario, scheme)
    named = sorted({e.culprit for e in culprits(result, scheme)})
    figures = {"conflicts": len(result.conflicts), "named": named, "byzantine": sorted(byzantine)}
    if not result.conflicts:
        return Outcome(Verdict.UNKNOWN, "f + 1 colluders produced no conflict", figures)
    if not set(named) <= set(byzantine):
        return Outcome(Verdict.INVALID, f"an honest replica was named: {named}", figures)
    if len(named) < max_faulty(n) + 1:
        return Outcome(Verdict.INVALID, f"only {len(named)} culprits named", figures)
    return Outcome(
        Verdict.VALID,
        f"{len(result.conflicts)} conflicting commits; culprits {named}, all Byzantine",
        figures,
    )


@check("consensus-linear-messages", COMPONENT, "§IV-D")
def linear_messages() -> Outcome:
    """Count normal-case messages per decision: iPBFT 5(n-1) + 4(q-1), classic 2n(n-1) (§IV-D)."""
    counts: dict[str, dict[int, float]] = {"ipbft": {}, "classic": {}}
    wrong = []
    for n in GROWTH_SIZES:
        q = quorum_size(n)
        expected = {"ipbft": 5 * (n - 1) + 4 * (q - 1), "classic": 2 * n * (n - 1)}
        for mode in Mode:
            config = ConsensusConfig(
                n, mode=mode, max_batch=1, checkpoint_interval=64, window=64, max_inflight=1
            )
            result = simulate(Scenario(config, seed=CHECK_SEED, requests=4, request_interval=0))
            per = result.metrics.messages / max(result.decided_seqs, 1)
            counts[str(mode)][n] = per
            if per != expected[str(mode)]:
                wrong.append(f"{mode} n={n}: {per} != {expected[str(mode)]}")
    figures = {"messages_per_decision": counts}
    if wrong:
        return Outcome(Verdict.INVALID, "; ".join(wrong), figures)
    small, large = GROWTH_SIZES
    grow = {m: counts[m][large] / counts[m][small] for m in counts}
    return Outcome(
        Verdict.VALID,
        f"n {small}->{large}: iPBFT x{grow['ipbft']:.1f}, classic x{grow['classic']:.1f} "
        "messages per decision (exact formulas hold)",
        figures,
    )


# --- the view-change rule: scripted differing certificates, exploration, the Z3 model -------


def _view_term(view: int, terms: dict[int, Any]) -> Any:
    if view not in terms:
        terms[view] = z3.Const(f"explored_view{view}", domain.View)
    return terms[view]


def _reports(rows: list[tuple[Any, Any, Any]], new_view: Any) -> Any:
    """Return the model's ``vc`` relation holding exactly the given (replica, view, digest)."""

    def vc(r: Any, w: Any, v: Any, d: Any) -> Any:
        return z3.Or(*[z3.And(r == rr, w == new_view, v == vv, d == dd) for rr, vv, dd in rows])

    return vc


def new_view_model_mismatches(nv: NewView) -> list[str]:
    """Return where a new view's re-proposals differ from the Z3 model's new-view rule (§III-D).

    For every sequence number the new view re-proposes, the guard of the model's ``new-view``
    action (:mod:`vdlt_spec.models.pbft`) is evaluated on the view changes the new view
    carries: a quorum of reports (view, digest), or none. The re-proposed digest must satisfy
    it; an empty list means the code chose what the model allows everywhere.
    """
    action = next(a for a in pbft.ACTIONS if a.name == "new-view")
    low = max(vc.stable_seq for vc in nv.view_changes)
    none_digest = z3.Const("explored_no_digest", domain.Digest)
    wrong: list[str] = []
    for pp in nv.pre_prepares:
        if pp.seq <= low:
            continue
        views: dict[int, Any] = {-1: domain.no_view, 0: domain.first_view}
        digests: dict[bytes, Any] = {}
        rows = []
        for vc in nv.view_changes:
            replica = z3.Const(f"explored_replica{vc.replica}", domain.Replica)
            entry = next((e for e in vc.prepared if e.seq == pp.seq), None)
            if entry is None:
                rows.append((replica, domain.no_view, none_digest))
                continue
            digest = digests.setdefault(
                entry.digest, z3.Const(f"explored_digest_{entry.digest.hex()}", domain.Digest)
            )
            rows.append((replica, _view_term(entry.view, views), digest))
        chosen = block_digest(pp.block)
        proposal = digests.setdefault(
            chosen, z3.Const(f"explored_digest_{chosen.hex()}", domain.Digest)
        )
        new_view = _view_term(nv.view, views)
        x = z3.Const("explored_x", domain.Replica)
        state = {"vc": _reports(rows, new_view)}
        solver = z3.Solver()
        solver.add(z3.Distinct(*views.values()), z3.Distinct(none_digest, *digests.values()))
        solver.add(z3.Distinct(*{str(r): r for r, _, _ in rows}.values()))
        for a, ta in views.items():
            for b, tb in views.items():
                fact = domain.view_le(ta, tb)
                solver.add(fact if a <= b else z3.Not(fact))
        solver.add(
            z3.ForAll([x], domain.member(x, pbft.qa) == z3.Or(*[x == r for r, _, _ in rows]))
        )
        solver.add(pbft.wa == new_view, pbft.da == proposal, *action.guard(state))
        if solver.check() != z3.sat:
            wrong.append(f"view {nv.view} seq {pp.seq}: re-proposes {chosen.hex()[:12]}")
    return wrong


@check("consensus-view-change-rule", COMPONENT, SECTION)
def view_change_rule() -> Outcome:
    """Re-propose the highest-view certificate when one slot has two blocks prepared (§III-D)."""
    figures: dict[str, Any] = {}
    problems: list[str] = []
    reached = 0
    for mode in Mode:
        cluster = differing_prepared_run(mode)
        new_views = list(dict.fromkeys(nv for _, nv in cluster.accepted))
        differing = [
            nv
            for nv in new_views
            if any(
                len({(e.view, e.digest) for e in entries}) > 1
                and len({e.digest for e in entries}) > 1
                for entries in plan_entries(nv).values()
            )
        ]
        reached += len(differing)
        conflicts = cluster.conflicts()
        mismatches = [m for nv in new_views for m in new_view_model_mismatches(nv)]
        figures[str(mode)] = {
            "new_views": len(new_views),
            "with_differing_prepared_blocks": len(differing),
            "conflicts": len(conflicts),
            "model_mismatches": mismatches,
        }
        if conflicts:
            problems.append(f"{mode}: two blocks committed at seq {conflicts[0][0].seq}")
        problems += [f"{mode}: {m}" for m in mismatches]
    explored = [explore(seed, EXPLORE_STEPS) for seed in EXPLORE_SEEDS]
    coverage = {name: sum(r.coverage.get(name, 0) for r in explored) for name in KEY_SITUATIONS}
    figures["exploration"] = coverage
    problems += [f"exploration seed {r.seed}: {r.violation}" for r in explored if r.violation]
    problems += [
        f"exploration seed {r.seed}: {m}"
        for r in explored
        for nv in r.new_views
        for m in new_view_model_mismatches(nv)
    ]
    if problems:
        return Outcome(Verdict.INVALID, "; ".join(problems[:3]), figures)
    if not reached or not coverage["prepared-differing-blocks"]:
        return Outcome(Verdict.UNKNOWN, "no slot had two different prepared blocks", figures)
    return Outcome(
        Verdict.VALID,
        f"{reached} new views over differing prepared blocks keep the highest-view one; "
        f"{len(explored)} explorations safe, every new view as the Z3 model allows",
        figures,
    )
