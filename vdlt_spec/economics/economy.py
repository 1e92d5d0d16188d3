"""Run the whole token economy as one state machine of explicit operations (§IV-B..§IV-K).

The economy joins the ledger, the DPoS registry and elections, the amendment process, the
incentives and the penalties. :func:`apply` takes an :class:`Economy` and one operation (a
frozen dataclass, JSON-serialisable with its ``op`` tag) and returns the next economy, or
raises :class:`~vdlt_spec.errors.SpecError` with a reason and changes nothing. ``EndEpoch``
closes an epoch: it pays execution nodes and stakers, seats the elected delegates, runs the
test system of an amendment under test, advances the amendment process and the clock, and
opens the next election. :func:`invariant_violations` lists every broken invariant of the
whole economy; the stateful tests call it after every step.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from vdlt_spec import ledger as ledger_ops
from vdlt_spec.economics import incentives, operations, penalties
from vdlt_spec.economics.operations import (
    Bond,
    CastLockedVote,
    Deregister,
    EndEpoch,
    LockTokens,
    ManagementDecision,
    Operation,
    ProduceUserBlock,
    QuadraticVote,
    RecordPoll,
    Register,
    ReportTestFailure,
    Stake,
    SubmitAmendment,
    SubmitEvidence,
    Transfer,
    Unbond,
    Unstake,
    VoteWithLock,
)
from vdlt_spec.economics.penalties import PenaltyState
from vdlt_spec.economics.state import Economy, EpochActivity, EpochMint, LockRules, Payout
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import amendment, dpos, voting
from vdlt_spec.governance.amendment import Stage
from vdlt_spec.governance.dpos import DposState, RegisteredNode
from vdlt_spec.governance.parameters import Parameters, validate
from vdlt_spec.governance.voting import Ballot, VotingMode
from vdlt_spec.ledger import Ledger
from vdlt_spec.roles import as_node_role

# --- construction and epochs ---------------------------------------------------------------------


def _begin_epoch(econ: Economy) -> Economy:
    issuance = incentives.epoch_issuance(econ.year_start_supply, econ.params)
    pools = incentives.split_issuance(issuance, econ.params)
    activity = EpochActivity(
        pools=pools,
        management_left=pools.management,
    )
    registry = dpos.open_election(econ.registry, econ.ledger, econ.election_mode)
    return dataclasses.replace(econ, activity=activity, registry=registry)


def start(
    allocations: Mapping[str, int],
    params: Parameters | None = None,
    election_mode: VotingMode = VotingMode.TOKEN_LOCK,
) -> Economy:
    """Create the economy at genesis: allocations summing to the genesis supply (§IV-I)."""
    live = validate(params or Parameters())
    ledger = ledger_ops.genesis(allocations, live.genesis_supply)
    econ = Economy(
        genesis_params=live,
        election_mode=VotingMode(election_mode),
        ledger=ledger,
        registry=DposState(),
        governance=amendment.initial_state(live),
        penalties=PenaltyState(),
        activity=EpochActivity(),
        year_start_supply=ledger.supply,
        minted_this_year=0,
    )
    return _begin_epoch(econ)


def _pay(econ: Economy, amounts: Mapping[str, int], reason: str) -> Economy:
    paid = {name: amount for name, amount in sorted(amounts.items()) if amount > 0}
    if not paid:
        return econ
    total = sum(paid.values())
    records = tuple(Payout(econ.epoch, name, reason, amount) for name, amount in paid.items())
    activity = dataclasses.replace(econ.activity, minted=econ.activity.minted + total)
    return dataclasses.replace(
        econ,
        activity=activity,
        ledger=ledger_ops.mint(econ.ledger, paid),
        minted_this_year=econ.minted_this_year + total,
        paid_out=econ.paid_out + total,
        payouts=econ.payouts + records,
    )


def _epoch_payouts(
    econ: Economy, params: Parameters, activity: EpochActivity
) -> dict[str, dict[str, int]]:
    execution = (
        incentives.execution_payouts(
            activity.blocks, tuple(activity.declared.values()), activity.pools.execution
        )
        if activity.blocks
        else {}
    )
    stakes = {name: a.staked for name, a in econ.ledger.accounts.items()}
    stakers = incentives.staker_payouts(stakes, activity.voters, activity.pools.stakers, params)
    return {"execution": execution, "staking": stakers}


def _test_system_passes(econ: Economy) -> tuple[bool, str]:
    """Run the closing epoch's issuance under the amended parameters on a copy (§IV-K)."""
    trial = amendment.test_parameters(econ.governance)
    if trial is None:
        return False, "no amendment under test"
    issuance = incentives.epoch_issuance(econ.year_start_supply, trial)
    pools = incentives.split_issuance(issuance, trial)
    activity = dataclasses.replace(econ.activity, pools=pools)
    paid = _epoch_payouts(econ, trial, activity)
    execution_total = sum(paid["execution"].values())
    staking_total = sum(paid["staking"].values())
    problems = []
    if pools.total != issuance or min(pools.management, pools.execution, pools.stakers) < 0:
        problems.append("pools do not split the issuance")
    if execution_total > pools.execution or staking_total > pools.stakers:
        problems.append("payouts exceed their pools")
    year = issuance * trial.epochs_per_year
    if not incentives.within_inflation_cap(year, econ.year_start_supply, trial.max_inflation_rate):
        problems.append("a year of this issuance would exceed the inflation cap")
    merged = dict(paid["staking"])
    for name, amount in paid["execution"].items():
        merged[name] = merged.get(name, 0) + amount
    trial_ledger = ledger_ops.mint(econ.ledger, merged)
    problems.extend(ledger_ops.invariant_violations(trial_ledger))
    return (not problems, "; ".join(problems) or f"issuance {issuance} per epoch")


