"""Classify an incoming message as the replica's handlers treat it: accept, defer, ignore, reject.

The handlers of :mod:`.transition` drop what they cannot use without saying why. This module
states the same decisions as data, in the handlers' order of checks, so that an implementation
can be tested message by message (the ``gossip_validation`` idea of Ethereum's consensus specs):

* ``accept`` — the replica acts on the message (its state or its outputs change);
* ``defer`` — the replica keeps it for later (a future view, a sequence number past the window);
* ``ignore`` — a message that is not wrong but of no use now (stale, duplicate, not needed);
* ``reject`` — a message that is invalid (forged signature, bad certificate, equivocation, ...).

The classification agrees with :func:`vdlt_spec.consensus.replica.step` (tested on every
recorded step and every validation vector): delivering an accepted or deferred message changes
the state or emits outputs, an ignored or rejected one changes nothing — except an invalid
partial signature, which the collector rejects by excluding its signer from the session
(:data:`REJECT_WITH_EFFECT`) (§III-D, §IV-D).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from vdlt_spec.consensus.block import block_digest, state_digest
from vdlt_spec.consensus.config import ConsensusConfig, Mode, primary_of
from vdlt_spec.consensus.messages import (
    NEW_VIEW_SEQ,
    CertMsg,
    ClassicVote,
    ClientRequest,
    Fetch,
    FetchReply,
    Message,
    NewView,
    PartialSig,
    PrePrepare,
    SignRequest,
    StateReply,
    StateRequest,
    ViewChange,
    Vote,
    new_view_digest,
    view_change_digest,
)
from vdlt_spec.consensus.payloads import CHECKPOINT_VIEW, SigningDomain, VoteKind, vote_payload
from vdlt_spec.consensus.quorum import verify_proof
from vdlt_spec.consensus.replica.normal import LOOKAHEAD_WINDOWS, was_executed
from vdlt_spec.consensus.replica.state import (
    GENESIS_DIGEST,
    ReplicaState,
    Session,
    Status,
    session_key,
)
from vdlt_spec.consensus.replica.transition import VIEW_BOUND_MESSAGES
from vdlt_spec.consensus.replica.viewchange import new_view_plan, valid_prepare_proof
from vdlt_spec.consensus.schemes import SignatureScheme
from vdlt_spec.crypto import decode_bitmap, is_quorum
from vdlt_spec.errors import Reason, SpecError

__all__ = [
    "REJECT_WITH_EFFECT",
    "Disposition",
    "Validation",
    "has_effect",
    "new_view_fault",
    "validate",
    "view_change_fault",
]


class Disposition(StrEnum):
    """Say what a replica does with an incoming message (§III-D)."""

    ACCEPT = "accept"
    DEFER = "defer"
    IGNORE = "ignore"
    REJECT = "reject"


@dataclass(frozen=True)
class Validation:
    """Pair an outcome with the reason a message was deferred, ignored or rejected (§III-D)."""

    outcome: Disposition
    reason: Reason | None = None


ACCEPT = Validation(Disposition.ACCEPT)
REJECT_WITH_EFFECT = frozenset({Reason.INVALID_PARTIAL_SIG})
"""The rejections that still change the replica's state (the culprit is recorded)."""


def has_effect(validation: Validation) -> bool:
    """Tell whether delivering a message so classified changes the state or the outputs."""
    if validation.outcome is Disposition.REJECT:
        return validation.reason in REJECT_WITH_EFFECT
    return validation.outcome in (Disposition.ACCEPT, Disposition.DEFER)


def _ignore(reason: Reason) -> Validation:
    return Validation(Disposition.IGNORE, reason)


def _reject(reason: Reason) -> Validation:
    return Validation(Disposition.REJECT, reason)


@dataclass(frozen=True)
class _Context:
    config: ConsensusConfig
    scheme: SignatureScheme
    state: ReplicaState
    source: int

    @property
    def domain(self) -> SigningDomain:
        return self.config.signing_domain(self.scheme.roster)

    @property
    def me(self) -> int:
        return self.state.index

    @property
    def primary(self) -> int:
        return primary_of(self.state.view, self.config.n)

    def window(self, seq: int) -> bool:
        s = self.state
        return s.stable.seq < seq <= s.stable.seq + self.config.window

    def lookahead(self, seq: int) -> bool:
        s = self.state
        return s.stable.seq < seq <= s.stable.seq + LOOKAHEAD_WINDOWS * self.config.window

    def normal_in(self, view: int) -> bool:
        return self.state.status == Status.NORMAL and view == self.state.view


