"""Pin what the consensus component's surviving mutants showed no test pinned (§III-D, §IV-D).

Block integers' 64-bit range, the wire-size model (D-cons-6), the deterministic nonces of votes
and partial signatures (D-cons-3), the block a commit certificate carries to a non-voter, the
genesis state and first progress timer, the client outside the roster, late and future partial
signatures, the state-transfer helpers, the pipeline limit, the view-change timeout (D-cons-7),
early messages of a view being entered (D-cons-5), retransmission (D-cons-27), view-change
validity, certificate kinds, the signature schemes' member and aggregate checks, and public
functions whose arguments can all be passed by name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from api_shape import positional_only, public_functions

from vdlt_spec.consensus.block import Block, Request, encode_block
from vdlt_spec.consensus.config import ConsensusConfig
from vdlt_spec.consensus.messages import (
    CertMsg,
    ClientRequest,
    NewView,
    PartialSig,
    PrePrepare,
    SignRequest,
    StateRequest,
    ViewChange,
    Vote,
    view_change_digest,
    wire_size,
)
from vdlt_spec.consensus.payloads import VoteKind, tagged_hash, vote_payload
from vdlt_spec.consensus.quorum import proof_signers
from vdlt_spec.consensus.replica.state import (
    CLIENT,
    GENESIS_DIGEST,
    Broadcast,
    Deliver,
    Fire,
    NonceSlot,
    Output,
    ProgressTimer,
    RetransmitTimer,
    Send,
    Session,
    SignTimer,
    StartTimer,
    Status,
    ViewChangeTimer,
    session_key,
)
from vdlt_spec.consensus.replica.transition import initial_state, step
from vdlt_spec.consensus.replica.validation import Disposition, validate, view_change_fault
from vdlt_spec.consensus.replica.viewchange import valid_view_change
from vdlt_spec.consensus.schemes import IdealScheme, RealScheme, RosterVerifier
from vdlt_spec.consensus.sim.cluster import Cluster, InFlight
from vdlt_spec.crypto import Certificate, encode_bitmap
from vdlt_spec.errors import Reason, SpecError

U64_MAX = 2**64 - 1


# Block integers are unsigned 64-bit: 2^64 - 1 encodes as eight 0xff bytes, 2^64 is refused.


def test_a_request_id_of_two_to_the_64_minus_one_encodes_in_eight_bytes() -> None:
    encoded = encode_block(Block((Request(U64_MAX, U64_MAX, b""),)))
    assert encoded == (1).to_bytes(4, "big") + b"\xff" * 16 + bytes(4)


@pytest.mark.parametrize(("client", "number"), [(2**64, 0), (0, 2**64), (-1, 0)])
def test_a_request_id_outside_64_bits_is_a_schema_violation(client: int, number: int) -> None:
    with pytest.raises(SpecError) as info:
        encode_block(Block((Request(client, number),)))
    assert info.value.reason is Reason.SCHEMA_VIOLATION


# D-cons-6: a 5-byte header, 8 bytes per integer, 1 per enum, byte strings at their length.


def test_wire_sizes_follow_the_documented_model() -> None:
    assert wire_size(ClientRequest(Request(1, 2, b"abc"))) == 5 + 8 + 8 + 3
    vote = Vote(VoteKind.PREPARE, 0, 1, bytes(32), bytes(66))
    assert wire_size(vote) == 5 + 1 + 8 + 8 + 32 + 66


# D-cons-3: a replica's nonces are the scheme's for the session
# tagged_hash("vDLT/nonce-session", index (4 bytes) || session key || nonce counter (8 bytes)).


def _nonce_session(me: int, key: str, counter: int) -> bytes:
    body = me.to_bytes(4, "big") + key.encode() + counter.to_bytes(8, "big")
    return tagged_hash(b"vDLT/nonce-session", body)


def _pre_prepared(index: int) -> tuple[ConsensusConfig, IdealScheme, PrePrepare, list[Send]]:
    """Deliver the primary's pre-prepare of one request to replica ``index``; return its sends."""
    config, scheme = ConsensusConfig(4), IdealScheme(4)
    primary = initial_state(0)
    request = Request(0, 0, b"r")
    _, outputs = step(config, scheme, primary, Deliver(CLIENT, ClientRequest(request)))
    (pre_prepare,) = [
        o.message for o in outputs if hasattr(o, "message") and isinstance(o.message, PrePrepare)
    ]
    state, outputs = step(config, scheme, initial_state(index), Deliver(0, pre_prepare))
    assert state.nonce_counter == 1
    return config, scheme, pre_prepare, [o for o in outputs if isinstance(o, Send)]


