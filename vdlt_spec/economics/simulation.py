"""Run a seeded scenario of the whole economy and judge its invariants (§IV-B..§IV-K).

The scenario, from one ``random.Random(seed)``: genesis of 10^9 tokens; management/control
candidates (some failing the §IV-B requirements) and execution nodes register and bond; token
holders stake, transfer for free and vote every epoch with token locks; delegates make
decisions and are paid one at a time; execution nodes produce user blocks; an amendment
raising the inflation rate goes through polls, the exploration vote, the test system and the
confirmation vote to live; a second amendment fails its polls; a delegate double-signs and is
slashed on real BIP340 evidence, and another is slashed for vouching for a forged MuSig2
certificate. Invalid operations are mixed in on purpose, each with the reason it must be
rejected with. Every invariant of :mod:`vdlt_spec.economics.economy` is checked after every
step.

Verdict: ``invalid`` if an invariant broke or a bad operation was accepted (or rejected for
the wrong reason); ``unknown`` if the run was too short to reach every milestone (elections,
activation, slashing, free-rider comparison); ``valid`` otherwise.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from vdlt_spec.economics import economy as econ_ops
from vdlt_spec.economics.incentives import largest_remainder
from vdlt_spec.economics.operations import (
    Bond,
    EndEpoch,
    ManagementDecision,
    Operation,
    ProduceUserBlock,
    RecordPoll,
    Register,
    Stake,
    SubmitAmendment,
    SubmitEvidence,
    Transfer,
    VoteWithLock,
)
from vdlt_spec.economics.penalties import (
    DOUBLE_SIGN,
    FORGED_CERTIFICATE,
)
from vdlt_spec.economics.signing import (
    compressed_public_key,
    double_sign_evidence,
    forged_certificate_evidence,
    simulation_secret_key,
)
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import amendment, dpos
from vdlt_spec.governance.amendment import NAY, PASS, YEA, Amendment, Poll, PollGroup, Stage
from vdlt_spec.governance.dpos import NodeSpec
from vdlt_spec.governance.parameters import ParameterChange, Parameters
from vdlt_spec.roles import NodeRole
from vdlt_spec.verdict import Verdict

#: The most epochs one simulated scenario runs (16 reach every stage).
MAX_SIMULATED_EPOCHS = 1_000
SCENARIO_PARAMETERS = Parameters(poll_period_epochs=2, vote_period_epochs=2, test_period_epochs=3)
"""Default protocol parameters with short amendment stages, so a short run sees every stage."""
MIN_EPOCHS_FOR_EVERY_MILESTONE = 16
HOLDERS = 30
CANDIDATES = 25
UNQUALIFIED_CANDIDATES = 2
EXECUTORS = 8
RAISED_RATE = Fraction(3, 100)
SLASH_EPOCH = 3
ABSTAIN_CHANCE = 0.25
"""Chance that a staking holder skips an election: the free riders of §IV-J."""
DOUBLE_VOTE_ATTEMPT_CHANCE = 0.2
SCENARIO_MAX_K = 3
FAVOURITE_SKEW = 0.15
"""Rate of the exponential draw of a holder's candidate: small rates spread the votes."""
DECISIONS_PER_EPOCH = (5, 20)
BLOCKS_PER_EXECUTOR = (0, 5)
TRANSFERS_PER_EPOCH = 5
MIN_ROSTER_FOR_SLASHING = 4


@dataclass(frozen=True)
class EpochSummary:
    """Summarise one closed epoch of the scenario (amounts in the ledger's base units).

    ``staked`` is the amount staked and ``locked`` the amount locked in ballots at the epoch's
    end, all accounts together (§IV-C).
    """

    epoch: int
    delegates: int
    minted: int
    burned: int
    supply: int
    stage: str
    inflation_rate: Fraction
    events: tuple[str, ...]
    staked: int = 0
    locked: int = 0


@dataclass(frozen=True)
class SimulationReport:
    """Report a scenario run: counts, per-epoch summary, invariant verdicts, milestones."""

    seed: int
    epochs: int
    accepted: int
    rejected: dict[str, int]
    unexpected: tuple[str, ...]
    summary: tuple[EpochSummary, ...]
    invariants: dict[str, Verdict]
    milestones: dict[str, bool]
    figures: dict[str, int | str]
    verdict: Verdict
    violations: tuple[str, ...] = field(default=())


