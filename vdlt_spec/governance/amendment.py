"""Run the self-amending governance process as a state machine (§IV-K).

Anyone submits an amendment: a change to the protocol parameters, as data. The path, one
amendment at a time, each stage a fixed number of epochs (D-gov-6):

1. ``POLLING``: multi-factorial consensus (Buterin, "Notes on Blockchain Governance"): the
   roadmap, core developers, token holders, users and established norms are polled; the
   weighted mean of the groups' approval must exceed ``poll_threshold`` (D-gov-7).
2. ``EXPLORATION``: a token-lock quadratic vote (yea / nay / pass). Tezos' rules: quorum on
   participation, participation measured in tokens behind the ballots (D-gov-8), the quorum
   adapts between 20 % and 70 % with an exponential moving average of participation, and
   yea must reach an 80 % supermajority of yea + nay (counted in votes, N·k).
3. ``TESTING``: the amended parameters run on a test vDLT system; each epoch of the period
   must report a passing test, or the amendment fails.
4. ``CONFIRMATION``: a second token-lock vote under the same rules.
5. Live: the parameters every other rule reads are replaced, exactly once.

Any failure returns the process to ``PROPOSAL``; the failed amendment's identifier cannot be
reused. :func:`history_violations` replays the event history and checks these rules.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import voting
from vdlt_spec.governance.parameters import (
    BASIS_POINTS,
    ParameterChange,
    Parameters,
    apply_changes,
    poll_weights,
    validate,
)
from vdlt_spec.governance.voting import Ballot, VotingMode


class Stage(StrEnum):
    """Name the stages of the amendment process (§IV-K)."""

    PROPOSAL = "proposal"
    POLLING = "polling"
    EXPLORATION = "exploration"
    TESTING = "testing"
    CONFIRMATION = "confirmation"


class PollGroup(StrEnum):
    """Name the groups polled for multi-factorial consensus, in the order of §IV-K."""

    ROADMAP = "roadmap"
    CORE_DEVELOPERS = "core-developers"
    TOKEN_HOLDERS = "token-holders"
    USERS = "users"
    NORMS = "established-norms"


YEA = "yea"
NAY = "nay"
PASS = "pass"
BALLOT_OPTIONS = (YEA, NAY, PASS)
"""Options of an amendment ballot (Tezos: yay, nay, pass)."""


class Event(StrEnum):
    """Name what can happen to an amendment; the history is a sequence of these (§IV-K)."""

    SUBMITTED = "submitted"
    POLLS_PASSED = "polls-passed"
    POLLS_FAILED = "polls-failed"
    EXPLORATION_PASSED = "exploration-passed"
    EXPLORATION_FAILED = "exploration-failed"
    TEST_EPOCH_PASSED = "test-epoch-passed"
    TEST_FAILED = "test-failed"
    TEST_PASSED = "test-passed"
    CONFIRMATION_PASSED = "confirmation-passed"
    CONFIRMATION_FAILED = "confirmation-failed"
    ACTIVATED = "activated"


FAILURES = frozenset(
    {
        Event.POLLS_FAILED,
        Event.EXPLORATION_FAILED,
        Event.TEST_FAILED,
        Event.CONFIRMATION_FAILED,
    }
)


@dataclass(frozen=True)
class Amendment:
    """Propose parameter changes under a fresh identifier (§IV-K: "anyone can submit")."""

    amendment_id: str
    proposer: str
    changes: tuple[ParameterChange, ...]
    summary: str = ""


@dataclass(frozen=True)
class Poll:
    """Record one group's poll: how many approved and how many did not (§IV-K)."""

    group: PollGroup
    yes: int
    no: int


@dataclass(frozen=True)
class VoteResult:
    """Record the outcome of one amendment ballot under Tezos' quorum and supermajority."""

    ballot_id: str
    yea: int
    nay: int
    pass_votes: int
    participation_bp: int
    quorum_bp: int
    approved: bool


@dataclass(frozen=True)
class HistoryEntry:
    """Record one event of one amendment at an epoch."""

    epoch: int
    amendment_id: str
    event: Event
    detail: str = ""