def test_a_vote_carries_the_nonce_of_its_documented_session() -> None:
    _, scheme, pre_prepare, sends = _pre_prepared(2)
    (vote,) = [s.message for s in sends if isinstance(s.message, Vote)]
    digest = vote.digest
    key = session_key(VoteKind.PREPARE, 0, pre_prepare.seq, digest)
    assert vote.pubnonce == scheme.nonce_gen(2, _nonce_session(2, key, 0))[1]


def test_a_partial_signature_carries_the_next_nonce_and_counts_it() -> None:
    cluster = Cluster(ConsensusConfig(4), IdealScheme(4))
    cluster.submit()
    request = _first(cluster, lambda m: isinstance(m.message, SignRequest) and m.target == 2)
    before = cluster.states[2]
    key = session_key(request.message.kind, 0, request.message.seq, request.message.digest)
    assert before.signer[key].counter == 0
    counter = before.nonce_counter
    cluster.deliver(cluster.inflight.index(request))
    after = cluster.states[2]
    assert after.signer[key].counter == 1
    assert after.nonce_counter == counter + 1
    reply = after.signer[key].reply
    assert reply is not None
    expected = cluster.scheme.nonce_gen(2, _nonce_session(2, key, counter))[1]
    assert reply.next_pubnonce == expected == after.signer[key].pubnonce


def _first(cluster: Cluster, wanted: Callable[[InFlight], bool]) -> InFlight:
    """Deliver in-flight messages in order until one matches ``wanted``; return it, undelivered."""
    for _ in range(500):
        match = [m for m in cluster.inflight if wanted(m)]
        if match:
            return match[0]
        cluster.deliver(0)
    raise AssertionError("no such message")


# §IV-D: the commit certificate carries the block to a replica that did not vote for it.


def test_a_commit_certificate_carries_the_block_to_a_replica_that_did_not_prepare() -> None:
    cluster = Cluster(ConsensusConfig(4), IdealScheme(4))
    cluster.submit()
    pre_prepare = _first(cluster, lambda m: isinstance(m.message, PrePrepare) and m.target == 3)
    cluster.inflight.remove(pre_prepare)  # replica 3 never sees the proposal
    commit = _first(
        cluster,
        lambda m: isinstance(m.message, CertMsg) and m.message.kind == VoteKind.COMMIT,
    )
    to_three = [
        m.message
        for m in cluster.inflight
        if isinstance(m.message, CertMsg) and m.message.kind == VoteKind.COMMIT and m.target == 3
    ]
    assert commit is not None and to_three
    assert all(c.block == pre_prepare.message.block for c in to_three)
    others = [
        m.message
        for m in cluster.inflight
        if isinstance(m.message, CertMsg) and m.message.kind == VoteKind.COMMIT and m.target != 3
    ]
    assert others and all(c.block is None for c in others)
    for _ in range(200):
        if not cluster.inflight:
            break
        cluster.deliver(0)
    assert cluster.states[3].app.seq == 1


# §III-D: a replica starts at view 0 with timer epoch 0; its first progress timer is epoch 1.


def test_the_first_progress_timer_of_a_fresh_replica_has_epoch_one() -> None:
    config, scheme = ConsensusConfig(4), IdealScheme(4)
    state = initial_state(1)
    assert (state.view, state.timer_epoch, state.timer_armed, state.nonce_counter) == (
        0,
        0,
        False,
        0,
    )
    after, outputs = step(config, scheme, state, Deliver(CLIENT, ClientRequest(Request(0, 0))))
    timers = [o.timer for o in outputs if isinstance(o, StartTimer)]
    assert timers == [ProgressTimer(1)]
    assert (after.timer_epoch, after.timer_armed) == (1, True)


# The client is no replica: a protocol message from it is refused as NOT_IN_ROSTER.


