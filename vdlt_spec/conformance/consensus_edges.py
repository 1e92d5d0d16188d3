"""Build the boundary cases of the consensus vectors: each rule of the replica at its edge (§III-D).

The recorded scenarios of :mod:`vdlt_spec.conformance.consensus_scenarios` reach every handler,
but not every bound a handler checks. The cases here put a replica exactly at a bound and
deliver the message or fire the timer on each side of it:

* a checkpoint vote at, off and below the checkpoint interval (checkpoints every 2 blocks);
* a client request whose number is below, equal to and above one already pending;
* a message from index -1 (the client's) and from index n, outside the roster;
* a fetch for the first sequence number logged, the one after the log, and 0;
* view changes from genesis: valid, with a checkpoint proof at seq 0, with another digest, and a
  forged one from a lower and from a higher index than the receiver's;
* a partial signature from a replica that never voted in the session;
* the primary's half-timeout retransmission, with certificates of sequence numbers executed
  and not yet executed;
* a fetch reply that moves the stable checkpoint onto a committed block and a kept pre-prepare;
* the default group (``{"n": 4}`` and nothing else): every timer with its default delay.

Every expected answer is the reference's; these modules only choose the inputs.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from typing import Any

from vdlt_spec import serial
from vdlt_spec.conformance.consensus_scenarios import (
    SCHEME_SEED,
    RecordedStep,
    Recorder,
    main_scenario,
    make_scheme,
)
from vdlt_spec.conformance.consensus_tamper import Tamper
from vdlt_spec.consensus.block import Block, Request, block_digest, state_digest
from vdlt_spec.consensus.config import ConsensusConfig, Mode, primary_of
from vdlt_spec.consensus.messages import (
    CertMsg,
    ClassicVote,
    ClientRequest,
    CommittedEntry,
    Fetch,
    FetchReply,
    Message,
    NewView,
    PartialSig,
    PrePrepare,
    ViewChange,
    Vote,
)
from vdlt_spec.consensus.payloads import CHECKPOINT_VIEW, VoteKind
from vdlt_spec.consensus.quorum import SignedVote, VoteSet
from vdlt_spec.consensus.replica import (
    CLIENT,
    GENESIS_DIGEST,
    Broadcast,
    Deliver,
    Fire,
    ReplicaEvent,
    ReplicaState,
    initial_state,
    step,
)
from vdlt_spec.consensus.replica.state import (
    ProgressTimer,
    RetransmitTimer,
    Status,
    ViewChangeTimer,
    session_key,
)

EdgeStep = tuple[str, ConsensusConfig, ReplicaState, ReplicaEvent, str]
"""A step case: label, the group, the pre state, the event, a comment."""
EdgeCase = tuple[str, ConsensusConfig, ReplicaState, int, Message, str]
"""A validation case: label, the group, the receiving state, the sender, the message, a comment."""

INTERVAL = 2
"""The checkpoint interval of the boundary group: sequence numbers 2, 4, ... are checkpoints."""


def interval_group(mode: Mode) -> ConsensusConfig:
    """Return the boundary group: n = 4, a checkpoint every 2 blocks, a window of 4."""
    return ConsensusConfig(
        n=4, mode=mode, checkpoint_interval=INTERVAL, window=2 * INTERVAL, max_batch=2
    )


LOST_AT_THE_PRIMARY = (VoteKind.COMMIT, VoteKind.CHECKPOINT)


def _not_lost(source: int, target: int, message: Message) -> bool:
    """Tell whether a message arrives: the others' commit and checkpoint votes to 0 do not."""
    lost = isinstance(message, Vote | ClassicVote) and message.kind in LOST_AT_THE_PRIMARY
    return not (lost and target == 0 and source != 0)


@functools.cache
def edge_scenario(mode: Mode) -> tuple[Recorder, tuple[ReplicaState, ...]]:
    """Commit block 1 everywhere, then block 2 everywhere but at the primary; shared.

    Returns the recorder and the replicas' states after block 1. The primary of view 0 misses
    every other replica's commit and checkpoint votes for block 2, so it still waits for it.
    """
    rec = Recorder(interval_group(mode), make_scheme(4))
    rec.phase = "boundary"
    rec.request()
    rec.flush()
    first = tuple(rec.states)
    rec.request()
    rec.flush(_not_lost)
    return rec, first


