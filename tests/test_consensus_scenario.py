"""Runs built from headline figures: who is Byzantine and how, and the run's bounds (§III-D)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from vdlt_spec.consensus import BEHAVIOUR_CHOICES, Behaviour, Mode, Signatures, build_scenario
from vdlt_spec.consensus.payloads import CHECKPOINT_VIEW, SigningDomain, VoteKind, vote_payload
from vdlt_spec.consensus.sim import (
    COLLUDE,
    MIXED,
    Crash,
    Partition,
    assign_behaviours,
    make_scheme,
    parse_behaviour,
    simulate,
    summarize,
)
from vdlt_spec.consensus.sim.scenario import RUN_TIMEOUTS_BASE, RUN_TIMEOUTS_PER_DECISION
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict

DOMAIN = SigningDomain.of((bytes([2]) * 33,))


def test_choices_are_mixed_collude_and_every_behaviour() -> None:
    assert (MIXED, COLLUDE, *(b.value for b in Behaviour)) == BEHAVIOUR_CHOICES


def test_colluders_are_the_first_replicas_led_by_an_equivocating_primary() -> None:
    assert assign_behaviours(7, 3, COLLUDE, seed=5) == {
        0: Behaviour.EQUIVOCATE,
        1: Behaviour.DOUBLE_VOTE,
        2: Behaviour.DOUBLE_VOTE,
    }


def test_a_mix_takes_every_behaviour_in_turn_on_a_seeded_sample() -> None:
    n, count = 16, len(Behaviour) + 1
    chosen = assign_behaviours(n, count, MIXED, seed=3)
    assert chosen == assign_behaviours(n, count, MIXED, seed=3)
    assert list(chosen) == sorted(chosen) and len(chosen) == count
    assert list(chosen.values()) == [*Behaviour, next(iter(Behaviour))]
    assert set(assign_behaviours(n, 4, "forge", seed=3).values()) == {Behaviour.FORGE}


@pytest.mark.parametrize(("count", "choice"), [(-1, MIXED), (5, MIXED), (1, "bribe")])
def test_bad_assignments_are_refused(count: int, choice: str) -> None:
    with pytest.raises(SpecError) as info:
        assign_behaviours(4, count, choice, seed=0)
    assert info.value.reason is Reason.BAD_CONSENSUS_PARAMETER


def test_no_byzantine_replica_for_any_choice() -> None:
    assert all(assign_behaviours(4, 0, choice, seed=0) == {} for choice in BEHAVIOUR_CHOICES)


def test_build_scenario_sets_workload_network_and_time_bound() -> None:
    scenario = build_scenario(
        7,
        2,
        "silent",
        9,
        decisions=4,
        mode=Mode.CLASSIC,
        signatures=Signatures.REAL,
        loss=Fraction(1, 20),
        batch=3,
    )
    config = scenario.config
    assert (config.n, config.mode, config.max_batch) == (7, Mode.CLASSIC, 3)
    assert (scenario.seed, scenario.requests, scenario.decisions) == (9, 12, 4)
    assert scenario.network.loss == Fraction(1, 20)
    assert scenario.signatures is Signatures.REAL
    assert scenario.byzantine == assign_behaviours(7, 2, "silent", 9)
    timeouts = RUN_TIMEOUTS_BASE + RUN_TIMEOUTS_PER_DECISION * 4
    assert scenario.max_time == config.view_timeout * timeouts


def test_checkpoint_votes_sign_the_checkpoint_view_only() -> None:
    digest = bytes(range(32))
    checkpoint = vote_payload(DOMAIN, VoteKind.CHECKPOINT, CHECKPOINT_VIEW, 8, digest)
    assert vote_payload(DOMAIN, VoteKind.CHECKPOINT, 5, 8, digest) == checkpoint
    assert vote_payload(DOMAIN, VoteKind.COMMIT, 5, 8, digest) != vote_payload(
        DOMAIN, VoteKind.COMMIT, CHECKPOINT_VIEW, 8, digest
    )


def test_option_parsers_name_the_choices() -> None:
    assert Mode.parse("classic") is Mode.CLASSIC
    assert Signatures.parse("real") is Signatures.REAL
    assert parse_behaviour("collude") == COLLUDE
    cases = [
        (
            lambda: Mode.parse("hotstuff", "--mode"),
            "--mode must be ipbft or classic, got 'hotstuff'",
        ),
        (
            lambda: Signatures.parse("bls", "--signatures"),
            "--signatures must be real or ideal, got 'bls'",
        ),
        (
            lambda: parse_behaviour("evil", "--behaviour"),
            f"--behaviour must be one of {', '.join(BEHAVIOUR_CHOICES)}, got 'evil'",
        ),
    ]
    for parse, message in cases:
        with pytest.raises(SpecError) as caught:
            parse()
        assert caught.value.reason is Reason.BAD_USAGE and caught.value.detail == message


def test_summarize_reports_the_run_and_convicts_colluders() -> None:
    scenario = build_scenario(4, 0, MIXED, 1, decisions=3)
    scheme = make_scheme(scenario.signatures, 4, 1)
    result = simulate(scenario, scheme)
    summary = summarize(scenario, result, scheme)
    assert (summary.n, summary.f, summary.mode) == (4, 1, Mode.IPBFT)
    assert summary.decided_sequence_numbers == result.decided_seqs >= 3
    assert summary.executed_min == min(result.executed.values())
    assert summary.executed_max == max(result.executed.values())
    expected = round(result.metrics.messages / result.decided_seqs, 2)
    assert summary.messages_per_decision == expected
    assert summary.conflicts == () and summary.culprits == ()
    assert summary.verdict is Verdict.VALID
    colluding = build_scenario(4, 2, COLLUDE, 1, decisions=3)
    scheme = make_scheme(colluding.signatures, 4, 1)
    result = simulate(colluding, scheme)
    summary = summarize(colluding, result, scheme)
    assert summary.byzantine == {str(i): str(b) for i, b in colluding.byzantine.items()}
    assert len(summary.conflicts) == len(result.conflicts) > 0
    assert {c.replica for c in summary.culprits} <= set(colluding.byzantine)
    assert summary.culprits and summary.verdict is Verdict.INVALID


@pytest.mark.parametrize(
    ("make", "detail"),
    [
        (lambda: Crash(1, 372, 337), "recover after it"),
        (lambda: Crash(1, 5, 5), "recover after it"),
        (lambda: Crash(1, -1, None), "recover after it"),
        (lambda: Partition(300, 200, ((0,),)), "end no earlier"),
        (lambda: Partition(-5, 10, ((0,),)), "end no earlier"),
    ],
)
def test_a_fault_that_ends_before_it_starts_is_refused(make: Any, detail: str) -> None:
    """A crash recovering before it starts would leave the replica down for good: refused."""
    with pytest.raises(SpecError) as error:
        make()
    assert error.value.reason is Reason.BAD_CONSENSUS_PARAMETER and detail in str(error.value)
    assert Crash(1, 0, None).end is None and Partition(5, 5, ((0,),)).start == 5