def validate(
    config: ConsensusConfig,
    scheme: SignatureScheme,
    state: ReplicaState,
    source: int,
    message: Message,
) -> Validation:
    """Classify ``message`` from ``source`` as an honest replica in ``state`` does (§III-D)."""
    c = _Context(config, scheme, state, source)
    ipbft = config.mode == Mode.IPBFT
    if 0 <= source < config.n and _early(state, message):
        return Validation(Disposition.DEFER, Reason.FUTURE_VIEW)
    if isinstance(message, ClientRequest):
        request = message.request
        if was_executed(state.app, request.rid) or any(r.rid == request.rid for r in state.pending):
            return _ignore(Reason.DUPLICATE_MESSAGE)
        return ACCEPT
    if not 0 <= source < config.n:
        return _reject(Reason.NOT_IN_ROSTER)
    if isinstance(message, PrePrepare):
        return _pre_prepare(c, message)
    if isinstance(message, Vote | SignRequest | PartialSig | CertMsg) and not ipbft:
        return _ignore(Reason.WRONG_MODE)
    if isinstance(message, ClassicVote) and ipbft:
        return _ignore(Reason.WRONG_MODE)
    if isinstance(message, Vote):
        return _vote(c, message)
    if isinstance(message, SignRequest):
        return _sign_request(c, message)
    if isinstance(message, PartialSig):
        return _partial_sig(c, message)
    if isinstance(message, CertMsg):
        return _certificate(c, message)
    if isinstance(message, ClassicVote):
        return _classic_vote(c, message)
    if isinstance(message, ViewChange):
        return _view_change(c, message)
    if isinstance(message, NewView):
        return _new_view(c, message)
    if isinstance(message, StateRequest):
        kept = state.checkpoint_states.get(message.seq)
        return ACCEPT if kept is not None and source != c.me else _ignore(Reason.NOT_NEEDED)
    if isinstance(message, StateReply):
        return _state_reply(c, message)
    if isinstance(message, Fetch):
        return _fetch(c, message)
    return _fetch_reply(c, message)


def _early(state: ReplicaState, message: Message) -> bool:
    """Mirror the replica's test for messages of a view it has not entered (D-cons-5)."""
    if not isinstance(message, VIEW_BOUND_MESSAGES):
        return False
    if isinstance(message, CertMsg | ClassicVote) and message.kind == VoteKind.CHECKPOINT:
        return False
    ahead = message.view == state.view and state.status == Status.VIEW_CHANGE
    return message.view > state.view or ahead


def _pre_prepare(c: _Context, m: PrePrepare) -> Validation:
    s = c.state
    if not c.normal_in(m.view):
        return _ignore(Reason.WRONG_VIEW)
    if c.source != c.primary:
        return _reject(Reason.WRONG_SENDER)
    if len(m.block.requests) > c.config.max_batch:
        return _reject(Reason.BATCH_TOO_LARGE)
    if not c.lookahead(m.seq):
        return _ignore(Reason.OUT_OF_WATERMARKS)
    if not c.window(m.seq):
        waiting = s.deferred.get(m.seq, ())
        if m in waiting:
            return _ignore(Reason.DUPLICATE_MESSAGE)
        if waiting:
            return _reject(Reason.EQUIVOCATION)
        return Validation(Disposition.DEFER, Reason.BEYOND_WINDOW)
    digest = block_digest(m.block)
    existing = s.slots.get(m.seq, ())
    if any(x.digest == digest for x in existing):
        return _ignore(Reason.DUPLICATE_MESSAGE)
    if existing:
        return _reject(Reason.EQUIVOCATION)
    payload = vote_payload(c.domain, VoteKind.PRE_PREPARE, m.view, m.seq, digest)
    if c.source != c.me and not c.scheme.verify(c.source, payload, m.signature):
        return _reject(Reason.BAD_SIGNATURE)
    return ACCEPT


def _has_slot(c: _Context, seq: int, digest: bytes) -> bool:
    return any(x.digest == digest for x in c.state.slots.get(seq, ()))


