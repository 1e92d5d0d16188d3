"""Conformance operation of the self-amending governance process (§IV-K).

``governance.amendment`` replays the life of amendments from a fresh governance state: submit,
polls, token-lock votes on the open ballot, test-system epochs and epoch ends, each answered
with ``ok`` or its reason. The answer fixes the stage reached, every vote result (participation
against the adaptive quorum, the supermajority), the event history and the live parameters, so
that every stage transition and failure path of the process has a vector.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from vdlt_spec import ledger as ledger_ops
from vdlt_spec import serial
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.ops.holdings import attempt, decoded, ledger_of, params_of
from vdlt_spec.conformance.suite import VectorInput
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import amendment, voting
from vdlt_spec.governance.amendment import Amendment, GovernanceState, HistoryEntry, Poll
from vdlt_spec.governance.parameters import Parameters
from vdlt_spec.ledger import Ledger

_After = tuple[GovernanceState, Ledger]


def _step(event: Any, state: GovernanceState, ledger: Ledger, params: Parameters) -> _After:
    """Apply one governance event at the ledger's epoch; return the state and ledger after it."""
    kind = decoded(event, "event", str)
    now = ledger.now
    if kind == "submit":
        proposal = decoded(event, "amendment", Amendment)
        return amendment.submit(state, proposal, now), ledger
    if kind == "poll":
        poll = Poll(
            decoded(event, "group", amendment.PollGroup),
            decoded(event, "yes", int),
            decoded(event, "no", int),
        )
        return amendment.record_poll(state, poll, now), ledger
    if kind == "vote":
        if state.ballot is None:
            raise SpecError(Reason.UNKNOWN_BALLOT, "no amendment ballot is open")
        ballot, locked = voting.vote_with_lock(
            state.ballot,
            ledger,
            decoded(event, "voter", str),
            decoded(event, "tokens", int),
            decoded(event, "k", int),
            decoded(event, "option", str),
            max_k=state.params.max_lock_multiplier,
            lock_period_epochs=state.params.lock_period_epochs,
        )
        return amendment.with_ballot(state, ballot), locked
    if kind == "test":
        passed = decoded(event, "passed", bool)
        return amendment.record_test_epoch(state, passed, now), ledger
    if kind == "end-epoch":
        later = ledger_ops.advance(ledger, now + 1)
        stake = sum(a.staked for a in later.accounts.values())
        return amendment.advance(state, later.now, stake), later
    raise SpecError(Reason.SCHEMA_VIOLATION, f"unknown governance event {kind!r}")


@operation(
    "governance.amendment",
    "§IV-K",
    input_schema=(
        '{"params"?: Parameters, "accounts": {name: {balance, staked?}}, "events":'
        ' [{"event": "submit", "amendment"} | {"event": "poll", group, yes, no} |'
        ' {"event": "vote", voter, tokens, k, option} | {"event": "test", passed} |'
        ' {"event": "end-epoch"}]}'
    ),
    output_schema=(
        '{"results": ["ok" or REASON], "epoch", "stage", "current", "stage_ends", "version",'
        ' "participation_ema_bp", "activated", "test_epochs_passed", "votes": [VoteResult],'
        ' "history": [HistoryEntry], "params": Parameters, "test_params": Parameters or null,'
        ' "staker_share": fraction, "violations": [str]}'
    ),
)
def run_amendments(payload: Any) -> Any:
    """Replay governance events from genesis; answer each, then the process state (§IV-K).

    ``test_params`` are the parameters the test system runs (null outside the test stage);
    ``staker_share`` is the share of each epoch's issuance the live parameters leave to
    stakers (§IV-I); ``violations`` is the audit of the resulting history against the
    amendment rules.
    """
    params = params_of(payload)
    ledger = ledger_of(payload)
    state = amendment.initial_state(params)
    results: list[str] = []
    for event in decoded(payload, "events", tuple[dict[str, Any], ...]):
        after = attempt(partial(_step, event, state, ledger, params), results)
        if after is not None:
            state, ledger = after
    return {
        "results": results,
        "epoch": ledger.now,
        "stage": state.stage.value,
        "current": state.current,
        "stage_ends": state.stage_ends,
        "version": state.version,
        "participation_ema_bp": state.participation_ema_bp,
        "activated": list(state.activated),
        "test_epochs_passed": state.test_epochs_passed,
        "votes": serial.encode(state.results),
        "history": serial.encode(state.history),
        "params": serial.encode(state.params),
        "test_params": serial.encode(amendment.test_parameters(state)),
        "staker_share": serial.encode(state.params.staker_share),
        "violations": list(amendment.history_violations(state, params)),
    }


