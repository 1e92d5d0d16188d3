"""Turn votes into aggregate certificates with the primary as collector: iPBFT (§IV-D, D-cons-1).

One phase (prepare, commit or checkpoint) of one (view, seq, digest) is a MuSig2 session:

1. every replica that accepts the statement sends the collector a :class:`Vote` carrying a fresh
   MuSig2 public nonce (n - 1 messages);
2. once a quorum q of voters is known, the collector fixes the signer set (the first q voters),
   aggregates their nonces and sends a :class:`SignRequest` with the signer bitmap and the
   aggregate nonce to each of them (q - 1 messages);
3. each signer returns a :class:`PartialSig` and, with it, a fresh public nonce for a possible
   retry (q - 1 messages); the collector checks each partial signature (BIP327
   ``partial_sig_verify`` names the bad signer);
4. with all q partial signatures it aggregates one 64-byte signature and sends the certificate
   (bitmap + signature) to everyone (n - 1 messages).

A signer that answers with an invalid partial signature is excluded from the session; one that
does not answer in time keeps a used nonce and is skipped until a fresh one arrives. Each retry
uses only unused nonces, so no nonce ever signs twice; at most f retries are needed.
"""

from __future__ import annotations

import dataclasses

from vdlt_spec.consensus.block import Block, block_digest, state_digest
from vdlt_spec.consensus.config import primary_of
from vdlt_spec.consensus.messages import CertMsg, PartialSig, SignRequest, Vote
from vdlt_spec.consensus.payloads import CHECKPOINT_VIEW, VoteKind, tagged_hash, vote_payload
from vdlt_spec.consensus.quorum import verify_proof
from vdlt_spec.consensus.replica.checkpoint import make_stable
from vdlt_spec.consensus.replica.context import ReplicaStep
from vdlt_spec.consensus.replica.normal import (
    commit,
    find_slot,
    in_window,
    put_slot,
    record_prepared,
)
from vdlt_spec.consensus.replica.state import (
    NonceSlot,
    Session,
    SignerNonce,
    SignTimer,
    Status,
    session_key,
)
from vdlt_spec.crypto import Certificate, decode_bitmap, encode_bitmap, is_quorum
from vdlt_spec.errors import SpecError

NONCE_SESSION_TAG = b"vDLT/nonce-session"
INDEX_BYTES = 4
COUNTER_BYTES = 8


def _nonce_session(me: int, key: str, counter: int) -> bytes:
    body = me.to_bytes(INDEX_BYTES, "big") + key.encode() + counter.to_bytes(COUNTER_BYTES, "big")
    return tagged_hash(NONCE_SESSION_TAG, body)


# --- signer side -----------------------------------------------------------------------------


def send_vote(ctx: ReplicaStep, kind: VoteKind, view: int, seq: int, digest: bytes) -> None:
    """Offer to sign (kind, view, seq, digest): vote with a fresh nonce (§IV-D, D-cons-1)."""
    key = session_key(kind, view, seq, digest)
    if key in ctx.state.signer:
        return
    counter = ctx.state.nonce_counter
    secnonce, pubnonce = ctx.scheme.nonce_gen(ctx.me, _nonce_session(ctx.me, key, counter))
    ctx.update(
        signer={**ctx.state.signer, key: SignerNonce(secnonce, pubnonce)},
        nonce_counter=counter + 1,
    )
    ctx.send(primary_of(view, ctx.n), Vote(kind, view, seq, digest, pubnonce))


def on_sign_request(ctx: ReplicaStep, source: int, message: SignRequest) -> None:
    """Partially sign only what we voted for; never reuse a nonce (§IV-D, D-cons-1)."""
    s = ctx.state
    if s.status != Status.NORMAL or message.view != s.view or source != ctx.primary:
        return
    key = session_key(message.kind, message.view, message.seq, message.digest)
    mine = s.signer.get(key)
    if mine is None or message.attempt < mine.last_attempt:
        return
    if message.attempt == mine.last_attempt:
        if mine.reply is not None:  # the collector did not get our answer: send it again
            ctx.send(source, mine.reply)
        return
    try:
        signers = decode_bitmap(message.bitmap, ctx.n)
    except SpecError:
        return
    if ctx.me not in signers or not is_quorum(len(signers), ctx.n):
        return
    payload = vote_payload(ctx.domain, message.kind, message.view, message.seq, message.digest)
    psig = ctx.scheme.partial_sign(ctx.me, mine.secnonce, message.aggnonce, signers, payload)
    counter = s.nonce_counter
    secnonce, pubnonce = ctx.scheme.nonce_gen(ctx.me, _nonce_session(ctx.me, key, counter))
    reply = PartialSig(
        message.kind,
        message.view,
        message.seq,
        message.digest,
        message.attempt,
        psig,
        pubnonce,
    )
    fresh = SignerNonce(secnonce, pubnonce, mine.counter + 1, message.attempt, reply)
    ctx.update(signer={**s.signer, key: fresh}, nonce_counter=counter + 1)
    ctx.send(source, reply)