def _end_epoch(econ: Economy) -> Economy:
    params = econ.params
    paid = _epoch_payouts(econ, params, econ.activity)
    econ = _pay(econ, paid["execution"], "execution")
    econ = _pay(econ, paid["staking"], "staking")
    record = EpochMint(econ.epoch, econ.activity.pools, econ.activity.minted)
    econ = dataclasses.replace(econ, mints=(*econ.mints, record))
    next_epoch = econ.epoch + 1
    registry, elected = dpos.close_election(econ.registry, econ.ledger, params, next_epoch)
    registry = dpos.prune_rosters(registry, next_epoch - params.evidence_window_epochs)
    econ = dataclasses.replace(
        econ, registry=registry, elections_failed=econ.elections_failed + (not elected)
    )
    governance = econ.governance
    if governance.stage == Stage.TESTING:
        passed, detail = _test_system_passes(econ)
        governance = amendment.record_test_epoch(governance, passed, econ.epoch, detail)
    ledger = ledger_ops.advance(econ.ledger, next_epoch)
    total_stake = sum(a.staked for a in ledger.accounts.values())
    governance = amendment.advance(governance, next_epoch, total_stake)
    econ = dataclasses.replace(econ, ledger=ledger, governance=governance)
    if next_epoch % econ.params.epochs_per_year == 0:
        econ = dataclasses.replace(econ, year_start_supply=ledger.supply, minted_this_year=0)
    return _begin_epoch(econ)


# --- operations ----------------------------------------------------------------------------------


def _ballot(econ: Economy, ballot_id: str) -> Ballot:
    election = econ.registry.election
    if election is not None and election.ballot_id == ballot_id:
        return election
    held = econ.governance.ballot
    if held is not None and held.ballot_id == ballot_id:
        return held
    raise SpecError(Reason.UNKNOWN_BALLOT, f"no open ballot {ballot_id!r}")


def _lock_rules(params: Parameters) -> LockRules:
    """Return the lock limits of the live parameters, as the voting rules take them (§IV-C)."""
    return {"max_k": params.max_lock_multiplier, "lock_period_epochs": params.lock_period_epochs}


def _store_vote(econ: Economy, ballot: Ballot, ledger: Ledger, voter: str) -> Economy:
    election = econ.registry.election
    if election is not None and election.ballot_id == ballot.ballot_id:
        econ = dataclasses.replace(
            econ, registry=dataclasses.replace(econ.registry, election=ballot)
        )
    else:
        econ = dataclasses.replace(econ, governance=amendment.with_ballot(econ.governance, ballot))
    activity = dataclasses.replace(econ.activity, voters=econ.activity.voters | {voter})
    return dataclasses.replace(econ, ledger=ledger, activity=activity)