@operation(
    "governance.amendment_audit",
    "§IV-K",
    input_schema=(
        '{"params"?: Parameters, "live"?: Parameters, "version": int, "activated": [id],'
        ' "amendments": {id: Amendment}, "history": [HistoryEntry]}'
    ),
    output_schema='{"violations": [str]}',
)
def audit_amendments(payload: Any) -> Any:
    """List the amendment rules an amendment log breaks; empty when it keeps them all (§IV-K).

    ``params`` are the genesis parameters, ``live`` those in force (the genesis ones when
    absent). Rules: every live amendment passed each stage in order, with no failure, a whole
    test period of passing test epochs, and was activated once; the version counts the
    activations; the live parameters are the genesis ones with exactly the activated changes.
    """
    genesis = params_of(payload)
    live = params_of({"params": payload["live"]}) if "live" in payload else genesis
    state = GovernanceState(
        params=live,
        participation_ema_bp=genesis.quorum_max_bp,
        version=decoded(payload, "version", int),
        activated=decoded(payload, "activated", tuple[str, ...]),
        amendments=decoded(payload, "amendments", dict[str, Amendment]),
        history=decoded(payload, "history", tuple[HistoryEntry, ...]),
    )
    return {"violations": list(amendment.history_violations(state, genesis))}


# --- vector inputs ----------------------------------------------------------------------------

#: Short stages so that a whole amendment fits in a handful of epochs.
FAST = {
    "poll_period_epochs": 1,
    "vote_period_epochs": 1,
    "test_period_epochs": 2,
    "max_lock_multiplier": 4,
}
ACCOUNTS = {
    "alice": {"balance": 1000, "staked": 400},
    "bob": {"balance": 1000, "staked": 400},
    "carol": {"balance": 1000, "staked": 200},
}
CHANGE = {
    "amendment_id": "a1",
    "proposer": "alice",
    "changes": [{"name": "min_transaction_fee", "value": "2"}],
    "summary": "raise the minimum fee",
}
GROUPS = ("roadmap", "core-developers", "token-holders", "users", "established-norms")


def _polls(yes: int, no: int) -> list[dict[str, Any]]:
    return [{"event": "poll", "group": g, "yes": yes, "no": no} for g in GROUPS]


def _vote(voter: str, tokens: int, k: int, option: str) -> dict[str, Any]:
    return {"event": "vote", "voter": voter, "tokens": tokens, "k": k, "option": option}


END: dict[str, Any] = {"event": "end-epoch"}
YEA_VOTES: list[dict[str, Any]] = [_vote("alice", 100, 2, "yea"), _vote("bob", 100, 1, "yea")]
TESTS_PASS: list[dict[str, Any]] = [
    {"event": "test", "passed": True},
    END,
    {"event": "test", "passed": True},
    END,
]