def _checkpoint_votes(t: Tamper, first: tuple[ReplicaState, ...]) -> Iterator[EdgeCase]:
    """Yield checkpoint votes below, off and on the interval (stable checkpoint 0)."""
    c = t.config
    digest = state_digest(t.rec.states[1].app)
    for label, seq in (
        ("below-the-stable-seq", 0),
        ("off-the-interval", 1),
        ("on-the-interval", 2),
    ):
        comment = f"a checkpoint every {INTERVAL} blocks, the stable checkpoint at 0"
        if c.mode == Mode.IPBFT:
            _, pubnonce = t.scheme.nonce_gen(1, b"checkpoint" + bytes([seq]))
            vote: Message = Vote(VoteKind.CHECKPOINT, 0, seq, digest, pubnonce)
            yield f"checkpoint-vote-{label}", c, first[0], 1, vote, comment
        else:
            signature = t.sign(2, VoteKind.CHECKPOINT, CHECKPOINT_VIEW, seq, digest)
            vote = ClassicVote(VoteKind.CHECKPOINT, 0, seq, digest, signature)
            yield f"checkpoint-vote-{label}", c, first[1], 2, vote, comment


def _client_requests(t: Tamper, backup: ReplicaState) -> Iterator[EdgeCase]:
    """Yield requests numbered below, at and above a pending one, and an executed one."""
    c = t.config
    pending, _ = step(c, t.scheme, backup, Deliver(CLIENT, ClientRequest(Request(7, 5, b"5"))))
    comment = "request (7, 5) is pending, (7, 0) executed"
    for label, number in (
        ("below-a-pending-one", 4),
        ("equal-to-a-pending-one", 5),
        ("above-a-pending-one", 6),
        ("already-executed", 0),
    ):
        request = ClientRequest(Request(7, number, bytes([number])))
        yield f"client-request-{label}", c, pending, CLIENT, request, comment


def _outside_the_roster(t: Tamper, backup: ReplicaState) -> Iterator[EdgeCase]:
    """Yield a well-signed pre-prepare delivered from index -1 and from index n."""
    c = t.config
    message = t.pre_prepare(0, 2, Block((Request(7, 9, b"nine"),)))
    yield "pre-prepare-from-index-minus-one", c, backup, -1, message, "-1 is the client's index"
    yield "pre-prepare-from-index-n", c, backup, c.n, message, f"replicas are 0 to {c.n - 1}"
    yield "pre-prepare-from-index-n-plus-one", c, backup, c.n + 1, message, ""


def _fetches(t: Tamper, backup: ReplicaState) -> Iterator[EdgeCase]:
    """Yield fetches from 0, from the last logged seq and from past the log (stable at 0)."""
    c = t.config
    comment = "block 1 executed and logged, the stable checkpoint at 0"
    for label, seq in (("from-seq-0", 0), ("from-the-last-logged-seq", 1), ("past-the-log", 2)):
        yield f"fetch-{label}", c, backup, 2, Fetch(seq), comment


def _flip(data: bytes) -> bytes:
    return bytes(reversed(data))


def _genesis_view_changes(t: Tamper, receiver: ReplicaState) -> Iterator[EdgeCase]:
    """Yield view changes to view 1 from genesis: valid, with a proof, another digest, forged."""
    c = t.config
    me = receiver.index

    def vc(replica: int, digest: bytes = GENESIS_DIGEST, proof: Any = None) -> ViewChange:
        return t.view_change(ViewChange(replica, 1, 0, digest, proof, ()))

    proof = t.proof((0, 1, 2), VoteKind.CHECKPOINT, CHECKPOINT_VIEW, 0, GENESIS_DIGEST)
    comment = f"replica {me} in view 0; seq 0 is genesis, which no proof certifies"
    yield "view-change-from-genesis", c, receiver, me - 1, vc(me - 1), comment
    yield "view-change-from-genesis-with-a-proof", c, receiver, me - 1, vc(me - 1, proof=proof), ""
    yield "view-change-at-seq-0-with-another-digest", c, receiver, me - 1, vc(me - 1, bytes(32)), ""
    current = t.view_change(ViewChange(me - 1, 0, 0, GENESIS_DIGEST, None, ()))
    yield "view-change-for-the-current-view", c, receiver, me - 1, current, "view 0 runs"
    for label, sender in (("lower", me - 1), ("higher", me + 1)):
        forged = vc(sender)
        forged = ViewChange(
            forged.replica,
            forged.new_view,
            forged.stable_seq,
            forged.stable_digest,
            forged.stable_proof,
            forged.prepared,
            _flip(forged.signature),
        )
        yield f"view-change-forged-from-a-{label}-index", c, receiver, sender, forged, ""