def _decision(econ: Economy) -> Economy:
    registry = econ.registry
    leader = dpos.decision_leader(registry, econ.activity.decisions)
    roster = registry.rosters.get(econ.epoch, ())
    declared = [e.declared_pay for e in roster if e.account in registry.delegates]
    pay = incentives.management_pay(declared, econ.activity.management_left)
    activity = dataclasses.replace(
        econ.activity,
        decisions=econ.activity.decisions + 1,
        management_left=econ.activity.management_left - pay,
    )
    return _pay(dataclasses.replace(econ, activity=activity), {leader: pay}, "management")


def _user_block(econ: Economy, producer: str) -> Economy:
    node = dpos.authorize_user_block(econ.registry, producer)
    if econ.ledger.account(producer).collateral < econ.params.min_collateral:
        raise SpecError(Reason.INSUFFICIENT_COLLATERAL, f"{producer} no longer bonds enough")
    blocks = dict(econ.activity.blocks)
    blocks[producer] = blocks.get(producer, 0) + 1
    declared = {**econ.activity.declared, producer: node.declared_pay}
    activity = dataclasses.replace(econ.activity, blocks=blocks, declared=declared)
    return dataclasses.replace(econ, activity=activity)


def apply(econ: Economy, op: Operation) -> Economy:
    """Apply one operation wholly, or raise ``SpecError`` and change nothing (§IV-B..§IV-K)."""
    params = econ.params
    ledger = econ.ledger
    match op:
        case Transfer(src, dst, amount, fee):
            if fee < params.min_transaction_fee:
                raise SpecError(Reason.FEE_TOO_LOW, f"fee {fee} < {params.min_transaction_fee}")
            return dataclasses.replace(
                econ, ledger=ledger_ops.transfer(ledger, src, dst, amount, fee)
            )
        case Stake(account, amount):
            return dataclasses.replace(econ, ledger=ledger_ops.stake(ledger, account, amount))
        case Unstake(account, amount):
            return dataclasses.replace(econ, ledger=ledger_ops.unstake(ledger, account, amount))
        case Bond(account, amount):
            return dataclasses.replace(econ, ledger=ledger_ops.bond(ledger, account, amount))
        case Unbond(account, amount):
            delay = params.evidence_window_epochs + 1
            return dataclasses.replace(
                econ, ledger=ledger_ops.unbond(ledger, account, amount, delay)
            )
        case Register(account, role, key, declared_pay, spec):
            node = RegisteredNode(account, as_node_role(role), key, declared_pay, spec, econ.epoch)
            return dataclasses.replace(
                econ, registry=dpos.register(econ.registry, ledger, params, node)
            )
        case Deregister(account):
            return dataclasses.replace(econ, registry=dpos.deregister(econ.registry, account))
        case LockTokens(owner, ballot_id, amount, k):
            rules = _lock_rules(params)
            ballot = _ballot(econ, ballot_id)
            locked, _ = voting.lock_for_ballot(ledger, ballot, owner, amount, k, **rules)
            return dataclasses.replace(econ, ledger=locked)
        case CastLockedVote(voter, ballot_id, lock_id, option):
            ballot = voting.cast_locked_vote(
                _ballot(econ, ballot_id), ledger, voter, lock_id, option
            )
            return _store_vote(econ, ballot, ledger, voter)
        case VoteWithLock(voter, ballot_id, amount, k, option):
            rules = _lock_rules(params)
            ballot = _ballot(econ, ballot_id)
            voted, locked = voting.vote_with_lock(ballot, ledger, voter, amount, k, option, **rules)
            return _store_vote(econ, voted, locked, voter)
        case QuadraticVote(voter, ballot_id, votes, option):
            ballot, paid = voting.cast_quadratic_vote(
                _ballot(econ, ballot_id), ledger, voter, votes, option
            )
            return _store_vote(econ, ballot, paid, voter)
        case SubmitAmendment(proposal):
            if proposal.proposer not in ledger.accounts:
                raise SpecError(Reason.UNKNOWN_ACCOUNT, f"no account named {proposal.proposer!r}")
            return dataclasses.replace(
                econ, governance=amendment.submit(econ.governance, proposal, econ.epoch)
            )
        case RecordPoll(poll):
            return dataclasses.replace(
                econ, governance=amendment.record_poll(econ.governance, poll, econ.epoch)
            )
        case ReportTestFailure(reporter, detail):
            if reporter not in econ.registry.delegates:
                raise SpecError(Reason.NOT_A_DELEGATE, f"{reporter} is not a sitting delegate")
            failed = amendment.record_test_epoch(
                econ.governance, False, econ.epoch, f"{reporter}: {detail}"
            )
            return dataclasses.replace(econ, governance=failed)
        case ManagementDecision():
            return _decision(econ)
        case ProduceUserBlock(producer):
            return _user_block(econ, producer)
        case SubmitEvidence(reporter, evidence):
            state, punished, registry, _ = penalties.submit_evidence(
                econ.penalties, ledger, econ.registry, params, reporter, evidence
            )
            return dataclasses.replace(econ, penalties=state, ledger=punished, registry=registry)
        case EndEpoch():
            return _end_epoch(econ)
    raise SpecError(Reason.SCHEMA_VIOLATION, f"unknown operation {op!r}")