def amendment_inputs() -> Iterator[VectorInput]:
    """Yield the governance vectors of the amendment process: every stage and failure path."""
    submit: dict[str, Any] = {"event": "submit", "amendment": CHANGE}
    happy = [submit, *_polls(3, 1), END, *YEA_VOTES, END, *TESTS_PASS, *YEA_VOTES, END]
    scenarios: dict[str, tuple[list[dict[str, Any]], str]] = {
        "activated": (happy, "every stage passes: the change goes live, version 1"),
        "polls-failed": ([submit, *_polls(1, 1), END], "weighted approval 1/2 is not > 1/2"),
        "polls-missing": ([submit, END], "no poll recorded: approval 0"),
        "exploration-no-quorum": (
            [submit, *_polls(3, 1), END, _vote("carol", 10, 1, "yea"), END],
            "participation 2000 bp is below the quorum",
        ),
        "exploration-no-supermajority": (
            [
                submit,
                *_polls(3, 1),
                END,
                _vote("alice", 100, 2, "yea"),
                _vote("bob", 100, 1, "nay"),
                END,
            ],
            "yea 200 of yea + nay 300 is below 4/5",
        ),
        "test-failed": (
            [submit, *_polls(3, 1), END, *YEA_VOTES, END, {"event": "test", "passed": False}],
            "the test system failed",
        ),
        "testing-in-progress": (
            [submit, *_polls(3, 1), END, *YEA_VOTES, END, *TESTS_PASS[:2]],
            "one test epoch of two passed; the test stage goes on",
        ),
        "poll-during-test": (
            [submit, *_polls(3, 1), END, *YEA_VOTES, END, *_polls(3, 1)[:1]],
            "polls are recorded only in the polling stage",
        ),
        "test-period-short": (
            [submit, *_polls(3, 1), END, *YEA_VOTES, END, END, END],
            "no test epoch reported",
        ),
        "confirmation-failed": (
            [submit, *_polls(3, 1), END, *YEA_VOTES, END, *TESTS_PASS, END],
            "nobody votes in the confirmation",
        ),
        "pass-votes-count-for-quorum": (
            [
                submit,
                *_polls(3, 1),
                END,
                _vote("alice", 100, 1, "yea"),
                _vote("bob", 100, 1, "pass"),
                END,
            ],
            "pass votes count for participation, not for the supermajority",
        ),
        "refused-events": (
            [
                {"event": "test", "passed": True},
                _vote("alice", 1, 1, "yea"),
                submit,
                {**submit, "amendment": {**CHANGE, "amendment_id": "a2"}},
                *_polls(3, 1)[:1],
                *_polls(3, 1)[:1],
                {"event": "poll", "group": "users", "yes": -1, "no": 0},
                *_polls(3, 1)[1:],
                END,
                _vote("alice", 100, 9, "yea"),
                _vote("alice", 100, 1, "maybe"),
                _vote("mallory", 1, 1, "yea"),
                _vote("alice", 100, 1, "yea"),
                _vote("alice", 100, 1, "nay"),
                *_polls(3, 1)[:1],
                {"event": "test", "passed": True},
            ],
            "test and vote before any amendment, a second amendment in flight, a poll recorded"
            " twice, a negative poll, k above the cap, an unknown option, no tokens, a double"
            " vote, a poll and a test during the vote",
        ),
        "reuse-after-failure": (
            [submit, END, submit, {**submit, "amendment": {**CHANGE, "amendment_id": "a2"}}],
            "a failed amendment's identifier cannot be reused",
        ),
    }
    for name, (events, comment) in scenarios.items():
        yield VectorInput(
            f"amendment-{name}",
            "governance.amendment",
            {"params": FAST, "accounts": ACCOUNTS, "events": events},
            comment,
        )
    explore = [submit, *_polls(3, 1), END, _vote("alice", 100, 2, "yea"), END]
    stakes: dict[str, tuple[dict[str, Any], list[dict[str, Any]], str]] = {
        "stake-of-one": (
            {"alice": {"balance": 1000, "staked": 1}, "bob": {"balance": 1000}},
            explore,
            "alice's one staked token is the whole eligible stake: participation 10000 bp",
        ),
        "ema-rounds-down": (
            {"alice": {"balance": 1000, "staked": 1}, "bob": {"balance": 1000, "staked": 2}},
            explore,
            "participation 3333 bp moves the EMA to 7000·4/5 + 3333/5 = 6266.6, kept as 6266",
        ),
        "no-stake": (
            {"alice": {"balance": 1000}, "bob": {"balance": 1000}},
            explore,
            "nothing is staked: participation 0, below any quorum",
        ),
    }
    for name, (accounts, events, comment) in stakes.items():
        yield VectorInput(
            f"amendment-{name}",
            "governance.amendment",
            {"params": FAST, "accounts": accounts, "events": events},
            comment,
        )
    yield VectorInput(
        "amendment-activated-later",
        "governance.amendment",
        {"params": FAST, "accounts": ACCOUNTS, "events": [END, END, END, *happy]},
        "the lawful path from epoch 3: exploration passes at 5, the test at 7",
    )
    shares = {
        **CHANGE,
        "changes": [
            {"name": "management_share", "value": "1/5"},
            {"name": "execution_share", "value": "1/2"},
        ],
    }
    yield VectorInput(
        "amendment-activated-shares",
        "governance.amendment",
        {
            "params": FAST,
            "accounts": ACCOUNTS,
            "events": [{"event": "submit", "amendment": shares}, *happy[1:]],
        },
        "new issuance shares go live: 1/5 management, 1/2 execution, 3/10 left to stakers",
    )
    yield VectorInput(
        "amendment-default-periods",
        "governance.amendment",
        {"accounts": ACCOUNTS, "events": [submit, *_polls(3, 1)]},
        "the default parameters: the polls close after the default poll period",
    )
    yield VectorInput(
        "amendment-bad-change",
        "governance.amendment",
        {
            "params": FAST,
            "accounts": ACCOUNTS,
            "events": [
                {
                    "event": "submit",
                    "amendment": {**CHANGE, "changes": [{"name": "no_such", "value": "1"}]},
                }
            ],
        },
        "an amendment naming an unknown parameter is refused",
    )