QUALIFIED_SPEC = NodeSpec(
    dedicated_ip=True,
    uptime_bp=9_995,
    bandwidth_mbps=10_000,
    cpu_cores=16,
    memory_gib=64,
    storage_gib=4_000,
)
UNQUALIFIED_SPEC = dataclasses.replace(QUALIFIED_SPEC, dedicated_ip=False, bandwidth_mbps=100)


class ScenarioRun:
    """Drive the scenario step by step, checking invariants after each step."""

    def __init__(self, seed: int, params: Parameters) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.params = params
        self.holders = [f"holder-{i:02d}" for i in range(HOLDERS)]
        self.candidates = [f"manager-{i:02d}" for i in range(CANDIDATES)]
        self.executors = [f"executor-{i:02d}" for i in range(EXECUTORS)]
        self.keys = {
            name: simulation_secret_key(seed, name)
            for name in (*self.holders, *self.candidates, *self.executors)
        }
        node_funds = 3 * params.min_collateral
        nodes = len(self.candidates) + len(self.executors)
        weights = {h: self.rng.randint(1, 100) for h in self.holders}
        allocations = largest_remainder(params.genesis_supply - nodes * node_funds, weights)
        allocations.update({n: node_funds for n in (*self.candidates, *self.executors)})
        self.econ = econ_ops.start(allocations, params)
        self.accepted = 0
        self.rejected: dict[str, int] = {}
        self.unexpected: list[str] = []
        self.violations: list[str] = []
        self.broken: set[str] = set()
        self.summary: list[EpochSummary] = []
        self.voter_rate: list[Fraction] = []
        self.nonvoter_rate: list[Fraction] = []
        self.epoch_start = (0, 0, 0, 0)

    # --- stepping ---------------------------------------------------------------------------

    def step(self, op: Operation, expect: Reason | None = None) -> bool:
        before = self.econ
        try:
            after = econ_ops.apply(before, op)
        except SpecError as exc:
            self.rejected[exc.reason.value] = self.rejected.get(exc.reason.value, 0) + 1
            if expect is not None and exc.reason != expect:
                self.unexpected.append(f"{op.op} rejected with {exc.reason.value}, not {expect}")
            return False
        if expect is not None:
            self.unexpected.append(f"{op.op} accepted, expected {expect.value}")
        self.accepted += 1
        self.econ = after
        for name, problems in econ_ops.invariant_report(after).items():
            if problems:
                self.broken.add(name)
                self.violations.extend(f"epoch {after.epoch}: {p}" for p in problems)
        return True

    # --- scenario pieces ----------------------------------------------------------------------

    def setup(self) -> None:
        params = self.params
        for i, name in enumerate(self.candidates):
            self.step(Bond(name, params.min_collateral))
            spec = UNQUALIFIED_SPEC if i < UNQUALIFIED_CANDIDATES else QUALIFIED_SPEC
            pay = self.rng.randint(1, 50) * 10**6
            expect = Reason.NODE_REQUIREMENTS_UNMET if spec is UNQUALIFIED_SPEC else None
            key = compressed_public_key(self.keys[name])
            self.step(Register(name, NodeRole.MANAGEMENT_CONTROL, key, pay, spec), expect)
        for name in self.executors:
            self.step(Bond(name, params.min_collateral))
            pay = self.rng.randint(1, 100) * 10**6
            key = compressed_public_key(self.keys[name])
            self.step(Register(name, NodeRole.EXECUTION, key, pay, QUALIFIED_SPEC))
        # an execution node cannot also stand for election (role separation, §IV-B)
        spare = compressed_public_key(simulation_secret_key(self.seed, "spare"))
        self.step(
            Register(self.executors[0], NodeRole.MANAGEMENT_CONTROL, spare, 1, QUALIFIED_SPEC),
            Reason.ALREADY_REGISTERED,
        )
        for holder in self.holders:
            free = self.econ.ledger.account(holder).free
            self.step(Stake(holder, free // 2))

    def votes(self) -> None:
        ballot = self.econ.registry.election
        if ballot is None or not ballot.options:
            return
        favourites = list(ballot.options)
        self.rng.shuffle(favourites)
        for candidate in ballot.options:  # candidates vote for themselves, as EOS producers do
            free = self.econ.ledger.account(candidate).free
            if free > 0:
                self.step(VoteWithLock(candidate, ballot.ballot_id, free // 4, 1, candidate))
        for holder in self.holders:
            if self.rng.random() < ABSTAIN_CHANCE:
                continue  # a registered voter who does not vote (free rider, §IV-J)
            free = self.econ.ledger.account(holder).free
            if free < 10:
                continue
            amount = self.rng.randint(1, free // 10)
            k = self.rng.randint(1, SCENARIO_MAX_K)
            choice = favourites[min(int(self.rng.expovariate(FAVOURITE_SKEW)), len(favourites) - 1)]
            voted = self.step(VoteWithLock(holder, ballot.ballot_id, amount, k, choice))
            if voted and self.rng.random() < DOUBLE_VOTE_ATTEMPT_CHANCE:
                self.step(VoteWithLock(holder, ballot.ballot_id, 1, 1, choice), Reason.DOUBLE_VOTE)
        counted = self.econ.registry.election or ballot
        abstainers = [h for h in self.holders if h not in counted.choices]
        if not abstainers:
            return
        voter = abstainers[0]
        self.step(
            VoteWithLock(voter, ballot.ballot_id, 1, 0, favourites[0]), Reason.BAD_LOCK_MULTIPLIER
        )
        too_much = self.econ.ledger.account(voter).balance + 1
        self.step(
            VoteWithLock(voter, ballot.ballot_id, too_much, 1, favourites[0]),
            Reason.INSUFFICIENT_FREE_TOKENS,
        )
        self.step(
            VoteWithLock(voter, ballot.ballot_id, 1, 1, "nobody"),
            Reason.UNKNOWN_OPTION,
        )

    def work(self) -> None:
        if self.econ.registry.delegates:
            for _ in range(self.rng.randint(*DECISIONS_PER_EPOCH)):
                self.step(ManagementDecision())
            delegate = self.econ.registry.delegates[0]
            self.step(ProduceUserBlock(delegate), Reason.DELEGATE_PRODUCED_USER_BLOCK)
        for name in self.executors:
            for _ in range(self.rng.randint(*BLOCKS_PER_EXECUTOR)):
                self.step(ProduceUserBlock(name))
        for _ in range(TRANSFERS_PER_EPOCH):
            src, dst = self.rng.sample(self.holders, 2)
            free = self.econ.ledger.account(src).free
            if free > 0:
                self.step(Transfer(src, dst, self.rng.randint(1, free)))

    def governance(self, epoch: int) -> None:
        gov = self.econ.governance
        if gov.stage == Stage.PROPOSAL:
            if not gov.activated and "raise-inflation" not in gov.amendments:
                change = ParameterChange("inflation_rate", RAISED_RATE)
                proposal = Amendment("raise-inflation", self.holders[1], (change,), "3 % a year")
                self.step(SubmitAmendment(proposal))
            elif gov.activated and "lower-collateral" not in gov.amendments:
                change = ParameterChange(
                    "min_collateral", Fraction(self.params.min_collateral // 2)
                )
                proposal = Amendment("lower-collateral", self.holders[2], (change,), "halve it")
                self.step(SubmitAmendment(proposal))
            return
        current = gov.current
        if gov.stage == Stage.POLLING and not gov.polls:
            favourable = current == "raise-inflation"
            for group in PollGroup:
                yes = self.rng.randint(60, 100) if favourable else self.rng.randint(0, 30)
                self.step(RecordPoll(Poll(group, yes, 100 - yes)))
            self.step(RecordPoll(Poll(PollGroup.USERS, 1, 1)), Reason.DUPLICATE_POLL)
        if gov.stage in (Stage.EXPLORATION, Stage.CONFIRMATION) and gov.ballot is not None:
            ballot = gov.ballot
            for holder in self.holders:
                if holder in ballot.choices:
                    continue
                free = self.econ.ledger.account(holder).free
                if free < 10:
                    continue
                option = self.rng.choices((YEA, NAY, PASS), weights=(90, 5, 5))[0]
                amount = free // 2
                self.step(VoteWithLock(holder, ballot.ballot_id, amount, 1, option))

    def slashing(self, epoch: int) -> None:
        roster = self.econ.registry.rosters.get(epoch, ())
        if epoch != SLASH_EPOCH or len(roster) < MIN_ROSTER_FOR_SLASHING:
            return
        offender = roster[0]
        evidence = double_sign_evidence(
            self.keys[offender.account], epoch, view=epoch, seq=7, roster=[e.key for e in roster]
        )
        reporter = self.holders[3]
        self.step(SubmitEvidence(reporter, evidence))
        self.step(SubmitEvidence(reporter, evidence), Reason.DUPLICATE_EVIDENCE)
        forged = dataclasses.replace(evidence, second=evidence.first)
        self.step(SubmitEvidence(reporter, forged), Reason.BAD_EVIDENCE)
        # a delegate reporting its own double signing loses more than it gains
        self_reporter = roster[1]
        before = self.econ.ledger.account(self_reporter.account).balance
        own = double_sign_evidence(
            self.keys[self_reporter.account],
            epoch,
            view=epoch,
            seq=8,
            roster=[e.key for e in roster],
        )
        if self.step(SubmitEvidence(self_reporter.account, own)):
            after = self.econ.ledger.account(self_reporter.account).balance
            if after >= before:
                self.unexpected.append("self-reporting did not cost the reporter")
        # a delegate vouches for a certificate that two signers made but claims all signed
        keys = tuple(e.key for e in roster)
        secrets = {i: self.keys[e.account] for i, e in enumerate(roster)}
        forger = roster[2]
        forgery = forged_certificate_evidence(
            self.keys[forger.account], keys, {0: secrets[0], 1: secrets[1]}, epoch, epoch, 11
        )
        self.step(SubmitEvidence(reporter, forgery))
        # a claim about a certificate that does verify is no evidence
        honest = forged_certificate_evidence(
            self.keys[roster[3].account], keys, secrets, epoch, epoch, 12
        )
        self.step(SubmitEvidence(reporter, honest), Reason.CERTIFICATE_VALID)

    def stale(self, epoch: int) -> None:
        old = epoch - self.econ.params.evidence_window_epochs - 1
        if old < 1 or old != SLASH_EPOCH:
            return
        offender = dpos.RosterEntry("?", b"", 0)
        for e in range(old, epoch + 1):
            for entry in self.econ.registry.rosters.get(e, ()):
                offender = entry
        if not offender.key:
            return
        evidence = double_sign_evidence(
            self.keys[offender.account],
            old,
            view=old,
            seq=9,
            roster=[e.key for e in self.econ.registry.rosters.get(old, ())],
        )
        self.step(SubmitEvidence(self.holders[4], evidence), Reason.STALE_EVIDENCE)

    def begin_epoch(self) -> None:
        self.epoch_start = (
            self.econ.ledger.minted,
            self.econ.ledger.burned,
            len(self.econ.governance.history),
            len(self.econ.penalties.slashes),
        )

    def end_epoch(self, epoch: int) -> None:
        minted, burned, history, slashes = self.epoch_start
        voters = self.econ.activity.voters
        stakes = {n: a.staked for n, a in self.econ.ledger.accounts.items() if a.staked > 0}
        payouts_before = len(self.econ.payouts)
        self.step(EndEpoch())
        staking = {
            p.account: p.amount for p in self.econ.payouts[payouts_before:] if p.reason == "staking"
        }
        voted = [Fraction(staking.get(n, 0), s) for n, s in stakes.items() if n in voters]
        idle = [Fraction(staking.get(n, 0), s) for n, s in stakes.items() if n not in voters]
        if voted and idle:
            self.voter_rate.append(min(voted))
            self.nonvoter_rate.append(max(idle))
        events = [
            f"{h.amendment_id}: {h.event.value}"
            for h in self.econ.governance.history[history:]
            if h.event != amendment.Event.TEST_EPOCH_PASSED
        ]
        events.extend(
            f"slashed {s.offender}: {s.slashed} (reporter {s.reporter} +{s.reward})"
            for s in self.econ.penalties.slashes[slashes:]
        )
        self.summary.append(
            EpochSummary(
                epoch=epoch,
                delegates=len(self.econ.registry.delegates),
                minted=self.econ.ledger.minted - minted,
                burned=self.econ.ledger.burned - burned,
                supply=self.econ.ledger.supply,
                stage=self.econ.governance.stage.value,
                inflation_rate=self.econ.params.inflation_rate,
                events=tuple(events),
                staked=sum(a.staked for a in self.econ.ledger.accounts.values()),
                locked=sum(a.locked for a in self.econ.ledger.accounts.values()),
            )
        )


def check_epochs(epochs: int, where: str = "epochs") -> int:
    """Return ``epochs`` if the scenario can run that many: 1..``MAX_SIMULATED_EPOCHS`` (§IV-B).

    Anything else (zero, a negative count, more epochs than the bound, a non-integer) is
    ``BAD_USAGE``; ``where`` names the input in the message, e.g. a command-line option.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int):
        raise SpecError(Reason.BAD_USAGE, f"{where} must be an integer, got {epochs!r}")
    if not 1 <= epochs <= MAX_SIMULATED_EPOCHS:
        raise SpecError(Reason.BAD_USAGE, f"{where} must be 1..{MAX_SIMULATED_EPOCHS}: {epochs}")
    return epochs


def simulate(
    seed: int,
    epochs: int,
    params: Parameters = SCENARIO_PARAMETERS,
    on_progress: Callable[[int, int], None] | None = None,
) -> SimulationReport:
    """Run the seeded scenario for ``epochs`` epochs and judge it (§IV-B..§IV-K).

    ``epochs`` must pass :func:`check_epochs` (``BAD_USAGE`` otherwise). ``on_progress``, if
    given, is called with (epochs done, ``epochs``) after each epoch.
    """
    check_epochs(epochs)
    run = ScenarioRun(seed, params)
    run.setup()
    for epoch in range(epochs):
        run.begin_epoch()
        run.votes()
        run.work()
        run.governance(epoch)
        run.slashing(epoch)
        run.stale(epoch)
        run.end_epoch(epoch)
        if on_progress is not None:
            on_progress(epoch + 1, epochs)
    econ = run.econ
    delegates_seen = max((s.delegates for s in run.summary), default=0)
    milestones = {
        "delegates elected": delegates_seen > 0,
        "K delegates seated": delegates_seen == econ.params.delegate_count,
        "amendment went live": "raise-inflation" in econ.governance.activated,
        "amendment failed and returned to proposal": any(
            h.event in amendment.FAILURES for h in econ.governance.history
        ),
        "a double signer was slashed": any(
            s.offence.startswith(DOUBLE_SIGN) for s in econ.penalties.slashes
        ),
        "a certificate forger was slashed": any(
            s.offence.startswith(FORGED_CERTIFICATE) for s in econ.penalties.slashes
        ),
        "free riders earned less than voters": bool(run.voter_rate),
    }
    if any(v <= n for v, n in zip(run.voter_rate, run.nonvoter_rate, strict=True)):
        run.unexpected.append("a non-voting staker earned as much per token as a voter")
    invariants = {
        name: Verdict.INVALID if name in run.broken else Verdict.VALID
        for name in econ_ops.INVARIANTS
    }
    if run.violations or run.unexpected:
        verdict = Verdict.INVALID
    elif not all(milestones.values()):
        verdict = Verdict.UNKNOWN
    else:
        verdict = Verdict.VALID
    figures: dict[str, int | str] = {
        "supply": econ.ledger.supply,
        "minted": econ.ledger.minted,
        "burned": econ.ledger.burned,
        "paid_out": econ.paid_out,
        "slashed": sum(s.slashed for s in econ.penalties.slashes),
        "reporter_rewards": sum(s.reward for s in econ.penalties.slashes),
        "amendments_live": len(econ.governance.activated),
        "parameters_version": econ.governance.version,
        "inflation_rate": str(econ.params.inflation_rate),
        "elections_failed": econ.elections_failed,
    }
    if not econ.genesis_params.conforming:
        figures["parameters"] = "experimental: not vDLT, §IV-I's genesis limits waived"
    return SimulationReport(
        seed=seed,
        epochs=epochs,
        accepted=run.accepted,
        rejected=dict(sorted(run.rejected.items())),
        unexpected=tuple(run.unexpected),
        summary=tuple(run.summary),
        invariants=invariants,
        milestones=milestones,
        figures=figures,
        verdict=verdict,
        violations=tuple(run.violations[:20]),
    )