def _partial_from_a_non_voter(t: Tamper, primary: ReplicaState) -> Iterator[EdgeCase]:
    """Yield a partial signature for an open session from a replica that never voted in it."""
    session = next(v for v in primary.sessions.values() if v.kind == VoteKind.COMMIT and not v.done)
    _, pubnonce = t.scheme.nonce_gen(1, b"non-voter")
    message = PartialSig(
        session.kind, session.view, session.seq, session.digest, 1, bytes(32), pubnonce
    )
    comment = "the collector's commit session of block 2 has only its own vote"
    yield "partial-sig-from-a-non-voter", t.config, primary, 1, message, comment


def _commit_votes_ahead(t: Tamper, backup: ReplicaState) -> Iterator[EdgeCase]:
    """Yield classic commit votes for block 2 before its pre-prepare, and before it prepared."""
    c, scheme = t.config, t.scheme
    block = Block((Request(7, 1, b"two"),))
    digest = block_digest(block)

    def vote(signer: int) -> ClassicVote:
        signature = t.sign(signer, VoteKind.COMMIT, 0, 2, digest)
        return ClassicVote(VoteKind.COMMIT, 0, 2, digest, signature)

    comment = f"replica {backup.index} has no pre-prepare for block 2"
    yield "classic-commit-vote-before-the-pre-prepare", c, backup, 1, vote(1), comment
    state, _ = step(c, scheme, backup, Deliver(0, t.pre_prepare(0, 2, block)))
    others = [i for i in range(c.n) if i != backup.index]
    for signer in others[:-1]:
        state, _ = step(c, scheme, state, Deliver(signer, vote(signer)))
    last = others[-1]
    comment = "a quorum of commit votes for block 2, which has no prepare quorum: no commit"
    yield "classic-commit-quorum-before-the-prepare-quorum", c, state, last, vote(last), comment
    me = backup.index
    for label, sender in (("lower", me - 1), ("higher", me + 1)):
        signed = t.sign(sender, VoteKind.PREPARE, 0, 2, digest)
        forged = ClassicVote(VoteKind.PREPARE, 0, 2, digest, _flip(signed))
        yield f"classic-vote-forged-from-a-{label}-index", c, backup, sender, forged, ""


def edge_deliveries(mode: Mode) -> Iterator[EdgeCase]:
    """Yield the boundary deliveries of ``mode``: each a validation vector and a step vector."""
    rec, first = edge_scenario(mode)
    t = Tamper(rec)
    yield from _checkpoint_votes(t, first)
    yield from _client_requests(t, first[1])
    yield from _outside_the_roster(t, first[1])
    yield from _fetches(t, first[1])
    yield from _genesis_view_changes(t, first[2])
    if mode == Mode.IPBFT:
        yield from _partial_from_a_non_voter(t, rec.states[0])
    else:
        yield from _commit_votes_ahead(t, first[2])
    yield from main_edges(mode)


def _last_normal(rec: Recorder, replica: int) -> ReplicaState:
    """Return the last state of ``replica`` still in view 0, running normally."""
    states = [r.post for r in rec.steps if r.replica == replica]
    return next(s for s in reversed(states) if s.view == 0 and s.status == Status.NORMAL)


