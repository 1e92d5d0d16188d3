"""Apply random operations, valid and invalid, and check the economy after each (§IV-B..§IV-K).

The campaign starts from the scenario's set-up
(:class:`vdlt_spec.economics.simulation.ScenarioRun`) and draws operations that touch every
kind of transition.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from vdlt_spec.economics.operations import (
    Bond,
    EndEpoch,
    ManagementDecision,
    Operation,
    ProduceUserBlock,
    RecordPoll,
    Stake,
    SubmitAmendment,
    SubmitEvidence,
    Transfer,
    Unstake,
    VoteWithLock,
)
from vdlt_spec.economics.signing import double_sign_evidence
from vdlt_spec.economics.simulation import ScenarioRun
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance.amendment import NAY, PASS, YEA, Amendment, Poll, PollGroup, Stage
from vdlt_spec.governance.parameters import ParameterChange, Parameters
from vdlt_spec.verdict import Verdict


@dataclass(frozen=True)
class CampaignReport:
    """Report a random-operation campaign: what was tried, accepted, and what broke."""

    seed: int
    steps: int
    accepted: int
    rejected: dict[str, int]
    slashes: int
    amendments_live: int
    violations: tuple[str, ...]
    verdict: Verdict


CAMPAIGN_PARAMETERS = Parameters(
    poll_period_epochs=1, vote_period_epochs=3, test_period_epochs=1, epochs_per_year=10
)
"""Short stages and a ten-epoch year, so a campaign crosses years and amendment stages."""
CAMPAIGN_END_EPOCH_CHANCE = 0.04


def _random_operation(run: ScenarioRun, rng: random.Random) -> Operation:
    """Draw one operation, valid or not, touching every kind of transition."""
    econ = run.econ
    names = [*run.holders, *run.candidates[:6], *run.executors[:2], "stranger"]
    who, other = rng.choice(names), rng.choice(names)
    amount = rng.choice([-1, 0, 1, rng.randint(1, 10**9), rng.randint(1, 10**13)])
    election = econ.registry.election
    ballot = econ.governance.ballot
    ballots = [b.ballot_id for b in (election, ballot) if b is not None] + ["no-such-ballot"]
    options = [*(election.options if election else ()), YEA, NAY, PASS, "nobody"]
    roster = econ.registry.rosters.get(econ.epoch, ())
    if rng.random() < CAMPAIGN_END_EPOCH_CHANCE:
        return EndEpoch()
    kind = rng.randrange(12)
    if kind == 0:
        return Transfer(who, other, amount, rng.choice([0, 0, 1, -1]))
    if kind == 1:
        return Stake(who, amount) if rng.random() < 0.7 else Unstake(who, amount)
    if kind == 2:
        return Bond(who, amount)
    if kind == 3:
        return VoteWithLock(
            who, rng.choice(ballots), amount, rng.randint(0, 9), rng.choice(options)
        )
    if kind == 4:
        change = rng.choice(
            [
                ParameterChange("inflation_rate", Fraction(rng.randint(0, 8), 100)),
                ParameterChange("delegate_count", Fraction(rng.randint(1, 30))),
                ParameterChange("genesis_supply", Fraction(1)),
            ]
        )
        return SubmitAmendment(Amendment(f"c{rng.randrange(10**6)}", who, (change,)))
    if kind == 5:
        group = rng.choice(list(PollGroup))
        return RecordPoll(Poll(group, rng.randint(40, 100), rng.randint(0, 60)))
    if kind == 6:
        return ManagementDecision()
    if kind == 7:
        return ProduceUserBlock(rng.choice([*run.executors, *run.candidates[:3], who]))
    if kind == 8 and roster:
        signer = rng.choice(roster).account
        back = rng.randint(0, 4)
        epoch = max(0, econ.epoch - back)
        keys = [e.key for e in econ.registry.rosters.get(epoch, ())]
        evidence = double_sign_evidence(
            run.keys[signer], epoch, rng.randint(0, 3), rng.randint(0, 3), roster=keys
        )
        return SubmitEvidence(who, evidence)
    if kind == 9 and ballot is not None:
        # a cooperative voter, so amendment votes can pass
        holder = rng.choice(run.holders)
        free = econ.ledger.account(holder).free
        return VoteWithLock(holder, ballot.ballot_id, max(1, free // 2), 1, YEA)
    if kind == 10 and econ.governance.stage == Stage.POLLING:
        return RecordPoll(Poll(rng.choice(list(PollGroup)), 9, 1))
    # otherwise a candidate votes for itself, so elections seat delegates
    candidate = rng.choice(run.candidates)
    free = econ.ledger.account(candidate).free
    ballot_id = election.ballot_id if election is not None else "no-such-ballot"
    return VoteWithLock(candidate, ballot_id, max(1, free // 4), 1, candidate)


def campaign(seed: int, steps: int, params: Parameters = CAMPAIGN_PARAMETERS) -> CampaignReport:
    """Apply ``steps`` random operations, valid and invalid, checking invariants (§IV-B..§IV-K).

    A rejected operation must leave the economy equal to what it was; an accepted one must
    keep every invariant of :func:`vdlt_spec.economics.economy.invariant_report`.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise SpecError(Reason.BAD_USAGE, f"steps must be a positive integer, got {steps!r}")
    run = ScenarioRun(seed, params)
    run.setup()
    rng = random.Random(seed)
    for _ in range(steps):
        before = run.econ
        op = _random_operation(run, rng)
        if not run.step(op) and run.econ is not before:
            run.violations.append(f"rejected {op.op} replaced the economy")
    econ = run.econ
    verdict = Verdict.INVALID if run.violations else Verdict.VALID
    return CampaignReport(
        seed=seed,
        steps=steps,
        accepted=run.accepted,
        rejected=dict(sorted(run.rejected.items())),
        slashes=len(econ.penalties.slashes),
        amendments_live=len(econ.governance.activated),
        violations=tuple(run.violations[:20]),
        verdict=verdict,
    )