def test_a_protocol_message_from_the_client_is_refused() -> None:
    config, scheme = ConsensusConfig(4), IdealScheme(4)
    assert not 0 <= CLIENT < config.n
    vote = Vote(VoteKind.PREPARE, 0, 1, bytes(32), bytes(66))
    state = initial_state(0)
    found = validate(config, scheme, state, CLIENT, vote)
    assert (found.outcome, found.reason) == (Disposition.REJECT, Reason.NOT_IN_ROSTER)
    after, outputs = step(config, scheme, state, Deliver(CLIENT, vote))
    assert after == state and outputs == ()


# §IV-D, D-cons-1: a partial signature of an earlier attempt still brings its signer's fresh
# nonce, once: the collector takes it (accept) and ignores the same message again (stale).


def test_a_late_partial_signature_refreshes_its_signers_nonce_once() -> None:
    config = ConsensusConfig(4, max_batch=1)
    cluster = Cluster(config, IdealScheme(4))
    cluster.submit()
    late: list[InFlight] = []

    def prepare_session() -> Session | None:
        sessions = cluster.states[0].sessions.values()
        return next((s for s in sessions if s.kind == VoteKind.PREPARE and s.seq == 1), None)

    for _ in range(500):
        for item in [m for m in cluster.inflight if isinstance(m.message, PartialSig)]:
            if item.source == 1:
                cluster.inflight.remove(item)
                late.append(item)
        session = prepare_session()
        if session is not None and session.attempt >= 2:
            break
        if cluster.inflight:
            cluster.deliver(0)
        else:
            timers = [k for k, (r, t) in enumerate(cluster.timers) if isinstance(t, SignTimer)]
            cluster.fire(timers[0])
    session = prepare_session()
    assert session is not None and (session.attempt, session.done) == (2, False)
    assert 1 not in session.signers and late and late[0].message.attempt == 1
    message = late[0].message
    assert isinstance(message, PartialSig)
    primary = cluster.states[0]
    found = validate(config, cluster.scheme, primary, 1, message)
    assert found.outcome is Disposition.ACCEPT
    after, _ = step(config, cluster.scheme, primary, Deliver(1, message))
    key = session_key(VoteKind.PREPARE, 0, 1, session.digest)
    assert after.sessions[key].nonces[1] == NonceSlot(message.next_pubnonce, False, 1)
    again = validate(config, cluster.scheme, after, 1, message)
    assert (again.outcome, again.reason) == (Disposition.IGNORE, Reason.STALE_MESSAGE)
    assert step(config, cluster.scheme, after, Deliver(1, message))[0] == after


# §III-D: a replica behind a stable checkpoint asks f + 1 of the proof's signers other than
# itself (the first ones, in index order) for the state.


def test_a_lagging_replica_asks_the_first_f_plus_one_other_signers_for_the_state() -> None:
    config = ConsensusConfig(4, max_batch=1, checkpoint_interval=2, window=4)
    cluster = Cluster(config, IdealScheme(4))
    held: list[InFlight] = []
    for _ in range(2):
        cluster.submit(targets=[0, 2, 3])
    for _ in range(2000):
        held += [m for m in cluster.inflight if m.target == 1]
        cluster.inflight = [m for m in cluster.inflight if m.target != 1]
        if not cluster.inflight:
            break
        cluster.deliver(0)
    assert all(cluster.states[i].stable.seq == 2 for i in (0, 2, 3))
    checkpoint = next(
        m.message
        for m in held
        if isinstance(m.message, CertMsg) and m.message.kind == VoteKind.CHECKPOINT
    )
    assert proof_signers(checkpoint.certificate, 4) == (0, 2, 3)
    lagging = cluster.states[1]
    assert lagging.app.seq == 0
    after, outputs = step(config, cluster.scheme, lagging, Deliver(0, checkpoint))
    assert after.stable.seq == 2
    asked = [
        o.target for o in outputs if isinstance(o, Send) and isinstance(o.message, StateRequest)
    ]
    assert asked == [0, 2]
    assert all(
        o.message == StateRequest(2)
        for o in outputs
        if isinstance(o, Send) and isinstance(o.message, StateRequest)
    )


# §IV-D: a partial signature counts only for the attempt it names; one naming a later attempt
# than the collector's (a Byzantine signer's) only refreshes the signer's nonce.