# --- invariants ---------------------------------------------------------------------------------


INVARIANTS = (
    "ledger: supply = genesis + minted - burned, nothing negative, encumbered <= held",
    "payouts equal minted, and no epoch mints more than its issuance",
    "yearly minting at most max_inflation_rate of the year's opening supply",
    "slashes take at most the collateral and pay the reporter less than they take",
    "delegates and execution nodes stay apart (delegates never produce user blocks)",
    "ballot tallies are consistent",
    "amendments go live only after both votes and the test period, exactly once",
)
"""Names of the economy's invariants, in the order :func:`invariant_report` lists them."""


def invariant_report(econ: Economy) -> dict[str, tuple[str, ...]]:
    """Check every invariant of the whole economy; map each name to its violations (§IV).

    An invariant holds when its tuple is empty.
    """
    minting = []
    if econ.paid_out != econ.ledger.minted:
        minting.append(f"payouts {econ.paid_out} != minted {econ.ledger.minted}")
    if sum(p.amount for p in econ.payouts) != econ.paid_out:
        minting.append("payout records do not sum to the payouts")
    paid: dict[tuple[int, str], int] = {}
    for p in econ.payouts:
        paid[p.epoch, p.reason] = paid.get((p.epoch, p.reason), 0) + p.amount
    for m in (*econ.mints, EpochMint(econ.epoch, econ.activity.pools, econ.activity.minted)):
        pools = {"management": m.pools.management, "execution": m.pools.execution}
        pools["staking"] = m.pools.stakers
        for reason, pool in pools.items():
            if paid.get((m.epoch, reason), 0) > pool:
                minting.append(f"epoch {m.epoch}: {reason} paid {paid[m.epoch, reason]} > {pool}")
        if sum(paid.get((m.epoch, r), 0) for r in pools) != m.minted:
            minting.append(f"epoch {m.epoch}: payouts differ from minted {m.minted}")
    yearly = []
    cap = incentives.yearly_cap(econ.year_start_supply, econ.params)
    max_rate = econ.params.max_inflation_rate
    if not incentives.within_inflation_cap(econ.minted_this_year, econ.year_start_supply, max_rate):
        yearly.append(f"minted {econ.minted_this_year} this year > cap {cap}")
    if econ.activity.management_left < 0:
        yearly.append("management pool overspent")
    tallies: list[str] = []
    for ballot in (econ.registry.election, econ.governance.ballot):
        if ballot is not None:
            tallies.extend(voting.tally_violations(ballot))
    found = (
        ledger_ops.invariant_violations(econ.ledger),
        tuple(minting),
        tuple(yearly),
        penalties.slash_violations(econ.penalties),
        dpos.role_violations(econ.registry, econ.params),
        tuple(tallies),
        amendment.history_violations(econ.governance, econ.genesis_params),
    )
    return dict(zip(INVARIANTS, found, strict=True))


def invariant_violations(econ: Economy) -> tuple[str, ...]:
    """List every broken invariant of the whole economy; empty when all hold (§IV)."""
    return tuple(p for problems in invariant_report(econ).values() for p in problems)


__all__ = [
    *operations.__all__,
    "INVARIANTS",
    "Economy",
    "EpochActivity",
    "EpochMint",
    "Payout",
    "apply",
    "invariant_report",
    "invariant_violations",
    "start",
]