# --- collector side --------------------------------------------------------------------------


def _valid_nonce(ctx: ReplicaStep, pubnonce: bytes) -> bool:
    """Return whether a public nonce is well formed (aggregating it alone succeeds)."""
    try:
        ctx.scheme.nonce_agg((pubnonce,))
    except SpecError:
        return False
    return True


def _votable(ctx: ReplicaStep, kind: VoteKind, seq: int, digest: bytes) -> bool:
    if kind == VoteKind.CHECKPOINT:
        interval = ctx.config.checkpoint_interval
        return seq > ctx.state.stable.seq and seq % interval == 0
    return in_window(ctx, seq) and find_slot(ctx, seq, digest) is not None


def on_vote(ctx: ReplicaStep, source: int, message: Vote) -> None:
    """Record a voter and its nonce; start signing once a quorum has voted (collector) (§IV-D)."""
    s = ctx.state
    if s.status != Status.NORMAL or message.view != s.view or not ctx.is_primary:
        return
    if not _votable(ctx, message.kind, message.seq, message.digest):
        return
    if not _valid_nonce(ctx, message.pubnonce):
        return
    key = session_key(message.kind, message.view, message.seq, message.digest)
    session = s.sessions.get(key) or Session(
        message.kind, message.view, message.seq, message.digest
    )
    if source in session.voters or session.done:
        return
    session = dataclasses.replace(
        session,
        voters=(*session.voters, source),
        nonces={**session.nonces, source: NonceSlot(message.pubnonce)},
    )
    _start_attempt(ctx, key, session)


def _store(ctx: ReplicaStep, key: str, session: Session) -> None:
    ctx.update(sessions={**ctx.state.sessions, key: session})


def _start_attempt(ctx: ReplicaStep, key: str, session: Session) -> None:
    """Start a signing attempt with the first q voters holding unused nonces, if possible."""
    if session.done or session.signers:
        _store(ctx, key, session)
        return
    candidates = [
        v for v in session.voters if v not in session.excluded and not session.nonces[v].used
    ]
    q = ctx.config.quorum
    if len(candidates) < q:
        _store(ctx, key, session)
        return
    signers = tuple(sorted(candidates[:q]))
    pubnonces = tuple(session.nonces[i].pubnonce for i in signers)
    aggnonce = ctx.scheme.nonce_agg(pubnonces)
    nonces = dict(session.nonces)
    for i in signers:
        nonces[i] = dataclasses.replace(nonces[i], used=True)
    attempt = session.attempt + 1
    session = dataclasses.replace(
        session,
        attempt=attempt,
        signers=signers,
        signer_nonces=pubnonces,
        aggnonce=aggnonce,
        psigs={},
        nonces=nonces,
        resent=False,
    )
    _store(ctx, key, session)
    request = SignRequest(
        session.kind,
        session.view,
        session.seq,
        session.digest,
        attempt,
        encode_bitmap(signers, ctx.n),
        aggnonce,
    )
    for i in signers:
        ctx.send(i, request)
    ctx.start_timer(SignTimer(key, attempt), ctx.config.sign_timeout)