def _vote(c: _Context, m: Vote) -> Validation:
    s = c.state
    if not c.normal_in(m.view):
        return _ignore(Reason.WRONG_VIEW)
    if c.primary != c.me:
        return _ignore(Reason.NOT_COLLECTOR)
    if m.kind == VoteKind.CHECKPOINT:
        if m.seq <= s.stable.seq:
            return _ignore(Reason.STALE_MESSAGE)
        if m.seq % c.config.checkpoint_interval:
            return _reject(Reason.WRONG_SEQUENCE)
    elif not c.window(m.seq):
        return _ignore(Reason.OUT_OF_WATERMARKS)
    elif not _has_slot(c, m.seq, m.digest):
        return _ignore(Reason.NO_PRE_PREPARE)
    try:
        c.scheme.nonce_agg((m.pubnonce,))
    except SpecError:
        return _reject(Reason.INVALID_PUBNONCE)
    session = s.sessions.get(session_key(m.kind, m.view, m.seq, m.digest))
    if session is not None and c.source in session.voters:
        return _ignore(Reason.DUPLICATE_MESSAGE)
    if session is not None and session.done:
        return _ignore(Reason.STALE_MESSAGE)
    return ACCEPT


def _sign_request(c: _Context, m: SignRequest) -> Validation:
    if not c.normal_in(m.view):
        return _ignore(Reason.WRONG_VIEW)
    if c.source != c.primary:
        return _reject(Reason.WRONG_SENDER)
    mine = c.state.signer.get(session_key(m.kind, m.view, m.seq, m.digest))
    if mine is None:
        return _ignore(Reason.NOT_VOTED)
    if m.attempt < mine.last_attempt:
        return _ignore(Reason.STALE_MESSAGE)
    if m.attempt == mine.last_attempt:
        return ACCEPT if mine.reply is not None else _ignore(Reason.DUPLICATE_MESSAGE)
    try:
        signers = decode_bitmap(m.bitmap, c.config.n)
    except SpecError as exc:
        return _reject(exc.reason)
    if c.me not in signers:
        return _reject(Reason.NOT_A_SIGNER)
    if not is_quorum(len(signers), c.config.n):
        return _reject(Reason.QUORUM_TOO_SMALL)
    return ACCEPT


def _partial_sig(c: _Context, m: PartialSig) -> Validation:
    if not c.normal_in(m.view):
        return _ignore(Reason.WRONG_VIEW)
    if c.primary != c.me:
        return _ignore(Reason.NOT_COLLECTOR)
    session = c.state.sessions.get(session_key(m.kind, m.view, m.seq, m.digest))
    if session is None or c.source not in session.nonces:
        return _ignore(Reason.NOT_VOTED)
    if session.done:
        return _ignore(Reason.STALE_MESSAGE)
    current = m.attempt == session.attempt and c.source in session.signers
    if current and c.source in session.psigs:
        return _ignore(Reason.DUPLICATE_MESSAGE)
    refreshed = False
    if m.attempt > session.nonces[c.source].issued_after:
        try:
            c.scheme.nonce_agg((m.next_pubnonce,))
            refreshed = True
        except SpecError:
            refreshed = False
    if not current:
        if refreshed or _can_start(c, session):
            return ACCEPT
        return _ignore(Reason.STALE_MESSAGE)
    position = session.signers.index(c.source)
    payload = vote_payload(c.domain, session.kind, session.view, session.seq, session.digest)
    valid = c.scheme.partial_verify(
        c.source,
        m.psig,
        session.signer_nonces[position],
        session.aggnonce,
        session.signers,
        payload,
    )
    return ACCEPT if valid else _reject(Reason.INVALID_PARTIAL_SIG)


def _can_start(c: _Context, session: Session) -> bool:
    """Tell whether a quorum of unused voters remains to begin a new signing attempt (§IV-D)."""
    if session.done or session.signers:
        return False
    unused = [v for v in session.voters if v not in session.excluded and not session.nonces[v].used]
    return len(unused) >= c.config.quorum


def _certificate(c: _Context, m: CertMsg) -> Validation:
    s = c.state
    kind, view, seq, digest = m.kind, m.view, m.seq, m.digest
    if kind == VoteKind.PREPARE:
        if not c.normal_in(view):
            return _ignore(Reason.WRONG_VIEW)
        slot = next((x for x in s.slots.get(seq, ()) if x.digest == digest), None)
        if slot is None:
            return _ignore(Reason.NO_PRE_PREPARE)
        if slot.prepared:
            return _ignore(Reason.DUPLICATE_MESSAGE)
    elif kind == VoteKind.COMMIT:
        if seq <= s.app.seq or seq in s.committed or seq <= s.stable.seq:
            return _ignore(Reason.STALE_MESSAGE)
        if not _block_known(c, m):
            return _ignore(Reason.NO_PRE_PREPARE)
    elif kind == VoteKind.CHECKPOINT:
        if seq <= s.stable.seq:
            return _ignore(Reason.STALE_MESSAGE)
        view = CHECKPOINT_VIEW
    else:
        return _ignore(Reason.WRONG_MODE)
    if not verify_proof(c.scheme, c.domain, kind, view, seq, digest, m.certificate):
        return _reject(Reason.BAD_CERTIFICATE)
    return ACCEPT


