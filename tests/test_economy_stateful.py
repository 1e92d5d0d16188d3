"""Stateful Hypothesis tests over the whole economy (§IV-B, §IV-C, §IV-I, §IV-J, §IV-K).

Random sequences of transfers, stakes, bonds, registrations, locks, votes, elections,
amendments, epochs with inflation, rewards and slashings, with invalid operations mixed in.
After every step every invariant of :func:`vdlt_spec.economics.economy.invariant_report` must
hold, and a rejected operation must leave the economy exactly as it was.
"""

from __future__ import annotations

import copy
import dataclasses
from fractions import Fraction

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from vdlt_spec import strategies as vst
from vdlt_spec.economics import economy as E
from vdlt_spec.economics import incentives
from vdlt_spec.economics.signing import (
    compressed_public_key,
    double_sign_evidence,
    forged_certificate_evidence,
    simulation_secret_key,
)
from vdlt_spec.economics.simulation import QUALIFIED_SPEC
from vdlt_spec.errors import SpecError
from vdlt_spec.governance.amendment import NAY, PASS, YEA, Amendment, Poll, PollGroup, Stage
from vdlt_spec.governance.dpos import NodeSpec
from vdlt_spec.governance.parameters import ParameterChange, Parameters
from vdlt_spec.roles import NodeRole

HOLDERS = ("h0", "h1", "h2", "h3")
MANAGERS = ("m0", "m1", "m2", "m3", "m4", "m5")
EXECUTORS = ("x0", "x1")
ACCOUNTS = (*HOLDERS, *MANAGERS, *EXECUTORS, "nobody")
PARAMS = Parameters.experimental(
    genesis_supply=1_200_000,
    epochs_per_year=5,
    inflation_rate=Fraction(4, 100),
    min_collateral=1_000,
    delegate_count=4,
    min_delegates=2,
    poll_period_epochs=1,
    vote_period_epochs=1,
    test_period_epochs=2,
)
CHANGES = (
    (ParameterChange("inflation_rate", Fraction(3, 100)),),
    (ParameterChange("inflation_rate", Fraction(9, 100)),),  # above the cap: clamped
    (ParameterChange("delegate_count", Fraction(5)),),
    (ParameterChange("denouncer_reward", Fraction(1, 7)),),
    (ParameterChange("share_best_effort", Fraction(20, 100)),),  # a CBWFQ class share
    (ParameterChange("share_scavenger", Fraction(50, 100)),),  # shares exceed the link: rejected
    (ParameterChange("genesis_supply", Fraction(1)),),  # frozen: rejected
    (ParameterChange("delegate_count", Fraction(1)),),  # below min_delegates: rejected
    (),  # empty: rejected
)
SEED = 11
SECRET = {name: simulation_secret_key(SEED, name) for name in ACCOUNTS}
KEY = {name: compressed_public_key(sk) for name, sk in SECRET.items()}

accounts = st.sampled_from(ACCOUNTS)
amounts = st.integers(min_value=-2, max_value=60_000)
specs = st.sampled_from([QUALIFIED_SPEC]) | vst.node_specs


def snapshot(econ: E.Economy) -> object:
    """Copy everything in the economy that could be mutated in place (its dicts, deeply).

    The long histories are tuples of frozen records, which cannot change in place; their
    lengths stand in for them, which keeps the copy cheap.
    """
    trimmed = dataclasses.replace(
        econ,
        payouts=(),
        mints=(),
        governance=dataclasses.replace(econ.governance, history=(), results=()),
    )
    lengths = (len(econ.payouts), len(econ.mints), len(econ.governance.history))
    return copy.deepcopy(trimmed), lengths


