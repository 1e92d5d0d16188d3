"""Run classic PBFT's all-to-all prepare and commit phases beside iPBFT (Castro-Liskov 1999).

Every backup broadcasts a signed PREPARE for the pre-prepare it accepted; a replica is prepared
with the pre-prepare and q - 1 matching prepares from distinct backups, then broadcasts a signed
COMMIT; q matching commits commit the block. Checkpoints are broadcast and stable at q matching
signed votes. Quorum proofs are :class:`VoteSet` s of individual signatures (O(n) size), and
messages per decision grow as O(n^2). Signatures replace the MACs of the 1999 paper (§IV-D)
so that classic proofs are transferable like iPBFT certificates.
"""

from __future__ import annotations

import dataclasses

from vdlt_spec.consensus.messages import ClassicVote
from vdlt_spec.consensus.payloads import CHECKPOINT_VIEW, VoteKind, vote_payload
from vdlt_spec.consensus.quorum import SignedVote, VoteSet
from vdlt_spec.consensus.replica.checkpoint import make_stable
from vdlt_spec.consensus.replica.context import ReplicaStep
from vdlt_spec.consensus.replica.normal import (
    commit,
    find_slot,
    in_lookahead,
    put_slot,
    record_prepared,
)
from vdlt_spec.consensus.replica.state import Status, session_key


def _sign_and_broadcast(
    ctx: ReplicaStep, kind: VoteKind, view: int, seq: int, digest: bytes
) -> None:
    signature = ctx.scheme.sign(ctx.me, vote_payload(ctx.domain, kind, view, seq, digest))
    ctx.broadcast(ClassicVote(kind, view, seq, digest, signature))


def _tally(
    ctx: ReplicaStep, kind: VoteKind, view: int, seq: int, digest: bytes
) -> dict[int, bytes]:
    return dict(ctx.state.votes.get(session_key(kind, view, seq, digest), {}))


def on_classic_vote(ctx: ReplicaStep, source: int, message: ClassicVote) -> None:
    """Count a signed prepare, commit or checkpoint vote; advance the slot it completes (§IV-D)."""
    s = ctx.state
    kind, view, seq, digest = message.kind, message.view, message.seq, message.digest
    if kind == VoteKind.CHECKPOINT:
        view = CHECKPOINT_VIEW
        if seq <= s.stable.seq or seq % ctx.config.checkpoint_interval:
            return
    elif kind in (VoteKind.PREPARE, VoteKind.COMMIT):
        if s.status != Status.NORMAL or view != s.view or not in_lookahead(ctx, seq):
            return
    else:
        return
    key = session_key(kind, view, seq, digest)
    tally = dict(s.votes.get(key, {}))
    if source in tally:
        return
    payload = vote_payload(ctx.domain, kind, view, seq, digest)
    if source != ctx.me and not ctx.scheme.verify(source, payload, message.signature):
        return
    tally[source] = message.signature
    ctx.update(votes={**s.votes, key: tally})
    if kind == VoteKind.PREPARE:
        check_prepared(ctx, seq, digest)
    elif kind == VoteKind.COMMIT:
        check_committed(ctx, seq, digest)
    elif len(tally) >= ctx.config.quorum:
        votes = tuple(
            SignedVote(i, kind, sig) for i, sig in sorted(tally.items())[: ctx.config.quorum]
        )
        make_stable(ctx, seq, digest, VoteSet(votes))


def check_prepared(ctx: ReplicaStep, seq: int, digest: bytes) -> None:
    """Prepare on the pre-prepare plus q - 1 backups' prepares; then broadcast a commit (§IV-D)."""
    slot = find_slot(ctx, seq, digest)
    if slot is None or slot.prepared:
        return
    view = ctx.state.view
    primary = ctx.primary
    tally = _tally(ctx, VoteKind.PREPARE, view, seq, digest)
    backups = sorted((i, sig) for i, sig in tally.items() if i != primary)
    needed = ctx.config.quorum - 1
    if len(backups) < needed:
        return
    pre = SignedVote(primary, VoteKind.PRE_PREPARE, slot.pre_prepare.signature)
    votes = (pre, *(SignedVote(i, VoteKind.PREPARE, sig) for i, sig in backups[:needed]))
    record_prepared(ctx, seq, digest, VoteSet(votes))
    slot = find_slot(ctx, seq, digest)
    if slot is not None and not slot.commit_sent:
        put_slot(ctx, seq, dataclasses.replace(slot, commit_sent=True))
        _sign_and_broadcast(ctx, VoteKind.COMMIT, view, seq, digest)
    check_committed(ctx, seq, digest)


def check_committed(ctx: ReplicaStep, seq: int, digest: bytes) -> None:
    """Commit a prepared slot on q matching signed commits (committed-local) (§IV-D)."""
    slot = find_slot(ctx, seq, digest)
    if slot is None or not slot.prepared or slot.committed:
        return
    view = ctx.state.view
    tally = _tally(ctx, VoteKind.COMMIT, view, seq, digest)
    if len(tally) < ctx.config.quorum:
        return
    votes = tuple(
        SignedVote(i, VoteKind.COMMIT, sig) for i, sig in sorted(tally.items())[: ctx.config.quorum]
    )
    commit(ctx, view, seq, digest, slot.pre_prepare.block, VoteSet(votes))


class ClassicRules:
    """Plug classic PBFT's all-to-all votes into the normal case (§IV-D)."""

    def on_pre_prepare(self, ctx: ReplicaStep, seq: int, digest: bytes) -> None:
        """Broadcast a signed prepare (backups only; the pre-prepare is the primary's) (§IV-D)."""
        if not ctx.is_primary:
            _sign_and_broadcast(ctx, VoteKind.PREPARE, ctx.state.view, seq, digest)
        check_prepared(ctx, seq, digest)

    def on_checkpoint(self, ctx: ReplicaStep, seq: int, digest: bytes) -> None:
        """Broadcast a signed checkpoint vote (§IV-D)."""
        _sign_and_broadcast(ctx, VoteKind.CHECKPOINT, CHECKPOINT_VIEW, seq, digest)

    def on_new_view(self, ctx: ReplicaStep) -> None:
        """Nothing to redo: checkpoint votes do not depend on the view (§IV-D)."""

    def on_retransmit(self, ctx: ReplicaStep) -> None:
        """Re-broadcast our pre-prepares (primary) and votes on unfinished slots (§IV-D)."""
        s = ctx.state
        for seq, slots in sorted(s.slots.items()):
            for slot in slots:
                if slot.committed or seq <= s.app.seq:
                    continue
                if ctx.is_primary:
                    ctx.broadcast(slot.pre_prepare)
                for kind in (VoteKind.PREPARE, VoteKind.COMMIT):
                    mine = _tally(ctx, kind, s.view, seq, slot.digest).get(ctx.me)
                    if mine is not None:
                        ctx.broadcast(ClassicVote(kind, s.view, seq, slot.digest, mine))
        for key, tally in sorted(s.votes.items()):
            code, _, seq = (int(part) for part in key.split("/")[:3])
            if code == VoteKind.CHECKPOINT and seq > s.stable.seq and ctx.me in tally:
                digest = bytes.fromhex(key.split("/")[3])
                vote = ClassicVote(VoteKind.CHECKPOINT, CHECKPOINT_VIEW, seq, digest, tally[ctx.me])
                ctx.broadcast(vote)


CLASSIC_RULES = ClassicRules()