def _block_known(c: _Context, m: CertMsg) -> bool:
    """Mirror the collector's search for the block a commit certificate commits."""
    if m.view == c.state.view and _has_slot(c, m.seq, m.digest):
        return True
    record = c.state.prepared.get(m.seq)
    if record is not None and record.digest == m.digest:
        return True
    return m.block is not None and block_digest(m.block) == m.digest


def _classic_vote(c: _Context, m: ClassicVote) -> Validation:
    s = c.state
    view = m.view
    if m.kind == VoteKind.CHECKPOINT:
        view = CHECKPOINT_VIEW
        if m.seq <= s.stable.seq:
            return _ignore(Reason.STALE_MESSAGE)
        if m.seq % c.config.checkpoint_interval:
            return _reject(Reason.WRONG_SEQUENCE)
    elif m.kind in (VoteKind.PREPARE, VoteKind.COMMIT):
        if not c.normal_in(view):
            return _ignore(Reason.WRONG_VIEW)
        if not c.lookahead(m.seq):
            return _ignore(Reason.OUT_OF_WATERMARKS)
    else:
        return _ignore(Reason.WRONG_MODE)
    if c.source in s.votes.get(session_key(m.kind, view, m.seq, m.digest), {}):
        return _ignore(Reason.DUPLICATE_MESSAGE)
    payload = vote_payload(c.domain, m.kind, view, m.seq, m.digest)
    if c.source != c.me and not c.scheme.verify(c.source, payload, m.signature):
        return _reject(Reason.BAD_SIGNATURE)
    return ACCEPT


def view_change_fault(
    config: ConsensusConfig, scheme: SignatureScheme, vc: ViewChange
) -> Reason | None:
    """Return why a view change is invalid, or None; None exactly when it is valid (§III-D)."""
    if not 0 <= vc.replica < config.n:
        return Reason.NOT_IN_ROSTER
    domain = config.signing_domain(scheme.roster)
    digest = view_change_digest(vc)
    payload = vote_payload(domain, VoteKind.VIEW_CHANGE, vc.new_view, vc.stable_seq, digest)
    if not scheme.verify(vc.replica, payload, vc.signature):
        return Reason.BAD_SIGNATURE
    if vc.stable_seq == 0:
        if vc.stable_digest != GENESIS_DIGEST or vc.stable_proof is not None:
            return Reason.BAD_CERTIFICATE
    elif vc.stable_proof is None or not verify_proof(
        scheme,
        domain,
        VoteKind.CHECKPOINT,
        CHECKPOINT_VIEW,
        vc.stable_seq,
        vc.stable_digest,
        vc.stable_proof,
    ):
        return Reason.BAD_CERTIFICATE
    seen: set[int] = set()
    for entry in vc.prepared:
        if entry.seq in seen:
            return Reason.DUPLICATE_MESSAGE
        if not vc.stable_seq < entry.seq <= vc.stable_seq + config.window:
            return Reason.OUT_OF_WATERMARKS
        if entry.view >= vc.new_view:
            return Reason.WRONG_VIEW
        if block_digest(entry.block) != entry.digest:
            return Reason.DIGEST_MISMATCH
        if not valid_prepare_proof(
            config, scheme, entry.view, entry.seq, entry.digest, entry.proof
        ):
            return Reason.BAD_CERTIFICATE
        seen.add(entry.seq)
    return None


