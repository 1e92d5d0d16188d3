"""Tests of the consensus conformance vectors: coverage, lossless codec, validation vs step.

The vector files themselves are checked for drift and run against the reference by
tests/test_conformance.py, like every suite.
"""

from __future__ import annotations

from typing import Any

import pytest

from vdlt_spec import serial
from vdlt_spec.conformance import operations, suite
from vdlt_spec.conformance.consensus_edges import default_scenario
from vdlt_spec.conformance.consensus_scenarios import main_scenario, quorum_scenario
from vdlt_spec.conformance.consensus_tamper import first_prepared_plan, tampered
from vdlt_spec.conformance.consensus_vectors import MODES, handler_label
from vdlt_spec.conformance.ops.consensus import SCHEMES
from vdlt_spec.conformance.vector import Vector
from vdlt_spec.consensus import ConsensusConfig
from vdlt_spec.consensus.config import Mode
from vdlt_spec.consensus.messages import Message, NewView, ViewChange
from vdlt_spec.consensus.replica import Deliver, Output, ReplicaEvent, ReplicaState, step
from vdlt_spec.consensus.replica.validation import (
    Disposition,
    Validation,
    has_effect,
    new_view_fault,
    validate,
    view_change_fault,
)
from vdlt_spec.consensus.replica.viewchange import new_view_plan, valid_new_view, valid_view_change
from vdlt_spec.errors import Reason, SpecError

SUITES = ("consensus-step", "consensus-validate", "consensus-sanity", "consensus-payload")
HANDLERS = {
    "both": (
        "client-request",
        "pre-prepare",
        "view-change",
        "new-view",
        "state-request",
        "state-reply",
        "fetch",
        "fetch-reply",
        "progress-timer-catch-up",
        "progress-timer-view-change",
        "view-change-timer-resend",
        "view-change-timer-escalate",
        "recover",
        "new-view-highest-prepared",
        "enter-view-2-with-highest-prepared",
    ),
    Mode.IPBFT: (
        "vote-prepare",
        "vote-commit",
        "vote-checkpoint",
        "sign-request",
        "partial-sig",
        "cert-msg-prepare",
        "cert-msg-commit",
        "cert-msg-checkpoint",
        "sign-timer-resend",
        "sign-timer-retry",
    ),
    Mode.CLASSIC: ("classic-vote-prepare", "classic-vote-commit", "classic-vote-checkpoint"),
}


def _vectors(name: str) -> tuple[Vector, ...]:
    return suite.bundled()[name].vectors


def _config(vector: Vector) -> ConsensusConfig:
    config: ConsensusConfig = serial.decode(ConsensusConfig, vector.input["group"])
    return config


def _scheme(vector: Vector) -> Any:
    return SCHEMES[vector.input["scheme"]](_config(vector).n, vector.input["seed"])


def _same_json(tp: Any, data: Any) -> None:
    """Decode ``data`` as ``tp`` and check it encodes back to exactly the same JSON."""
    assert serial.encode(serial.decode(tp, data)) == data


def test_the_consensus_suites_are_bundled() -> None:
    bundled = suite.bundled()
    for name in SUITES:
        assert bundled[name].vectors, name


@pytest.mark.parametrize("mode", MODES)
def test_every_handler_has_a_step_vector(mode: Mode) -> None:
    ids = {v.id for v in _vectors("consensus-step")}
    for label in (*HANDLERS["both"], *HANDLERS[mode]):
        assert f"step-{mode.value}-{label}" in ids


def test_every_vector_round_trips_through_the_codec() -> None:
    for vector in _vectors("consensus-step"):
        _same_json(ReplicaState, vector.input["state"])
        _same_json(ReplicaEvent, vector.input["event"])
        _same_json(ReplicaState, vector.expect_output["state"])
        _same_json(tuple[Output, ...], vector.expect_output["outputs"])
    for vector in _vectors("consensus-validate"):
        _same_json(ReplicaState, vector.input["state"])
        _same_json(Message, vector.input["message"])
    for vector in _vectors("consensus-sanity"):
        _same_json(tuple[ReplicaEvent, ...], vector.input["events"])
        _same_json(ReplicaState, vector.expect_output["state"])
        for outputs in vector.expect_output["outputs"]:
            _same_json(tuple[Output, ...], outputs)


def _effect(config: ConsensusConfig, scheme: Any, state: ReplicaState, event: Deliver) -> bool:
    post, outputs = step(config, scheme, state, event)
    return post != state or bool(outputs)


