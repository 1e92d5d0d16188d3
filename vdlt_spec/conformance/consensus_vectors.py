"""List the inputs of the consensus vectors: steps, message validation, sanity traces (§III-D).

Every input is cut from the recorded scenarios of
:mod:`vdlt_spec.conformance.consensus_scenarios`, so the vectors follow the replica: after a
change of the replica's state shape, ``vdlt conformance generate --only consensus-step --only
consensus-validate --only consensus-sanity --out vdlt_spec/conformance/vectors`` regenerates
them. The expected answers are the reference's (:mod:`vdlt_spec.conformance.ops.consensus`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from vdlt_spec import serial
from vdlt_spec.conformance.consensus_edges import default_trace, edge_deliveries, edge_steps
from vdlt_spec.conformance.consensus_scenarios import (
    LAGGING,
    OBSERVED,
    SCHEME_SEED,
    RecordedStep,
    Recorder,
    main_scenario,
    make_scheme,
    quorum_scenario,
)
from vdlt_spec.conformance.consensus_tamper import TamperCase, tampered
from vdlt_spec.conformance.suite import VectorInput
from vdlt_spec.consensus.config import ConsensusConfig, Mode
from vdlt_spec.consensus.messages import ClassicVote, Message, NewView, Vote
from vdlt_spec.consensus.payloads import SigningDomain, VoteKind, vote_payload
from vdlt_spec.consensus.replica import Deliver, Fire, ReplicaEvent, ReplicaState, step
from vdlt_spec.consensus.replica.state import (
    ProgressTimer,
    SignTimer,
    ViewChangeTimer,
    session_key,
)
from vdlt_spec.consensus.replica.validation import validate

SCHEME = "real"
SAME_FOR_EVERY_KIND = ("sign-request", "partial-sig")
"""Messages whose handler does not depend on the vote kind: one step vector each."""
MODES = (Mode.IPBFT, Mode.CLASSIC)


def group_input(config: ConsensusConfig) -> dict[str, Any]:
    """Return the group part of every consensus input: parameters, scheme, roster seed."""
    return {"group": serial.encode(config), "scheme": SCHEME, "seed": SCHEME_SEED}


def _kebab(name: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in name).lstrip("-")


def handler_label(recorded: RecordedStep) -> str:
    """Name the handler a recorded step exercises, e.g. ``cert-msg-commit`` or ``sign-timer``."""
    event, pre = recorded.event, recorded.pre
    if isinstance(event, Deliver):
        message = event.message
        label = _kebab(type(message).__name__)
        kind = getattr(message, "kind", None)
        if kind is None or label in SAME_FOR_EVERY_KIND:
            return label
        return f"{label}-{VoteKind(kind).name.lower()}"
    if isinstance(event, Fire):
        timer = event.timer
        if isinstance(timer, ProgressTimer):
            late = pre.fetched_epoch == timer.epoch
            return "progress-timer-view-change" if late else "progress-timer-catch-up"
        if isinstance(timer, ViewChangeTimer):
            return "view-change-timer-escalate" if timer.escalate else "view-change-timer-resend"
        if isinstance(timer, SignTimer):
            session = pre.sessions.get(timer.key)
            resent = session is not None and session.resent
            return "sign-timer-retry" if resent else "sign-timer-resend"
    return "recover"


def _effect(recorded: RecordedStep) -> bool:
    return recorded.post != recorded.pre or bool(recorded.outputs)


def _state_input(config: ConsensusConfig, pre: ReplicaState, event: ReplicaEvent) -> dict[str, Any]:
    return group_input(config) | {"state": serial.encode(pre), "event": serial.encode(event)}


def _step_input(rec: Recorder, recorded: RecordedStep) -> dict[str, Any]:
    return _state_input(rec.config, recorded.pre, recorded.event)


def _unique(cases: Iterable[TamperCase]) -> Iterator[TamperCase]:
    """Yield the cases whose name is new (the first of each name)."""
    names: set[str] = set()
    for case in cases:
        if case[0] not in names:
            names.add(case[0])
            yield case


def _sends_new_view(recorded: RecordedStep, view: int) -> bool:
    return any(isinstance(getattr(o, "message", None), NewView) for o in recorded.outputs) and (
        recorded.post.view == view
    )


def _size(recorded: RecordedStep) -> int:
    return len(serial.dumps(recorded.pre))


def _named_steps(rec: Recorder) -> Iterator[tuple[str, RecordedStep]]:
    """Yield, per handler, the effective step with the smallest pre state; then the key steps."""
    best: dict[str, tuple[int, int, RecordedStep]] = {}
    for position, recorded in enumerate(rec.steps):
        if not _effect(recorded):
            continue
        label = handler_label(recorded)
        rank = (_size(recorded), position)
        if label not in best or rank < best[label][:2]:
            best[label] = (*rank, recorded)
    for label, (_, _, recorded) in sorted(best.items()):
        yield label, recorded
    for recorded in rec.steps:
        if recorded.replica == OBSERVED and _sends_new_view(recorded, 2):
            yield "new-view-highest-prepared", recorded
            break
    for recorded in rec.steps:
        event = recorded.event
        if (
            isinstance(event, Deliver)
            and isinstance(event.message, NewView)
            and event.message.view == 2
            and recorded.replica == 0
        ):
            yield "enter-view-2-with-highest-prepared", recorded
            break


def _timer_probes(rec: Recorder) -> Iterator[tuple[str, RecordedStep]]:
    """Yield view-change timer steps taken on a replica in view-change status."""
    for recorded in rec.steps:
        pre = recorded.pre
        if pre.status.value == "view-change" and recorded.phase == "view-change-1":
            for escalate in (False, True):
                timer = ViewChangeTimer(pre.view, escalate)
                label = "view-change-timer-escalate" if escalate else "view-change-timer-resend"
                yield label, _probe(rec, recorded.replica, pre, Fire(timer))
            return


def _probe(rec: Recorder, replica: int, pre: ReplicaState, event: ReplicaEvent) -> RecordedStep:
    post, outputs = step(rec.config, rec.scheme, pre, event)
    return RecordedStep(replica, pre, event, post, outputs, "probe", True)


def step_inputs() -> Iterator[VectorInput]:
    """Yield one step vector per handler and mode, the new view 2 steps, the quorum boundary."""
    for mode in MODES:
        rec = main_scenario(mode)
        chosen = dict(_named_steps(rec))
        for label, recorded in _timer_probes(rec):
            chosen.setdefault(label, recorded)
        for label, recorded in sorted(chosen.items()):
            yield VectorInput(
                f"step-{mode.value}-{label}",
                "consensus.step",
                _step_input(rec, recorded),
                f"replica {recorded.replica}, phase {recorded.phase}",
            )
        for name, pre, source, message, comment in _unique(tampered(rec)):
            yield VectorInput(
                f"step-{mode.value}-{name}",
                "consensus.step",
                _state_input(rec.config, pre, Deliver(source, message)),
                comment or "a tampered message: the replica ignores it",
            )
        for label, config, pre, source, message, comment in edge_deliveries(mode):
            yield VectorInput(
                f"step-{mode.value}-{label}",
                "consensus.step",
                _state_input(config, pre, Deliver(source, message)),
                comment,
            )
        for label, config, pre, event, comment in edge_steps(mode):
            yield VectorInput(
                f"step-{mode.value}-{label}",
                "consensus.step",
                _state_input(config, pre, event),
                comment,
            )
        for label, small, recorded in _boundary_steps(mode):
            yield VectorInput(
                f"step-{mode.value}-{label}",
                "consensus.step",
                _step_input(small, recorded),
                "n = 6: a quorum is 5 (3k > 2n); one vote short, nothing may happen",
            )


def _boundary_steps(mode: Mode) -> Iterator[tuple[str, Recorder, RecordedStep]]:
    """Yield the n = 6 steps one vote short of a quorum: 4 of 6 voters, 3 of 4 backups."""
    rec = quorum_scenario(mode)
    for recorded in rec.steps:
        event = recorded.event
        if not isinstance(event, Deliver):
            continue
        message = event.message
        if mode == Mode.IPBFT and isinstance(message, Vote) and message.kind == VoteKind.PREPARE:
            session = recorded.pre.sessions.get(
                session_key(message.kind, message.view, message.seq, message.digest)
            )
            if session is not None and len(session.voters) == 3:
                yield "n6-fourth-prepare-vote-at-the-collector", rec, recorded
                return
        if isinstance(message, ClassicVote) and message.kind == VoteKind.PREPARE:
            key = session_key(message.kind, message.view, message.seq, message.digest)
            backups = set(recorded.pre.votes.get(key, {})) - {0}
            if recorded.replica != 0 and len(backups) == 2 and event.source not in backups:
                yield "n6-third-backup-prepare", rec, recorded
                return


def _validation_input(
    config: ConsensusConfig, pre: ReplicaState, source: int, message: Message
) -> dict[str, Any]:
    return group_input(config) | {
        "state": serial.encode(pre),
        "source": source,
        "message": serial.encode(message),
    }


def _observed_cases(rec: Recorder) -> Iterator[TamperCase]:
    """Yield, per (message type, outcome, reason) seen, the delivery with the smallest state."""
    best: dict[tuple[str, str, str], tuple[int, int, RecordedStep]] = {}
    for position, recorded in enumerate(rec.steps):
        event = recorded.event
        if not isinstance(event, Deliver):
            continue
        v = validate(rec.config, rec.scheme, recorded.pre, event.source, event.message)
        label = _kebab(type(event.message).__name__)
        key = (label, v.outcome.value, v.reason.value if v.reason else "")
        rank = (_size(recorded), position)
        if key not in best or rank < best[key][:2]:
            best[key] = (*rank, recorded)
    for key, (_, _, recorded) in sorted(best.items()):
        event = recorded.event
        assert isinstance(event, Deliver)
        name = "-".join(part.lower().replace("_", "-") for part in key if part)
        yield name, recorded.pre, event.source, event.message, f"phase {recorded.phase}"


QUORUM_CASES = ("one-short-of-quorum", "exact-quorum")
"""The validation cases kept for the n = 6 group: those about the quorum boundary."""


def validation_inputs() -> Iterator[VectorInput]:
    """Yield message-validation vectors: observed deliveries, then tampered messages."""
    for mode in MODES:
        for rec in (main_scenario(mode), quorum_scenario(mode)):
            prefix = f"validate-{mode.value}" + ("-n6" if rec.config.n == 6 else "")
            if rec.config.n == 6:
                cases = [c for c in tampered(rec) if c[0].endswith(QUORUM_CASES)]
            else:
                cases = [*_observed_cases(rec), *tampered(rec)]
            for name, pre, source, message, comment in _unique(cases):
                yield VectorInput(
                    f"{prefix}-{name}",
                    "consensus.validate",
                    _validation_input(rec.config, pre, source, message),
                    comment,
                )
        for label, config, pre, source, message, comment in edge_deliveries(mode):
            yield VectorInput(
                f"validate-{mode.value}-{label}",
                "consensus.validate",
                _validation_input(config, pre, source, message),
                comment,
            )


PAYLOAD_CASES = (
    ("vdlt", 0, VoteKind.PREPARE, 0, 1),
    ("vdlt", 0, VoteKind.PREPARE, 1, 1),
    ("vdlt", 0, VoteKind.COMMIT, 2**32, 2**40),
    ("vdlt", 0, VoteKind.CHECKPOINT, 7, 8),
    ("vdlt", 1, VoteKind.PREPARE, 0, 1),
    ("another-chain", 0, VoteKind.PREPARE, 0, 1),
    ("vdlt", 0, VoteKind.PRE_PREPARE, 2**64 - 1, 2**64 - 1),
    ("vdlt", 0, VoteKind.VIEW_CHANGE, 3, 0),
    ("vdlt", 0, VoteKind.NEW_VIEW, 3, 0),
)
"""(chain, epoch, kind, view, seq) of the payload vectors: each differs from the first in one."""


def payload_inputs() -> Iterator[VectorInput]:
    """Yield vote-payload vectors: every kind, views and seqs that differ, chains and epochs."""
    roster = [key.hex() for key in make_scheme(4).roster]
    digest = bytes(range(32)).hex()
    for chain, epoch, kind, view, seq in PAYLOAD_CASES:
        yield VectorInput(
            f"payload-{chain}-e{epoch}-{kind.name.lower().replace('_', '-')}-v{view}-s{seq}",
            "consensus.vote_payload",
            {
                "chain_id": chain,
                "epoch": epoch,
                "roster": roster,
                "kind": int(kind),
                "view": view,
                "seq": seq,
                "digest": digest,
            },
        )
    bad = {"chain_id": "vdlt", "epoch": 0, "roster": roster, "kind": 2, "view": 2**64}
    yield VectorInput(
        "payload-view-beyond-64-bits", "consensus.vote_payload", bad | {"seq": 1, "digest": digest}
    )
    yield VectorInput(
        "payload-short-digest",
        "consensus.vote_payload",
        bad | {"view": 0, "seq": 1, "digest": "00"},
    )
    yield VectorInput(
        "payload-long-digest",
        "consensus.vote_payload",
        bad | {"view": 0, "seq": 1, "digest": digest + "00"},
        "33 bytes: a digest is exactly 32",
    )
    for name, epoch in (("epoch-at-the-64-bit-bound", 2**64 - 1), ("epoch-beyond-64-bits", 2**64)):
        yield VectorInput(
            f"payload-{name}",
            "consensus.vote_payload",
            bad | {"epoch": epoch, "view": 0, "seq": 1, "digest": digest},
        )
    yield from wire_size_inputs()
    yield from verify_vote_inputs()


def verify_vote_inputs() -> Iterator[VectorInput]:
    """Yield third-party vote checks: valid, another signer, outside the roster, bent bytes."""
    scheme = make_scheme(4)
    roster = [key.hex() for key in scheme.roster]
    digest = bytes(range(32))
    base: dict[str, Any] = {
        "chain_id": "vdlt",
        "epoch": 0,
        "roster": roster,
        "digest": digest.hex(),
    }
    domain = SigningDomain.of(scheme.roster)
    prepare = scheme.sign(1, vote_payload(domain, VoteKind.PREPARE, 3, 5, digest))
    checkpoint = scheme.sign(1, vote_payload(domain, VoteKind.CHECKPOINT, 0, 4, digest))
    vote = base | {"signer": 1, "kind": int(VoteKind.PREPARE), "view": 3, "seq": 5}
    cases: tuple[tuple[str, dict[str, Any], str], ...] = (
        ("valid", vote | {"signature": prepare.hex()}, ""),
        ("another-signer", vote | {"signer": 2, "signature": prepare.hex()}, ""),
        ("signer-n", vote | {"signer": 4, "signature": prepare.hex()}, "the roster is 0 to 3"),
        ("signer-minus-one", vote | {"signer": -1, "signature": prepare.hex()}, ""),
        ("another-view", vote | {"view": 4, "signature": prepare.hex()}, ""),
        ("another-chain", vote | {"chain_id": "another-chain", "signature": prepare.hex()}, ""),
        ("short-signature", vote | {"signature": prepare[:63].hex()}, "63 bytes"),
        (
            "checkpoint-in-any-view",
            vote
            | {
                "kind": int(VoteKind.CHECKPOINT),
                "view": 9,
                "seq": 4,
                "signature": checkpoint.hex(),
            },
            "a checkpoint vote binds no view",
        ),
    )
    for name, data, comment in cases:
        yield VectorInput(f"verify-vote-{name}", "consensus.verify_vote", data, comment)


def wire_size_inputs() -> Iterator[VectorInput]:
    """Yield the wire size of the smallest and the largest message of each type, per mode."""
    for mode in MODES:
        by_type: dict[str, list[tuple[int, str, Message]]] = {}
        for recorded in main_scenario(mode).steps:
            event = recorded.event
            if isinstance(event, Deliver):
                text = serial.dumps(event.message)
                by_type.setdefault(_kebab(type(event.message).__name__), []).append(
                    (len(text), text, event.message)
                )
        for label, found in sorted(by_type.items()):
            found.sort(key=lambda item: item[:2])
            for end, (_, _, message) in (("smallest", found[0]), ("largest", found[-1])):
                yield VectorInput(
                    f"wire-size-{mode.value}-{label}-{end}",
                    "consensus.wire_size",
                    {"message": serial.encode(message)},
                )


def _trace(rec: Recorder, replica: int, keep: Callable[[RecordedStep], bool]) -> dict[str, Any]:
    events = [s.event for s in rec.steps if s.replica == replica and not s.probe and keep(s)]
    return group_input(rec.config) | {"index": replica, "events": serial.encode(events)}


def sanity_inputs() -> Iterator[VectorInput]:
    """Yield the whole trace of the new primary of view 2 and of the replica that catches up."""
    for mode in MODES:
        rec = main_scenario(mode)
        yield VectorInput(
            f"sanity-{mode.value}-new-primary",
            "consensus.run",
            _trace(rec, OBSERVED, lambda s: True),
            "replica 2 from genesis: Byzantine messages, two view changes, the new view of view 2 "
            "re-proposing the block prepared in view 1 over the one prepared in view 0",
        )
        yield VectorInput(
            f"sanity-{mode.value}-state-transfer",
            "consensus.run",
            _trace(rec, LAGGING, lambda s: True),
            "replica 3 from genesis: down during the last checkpoint, then recovers, fetches and "
            "installs the checkpoint state",
        )
    yield VectorInput(
        "sanity-ipbft-default-group",
        "consensus.run",
        default_trace(Mode.IPBFT),
        "replica 1 in the group given by n alone: every timer runs with its default delay "
        "(progress half a view timeout, sign, view change)",
    )


__all__ = [
    "group_input",
    "handler_label",
    "payload_inputs",
    "sanity_inputs",
    "step_inputs",
    "validation_inputs",
]