@dataclass(frozen=True)
class GovernanceState:
    """Hold the live parameters and the progress of the amendment in flight (§IV-K)."""

    params: Parameters
    participation_ema_bp: int
    version: int = 0
    stage: Stage = Stage.PROPOSAL
    current: str | None = None
    stage_ends: int = 0
    polls: dict[str, Poll] = field(default_factory=dict)
    ballot: Ballot | None = None
    test_epochs_passed: int = 0
    amendments: dict[str, Amendment] = field(default_factory=dict)
    activated: tuple[str, ...] = ()
    results: tuple[VoteResult, ...] = ()
    history: tuple[HistoryEntry, ...] = ()


def initial_state(params: Parameters) -> GovernanceState:
    """Start governance with ``params`` live; the EMA starts at the quorum cap (§IV-K).

    Tezos initialises its participation EMA to ``quorum_max`` (D-gov-8).
    """
    return GovernanceState(params=validate(params), participation_ema_bp=params.quorum_max_bp)


def _log(state: GovernanceState, epoch: int, event: Event, detail: str = "") -> GovernanceState:
    assert state.current is not None
    entry = HistoryEntry(epoch, state.current, event, detail)
    return dataclasses.replace(state, history=(*state.history, entry))


def _fail(state: GovernanceState, epoch: int, event: Event, detail: str) -> GovernanceState:
    logged = _log(state, epoch, event, detail)
    return dataclasses.replace(
        logged,
        stage=Stage.PROPOSAL,
        current=None,
        stage_ends=epoch,
        polls={},
        ballot=None,
        test_epochs_passed=0,
    )


def current_amendment(state: GovernanceState) -> Amendment | None:
    """Return the amendment in flight, if any (§IV-K)."""
    return None if state.current is None else state.amendments[state.current]


def submit(state: GovernanceState, amendment: Amendment, now: int) -> GovernanceState:
    """Accept an amendment into the polling stage; only one is in flight at a time (§IV-K)."""
    if state.stage != Stage.PROPOSAL:
        raise SpecError(
            Reason.WRONG_STAGE, f"amendment {state.current} is in stage {state.stage.value}"
        )
    if not amendment.amendment_id or amendment.amendment_id in state.amendments:
        raise SpecError(
            Reason.DUPLICATE_AMENDMENT, f"identifier {amendment.amendment_id!r} is taken or empty"
        )
    apply_changes(state.params, amendment.changes)
    entered = dataclasses.replace(
        state,
        stage=Stage.POLLING,
        current=amendment.amendment_id,
        stage_ends=now + state.params.poll_period_epochs,
        polls={},
        amendments={**state.amendments, amendment.amendment_id: amendment},
    )
    return _log(entered, now, Event.SUBMITTED)


def record_poll(state: GovernanceState, poll: Poll, now: int) -> GovernanceState:
    """Record one group's poll on the amendment in the polling stage (§IV-K)."""
    if state.stage != Stage.POLLING or now >= state.stage_ends:
        raise SpecError(Reason.WRONG_STAGE, f"no poll is open (stage {state.stage.value})")
    group = PollGroup(poll.group)
    if group.value in state.polls:
        raise SpecError(Reason.DUPLICATE_POLL, f"the {group.value} poll is already recorded")
    for count in (poll.yes, poll.no):
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise SpecError(Reason.BAD_POLL, f"poll counts must be integers >= 0: {poll}")
    return dataclasses.replace(state, polls={**state.polls, group.value: poll})


def poll_approval(polls: dict[str, Poll], params: Parameters) -> Fraction:
    """Combine the polls: the weighted mean of yes / (yes + no); a missing poll is 0 (§IV-K)."""
    total = Fraction(0)
    for group, weight in zip(PollGroup, poll_weights(params), strict=True):
        poll = polls.get(group.value)
        if poll is not None and poll.yes + poll.no > 0:
            total += weight * Fraction(poll.yes, poll.yes + poll.no)
    return total


def quorum_bp(participation_ema_bp: int, params: Parameters) -> int:
    """Return the quorum in basis points: min + ema·(max - min), Tezos' adaptive quorum (§IV-K)."""
    spread = params.quorum_max_bp - params.quorum_min_bp
    return params.quorum_min_bp + participation_ema_bp * spread // BASIS_POINTS