def main_edges(mode: Mode) -> Iterator[EdgeCase]:
    """Yield boundary deliveries in the main scenario's group (checkpoints every block)."""
    rec = main_scenario(mode)
    t = Tamper(rec)
    nv = next(
        r.event
        for r in rec.steps
        if isinstance(r.event, Deliver)
        and isinstance(r.event.message, NewView)
        and r.event.message.view == 2
    )
    yield (
        "new-view-to-a-replica-still-in-view-0",
        rec.config,
        _last_normal(rec, 0),
        nv.source,
        nv.message,
        "the new view of view 2 overtakes the view changes: the replica enters view 2",
    )
    yield from _later_view_kept(t)
    lower = primary_of(2, t.n) - 1
    yield (
        "new-view-from-a-lower-index-than-its-primary",
        rec.config,
        _last_normal(rec, 0),
        lower,
        nv.message,
        f"the new view of view 2 delivered from replica {lower}, not from its primary",
    )
    if mode == Mode.CLASSIC:
        yield from _vote_set_of_another_kind(t)
    if mode == Mode.IPBFT:
        yield from _partial_before_its_nonce(t)
        yield from _in_view_2_below_the_collector(t)


def _vote_set_of_another_kind(t: Tamper) -> Iterator[EdgeCase]:
    """Yield a fetched commit whose proof holds a prepare vote among the commit votes."""
    block = Block((Request(7, 0, b"\x00\x00"),))
    digest = block_digest(block)
    votes = tuple(
        SignedVote(i, kind, t.sign(i, kind, 0, 1, digest))
        for i, kind in ((0, VoteKind.COMMIT), (1, VoteKind.PREPARE), (2, VoteKind.COMMIT))
    )
    entry = CommittedEntry(1, 0, digest, block, VoteSet(votes))
    reply = FetchReply(0, GENESIS_DIGEST, None, (entry,))
    comment = "replica 1's vote in the commit proof is a prepare vote"
    yield (
        "fetch-reply-commit-proof-with-a-vote-of-another-kind",
        t.config,
        initial_state(1),
        0,
        reply,
        comment,
    )


def _delivered(rec: Recorder, tp: type, view: int) -> list[tuple[RecordedStep, Deliver]]:
    """Return the recorded deliveries of messages of type ``tp`` and view ``view``."""
    return [
        (r, r.event)
        for r in rec.steps
        if isinstance(r.event, Deliver)
        and isinstance(r.event.message, tp)
        and getattr(r.event.message, "view", None) == view
    ]


def _later_view_kept(t: Tamper) -> Iterator[EdgeCase]:
    """Yield the new view of view 1 to a replica that kept a pre-prepare of view 2."""
    c, scheme = t.config, t.scheme
    nv_step, nv = _delivered(t.rec, NewView, 1)[-1]
    _, early = _delivered(t.rec, PrePrepare, 2)[0]
    state, _ = step(c, scheme, nv_step.pre, early)
    comment = "the pre-prepare of view 2 stays kept when the replica enters view 1"
    yield "new-view-with-a-later-view-kept", c, state, nv.source, nv.message, comment


def _in_view_2_below_the_collector(t: Tamper) -> Iterator[EdgeCase]:
    """Yield, to replica 0 in view 2, messages for the collector and an older commit proof."""
    c = t.config
    entered, _ = next(
        (r, e) for r, e in _delivered(t.rec, NewView, 2) if r.replica == 0 and r.post.view == 2
    )
    state = entered.post
    seq, slot = next(iter(state.slots.items()))
    digest = slot[0].digest
    _, pubnonce = t.scheme.nonce_gen(1, b"below")
    comment = "replica 0 is not the collector of view 2 (replica 2 is)"
    vote = Vote(VoteKind.PREPARE, 2, seq, digest, pubnonce)
    yield "vote-to-a-replica-below-the-collector", c, state, 1, vote, comment
    psig = PartialSig(VoteKind.PREPARE, 2, seq, digest, 1, bytes(32), pubnonce)
    yield "partial-sig-to-a-replica-below-the-collector", c, state, 1, psig, comment
    proof = t.cert((0, 1, 2), VoteKind.COMMIT, 1, seq, digest)
    cert = CertMsg(VoteKind.COMMIT, 1, seq, digest, proof)
    comment = (
        "a commit certificate of view 1, without its block, for the block view 2 re-proposed: "
        "the block is known from a slot of the current view only"
    )
    yield "cert-commit-of-an-older-view-without-its-block", c, state, 1, cert, comment