def test_a_partial_signature_for_a_later_attempt_is_not_counted() -> None:
    config = ConsensusConfig(4, max_batch=1)
    cluster = Cluster(config, IdealScheme(4))
    cluster.submit()
    answer = _first(
        cluster, lambda m: isinstance(m.message, PartialSig) and m.target == 0 and m.source != 0
    )
    message = answer.message
    assert isinstance(message, PartialSig) and message.attempt == 1
    primary = cluster.states[0]
    key = session_key(message.kind, message.view, message.seq, message.digest)
    assert primary.sessions[key].attempt == 1 and answer.source in primary.sessions[key].signers
    later = dataclasses.replace(message, attempt=2)
    after, _ = step(config, cluster.scheme, primary, Deliver(answer.source, later))
    session = after.sessions[key]
    assert answer.source not in session.psigs and answer.source not in session.excluded
    assert session.nonces[answer.source] == NonceSlot(message.next_pubnonce, False, 2)
    counted, _ = step(config, cluster.scheme, primary, Deliver(answer.source, message))
    assert answer.source in counted.sessions[key].psigs


# D-cons-27: on the retransmission timer the primary re-distributes the certificates of
# sessions above its execution floor, and none at or below it; a replica that waits for
# nothing (normal case, progress timer not running) re-sends nothing.


def _retransmit(cluster: Cluster, index: int) -> tuple[Output, ...]:
    s = cluster.states[index]
    return step(cluster.config, cluster.scheme, s, Fire(RetransmitTimer(s.view, s.timer_epoch)))[1]


def _certificates(outputs: tuple[Output, ...]) -> list[tuple[VoteKind, int]]:
    return [
        (o.message.kind, o.message.seq)
        for o in outputs
        if isinstance(o, Broadcast | Send) and isinstance(o.message, CertMsg)
    ]


def test_the_primary_re_sends_certificates_above_its_execution_floor_only() -> None:
    config = ConsensusConfig(4, max_batch=1, retransmit_interval=50)
    cluster = Cluster(config, IdealScheme(4))
    cluster.submit()
    _first(cluster, lambda m: isinstance(m.message, CertMsg) and m.message.kind == VoteKind.PREPARE)
    primary = cluster.states[0]
    assert primary.app.seq == 0 and primary.timer_armed
    assert (VoteKind.PREPARE, 1) in _certificates(_retransmit(cluster, 0))
    for _ in range(500):
        if not cluster.inflight:
            break
        cluster.deliver(0)
    assert cluster.states[0].app.seq == 1
    assert _certificates(_retransmit(cluster, 0)) == []


def test_a_replica_that_waits_for_nothing_re_sends_nothing() -> None:
    config = ConsensusConfig(4, retransmit_interval=50)
    state = initial_state(2)
    assert state.status == Status.NORMAL and not state.timer_armed
    timer = RetransmitTimer(state.view, state.timer_epoch)
    after, outputs = step(config, IdealScheme(4), state, Fire(timer))
    assert after == state and outputs == ()


# §IV-D: the primary keeps at most max_inflight proposed blocks unexecuted.


@pytest.mark.parametrize("limit", [1, 2])
def test_the_primary_proposes_at_most_max_inflight_unexecuted_blocks(limit: int) -> None:
    config = ConsensusConfig(4, max_batch=1, max_inflight=limit)
    scheme = IdealScheme(4)
    state = initial_state(0)
    proposed: list[int] = []
    for number in range(limit + 2):
        event = Deliver(CLIENT, ClientRequest(Request(0, number)))
        state, outputs = step(config, scheme, state, event)
        proposed += [
            o.message.seq
            for o in outputs
            if isinstance(o, Broadcast) and isinstance(o.message, PrePrepare)
        ]
    assert proposed == list(range(1, limit + 1))
    assert state.next_seq == limit + 1 and len(state.pending) == limit + 2


# D-cons-7: the first view change waits one view timeout; each re-send doubles the wait.


def test_the_view_change_timeout_starts_at_one_view_timeout_and_doubles() -> None:
    config, scheme = ConsensusConfig(4), IdealScheme(4)
    state, _ = step(config, scheme, initial_state(2), Deliver(CLIENT, ClientRequest(Request(0, 0))))
    progress = Fire(ProgressTimer(state.timer_epoch))
    state, _ = step(config, scheme, state, progress)  # halfway: fetch and re-send first
    state, outputs = step(config, scheme, state, progress)
    assert (state.view, state.status, state.view_change_rounds) == (1, Status.VIEW_CHANGE, 1)
    timers = [(o.timer, o.delay) for o in outputs if isinstance(o, StartTimer)]
    assert timers == [(ViewChangeTimer(1), config.view_timeout)]
    state, outputs = step(config, scheme, state, Fire(ViewChangeTimer(1)))
    timers = [(o.timer, o.delay) for o in outputs if isinstance(o, StartTimer)]
    assert timers == [(ViewChangeTimer(1), 2 * config.view_timeout)]