def participation_bp(ballot: Ballot) -> int:
    """Return the turnout in basis points: voters' stake over the eligible stake (§IV-K)."""
    if ballot.eligible_stake == 0:
        return 0
    return min(BASIS_POINTS, ballot.turnout * BASIS_POINTS // ballot.eligible_stake)


def next_ema_bp(participation_ema_bp: int, participation: int, params: Parameters) -> int:
    """Return the updated participation EMA: (1 - w)·ema + w·p, rounded down (Tezos, §IV-K)."""
    weight = params.participation_ema_weight
    updated = (1 - weight) * participation_ema_bp + weight * participation
    return int(updated.numerator // updated.denominator)


def supermajority_reached(yea: int, nay: int, params: Parameters) -> bool:
    """Tell whether yea reaches the supermajority of yea + nay, with at least one yea (§IV-K)."""
    return yea > 0 and yea >= params.supermajority * (yea + nay)


def evaluate(ballot: Ballot, participation_ema_bp: int, params: Parameters) -> VoteResult:
    """Decide a ballot: participation must reach the quorum, yea the supermajority (§IV-K)."""
    participation = participation_bp(ballot)
    quorum = quorum_bp(participation_ema_bp, params)
    yea, nay, pass_votes = (ballot.votes[o] for o in BALLOT_OPTIONS)
    approved = participation >= quorum and supermajority_reached(yea, nay, params)
    return VoteResult(ballot.ballot_id, yea, nay, pass_votes, participation, quorum, approved)


def ballot_id(amendment_id: str, stage: Stage) -> str:
    """Return the identifier of an amendment's ballot in a voting stage (§IV-K)."""
    return f"amendment-{amendment_id}-{stage.value}"


def _open_vote(
    state: GovernanceState, stage: Stage, now: int, eligible_stake: int
) -> GovernanceState:
    assert state.current is not None
    ends = now + state.params.vote_period_epochs
    ballot = voting.open_ballot(
        ballot_id(state.current, stage),
        BALLOT_OPTIONS,
        VotingMode.TOKEN_LOCK,
        opens_at=now,
        closes_at=ends,
        eligible_stake=eligible_stake,
    )
    return dataclasses.replace(state, stage=stage, stage_ends=ends, ballot=ballot)


def with_ballot(state: GovernanceState, ballot: Ballot) -> GovernanceState:
    """Return the state holding the updated tally of its open ballot (§IV-K)."""
    if state.ballot is None or state.ballot.ballot_id != ballot.ballot_id:
        raise SpecError(Reason.UNKNOWN_BALLOT, f"{ballot.ballot_id} is not the open ballot")
    return dataclasses.replace(state, ballot=ballot)


def test_parameters(state: GovernanceState) -> Parameters | None:
    """Return the parameters the test system runs while an amendment is being tested (§IV-K)."""
    amendment = current_amendment(state)
    if state.stage != Stage.TESTING or amendment is None:
        return None
    return apply_changes(state.params, amendment.changes)


def record_test_epoch(
    state: GovernanceState, passed: bool, now: int, detail: str = ""
) -> GovernanceState:
    """Record one epoch of the test system: a failure sends the amendment back (§IV-K)."""
    if state.stage != Stage.TESTING:
        raise SpecError(Reason.WRONG_STAGE, f"nothing is being tested (stage {state.stage.value})")
    if not passed:
        return _fail(state, now, Event.TEST_FAILED, detail or "the test system failed")
    counted = dataclasses.replace(state, test_epochs_passed=state.test_epochs_passed + 1)
    return _log(counted, now, Event.TEST_EPOCH_PASSED, detail)


def _close_vote(
    state: GovernanceState, now: int, passed: Event, failed: Event
) -> tuple[GovernanceState, VoteResult]:
    assert state.ballot is not None
    result = evaluate(state.ballot, state.participation_ema_bp, state.params)
    ema = next_ema_bp(state.participation_ema_bp, result.participation_bp, state.params)
    state = dataclasses.replace(
        state, participation_ema_bp=ema, results=(*state.results, result), ballot=None
    )
    detail = (
        f"yea {result.yea}, nay {result.nay}, pass {result.pass_votes}; participation"
        f" {result.participation_bp} bp vs quorum {result.quorum_bp} bp"
    )
    if not result.approved:
        return _fail(state, now, failed, detail), result
    return _log(state, now, passed, detail), result


def advance(state: GovernanceState, now: int, eligible_stake: int) -> GovernanceState:
    """Resolve the stage that ends at epoch ``now``, if any, and enter the next (§IV-K).

    ``eligible_stake`` (the total stake now) is the electorate of a ballot opened here.
    """
    if state.stage == Stage.PROPOSAL or now < state.stage_ends:
        return state
    if state.stage == Stage.POLLING:
        approval = poll_approval(state.polls, state.params)
        detail = f"weighted approval {approval} vs threshold {state.params.poll_threshold}"
        if approval <= state.params.poll_threshold:
            return _fail(state, now, Event.POLLS_FAILED, detail)
        logged = _log(state, now, Event.POLLS_PASSED, detail)
        return _open_vote(logged, Stage.EXPLORATION, now, eligible_stake)
    if state.stage == Stage.EXPLORATION:
        state, result = _close_vote(state, now, Event.EXPLORATION_PASSED, Event.EXPLORATION_FAILED)
        if not result.approved:
            return state
        return dataclasses.replace(
            state,
            stage=Stage.TESTING,
            stage_ends=now + state.params.test_period_epochs,
            test_epochs_passed=0,
        )
    if state.stage == Stage.TESTING:
        needed = state.params.test_period_epochs
        if state.test_epochs_passed < needed:
            detail = f"only {state.test_epochs_passed} of {needed} test epochs passed"
            return _fail(state, now, Event.TEST_FAILED, detail)
        logged = _log(state, now, Event.TEST_PASSED)
        return _open_vote(logged, Stage.CONFIRMATION, now, eligible_stake)
    state, result = _close_vote(state, now, Event.CONFIRMATION_PASSED, Event.CONFIRMATION_FAILED)
    if not result.approved:
        return state
    return _activate(state, now)


def _activate(state: GovernanceState, now: int) -> GovernanceState:
    amendment = current_amendment(state)
    assert amendment is not None
    if amendment.amendment_id in state.activated:
        raise SpecError(Reason.DUPLICATE_AMENDMENT, f"{amendment.amendment_id} is already live")
    live = dataclasses.replace(
        state,
        params=apply_changes(state.params, amendment.changes),
        version=state.version + 1,
        activated=(*state.activated, amendment.amendment_id),
    )
    logged = _log(live, now, Event.ACTIVATED)
    return dataclasses.replace(
        logged, stage=Stage.PROPOSAL, current=None, stage_ends=now, polls={}, test_epochs_passed=0
    )


_PATH = (
    Event.SUBMITTED,
    Event.POLLS_PASSED,
    Event.EXPLORATION_PASSED,
    Event.TEST_PASSED,
    Event.CONFIRMATION_PASSED,
    Event.ACTIVATED,
)


def history_violations(state: GovernanceState, genesis_params: Parameters) -> tuple[str, ...]:
    """List violations of the amendment rules in the history; empty when all held (§IV-K).

    Checks: each activated amendment went through every stage in order (both votes and the
    whole test period, one passing test epoch per epoch of the period), was activated once,
    and the live parameters are the genesis parameters with exactly the activated changes.
    """
    problems = []
    by_id: dict[str, list[HistoryEntry]] = {}
    for entry in state.history:
        by_id.setdefault(entry.amendment_id, []).append(entry)
    params = genesis_params
    for amendment_id in state.activated:
        entries = by_id.get(amendment_id, [])
        milestones = [e.event for e in entries if e.event in _PATH]
        if milestones != list(_PATH):
            problems.append(f"{amendment_id}: went live along [{', '.join(milestones)}]")
        if any(e.event in FAILURES for e in entries):
            problems.append(f"{amendment_id}: went live after a failure")
        explored = next((e.epoch for e in entries if e.event == Event.EXPLORATION_PASSED), None)
        tested = next((e.epoch for e in entries if e.event == Event.TEST_PASSED), None)
        test_epochs = sum(1 for e in entries if e.event == Event.TEST_EPOCH_PASSED)
        if explored is None or tested is None or tested - explored < params.test_period_epochs:
            problems.append(f"{amendment_id}: test period shorter than {params.test_period_epochs}")
        if test_epochs < params.test_period_epochs:
            problems.append(f"{amendment_id}: only {test_epochs} test epochs passed")
        params = apply_changes(params, state.amendments[amendment_id].changes)
    if len(set(state.activated)) != len(state.activated):
        problems.append(f"an amendment was activated twice: [{', '.join(state.activated)}]")
    if state.version != len(state.activated):
        problems.append(f"version {state.version} != {len(state.activated)} activations")
    if params != state.params:
        problems.append("live parameters differ from genesis + activated changes")
    for amendment_id, entries in by_id.items():
        if sum(1 for e in entries if e.event == Event.ACTIVATED) > 1:
            problems.append(f"{amendment_id}: activated more than once")
    return tuple(problems)