def _partial_before_its_nonce(t: Tamper) -> Iterator[EdgeCase]:
    """Yield a partial signature of an attempt before the one its signer's nonce came from."""
    for r in t.rec.steps:
        event = r.event
        if not isinstance(event, Deliver) or not isinstance(event.message, PartialSig):
            continue
        m = event.message
        session = r.pre.sessions.get(session_key(m.kind, m.view, m.seq, m.digest))
        if session is None or session.done or event.source not in session.nonces:
            continue
        issued = session.nonces[event.source].issued_after
        if issued > 0:
            _, pubnonce = t.scheme.nonce_gen(event.source, b"late")
            late = PartialSig(m.kind, m.view, m.seq, m.digest, issued - 1, m.psig, pubnonce)
            comment = f"the signer's nonce was issued after attempt {issued}: no new nonce"
            yield "partial-sig-before-its-nonce", t.config, r.pre, event.source, late, comment
            return


def _stable_jump(t: Tamper, kept: tuple[int, ...] = (6, 8)) -> EdgeStep:
    """Return a fetch reply that makes seq 6 stable at a replica that kept blocks 6 and 8.

    Replica 3 at genesis kept pre-prepares for 6 and 8 (past its window) and committed block 6
    (from an earlier fetch reply); the reply proves checkpoint 6 and carries blocks 6 and 7.
    """
    c, scheme = t.config, t.scheme
    state = initial_state(3)

    def entry(seq: int) -> CommittedEntry:
        block = Block((Request(8, seq, bytes([seq])),))
        digest = block_digest(block)
        proof = t.proof((0, 1, 2), VoteKind.COMMIT, 0, seq, digest)
        return CommittedEntry(seq, 0, digest, block, proof)

    for event in (
        *(Deliver(0, t.pre_prepare(0, k, Block((Request(8, 10 * k, b"kept"),)))) for k in kept),
        Deliver(1, FetchReply(0, GENESIS_DIGEST, None, (entry(6),))),
    ):
        state, _ = step(c, scheme, state, event)
    digest = state_digest(t.rec.states[1].app)
    proof = t.proof((0, 1, 2), VoteKind.CHECKPOINT, CHECKPOINT_VIEW, 6, digest)
    reply = FetchReply(6, digest, proof, (entry(6), entry(7)))
    if kept == (8,):
        comment = "checkpoint 6 releases the kept pre-prepare 8 into the window"
        return "fetch-reply-releases-a-kept-pre-prepare", c, state, Deliver(1, reply), comment
    comment = "checkpoint 6 drops committed block 6 and kept pre-prepare 6, releases 8, commits 7"
    return "fetch-reply-moves-the-stable-checkpoint", c, state, Deliver(1, reply), comment


def edge_steps(mode: Mode) -> Iterator[EdgeStep]:
    """Yield the boundary steps of ``mode`` that are not single deliveries to validate."""
    rec, _ = edge_scenario(mode)
    t = Tamper(rec)
    primary = rec.states[0]
    yield (
        "progress-timer-retransmits-at-the-primary",
        t.config,
        primary,
        Fire(ProgressTimer(primary.timer_epoch)),
        "block 1 executed; block 2 prepared, its commit votes lost",
    )
    yield _stable_jump(t)
    yield _stable_jump(t, (8,))
    yield from _retransmission_timer(t, edge_scenario(mode)[1][1])
    yield _backoff_cap(t, rec.states[1])
    yield _checkpoint_retransmission(mode)


RETRANSMIT_INTERVAL = 50


def _retransmission_timer(t: Tamper, backup: ReplicaState) -> Iterator[EdgeStep]:
    """Yield, with retransmission on, a request that starts waiting, then the timer firing."""
    c = dataclasses.replace(t.config, retransmit_interval=RETRANSMIT_INTERVAL)
    event: ReplicaEvent = Deliver(CLIENT, ClientRequest(Request(7, 9, b"9")))
    comment = f"retransmission every {RETRANSMIT_INTERVAL} ticks while the replica waits"
    yield "client-request-starts-the-retransmission-timer", c, backup, event, comment
    state, _ = step(c, t.scheme, backup, event)
    fire = Fire(RetransmitTimer(state.view, state.timer_epoch))
    yield "retransmit-timer-fires-while-waiting", c, state, fire, comment