def new_view_fault(config: ConsensusConfig, scheme: SignatureScheme, nv: NewView) -> Reason | None:
    """Return why a new view is invalid, or None; None exactly when it is valid (§III-D)."""
    primary = primary_of(nv.view, config.n)
    domain = config.signing_domain(scheme.roster)
    payload = vote_payload(domain, VoteKind.NEW_VIEW, nv.view, NEW_VIEW_SEQ, new_view_digest(nv))
    if not scheme.verify(primary, payload, nv.signature):
        return Reason.BAD_SIGNATURE
    senders = {vc.replica for vc in nv.view_changes}
    if len(senders) != len(nv.view_changes):
        return Reason.DUPLICATE_MESSAGE
    if len(senders) < config.quorum:
        return Reason.QUORUM_TOO_SMALL
    for vc in nv.view_changes:
        if vc.new_view != nv.view:
            return Reason.WRONG_VIEW
        fault = view_change_fault(config, scheme, vc)
        if fault is not None:
            return fault
    _, plan = new_view_plan(nv.view_changes)
    if len(plan) != len(nv.pre_prepares):
        return Reason.NEW_VIEW_MISMATCH
    for (seq, block), pp in zip(plan, nv.pre_prepares, strict=True):
        if (pp.view, pp.seq, pp.block) != (nv.view, seq, block):
            return Reason.NEW_VIEW_MISMATCH
        signed = vote_payload(domain, VoteKind.PRE_PREPARE, nv.view, seq, block_digest(block))
        if not scheme.verify(primary, signed, pp.signature):
            return Reason.BAD_SIGNATURE
    return None


def _view_change(c: _Context, vc: ViewChange) -> Validation:
    s = c.state
    nv = s.last_new_view
    if vc.new_view == s.view and s.status == Status.NORMAL and nv is not None and nv.view == s.view:
        if c.source != c.me and c.primary == c.me:
            return ACCEPT  # the sender missed the new view: it is sent again
        return _ignore(Reason.STALE_MESSAGE)
    floor = s.view if s.status == Status.VIEW_CHANGE else s.view + 1
    if vc.replica != c.source:
        return _reject(Reason.WRONG_SENDER)
    if vc.new_view < floor:
        return _ignore(Reason.WRONG_VIEW)
    if c.source in s.view_changes.get(vc.new_view, {}):
        return _ignore(Reason.DUPLICATE_MESSAGE)
    if c.source != c.me:
        fault = view_change_fault(c.config, c.scheme, vc)
        if fault is not None:
            return _reject(fault)
    return ACCEPT


def _new_view(c: _Context, nv: NewView) -> Validation:
    s = c.state
    if c.source != primary_of(nv.view, c.config.n):
        return _reject(Reason.WRONG_SENDER)
    if nv.view < s.view:
        return _ignore(Reason.WRONG_VIEW)
    if nv.view == s.view and s.status == Status.NORMAL:
        return _ignore(Reason.DUPLICATE_MESSAGE)
    if c.source != c.me:
        fault = new_view_fault(c.config, c.scheme, nv)
        if fault is not None:
            return _reject(fault)
    return ACCEPT


def _state_reply(c: _Context, m: StateReply) -> Validation:
    s = c.state
    if m.state.seq != s.stable.seq:
        return _ignore(Reason.WRONG_SEQUENCE)
    if s.app.seq >= m.state.seq:
        return _ignore(Reason.NOT_NEEDED)
    if state_digest(m.state) != s.stable.digest:
        return _reject(Reason.DIGEST_MISMATCH)
    return ACCEPT


def _fetch(c: _Context, m: Fetch) -> Validation:
    s = c.state
    if c.source == c.me:
        return _ignore(Reason.NOT_NEEDED)
    if s.stable.seq < m.next_seq and not any(seq >= m.next_seq for seq in s.log):
        return _ignore(Reason.NOT_NEEDED)
    return ACCEPT


def _fetch_reply(c: _Context, m: FetchReply) -> Validation:
    """Accept a reply any part of which the replica uses; else say what was wrong with it."""
    s = c.state
    fault: Reason | None = None
    stable = s.stable.seq
    useful = False
    if m.stable_seq > stable and m.stable_proof is not None:
        if verify_proof(
            c.scheme,
            c.domain,
            VoteKind.CHECKPOINT,
            CHECKPOINT_VIEW,
            m.stable_seq,
            m.stable_digest,
            m.stable_proof,
        ):
            useful, stable = True, m.stable_seq
        else:
            fault = Reason.BAD_CERTIFICATE
    taken: set[int] = set()
    for e in m.committed:
        if e.seq <= s.app.seq or e.seq in s.committed or e.seq <= stable or e.seq in taken:
            continue
        if block_digest(e.block) != e.digest:
            fault = fault or Reason.DIGEST_MISMATCH
            continue
        if not verify_proof(c.scheme, c.domain, VoteKind.COMMIT, e.view, e.seq, e.digest, e.proof):
            fault = fault or Reason.BAD_CERTIFICATE
            continue
        useful = True
        taken.add(e.seq)
    if useful:
        return ACCEPT
    return _reject(fault) if fault is not None else _ignore(Reason.NOT_NEEDED)
