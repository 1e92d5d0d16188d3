"""Tamper with messages a replica accepted, for the message-validation vectors (§III-D, §IV-D).

Each case takes a delivery the reference accepted in a recorded scenario and changes one thing:
the view, the sender, the signature (forged, or made for another view, chain or epoch), the
certificate's bitmap (one signer short of a quorum), the block (equivocation, digest mismatch),
or replays it on the state after it was accepted. The keys are the deterministic roster's, so a
tampered message can be signed correctly where only its content is wrong: a new view that
re-proposes the first prepared block instead of the one prepared in the highest view is signed
by the right primary and fails only the plan check.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from vdlt_spec import serial
from vdlt_spec.conformance.consensus_scenarios import RecordedStep, Recorder
from vdlt_spec.consensus.block import NULL_BLOCK, AppState, Block, Request, block_digest
from vdlt_spec.consensus.config import Mode, primary_of
from vdlt_spec.consensus.messages import (
    NEW_VIEW_SEQ,
    CertMsg,
    ClassicVote,
    CommittedEntry,
    FetchReply,
    Message,
    NewView,
    PartialSig,
    PreparedEntry,
    PrePrepare,
    SignRequest,
    StateReply,
    ViewChange,
    Vote,
    new_view_digest,
    view_change_digest,
)
from vdlt_spec.consensus.payloads import CHECKPOINT_VIEW, SigningDomain, VoteKind, vote_payload
from vdlt_spec.consensus.quorum import QuorumProof, SignedVote, VoteSet
from vdlt_spec.consensus.replica import GENESIS_DIGEST, Decide, Deliver, ReplicaState, initial_state
from vdlt_spec.consensus.replica.validation import Disposition, validate
from vdlt_spec.consensus.replica.viewchange import new_view_plan
from vdlt_spec.consensus.schemes import certify
from vdlt_spec.crypto import Certificate, decode_bitmap, encode_bitmap

TamperCase = tuple[str, ReplicaState, int, Message, str]
"""A validation case: name, the receiving state, the sender, the message, a comment."""


class Tamper:
    """Sign and certify like any member of the recorded group (the roster's keys are public)."""

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec
        self.config = rec.config
        self.scheme = rec.scheme
        self.n = rec.config.n
        self.domain = rec.config.signing_domain(rec.scheme.roster)

    def other_domain(self, *, chain: str | None = None, epoch: int | None = None) -> SigningDomain:
        config = self.config
        if chain is not None:
            config = dataclasses.replace(config, chain_id=chain)
        if epoch is not None:
            config = dataclasses.replace(config, epoch=epoch)
        return config.signing_domain(self.scheme.roster)

    def sign(
        self, signer: int, kind: VoteKind, view: int, seq: int, digest: bytes, **kw: Any
    ) -> bytes:
        domain = kw.get("domain", self.domain)
        return self.scheme.sign(signer, vote_payload(domain, kind, view, seq, digest))

    def cert(
        self,
        signers: tuple[int, ...],
        kind: VoteKind,
        view: int,
        seq: int,
        digest: bytes,
        **kw: Any,
    ) -> Certificate:
        domain = kw.get("domain", self.domain)
        payload = vote_payload(domain, kind, view, seq, digest)
        return certify(self.scheme, signers, payload, b"tamper" + bytes(signers))

    def proof(
        self, signers: tuple[int, ...], kind: VoteKind, view: int, seq: int, digest: bytes
    ) -> QuorumProof:
        """Return the quorum proof of ``signers``: a certificate, or classic signed votes."""
        if self.config.mode == Mode.IPBFT:
            return self.cert(signers, kind, view, seq, digest)
        votes = (SignedVote(i, kind, self.sign(i, kind, view, seq, digest)) for i in signers)
        return VoteSet(tuple(votes))

    def pre_prepare(self, view: int, seq: int, block: Block) -> PrePrepare:
        primary = primary_of(view, self.n)
        signature = self.sign(primary, VoteKind.PRE_PREPARE, view, seq, block_digest(block))
        return PrePrepare(view, seq, block, signature)

    def view_change(self, vc: ViewChange) -> ViewChange:
        unsigned = dataclasses.replace(vc, signature=b"")
        digest = view_change_digest(unsigned)
        signature = self.sign(vc.replica, VoteKind.VIEW_CHANGE, vc.new_view, vc.stable_seq, digest)
        return dataclasses.replace(unsigned, signature=signature)

    def new_view(self, nv: NewView) -> NewView:
        unsigned = dataclasses.replace(nv, signature=b"")
        primary = primary_of(nv.view, self.n)
        digest = new_view_digest(unsigned)
        signature = self.sign(primary, VoteKind.NEW_VIEW, nv.view, NEW_VIEW_SEQ, digest)
        return dataclasses.replace(unsigned, signature=signature)


def _accepted(rec: Recorder, want: Callable[[RecordedStep, Message], bool]) -> RecordedStep | None:
    """Return the accepted delivery from another replica ``want`` keeps, smallest state first."""
    found: list[tuple[int, int, RecordedStep]] = []
    for position, recorded in enumerate(rec.steps):
        event = recorded.event
        if not isinstance(event, Deliver) or event.source in (recorded.replica, -1):
            continue
        if not want(recorded, event.message):
            continue
        verdict = validate(rec.config, rec.scheme, recorded.pre, event.source, event.message)
        if verdict.outcome is Disposition.ACCEPT:
            found.append((len(serial.dumps(recorded.pre)), position, recorded))
    return min(found, key=lambda item: item[:2])[2] if found else None


def _flip(data: bytes) -> bytes:
    return bytes(reversed(data))


def _pre_prepares(t: Tamper, r: RecordedStep, m: PrePrepare, src: int) -> Iterator[TamperCase]:
    pre, post, c = r.pre, r.post, t.config
    view, seq, block = m.view, m.seq, m.block
    digest = block_digest(block)
    low = pre.stable.seq
    big = Block(tuple(Request(9, i, b"x") for i in range(c.max_batch + 1)))
    other = Block((Request(9, 999, b"equivocation"),))
    sign = t.sign
    yield (
        "pre-prepare-forged-signature",
        pre,
        src,
        dataclasses.replace(m, signature=_flip(m.signature)),
        "",
    )
    for name, domain in (
        ("other-chain", t.other_domain(chain="another-chain")),
        ("other-epoch", t.other_domain(epoch=c.epoch + 1)),
    ):
        signature = sign(src, VoteKind.PRE_PREPARE, view, seq, digest, domain=domain)
        yield (
            f"pre-prepare-signed-in-{name}",
            pre,
            src,
            dataclasses.replace(m, signature=signature),
            "",
        )
    signature = sign(src, VoteKind.PRE_PREPARE, view + 1, seq, digest)
    yield (
        "pre-prepare-signed-for-another-view",
        pre,
        src,
        dataclasses.replace(m, signature=signature),
        "the signature must bind the view",
    )
    signature = sign(src, VoteKind.PRE_PREPARE, view, seq + 1, digest)
    yield (
        "pre-prepare-signed-for-another-seq",
        pre,
        src,
        dataclasses.replace(m, signature=signature),
        "",
    )
    if view > 0:
        yield (
            "pre-prepare-older-view",
            pre,
            primary_of(view - 1, c.n),
            t.pre_prepare(view - 1, seq, block),
            "",
        )
    yield (
        "pre-prepare-future-view",
        pre,
        primary_of(view + 1, c.n),
        t.pre_prepare(view + 1, seq, block),
        "",
    )
    yield "pre-prepare-not-from-primary", pre, (src + 1) % c.n, m, ""
    yield "pre-prepare-batch-too-large", pre, src, t.pre_prepare(view, seq, big), ""
    yield "pre-prepare-beyond-window", pre, src, t.pre_prepare(view, low + c.window + 1, block), ""
    yield (
        "pre-prepare-out-of-watermarks",
        pre,
        src,
        t.pre_prepare(view, low + 2 * c.window + 1, block),
        "",
    )
    yield "pre-prepare-at-low-watermark", pre, src, t.pre_prepare(view, low, block), ""
    yield (
        "pre-prepare-equivocation",
        post,
        src,
        t.pre_prepare(view, seq, other),
        "a second block at (view, seq)",
    )
    yield "pre-prepare-replayed", post, src, m, ""


def _classic_votes(t: Tamper, r: RecordedStep, m: ClassicVote, src: int) -> Iterator[TamperCase]:
    pre, post = r.pre, r.post
    view, seq, digest, kind = m.view, m.seq, m.digest, m.kind
    yield (
        "classic-vote-forged-signature",
        pre,
        src,
        dataclasses.replace(m, signature=_flip(m.signature)),
        "",
    )
    other = t.sign(src, kind, view + 1, seq, digest)
    yield (
        "classic-vote-signed-for-another-view",
        pre,
        src,
        dataclasses.replace(m, signature=other),
        "the signature must bind the view",
    )
    other = t.sign(src, kind, view, seq, digest, domain=t.other_domain(chain="another-chain"))
    yield (
        "classic-vote-signed-in-other-chain",
        pre,
        src,
        dataclasses.replace(m, signature=other),
        "",
    )
    other = t.sign((src + 1) % t.n, kind, view, seq, digest)
    yield (
        "classic-vote-signed-by-another-replica",
        pre,
        src,
        dataclasses.replace(m, signature=other),
        "",
    )
    yield "classic-vote-replayed", post, src, m, ""
    if view > 0:
        older = ClassicVote(kind, view - 1, seq, digest, t.sign(src, kind, view - 1, seq, digest))
        yield "classic-vote-older-view", pre, src, older, ""


def _votes(t: Tamper, r: RecordedStep, m: Vote, src: int) -> Iterator[TamperCase]:
    yield "vote-replayed", r.post, src, m, ""
    yield "vote-bad-nonce", r.pre, src, dataclasses.replace(m, pubnonce=b"\x05" * 66), ""
    yield "vote-unknown-block", r.pre, src, dataclasses.replace(m, digest=bytes(32)), ""
    for other in t.rec.steps:
        s = other.pre
        if other.replica != r.replica and s.view == r.pre.view and s.status == r.pre.status:
            yield "vote-to-non-collector", s, src, m, ""
            break


def _sign_requests(t: Tamper, r: RecordedStep, m: SignRequest, src: int) -> Iterator[TamperCase]:
    me, q, n = r.replica, t.config.quorum, t.n
    short = tuple(sorted({me, *[i for i in range(n) if i != me][: q - 2]}))
    yield (
        "sign-request-one-short-of-quorum",
        r.pre,
        src,
        dataclasses.replace(m, bitmap=encode_bitmap(short, n)),
        f"{len(short)} of {n} signers",
    )
    without = tuple(i for i in range(n) if i != me)[:q]
    yield (
        "sign-request-not-a-signer",
        r.pre,
        src,
        dataclasses.replace(m, bitmap=encode_bitmap(without, n)),
        "",
    )
    yield (
        "sign-request-bad-bitmap-length",
        r.pre,
        src,
        dataclasses.replace(m, bitmap=m.bitmap + b"\x00"),
        "",
    )
    yield "sign-request-not-from-primary", r.pre, (src + 1) % n, m, ""


def _certificates(t: Tamper, r: RecordedStep, m: CertMsg, src: int) -> Iterator[TamperCase]:
    pre, q, n = r.pre, t.config.quorum, t.n
    kind, view, seq, digest = m.kind, m.view, m.seq, m.digest
    signed_view = CHECKPOINT_VIEW if kind == VoteKind.CHECKPOINT else view
    name = f"cert-{kind.name.lower()}"
    signers = decode_bitmap(m.certificate.bitmap, n)

    def cert(signers: tuple[int, ...], **kw: Any) -> CertMsg:
        return dataclasses.replace(
            m, certificate=t.cert(signers, kind, kw.pop("view", signed_view), seq, digest, **kw)
        )

    yield (
        f"{name}-one-short-of-quorum",
        pre,
        src,
        cert(tuple(range(q - 1))),
        f"{q - 1} of {n} signers",
    )
    yield f"{name}-exact-quorum", pre, src, cert(tuple(range(n - q, n))), f"{q} of {n} signers"
    yield (
        f"{name}-signed-in-other-chain",
        pre,
        src,
        cert(signers, domain=t.other_domain(chain="another-chain")),
        "replayed from another chain",
    )
    yield (
        f"{name}-signed-in-other-epoch",
        pre,
        src,
        cert(signers, domain=t.other_domain(epoch=1)),
        "replayed from another epoch",
    )
    if kind != VoteKind.CHECKPOINT:
        yield (
            f"{name}-signed-for-another-view",
            pre,
            src,
            cert(signers, view=view + 1),
            "the certificate must bind the view",
        )
    forged = Certificate(m.certificate.bitmap, _flip(m.certificate.signature))
    yield f"{name}-forged-signature", pre, src, dataclasses.replace(m, certificate=forged), ""
    yield f"{name}-replayed", r.post, src, m, ""


def _view_changes(t: Tamper, r: RecordedStep, m: ViewChange, src: int) -> Iterator[TamperCase]:
    pre = r.pre
    yield (
        "view-change-forged-signature",
        pre,
        src,
        dataclasses.replace(m, signature=_flip(m.signature)),
        "",
    )
    yield "view-change-names-another-replica", pre, (src + 1) % t.n, m, ""
    yield "view-change-replayed", r.post, src, m, ""
    if not m.prepared:
        return
    entry = m.prepared[0]
    wrong = dataclasses.replace(entry, block=Block((Request(9, 1, b"other"),)))
    yield (
        "view-change-entry-digest-mismatch",
        pre,
        src,
        t.view_change(dataclasses.replace(m, prepared=(wrong,))),
        "",
    )
    future = dataclasses.replace(entry, view=m.new_view)
    yield (
        "view-change-entry-from-new-view",
        pre,
        src,
        t.view_change(dataclasses.replace(m, prepared=(future,))),
        "",
    )
    foreign = t.cert(
        tuple(range(t.n)),
        VoteKind.PREPARE,
        entry.view,
        entry.seq,
        entry.digest,
        domain=t.other_domain(chain="another-chain"),
    )
    replayed = dataclasses.replace(entry, proof=foreign)
    yield (
        "view-change-entry-proof-from-other-chain",
        pre,
        src,
        t.view_change(dataclasses.replace(m, prepared=(replayed,))),
        "",
    )
    yield (
        "view-change-duplicate-entry",
        pre,
        src,
        t.view_change(dataclasses.replace(m, prepared=(entry, entry))),
        "",
    )


def first_prepared_plan(view_changes: tuple[ViewChange, ...]) -> tuple[tuple[int, Block], ...]:
    """Return the plan of a faulty rule: the first prepared block of each seq, not the highest."""
    low = max(vc.stable_seq for vc in view_changes)
    first: dict[int, PreparedEntry] = {}
    for vc in view_changes:
        for entry in vc.prepared:
            if entry.seq > low:
                first.setdefault(entry.seq, entry)
    high = max(first, default=low)
    return tuple(
        (s, first[s].block if s in first else NULL_BLOCK) for s in range(low + 1, high + 1)
    )


def _new_views(t: Tamper, r: RecordedStep, m: NewView, src: int) -> Iterator[TamperCase]:
    pre = r.pre
    plan = first_prepared_plan(m.view_changes)
    pps = tuple(t.pre_prepare(m.view, seq, block) for seq, block in plan)
    bad = t.new_view(dataclasses.replace(m, pre_prepares=pps))
    if bad.pre_prepares != m.pre_prepares:
        yield (
            "new-view-first-prepared-not-highest",
            pre,
            src,
            bad,
            "re-proposes the block prepared in the lowest view",
        )
    senders = {vc.replica for vc in m.view_changes}
    missing = next(i for i in range(t.n) if i not in senders)
    extra = t.view_change(dataclasses.replace(m.view_changes[0], replica=missing))
    every = (*m.view_changes, extra)
    _, plan = new_view_plan(every)
    pps = tuple(t.pre_prepare(m.view, seq, block) for seq, block in plan)
    yield (
        "new-view-with-every-view-change",
        pre,
        src,
        t.new_view(dataclasses.replace(m, view_changes=every, pre_prepares=pps)),
        "more view changes than a quorum: valid",
    )
    few = m.view_changes[: t.config.quorum - 1]
    yield (
        "new-view-too-few-view-changes",
        pre,
        src,
        t.new_view(dataclasses.replace(m, view_changes=few)),
        "",
    )
    yield (
        "new-view-forged-signature",
        pre,
        src,
        dataclasses.replace(m, signature=_flip(m.signature)),
        "",
    )
    yield "new-view-not-from-its-primary", pre, (src + 1) % t.n, m, ""
    yield "new-view-replayed", r.post, src, m, ""


def _state_replies(t: Tamper, r: RecordedStep, m: StateReply, src: int) -> Iterator[TamperCase]:
    wrong = AppState(m.state.seq, bytes(32), m.state.executed)
    yield "state-reply-wrong-digest", r.pre, src, StateReply(wrong), ""
    yield "state-reply-replayed", r.post, src, m, ""


def _fetch_replies(t: Tamper, r: RecordedStep, m: FetchReply, src: int) -> Iterator[TamperCase]:
    proof = m.stable_proof
    if isinstance(proof, Certificate):
        forged: Any = Certificate(proof.bitmap, _flip(proof.signature))
    else:
        forged = t.cert(
            tuple(range(t.n)),
            VoteKind.CHECKPOINT,
            0,
            m.stable_seq,
            m.stable_digest,
            domain=t.other_domain(epoch=1),
        )
    yield (
        "fetch-reply-bad-checkpoint-proof",
        r.pre,
        src,
        dataclasses.replace(m, stable_proof=forged, committed=()),
        "",
    )
    if m.committed:
        entry = dataclasses.replace(m.committed[0], block=Block((Request(9, 2, b"other"),)))
        yield (
            "fetch-reply-entry-digest-mismatch",
            r.pre,
            src,
            dataclasses.replace(m, stable_seq=0, stable_proof=None, committed=(entry,)),
            "",
        )
    yield "fetch-reply-replayed", r.post, src, m, ""


Maker = Callable[[Tamper, RecordedStep, Any, int], Iterator[TamperCase]]
MAKERS: tuple[tuple[type, Callable[[RecordedStep, Any], bool], Maker], ...] = (
    (PrePrepare, lambda r, m: m.view > 0, _pre_prepares),
    (ClassicVote, lambda r, m: m.kind == VoteKind.PREPARE and m.view > 0, _classic_votes),
    (Vote, lambda r, m: m.kind == VoteKind.PREPARE, _votes),
    (SignRequest, lambda r, m: m.attempt == 1, _sign_requests),
    (
        PartialSig,
        lambda r, m: True,
        lambda t, r, m, s: iter(
            [("partial-sig-invalid", r.pre, s, dataclasses.replace(m, psig=_flip(m.psig)), "")]
        ),
    ),
    (CertMsg, lambda r, m: m.kind == VoteKind.PREPARE, _certificates),
    (CertMsg, lambda r, m: m.kind == VoteKind.COMMIT, _certificates),
    (CertMsg, lambda r, m: m.kind == VoteKind.CHECKPOINT, _certificates),
    (ViewChange, lambda r, m: bool(m.prepared), _view_changes),
    (NewView, lambda r, m: m.view == 2, _new_views),
    (StateReply, lambda r, m: True, _state_replies),
    (FetchReply, lambda r, m: True, _fetch_replies),
)


def _fetched_commits(t: Tamper) -> Iterator[TamperCase]:
    """Yield fetch replies to a replica at genesis: a commit proof one signer short, or not."""
    decided = next(o for r in t.rec.steps for o in r.outputs if isinstance(o, Decide))
    seq, view, digest, block = decided.seq, decided.view, decided.digest, decided.block
    q, n = t.config.quorum, t.n
    for name, signers in (("one-short-of-quorum", q - 1), ("exact-quorum", q)):
        proof = t.proof(tuple(range(signers)), VoteKind.COMMIT, view, seq, digest)
        reply = FetchReply(
            0, GENESIS_DIGEST, None, (CommittedEntry(seq, view, digest, block, proof),)
        )
        yield (
            f"fetch-reply-commit-{name}",
            initial_state(1),
            0,
            reply,
            f"{signers} of {n} signed the commit",
        )


def tampered(rec: Recorder) -> Iterator[TamperCase]:
    """Yield the tampered deliveries of the recorded scenario ``rec``."""
    t = Tamper(rec)
    yield from _fetched_commits(t)
    for tp, want, make in MAKERS:

        def keep(
            r: RecordedStep, m: Message, tp: type = tp, want: Callable[..., bool] = want
        ) -> bool:
            return isinstance(m, tp) and want(r, m)

        found = _accepted(rec, keep)
        if found is None:
            continue
        event = found.event
        assert isinstance(event, Deliver)
        yield from make(t, found, event.message, event.source)