def test_validation_vectors_agree_with_the_step() -> None:
    """Accept and defer exactly when delivering the message changes something (or rejects)."""
    for vector in _vectors("consensus-validate"):
        config, scheme = _config(vector), _scheme(vector)
        state = serial.decode(ReplicaState, vector.input["state"])
        message = serial.decode(Message, vector.input["message"])
        event = Deliver(vector.input["source"], message)
        verdict = Validation(
            Disposition(vector.expect_output["outcome"]),
            Reason(vector.expect_output["reason"]) if vector.expect_output["reason"] else None,
        )
        assert has_effect(verdict) == _effect(config, scheme, state, event), vector.id


@pytest.mark.parametrize("mode", MODES)
def test_validation_agrees_with_every_recorded_delivery(mode: Mode) -> None:
    for rec in (main_scenario(mode), quorum_scenario(mode)):
        for recorded in rec.steps:
            event = recorded.event
            if not isinstance(event, Deliver):
                continue
            verdict = validate(rec.config, rec.scheme, recorded.pre, event.source, event.message)
            changed = recorded.post != recorded.pre or bool(recorded.outputs)
            assert has_effect(verdict) == changed, recorded
            assert (verdict.reason is None) == (verdict.outcome is Disposition.ACCEPT)


@pytest.mark.parametrize("mode", MODES)
def test_faults_agree_with_the_view_change_and_new_view_checks(mode: Mode) -> None:
    rec = main_scenario(mode)
    messages: list[Message] = [
        o.message
        for r in rec.steps
        for o in r.outputs
        if isinstance(getattr(o, "message", None), ViewChange | NewView)
    ]
    messages += [case[3] for case in tampered(rec) if isinstance(case[3], ViewChange | NewView)]
    assert len(messages) > 10
    for m in messages:
        if isinstance(m, ViewChange):
            ok = valid_view_change(rec.config, rec.scheme, m)
            assert (view_change_fault(rec.config, rec.scheme, m) is None) == ok
        else:
            ok = valid_new_view(rec.config, rec.scheme, m)
            assert (new_view_fault(rec.config, rec.scheme, m) is None) == ok


@pytest.mark.parametrize("mode", MODES)
def test_the_scenario_reaches_two_prepared_blocks_at_different_views(mode: Mode) -> None:
    """The new view of view 2 must choose between different blocks prepared in views 0 and 1."""
    rec = main_scenario(mode)
    new_view = next(
        o.message
        for r in rec.steps
        for o in r.outputs
        if isinstance(getattr(o, "message", None), NewView) and o.message.view == 2
    )
    entries = [e for vc in new_view.view_changes for e in vc.prepared if e.seq == 3]
    assert {e.view for e in entries} == {0, 1}
    assert len({e.digest for e in entries}) == 2
    _, plan = new_view_plan(new_view.view_changes)
    assert plan != first_prepared_plan(new_view.view_changes)
    chosen = dict(plan)[3]
    assert chosen == max(entries, key=lambda e: e.view).block


def test_the_sanity_traces_replay_the_recorded_steps() -> None:
    for vector in _vectors("consensus-sanity"):
        mode = Mode(vector.input["group"]["mode"])
        default = vector.id.endswith("default-group")
        rec = default_scenario(mode) if default else main_scenario(mode)
        index = vector.input["index"]
        recorded = [s for s in rec.steps if s.replica == index and not s.probe]
        assert serial.encode([list(s.outputs) for s in recorded]) == vector.expect_output["outputs"]
        assert serial.encode(recorded[-1].post) == vector.expect_output["state"]


def test_handler_labels_name_timers_and_messages() -> None:
    labels = {handler_label(s) for s in main_scenario(Mode.IPBFT).steps}
    assert {"sign-timer-resend", "sign-timer-retry", "progress-timer-catch-up"} <= labels


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"scheme": "quantum"}, Reason.SCHEMA_VIOLATION),
        ({"seed": "x"}, Reason.SCHEMA_VIOLATION),
        ({"state": {"index": 9}}, Reason.SCHEMA_VIOLATION),
        ({"group": {"n": 0}}, Reason.BAD_CONSENSUS_PARAMETER),
    ],
)
def test_malformed_step_inputs_are_refused_with_a_reason(
    change: dict[str, Any], reason: Reason
) -> None:
    payload = dict(_vectors("consensus-step")[0].input) | change
    with pytest.raises(SpecError) as caught:
        operations.call("consensus.step", payload)
    assert caught.value.reason is reason


def test_a_trace_of_an_unknown_replica_is_refused() -> None:
    payload = dict(_vectors("consensus-sanity")[0].input) | {"index": 4}
    with pytest.raises(SpecError) as caught:
        operations.call("consensus.run", payload)
    assert caught.value.reason is Reason.SCHEMA_VIOLATION