def on_partial_sig(ctx: ReplicaStep, source: int, message: PartialSig) -> None:
    """Check a partial signature; aggregate the certificate when the attempt is complete (§IV-D)."""
    s = ctx.state
    if s.status != Status.NORMAL or message.view != s.view or not ctx.is_primary:
        return
    key = session_key(message.kind, message.view, message.seq, message.digest)
    session = s.sessions.get(key)
    if session is None or session.done or source not in session.nonces:
        return
    slot = session.nonces[source]
    current = message.attempt == session.attempt and source in session.signers
    if current and source in session.psigs:
        return  # a duplicate of an answer already counted
    if message.attempt > slot.issued_after and _valid_nonce(ctx, message.next_pubnonce):
        fresh = NonceSlot(message.next_pubnonce, used=False, issued_after=message.attempt)
        session = dataclasses.replace(session, nonces={**session.nonces, source: fresh})
    if not current:
        _start_attempt(ctx, key, session)
        return
    position = session.signers.index(source)
    payload = vote_payload(ctx.domain, session.kind, session.view, session.seq, session.digest)
    valid = ctx.scheme.partial_verify(
        source,
        message.psig,
        session.signer_nonces[position],
        session.aggnonce,
        session.signers,
        payload,
    )
    if not valid:
        session = dataclasses.replace(
            session, excluded=session.excluded | {source}, signers=(), psigs={}
        )
        _start_attempt(ctx, key, session)
        return
    psigs = {**session.psigs, source: message.psig}
    session = dataclasses.replace(session, psigs=psigs)
    if len(psigs) < len(session.signers):
        _store(ctx, key, session)
        return
    ordered = tuple(psigs[i] for i in session.signers)
    signature = ctx.scheme.aggregate(
        ordered, session.signer_nonces, session.aggnonce, session.signers, payload
    )
    certificate = Certificate(encode_bitmap(session.signers, ctx.n), signature)
    _store(ctx, key, dataclasses.replace(session, done=True, certificate=certificate))
    _distribute(ctx, session, certificate)


def _distribute(ctx: ReplicaStep, session: Session, certificate: Certificate) -> None:
    if session.kind != VoteKind.COMMIT:
        ctx.broadcast(CertMsg(session.kind, session.view, session.seq, session.digest, certificate))
        return
    slot = find_slot(ctx, session.seq, session.digest)
    prepare_key = session_key(VoteKind.PREPARE, session.view, session.seq, session.digest)
    prepare = ctx.state.sessions.get(prepare_key)
    voters = set(prepare.voters) if prepare is not None else set()
    block = slot.pre_prepare.block if slot is not None else None
    for target in range(ctx.n):
        attach = block if target not in voters else None
        cert = CertMsg(session.kind, session.view, session.seq, session.digest, certificate, attach)
        ctx.send(target, cert)


def _request_for(ctx: ReplicaStep, session: Session) -> SignRequest:
    return SignRequest(
        session.kind,
        session.view,
        session.seq,
        session.digest,
        session.attempt,
        encode_bitmap(session.signers, ctx.n),
        session.aggnonce,
    )


def _resend_requests(ctx: ReplicaStep, session: Session) -> None:
    request = _request_for(ctx, session)
    for i in session.signers:
        if i not in session.psigs:
            ctx.send(i, request)


def on_sign_timer(ctx: ReplicaStep, key: str, attempt: int) -> None:
    """Re-ask the signers that did not answer once; then retry with unused nonces (§IV-D)."""
    session = ctx.state.sessions.get(key)
    if session is None or session.done or session.attempt != attempt or not session.signers:
        return
    if ctx.state.status != Status.NORMAL or session.view != ctx.state.view:
        return
    if not session.resent:
        _store(ctx, key, dataclasses.replace(session, resent=True))
        _resend_requests(ctx, session)
        ctx.start_timer(SignTimer(key, attempt), ctx.config.sign_timeout)
        return
    _start_attempt(ctx, key, dataclasses.replace(session, signers=(), psigs={}))


def restart_sign_timers(ctx: ReplicaStep) -> None:
    """Re-arm the timers of running attempts (after a crash lost them) (§IV-D)."""
    for key, session in ctx.state.sessions.items():
        if session.signers and not session.done:
            ctx.start_timer(SignTimer(key, session.attempt), ctx.config.sign_timeout)


# --- receiving certificates ------------------------------------------------------------------