def _entry(epoch: int, event: str, amendment_id: str = "a1") -> dict[str, Any]:
    return {"epoch": epoch, "amendment_id": amendment_id, "event": event}


def audit_inputs() -> Iterator[VectorInput]:
    """Yield audits of amendment logs: a lawful one and one per broken rule (§IV-K)."""
    path = [
        _entry(0, "submitted"),
        _entry(1, "polls-passed"),
        _entry(2, "exploration-passed"),
        _entry(2, "test-epoch-passed"),
        _entry(3, "test-epoch-passed"),
        _entry(4, "test-passed"),
        _entry(5, "confirmation-passed"),
        _entry(5, "activated"),
    ]
    live = {**FAST, "min_transaction_fee": "2"}
    lawful = {
        "params": FAST,
        "live": live,
        "version": 1,
        "activated": ["a1"],
        "amendments": {"a1": CHANGE},
        "history": path,
    }
    failed = {**CHANGE, "amendment_id": "a0"}
    logs: dict[str, tuple[dict[str, Any], str]] = {
        "lawful": (lawful, "every stage in order, the test period whole, activated once"),
        "lawful-after-a-failure": (
            {
                **lawful,
                "amendments": {"a0": failed, "a1": CHANGE},
                "history": [_entry(0, "submitted", "a0"), _entry(1, "polls-failed", "a0"), *path],
            },
            "a failed amendment that never went live breaks no rule",
        ),
        "nothing-live": (
            {"params": FAST, "version": 0, "activated": [], "amendments": {}, "history": []},
            "an empty log",
        ),
        "activated-twice-in-the-log": (
            {**lawful, "history": [*path, _entry(6, "activated")]},
            "a second activation entry of a1",
        ),
        "activated-twice-in-the-list": (
            {**lawful, "version": 2, "activated": ["a1", "a1"], "live": {**live}},
            "a1 listed live twice",
        ),
        "stage-skipped": (
            {**lawful, "history": [e for e in path if e["event"] != "exploration-passed"]},
            "no exploration vote passed",
        ),
        "after-a-failure": (
            {**lawful, "history": [*path[:4], _entry(3, "test-failed"), *path[4:]]},
            "a test failure on the way",
        ),
        "test-epoch-missing": (
            {**lawful, "history": [e for e in path if e["epoch"] != 3]},
            "one passing test epoch of two",
        ),
        "test-period-short": (
            {**lawful, "history": [*path[:5], _entry(3, "test-passed"), *path[6:]]},
            "the test passed one epoch after exploration, the period is 2",
        ),
        "version-off": ({**lawful, "version": 2}, "version 2 after one activation"),
        "parameters-off": ({**lawful, "live": FAST}, "the change is not in the live parameters"),
    }
    later = [{**e, "epoch": e["epoch"] + 3} for e in path]
    logs["lawful-later"] = ({**lawful, "history": later}, "the lawful path three epochs later")
    for name, (log, comment) in logs.items():
        yield VectorInput(f"amendment-audit-{name}", "governance.amendment_audit", log, comment)