class EconomyMachine(RuleBasedStateMachine):
    """Drive :func:`vdlt_spec.economics.economy.apply` with valid and invalid operations."""

    def __init__(self) -> None:
        super().__init__()
        self.econ: E.Economy
        self.accepted = 0
        self.rejected = 0
        self.last_evidence: E.SubmitEvidence | None = None
        self.amendment_count = 0
        self.cooperative_amendments = 0
        self.activations_seen = 0

    @initialize(weights=st.lists(st.integers(min_value=1, max_value=9), min_size=4, max_size=4))
    def genesis(self, weights: list[int]) -> None:
        node_funds = 30_000
        nodes = {n: node_funds for n in (*MANAGERS, *EXECUTORS)}
        rest = PARAMS.genesis_supply - node_funds * len(nodes)
        holders = incentives.largest_remainder(rest, dict(zip(HOLDERS, weights, strict=True)))
        self.econ = E.start({**holders, **nodes}, PARAMS)
        for name in (*MANAGERS, *EXECUTORS):
            role = NodeRole.EXECUTION if name in EXECUTORS else NodeRole.MANAGEMENT_CONTROL
            assert self.do(E.Bond(name, PARAMS.min_collateral))
            assert self.do(E.Register(name, role, KEY[name], 10 + len(name), QUALIFIED_SPEC))

    # --- the one place operations are applied ----------------------------------------------

    def do(self, op: E.Operation) -> bool:
        before = snapshot(self.econ)
        try:
            after = E.apply(self.econ, op)
        except SpecError:
            assert snapshot(self.econ) == before, f"rejected {op.op} changed the economy"
            self.rejected += 1
            return False
        assert snapshot(self.econ) == before, f"{op.op} mutated its input"
        self.econ = after
        self.accepted += 1
        return True

    # --- ledger ------------------------------------------------------------------------------

    @rule(src=accounts, dst=accounts, amount=amounts, fee=st.integers(min_value=-1, max_value=3))
    def transfer(self, src: str, dst: str, amount: int, fee: int) -> None:
        self.do(E.Transfer(src, dst, amount, fee))

    @rule(account=accounts, amount=amounts)
    def stake(self, account: str, amount: int) -> None:
        self.do(E.Stake(account, amount))

    @rule(account=accounts, amount=amounts)
    def unstake(self, account: str, amount: int) -> None:
        self.do(E.Unstake(account, amount))

    @rule(account=accounts, amount=amounts)
    def bond(self, account: str, amount: int) -> None:
        self.do(E.Bond(account, amount))

    @rule(account=accounts, amount=amounts)
    def unbond(self, account: str, amount: int) -> None:
        self.do(E.Unbond(account, amount))

    # --- nodes -------------------------------------------------------------------------------

    @rule(
        account=accounts,
        role=st.sampled_from(NodeRole),
        pay=st.integers(min_value=-1, max_value=500),
        spec=specs,
        borrowed_key=st.booleans(),
    )
    def register(
        self, account: str, role: NodeRole, pay: int, spec: NodeSpec, borrowed_key: bool
    ) -> None:
        key = KEY["m0" if borrowed_key else account]
        self.do(E.Register(account, role, key, pay, spec))

    @rule(account=accounts)
    def deregister(self, account: str) -> None:
        self.do(E.Deregister(account))

    # --- votes -------------------------------------------------------------------------------

    def _ballot_id(self, governance: bool) -> str:
        ballot = self.econ.governance.ballot if governance else self.econ.registry.election
        return ballot.ballot_id if ballot is not None else "no-ballot"

    @rule(
        voter=accounts,
        amount=amounts,
        k=st.integers(min_value=0, max_value=9),
        choice=st.sampled_from((*MANAGERS, *EXECUTORS, YEA, NAY, PASS)),
        governance=st.booleans(),
    )
    def vote_with_lock(
        self, voter: str, amount: int, k: int, choice: str, governance: bool
    ) -> None:
        self.do(E.VoteWithLock(voter, self._ballot_id(governance), amount, k, choice))

    @rule(
        owner=accounts,
        amount=amounts,
        k=st.integers(min_value=1, max_value=3),
        governance=st.booleans(),
    )
    def lock(self, owner: str, amount: int, k: int, governance: bool) -> None:
        self.do(E.LockTokens(owner, self._ballot_id(governance), amount, k))

    @rule(
        voter=accounts,
        back=st.integers(min_value=1, max_value=4),
        choice=st.sampled_from((*MANAGERS, YEA, NAY)),
        governance=st.booleans(),
    )
    def cast_locked(self, voter: str, back: int, choice: str, governance: bool) -> None:
        lock_id = self.econ.ledger.next_lock_id - back
        self.do(E.CastLockedVote(voter, self._ballot_id(governance), lock_id, choice))

    @rule(
        voter=accounts,
        votes=st.integers(min_value=0, max_value=30),
        choice=st.sampled_from(MANAGERS),
    )
    def quadratic_vote(self, voter: str, votes: int, choice: str) -> None:
        # ballots here are token-lock ballots, so this is always a wrong-mode rejection
        assert not self.do(E.QuadraticVote(voter, self._ballot_id(False), votes, choice))

    # --- governance --------------------------------------------------------------------------

    @rule(proposer=accounts, changes=st.sampled_from(CHANGES), reuse=st.booleans())
    def submit_amendment(
        self, proposer: str, changes: tuple[ParameterChange, ...], reuse: bool
    ) -> None:
        if not reuse:
            self.amendment_count += 1
        name = f"a{self.amendment_count}"
        self.do(E.SubmitAmendment(Amendment(name, proposer, changes)))

    @rule(poll=vst.polls)
    def record_poll(self, poll: Poll) -> None:
        self.do(E.RecordPoll(poll))

    @rule(reporter=accounts)
    def report_test_failure(self, reporter: str) -> None:
        self.do(E.ReportTestFailure(reporter, "the test system stalled"))

    @rule()
    def cooperative_epoch(self) -> None:
        """Play one epoch of willing participants, so amendments and elections can succeed."""
        election = self.econ.registry.election
        if election is not None:
            for manager in election.options:
                self.do(E.VoteWithLock(manager, election.ballot_id, 100, 1, manager))
        for holder in HOLDERS:
            self.do(E.Stake(holder, 1_000))
        gov = self.econ.governance
        if gov.stage == Stage.PROPOSAL and self.cooperative_amendments < 3:
            self.cooperative_amendments += 1
            self.amendment_count += 1
            change = CHANGES[self.cooperative_amendments % 5]
            self.do(E.SubmitAmendment(Amendment(f"a{self.amendment_count}", "h0", change)))
            gov = self.econ.governance
        if gov.stage == Stage.POLLING:
            for group in PollGroup:
                self.do(E.RecordPoll(Poll(group, 9, 1)))
        elif gov.ballot is not None:
            for voter in (*HOLDERS, *MANAGERS):
                self.do(E.VoteWithLock(voter, gov.ballot.ballot_id, 100, 1, YEA))
        self.end_epoch()

    @rule()
    def cooperative_epoch_again(self) -> None:
        """Weigh cooperative epochs up, so runs reach activation within their step budget."""
        self.cooperative_epoch()

    # --- work and penalties ------------------------------------------------------------------

    @rule(count=st.integers(min_value=1, max_value=5))
    def decisions(self, count: int) -> None:
        for _ in range(count):
            self.do(E.ManagementDecision())

    @rule(producer=accounts)
    def user_block(self, producer: str) -> None:
        accepted = self.do(E.ProduceUserBlock(producer))
        assert not (accepted and producer in self.econ.registry.delegates)

    @rule(
        reporter=accounts,
        back=st.integers(min_value=0, max_value=4),
        seq=st.integers(min_value=0, max_value=3),
        pick=st.integers(min_value=0, max_value=5),
        outsider=st.sampled_from([False, False, False, True]),
    )
    def evidence(self, reporter: str, back: int, seq: int, pick: int, outsider: bool) -> None:
        epoch = max(0, self.econ.epoch - back)
        roster = self.econ.registry.rosters.get(epoch, ())
        signer = "h0" if outsider or not roster else roster[pick % len(roster)].account
        op = E.SubmitEvidence(
            reporter,
            double_sign_evidence(SECRET[signer], epoch, 1, seq, roster=[e.key for e in roster]),
        )
        if self.do(op):
            record = self.econ.penalties.slashes[-1]
            assert record.reward < record.slashed <= record.slashable_before
        self.last_evidence = op

    @rule(
        reporter=accounts,
        back=st.integers(min_value=0, max_value=3),
        pick=st.integers(min_value=0, max_value=5),
        everyone_signed=st.booleans(),
    )
    def forged_certificate(
        self, reporter: str, back: int, pick: int, everyone_signed: bool
    ) -> None:
        epoch = max(0, self.econ.epoch - back)
        roster = self.econ.registry.rosters.get(epoch, ())
        if not roster:
            return
        keys = tuple(e.key for e in roster)
        secrets = {i: SECRET[e.account] for i, e in enumerate(roster)}
        signers = secrets if everyone_signed else {0: secrets[0]}
        forger = roster[pick % len(roster)].account
        evidence = forged_certificate_evidence(SECRET[forger], keys, signers, epoch, 2, pick)
        op = E.SubmitEvidence(reporter, evidence)
        accepted = self.do(op)
        if everyone_signed:
            assert not accepted  # a certificate that verifies is no evidence
        self.last_evidence = op

    @precondition(lambda self: self.last_evidence is not None)
    @rule()
    def replay_evidence(self) -> None:
        assert self.last_evidence is not None
        assert not self.do(self.last_evidence)

    @rule()
    def end_epoch(self) -> None:
        supply = self.econ.ledger.supply
        minted = self.econ.ledger.minted
        year_start = self.econ.year_start_supply
        self.do(E.EndEpoch())
        grown = self.econ.ledger.minted - minted
        assert grown <= incentives.yearly_cap(year_start, PARAMS)
        assert self.econ.ledger.supply <= supply + grown
        activated = len(self.econ.governance.activated)
        assert activated >= self.activations_seen
        self.activations_seen = activated

    def teardown(self) -> None:
        if not hasattr(self, "econ"):
            return
        event(f"amendments activated: {len(self.econ.governance.activated)}")
        event(f"slashes: {min(len(self.econ.penalties.slashes), 2)}+")
        event(f"delegates ever seated: {any(self.econ.registry.rosters.values())}")
        event(f"epochs: {min(self.econ.epoch // 5 * 5, 20)}+")

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def every_invariant_holds(self) -> None:
        report = E.invariant_report(self.econ)
        broken = {name: problems for name, problems in report.items() if problems}
        assert not broken, broken

    @invariant()
    def supply_accounting(self) -> None:
        ledger = self.econ.ledger
        assert ledger.supply == PARAMS.genesis_supply + ledger.minted - ledger.burned
        assert self.econ.paid_out == ledger.minted
        for account in ledger.accounts.values():
            assert account.balance >= 0
            assert account.staked + account.slashable + account.locked <= account.balance


EconomyMachine.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestEconomy = EconomyMachine.TestCase