def on_certificate(ctx: ReplicaStep, message: CertMsg) -> None:
    """Act on a certificate: prepare -> vote commit, commit -> execute, checkpoint (§IV-D)."""
    s = ctx.state
    kind, view, seq, digest = message.kind, message.view, message.seq, message.digest
    if kind == VoteKind.PREPARE:
        if s.status != Status.NORMAL or view != s.view:
            return
        slot = find_slot(ctx, seq, digest)
        if slot is None or slot.prepared:
            return
        if not verify_proof(ctx.scheme, ctx.domain, kind, view, seq, digest, message.certificate):
            return
        record_prepared(ctx, seq, digest, message.certificate)
        slot = find_slot(ctx, seq, digest)
        if slot is not None and not slot.commit_sent:
            put_slot(ctx, seq, dataclasses.replace(slot, commit_sent=True))
            send_vote(ctx, VoteKind.COMMIT, view, seq, digest)
    elif kind == VoteKind.COMMIT:
        if seq <= s.app.seq or seq in s.committed or seq <= s.stable.seq:
            return
        block = _block_for(ctx, view, seq, digest, message)
        if block is None:
            return
        if not verify_proof(ctx.scheme, ctx.domain, kind, view, seq, digest, message.certificate):
            return
        commit(ctx, view, seq, digest, block, message.certificate)
    elif kind == VoteKind.CHECKPOINT:
        if seq <= s.stable.seq:
            return
        if not verify_proof(
            ctx.scheme, ctx.domain, kind, CHECKPOINT_VIEW, seq, digest, message.certificate
        ):
            return
        make_stable(ctx, seq, digest, message.certificate)


def _block_for(
    ctx: ReplicaStep, view: int, seq: int, digest: bytes, message: CertMsg
) -> Block | None:
    if view == ctx.state.view:
        slot = find_slot(ctx, seq, digest)
        if slot is not None:
            return slot.pre_prepare.block
    record = ctx.state.prepared.get(seq)
    if record is not None and record.digest == digest:
        return record.block
    if message.block is not None and block_digest(message.block) == digest:
        return message.block
    return None


# --- voting rules of iPBFT -------------------------------------------------------------------


class CollectorRules:
    """Plug iPBFT's collector flow into the normal case (§IV-D)."""

    def on_pre_prepare(self, ctx: ReplicaStep, seq: int, digest: bytes) -> None:
        """Vote to prepare the accepted block (§IV-D)."""
        send_vote(ctx, VoteKind.PREPARE, ctx.state.view, seq, digest)

    def on_checkpoint(self, ctx: ReplicaStep, seq: int, digest: bytes) -> None:
        """Vote for the checkpoint at the current primary (if the view is running) (§IV-D)."""
        if ctx.state.status == Status.NORMAL:
            send_vote(ctx, VoteKind.CHECKPOINT, ctx.state.view, seq, digest)

    def on_new_view(self, ctx: ReplicaStep) -> None:
        """Re-send votes for checkpoints not yet stable to the new primary (§IV-D)."""
        for seq, app in sorted(ctx.state.checkpoint_states.items()):
            if seq > ctx.state.stable.seq:
                send_vote(ctx, VoteKind.CHECKPOINT, ctx.state.view, seq, state_digest(app))

    def on_retransmit(self, ctx: ReplicaStep) -> None:
        """Re-send pre-prepares, requests, certificates (primary), votes, answers (§IV-D)."""
        s = ctx.state
        if ctx.is_primary:
            for seq, slots in sorted(s.slots.items()):
                for slot in slots:
                    if not slot.committed and seq > s.app.seq:
                        ctx.broadcast(slot.pre_prepare)
            for session in s.sessions.values():
                if session.view != s.view:
                    continue
                if session.done and session.certificate is not None:
                    checkpoint = session.kind == VoteKind.CHECKPOINT
                    floor = s.stable.seq if checkpoint else s.app.seq
                    if session.seq > floor:
                        _distribute(ctx, session, session.certificate)
                elif session.signers:
                    _resend_requests(ctx, session)
        for key, mine in sorted(s.signer.items()):
            kind, view, seq = (int(part) for part in key.split("/")[:3])
            floor = s.stable.seq if kind == VoteKind.CHECKPOINT else s.app.seq
            if view != s.view or seq <= floor:
                continue
            if mine.reply is not None:
                ctx.send(ctx.primary, mine.reply)
            else:
                digest = bytes.fromhex(key.split("/")[3])
                ctx.send(ctx.primary, Vote(VoteKind(kind), view, seq, digest, mine.pubnonce))


COLLECTOR_RULES = CollectorRules()