RESENDS_TO_THE_CAP = 7
"""View-change re-sends before the timer reaches its longest delay: 2^6 view timeouts."""


def _backoff_cap(t: Tamper, backup: ReplicaState) -> EdgeStep:
    """Return the view-change timer of a replica that re-sent its view change 7 times."""
    c, scheme = t.config, t.scheme
    state, _ = step(c, scheme, backup, Deliver(CLIENT, ClientRequest(Request(7, 9, b"9"))))
    for _ in range(2):
        state, outputs = step(c, scheme, state, Fire(ProgressTimer(state.timer_epoch)))
    for output in outputs:
        if isinstance(output, Broadcast) and isinstance(output.message, ViewChange):
            state, _ = step(c, scheme, state, Deliver(state.index, output.message))
    for _ in range(RESENDS_TO_THE_CAP):
        state, _ = step(c, scheme, state, Fire(ViewChangeTimer(state.view)))
    comment = f"round {state.view_change_rounds + 1}: the delay stays at 2^6 view timeouts"
    return (
        "view-change-timer-resend-at-the-longest-delay",
        c,
        state,
        Fire(ViewChangeTimer(state.view)),
        comment,
    )


@functools.cache
def busy_scenario(mode: Mode) -> Recorder:
    """Commit block 1, then four requests at once (blocks 2 to 4 and a pending one); shared."""
    rec = Recorder(interval_group(mode), make_scheme(4))
    rec.phase = "busy"
    rec.request()
    rec.flush()
    for _ in range(4):
        rec.request()
    rec.flush()
    return rec


def _own_checkpoint_above_stable(s: ReplicaState, mode: Mode) -> bool:
    """Tell whether the replica holds its certificate or vote of a checkpoint not yet stable."""
    if mode == Mode.IPBFT:
        return any(
            x.kind == VoteKind.CHECKPOINT and x.done and x.seq > s.stable.seq
            for x in s.sessions.values()
        )
    return any(
        key.startswith(f"{int(VoteKind.CHECKPOINT)}/")
        and int(key.split("/")[2]) > s.stable.seq
        and s.index in tally
        for key, tally in s.votes.items()
    )


def _checkpoint_retransmission(mode: Mode) -> EdgeStep:
    """Return half a view timeout at the primary holding a checkpoint proof it has not applied."""
    rec = busy_scenario(mode)
    pre = next(
        r.post
        for r in rec.steps
        if r.replica == 0 and r.post.timer_armed and _own_checkpoint_above_stable(r.post, mode)
    )
    return (
        "progress-timer-retransmits-a-checkpoint",
        rec.config,
        pre,
        Fire(ProgressTimer(pre.timer_epoch)),
        "checkpoint 2 certified (or voted) above the stable checkpoint 0, a request pending",
    )


@functools.cache
def default_scenario(mode: Mode) -> Recorder:
    """Commit a block in the default group of 4, then change view without replica 0; shared."""
    rec = Recorder(ConsensusConfig(n=4, mode=mode), make_scheme(4))
    rec.phase = "default-group"
    rec.request()
    rec.flush()
    rec.request(targets=(1, 2, 3))
    for _ in range(2):
        for i in (1, 2, 3):
            rec.progress_timeout(i)
        rec.flush(lambda source, target, message: 0 not in (source, target))
    return rec


def default_trace(mode: Mode) -> dict[str, Any]:
    """Return the input of the sanity trace of replica 1 in the default group (only n given)."""
    rec = default_scenario(mode)
    events = [s.event for s in rec.steps if s.replica == 1]
    return {
        "group": {"n": rec.config.n, "mode": mode.value},
        "scheme": "real",
        "seed": SCHEME_SEED,
        "index": 1,
        "events": serial.encode(events),
    }


__all__ = [
    "EdgeCase",
    "EdgeStep",
    "default_trace",
    "edge_deliveries",
    "edge_steps",
    "interval_group",
]