# D-cons-5: a message of a view the replica is still changing to is kept and delivered once the
# new view starts: a pre-prepare that outran its new view is voted for on entering the view.


def test_a_pre_prepare_that_outran_its_new_view_is_voted_for_on_entering_the_view() -> None:
    cluster = Cluster(ConsensusConfig(4, max_batch=1), IdealScheme(4))
    cluster.crash(0)
    cluster.submit()
    for _ in range(20):
        if all(cluster.states[i].status == Status.VIEW_CHANGE for i in (1, 2, 3)):
            break
        cluster.fire(
            next(k for k, (_, t) in enumerate(cluster.timers) if isinstance(t, ProgressTimer))
        )
    held: list[InFlight] = []
    for _ in range(500):
        for item in list(cluster.inflight):
            if item.target == 3 and isinstance(item.message, PrePrepare | NewView):
                cluster.inflight.remove(item)
                held.append(item)
        if not cluster.inflight:
            break
        cluster.deliver(0)
    (pre_prepare,) = [m.message for m in held if isinstance(m.message, PrePrepare)]
    (new_view,) = [m.message for m in held if isinstance(m.message, NewView)]
    assert pre_prepare.view == new_view.view == 1
    config, scheme = cluster.config, cluster.scheme
    state = cluster.states[3]
    assert (state.view, state.status) == (1, Status.VIEW_CHANGE)
    state, outputs = step(config, scheme, state, Deliver(1, pre_prepare))
    assert outputs == () and state.early == {1: (pre_prepare,)}
    state, outputs = step(config, scheme, state, Deliver(1, new_view))
    assert (state.view, state.status, state.early) == (1, Status.NORMAL, {})
    votes = [o.message for o in outputs if isinstance(o, Send) and isinstance(o.message, Vote)]
    assert [(v.kind, v.view, v.seq) for v in votes] == [(VoteKind.PREPARE, 1, pre_prepare.seq)]


# D-cons-27: the retransmission timer is armed when the view or the progress epoch moves (or
# the timer was current), not on every step a replica waits.


def test_the_retransmission_timer_is_armed_only_when_the_epoch_or_view_moves() -> None:
    config, scheme = ConsensusConfig(4, retransmit_interval=50), IdealScheme(4)
    state = initial_state(2)
    state, outputs = step(config, scheme, state, Deliver(CLIENT, ClientRequest(Request(0, 0))))
    started = [o.timer for o in outputs if isinstance(o, StartTimer)]
    assert started == [ProgressTimer(1), RetransmitTimer(0, 1)]
    state, outputs = step(config, scheme, state, Deliver(CLIENT, ClientRequest(Request(0, 1))))
    assert state.timer_armed and len(state.pending) == 2
    assert [o for o in outputs if isinstance(o, StartTimer)] == []


# §III-D: view changes. A view change at stable sequence 0 names the genesis digest exactly and
# no proof; one from another replica is checked (a forged one is rejected); one for a view not
# above the current one is ignored in the normal case.


def _signed_view_change(
    scheme: IdealScheme, config: ConsensusConfig, replica: int, new_view: int, digest: bytes
) -> ViewChange:
    unsigned = ViewChange(replica, new_view, 0, digest, None, ())
    domain = config.signing_domain(scheme.roster)
    payload = vote_payload(domain, VoteKind.VIEW_CHANGE, new_view, 0, view_change_digest(unsigned))
    return dataclasses.replace(unsigned, signature=scheme.sign(replica, payload))


@pytest.mark.parametrize("digest", [bytes(32), b"\xff" * 32])
def test_a_view_change_from_genesis_must_name_the_genesis_digest(digest: bytes) -> None:
    config, scheme = ConsensusConfig(4), IdealScheme(4)
    assert valid_view_change(
        config, scheme, _signed_view_change(scheme, config, 2, 1, GENESIS_DIGEST)
    )
    wrong = _signed_view_change(scheme, config, 2, 1, digest)
    assert not valid_view_change(config, scheme, wrong)
    assert view_change_fault(config, scheme, wrong) is Reason.BAD_CERTIFICATE


