"""Self-checks of the token economy, run by ``vdlt verify`` (§IV-B..§IV-K)."""

from __future__ import annotations

import random

from vdlt_spec.checks import Outcome, check
from vdlt_spec.economics import incentives
from vdlt_spec.economics.campaign import campaign
from vdlt_spec.economics.simulation import simulate
from vdlt_spec.governance.parameters import Parameters
from vdlt_spec.verdict import Verdict, combine

COMPONENT = "economics"
SCENARIO_SEEDS = (0, 1)
SCENARIO_EPOCHS = 16
CAMPAIGN_SEEDS = (0, 1, 2)
CAMPAIGN_STEPS = 400
MEDIAN_TRIALS = 2_000
FREE_RIDER_TRIALS = 500


@check("economy-scenario", COMPONENT, "§IV-B..§IV-K")
def economy_scenario() -> Outcome:
    """Run the seeded scenario (elections, amendment, inflation, slashing); all invariants hold."""
    reports = [simulate(seed, SCENARIO_EPOCHS) for seed in SCENARIO_SEEDS]
    verdict = combine(r.verdict for r in reports)
    missed = sorted({m for r in reports for m, ok in r.milestones.items() if not ok})
    problems = [p for r in reports for p in (*r.unexpected, *r.violations)]
    detail = (
        f"seeds {list(SCENARIO_SEEDS)}, {SCENARIO_EPOCHS} epochs each: "
        f"{sum(r.accepted for r in reports)} operations accepted, "
        f"{sum(sum(r.rejected.values()) for r in reports)} rejected as expected"
    )
    if problems:
        detail = f"{detail}; first problem: {problems[0]}"
    elif missed:
        detail = f"{detail}; milestones not reached: {', '.join(missed)}"
    figures = {f"seed-{r.seed}": r.figures for r in reports}
    return Outcome(verdict, detail, figures)


@check("economy-random-campaign", COMPONENT, "§IV-C, §IV-I, §IV-J, §IV-K")
def economy_random_campaign() -> Outcome:
    """Apply seeded random operations, valid and invalid; every invariant holds after each."""
    reports = [campaign(seed, CAMPAIGN_STEPS) for seed in CAMPAIGN_SEEDS]
    verdict = combine(r.verdict for r in reports)
    rejected = sum(sum(r.rejected.values()) for r in reports)
    accepted = sum(r.accepted for r in reports)
    detail = (
        f"{len(reports)} x {CAMPAIGN_STEPS} random steps after setup: {accepted} accepted,"
        f" {rejected} rejected, {sum(r.slashes for r in reports)} slashes"
    )
    violations = [v for r in reports for v in r.violations]
    if violations:
        detail = f"{detail}; {violations[0]}"
    if rejected == 0:
        verdict = combine([verdict, Verdict.UNKNOWN])  # nothing invalid was exercised
    return Outcome(verdict, detail, {"rejected_by_reason": [r.rejected for r in reports]})


@check("median-pay-robustness", COMPONENT, "§IV-I")
def median_pay_robustness() -> Outcome:
    """Show fewer than half of the declarers cannot push the median outside the honest range."""
    rng = random.Random(0)
    held = moved_at_half = 0
    for _ in range(MEDIAN_TRIALS):
        honest = [rng.randint(0, 1_000) for _ in range(rng.randint(1, 15))]
        liars = [rng.choice([0, 10**12]) for _ in range(rng.randint(0, len(honest) - 1))]
        pay = incentives.median_pay(honest + liars)
        held += min(honest) <= pay <= max(honest)
        # at one half the bound is tight: as many liars as honest declarers can move it
        half = [0] * len(honest)
        lifted = [h + 1 for h in honest]
        moved_at_half += incentives.median_pay(lifted + half) < min(lifted)
    verdict = Verdict.VALID if held == MEDIAN_TRIALS else Verdict.INVALID
    detail = (
        f"{held}/{MEDIAN_TRIALS} minority-liar trials stayed in the honest range;"
        f" {moved_at_half}/{MEDIAN_TRIALS} half-liar trials moved it (the bound is tight)"
    )
    if moved_at_half == 0:
        verdict = combine([verdict, Verdict.UNKNOWN])
    return Outcome(verdict, detail, {"held": held, "moved_at_half": moved_at_half})


@check("free-riders-earn-less", COMPONENT, "§IV-J")
def free_riders_earn_less() -> Outcome:
    """Show a registered voter who does not vote never earns more than an equal one who does."""
    rng = random.Random(1)
    params = Parameters()
    strictly_less = violations = 0
    for _ in range(FREE_RIDER_TRIALS):
        stake = rng.randint(1, 10**9)
        others = {f"o{i}": rng.randint(0, 10**9) for i in range(rng.randint(0, 6))}
        stakes = {**others, "voter": stake, "idler": stake}
        voted = frozenset({"voter"} | {o for o in others if rng.random() < 0.5})
        pool = rng.randint(0, 10**10)
        paid = incentives.staker_payouts(stakes, voted, pool, params)
        violations += paid["idler"] > paid["voter"] or sum(paid.values()) not in (0, pool)
        strictly_less += paid["idler"] < paid["voter"]
    verdict = Verdict.VALID if violations == 0 else Verdict.INVALID
    detail = (
        f"{FREE_RIDER_TRIALS} trials: idler earned less in {strictly_less}, more in {violations}"
    )
    return Outcome(verdict, detail, {"strictly_less": strictly_less, "violations": violations})