def test_a_forged_view_change_from_another_replica_is_rejected() -> None:
    config, scheme = ConsensusConfig(4), IdealScheme(4)
    good = _signed_view_change(scheme, config, 2, 1, GENESIS_DIGEST)
    state = initial_state(1)
    assert validate(config, scheme, state, 2, good).outcome is Disposition.ACCEPT
    forged = dataclasses.replace(good, signature=bytes(len(good.signature)))
    found = validate(config, scheme, state, 2, forged)
    assert (found.outcome, found.reason) == (Disposition.REJECT, Reason.BAD_SIGNATURE)
    assert step(config, scheme, state, Deliver(2, forged)) == (state, ())


def test_a_view_change_to_the_current_view_is_ignored_in_the_normal_case() -> None:
    config, scheme = ConsensusConfig(4), IdealScheme(4)
    stale = _signed_view_change(scheme, config, 2, 0, GENESIS_DIGEST)
    state = initial_state(1)
    found = validate(config, scheme, state, 2, stale)
    assert (found.outcome, found.reason) == (Disposition.IGNORE, Reason.WRONG_VIEW)
    assert step(config, scheme, state, Deliver(2, stale)) == (state, ())


# §IV-D: certificates travel for prepare, commit and checkpoint only; any other kind is ignored.


@pytest.mark.parametrize("kind", [VoteKind.PRE_PREPARE, VoteKind.VIEW_CHANGE, VoteKind.NEW_VIEW])
def test_a_certificate_of_another_kind_is_ignored_as_wrong_mode(kind: VoteKind) -> None:
    config, scheme = ConsensusConfig(4), IdealScheme(4)
    state = initial_state(1)
    certificate = Certificate(b"\x07", bytes(64))
    message = CertMsg(kind, 0, 1, bytes(32), certificate)
    found = validate(config, scheme, state, 0, message)
    assert (found.outcome, found.reason) == (Disposition.IGNORE, Reason.WRONG_MODE)
    assert step(config, scheme, state, Deliver(0, message)) == (state, ())


# The signature schemes: a roster member's signature verifies, an index outside the roster
# never does; an aggregate of more partial signatures than signers is simply invalid.


@pytest.mark.parametrize("outsider", [False, True])
def test_the_real_scheme_and_a_roster_verifier_verify_members_only(outsider: bool) -> None:
    scheme = RealScheme(4, 3)
    signature = scheme.sign(0, b"payload")
    verifier = RosterVerifier(scheme.roster) if outsider else scheme
    assert verifier.verify(0, b"payload", signature)
    assert not verifier.verify(1, b"payload", signature)
    assert not verifier.verify(-1, b"payload", signature)
    assert not verifier.verify(4, b"payload", signature)
    assert not verifier.verify(0, b"payload", signature[:63])


def test_an_ideal_aggregate_of_too_many_partial_signatures_is_invalid() -> None:
    scheme = IdealScheme(4)
    message = b"payload"
    signers = (0, 1, 2)
    nonces = [scheme.nonce_gen(i, b"session") for i in signers]
    pubnonces = tuple(pub for _, pub in nonces)
    aggnonce = scheme.nonce_agg(pubnonces)
    psigs = [
        scheme.partial_sign(i, sec, aggnonce, signers, message)
        for i, (sec, _) in zip(signers, nonces, strict=True)
    ]
    good = scheme.aggregate(psigs, pubnonces, aggnonce, signers, message)
    assert scheme.verify_certificate(message, Certificate(encode_bitmap(signers, 4), good))
    extra = scheme.aggregate([*psigs, psigs[0]], pubnonces, aggnonce, signers, message)
    assert len(extra) == 64
    assert not scheme.verify_certificate(message, Certificate(encode_bitmap(signers, 4), extra))


# The public functions of the consensus component take every argument by name.


@pytest.mark.parametrize(
    "name", ["quorum", "payloads", "block", "messages", "accountability", "config"]
)
def test_public_consensus_functions_take_arguments_by_name(name: str) -> None:
    module = f"vdlt_spec.consensus.{name}"
    assert public_functions(module)
    assert positional_only(module) == []
