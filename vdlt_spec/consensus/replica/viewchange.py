"""Replace a faulty or slow primary: view change and new view (§III-D, Castro-Liskov §4.4).

On a timeout a replica moves to view v + 1 and broadcasts a signed :class:`ViewChange` with its
stable checkpoint (and its quorum proof) and, for every sequence number above it, its highest
prepare proof with the block. A replica that sees f + 1 view changes for higher views joins the
smallest (so a slow minority cannot stall, and f liars cannot force a change). The primary of
v + 1 builds a :class:`NewView` from a quorum of view changes: starting after the highest stable
checkpoint, it re-proposes at each sequence number the block of the highest-view prepare proof,
or the null block. Every replica recomputes this from the view changes and accepts the new view
only if it matches, so a faulty new primary cannot drop a block that may have committed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from vdlt_spec.consensus.block import NULL_BLOCK, Block, block_digest
from vdlt_spec.consensus.config import (
    MAX_VIEW_TIMEOUT_DOUBLINGS,
    ConsensusConfig,
    Mode,
    primary_of,
)
from vdlt_spec.consensus.messages import (
    NEW_VIEW_SEQ,
    NewView,
    PreparedEntry,
    PrePrepare,
    ViewChange,
    new_view_digest,
    view_change_digest,
)
from vdlt_spec.consensus.payloads import CHECKPOINT_VIEW, VoteKind, vote_payload
from vdlt_spec.consensus.quorum import QuorumProof, verify_proof
from vdlt_spec.consensus.replica.catchup import request_catch_up
from vdlt_spec.consensus.replica.checkpoint import make_stable
from vdlt_spec.consensus.replica.context import ReplicaStep
from vdlt_spec.consensus.replica.normal import arm_progress_timer, on_pre_prepare, try_propose
from vdlt_spec.consensus.replica.state import GENESIS_DIGEST, Status, ViewChangeTimer
from vdlt_spec.consensus.schemes import SignatureScheme


def _prepare_extra(config: ConsensusConfig, view: int) -> tuple[VoteKind, int] | None:
    """Return the extra vote a classic prepare proof admits: the primary's pre-prepare."""
    if config.mode == Mode.CLASSIC:
        return (VoteKind.PRE_PREPARE, primary_of(view, config.n))
    return None


def valid_prepare_proof(
    config: ConsensusConfig,
    scheme: SignatureScheme,
    view: int,
    seq: int,
    digest: bytes,
    proof: QuorumProof,
) -> bool:
    """Return whether ``proof`` shows that a quorum prepared ``digest`` at (view, seq) (§III-D)."""
    extra = _prepare_extra(config, view)
    return verify_proof(
        scheme,
        config.signing_domain(scheme.roster),
        VoteKind.PREPARE,
        view,
        seq,
        digest,
        proof,
        also=extra,
    )


def valid_view_change(config: ConsensusConfig, scheme: SignatureScheme, vc: ViewChange) -> bool:
    """Check a view change: signature, checkpoint proof, and every prepared entry (§III-D)."""
    if not 0 <= vc.replica < config.n:
        return False
    domain = config.signing_domain(scheme.roster)
    digest = view_change_digest(vc)
    payload = vote_payload(domain, VoteKind.VIEW_CHANGE, vc.new_view, vc.stable_seq, digest)
    if not scheme.verify(vc.replica, payload, vc.signature):
        return False
    if vc.stable_seq == 0:
        if vc.stable_digest != GENESIS_DIGEST or vc.stable_proof is not None:
            return False
    elif vc.stable_proof is None or not verify_proof(
        scheme,
        domain,
        VoteKind.CHECKPOINT,
        CHECKPOINT_VIEW,
        vc.stable_seq,
        vc.stable_digest,
        vc.stable_proof,
    ):
        return False
    seen: set[int] = set()
    for entry in vc.prepared:
        if entry.seq in seen or not vc.stable_seq < entry.seq <= vc.stable_seq + config.window:
            return False
        if entry.view >= vc.new_view or block_digest(entry.block) != entry.digest:
            return False
        if not valid_prepare_proof(
            config, scheme, entry.view, entry.seq, entry.digest, entry.proof
        ):
            return False
        seen.add(entry.seq)
    return True


def new_view_plan(
    view_changes: Sequence[ViewChange],
) -> tuple[ViewChange, tuple[tuple[int, Block], ...]]:
    """Return the checkpoint source and the (seq, block) list a new view must re-propose (§III-D).

    Start after the highest stable checkpoint among the view changes; at each sequence number up
    to the highest prepared one, take the block of the highest-view prepare proof (ties by
    smallest digest, which only faulty quorums could produce), else the null block.
    """
    base = max(view_changes, key=lambda vc: (vc.stable_seq, vc.replica))
    low = base.stable_seq
    best: dict[int, PreparedEntry] = {}
    for vc in view_changes:
        for entry in vc.prepared:
            if entry.seq <= low:
                continue
            old = best.get(entry.seq)
            if old is None or (entry.view, old.digest) > (old.view, entry.digest):
                best[entry.seq] = entry
    high = max(best, default=low)
    plan = tuple(
        (seq, best[seq].block if seq in best else NULL_BLOCK) for seq in range(low + 1, high + 1)
    )
    return base, plan


def start_view_change(ctx: ReplicaStep, new_view: int) -> None:
    """Leave the current view: broadcast a signed view change for ``new_view`` (§III-D)."""
    s = ctx.state
    if new_view <= s.view:
        return
    prepared = tuple(
        PreparedEntry(seq, rec.view, rec.digest, rec.proof, rec.block)
        for seq, rec in sorted(s.prepared.items())
        if seq > s.stable.seq
    )
    unsigned = ViewChange(ctx.me, new_view, s.stable.seq, s.stable.digest, s.stable.proof, prepared)
    payload = vote_payload(
        ctx.domain, VoteKind.VIEW_CHANGE, new_view, s.stable.seq, view_change_digest(unsigned)
    )
    vc = dataclasses.replace(unsigned, signature=ctx.scheme.sign(ctx.me, payload))
    rounds = s.view_change_rounds + 1
    ctx.update(
        view=new_view,
        status=Status.VIEW_CHANGE,
        timer_armed=False,
        view_change_rounds=rounds,
        slots={},
        deferred={},
        sessions={},
        signer={},
        votes={k: v for k, v in s.votes.items() if k.startswith(f"{int(VoteKind.CHECKPOINT)}/")},
    )
    ctx.broadcast(vc)
    ctx.start_timer(ViewChangeTimer(new_view), _backoff(ctx))


def _backoff(ctx: ReplicaStep) -> int:
    rounds = max(ctx.state.view_change_rounds, 1)
    return ctx.config.view_timeout << min(rounds - 1, MAX_VIEW_TIMEOUT_DOUBLINGS)


def arm_escalation(ctx: ReplicaStep) -> None:
    """Start the escalation timer once a quorum (this replica included) asks for the view (§III-D).

    As in PBFT, the wait for the new view starts when 2f + 1 view changes are in, so a replica
    alone in its view change (behind a partition, say) never runs ahead through views nobody
    else enters; it re-sends its view change instead (D-cons-7).
    """
    s = ctx.state
    if s.status != Status.VIEW_CHANGE or s.escalation_armed >= s.view:
        return
    bucket = s.view_changes.get(s.view, {})
    if ctx.me in bucket and len(bucket) >= ctx.config.quorum:
        ctx.update(escalation_armed=s.view)
        ctx.start_timer(ViewChangeTimer(s.view, escalate=True), _backoff(ctx))


def on_view_change_timer(ctx: ReplicaStep, timer: ViewChangeTimer) -> None:
    """Move on from a new view that did not start in time, or re-send the view change (§III-D)."""
    s = ctx.state
    if s.status != Status.VIEW_CHANGE or s.view != timer.view:
        return
    if timer.escalate:
        start_view_change(ctx, timer.view + 1)
        return
    mine = s.view_changes.get(timer.view, {}).get(ctx.me)
    if mine is not None:
        ctx.broadcast(mine)
    request_catch_up(ctx)
    ctx.update(view_change_rounds=s.view_change_rounds + 1)
    ctx.start_timer(ViewChangeTimer(timer.view), _backoff(ctx))


def on_view_change(ctx: ReplicaStep, source: int, vc: ViewChange) -> None:
    """Collect a view change; join on f + 1; send the new view on a quorum (§III-D)."""
    s = ctx.state
    nv = s.last_new_view
    if vc.new_view == s.view and s.status == Status.NORMAL and nv is not None and nv.view == s.view:
        if source != ctx.me and ctx.is_primary:
            ctx.send(source, nv)  # it missed our new view: send it again
        return
    floor = s.view if s.status == Status.VIEW_CHANGE else s.view + 1
    if vc.replica != source or vc.new_view < floor:
        return
    if source in s.view_changes.get(vc.new_view, {}):
        return
    if source != ctx.me and not valid_view_change(ctx.config, ctx.scheme, vc):
        return
    bucket = {**s.view_changes.get(vc.new_view, {}), source: vc}
    ctx.update(view_changes={**s.view_changes, vc.new_view: bucket})
    _join_if_f_plus_one(ctx)
    arm_escalation(ctx)
    _send_new_view_if_quorum(ctx)


def _join_if_f_plus_one(ctx: ReplicaStep) -> None:
    """Join the smallest higher view once f + 1 other replicas asked for higher views (PBFT)."""
    s = ctx.state
    senders = {
        sender
        for view, bucket in s.view_changes.items()
        if view > s.view
        for sender in bucket
        if sender != ctx.me
    }
    if len(senders) < ctx.config.f + 1:
        return
    start_view_change(ctx, min(v for v in s.view_changes if v > s.view))


def _send_new_view_if_quorum(ctx: ReplicaStep) -> None:
    s = ctx.state
    if s.status != Status.VIEW_CHANGE or primary_of(s.view, ctx.n) != ctx.me:
        return
    if s.new_view_sent >= s.view:
        return
    bucket = s.view_changes.get(s.view, {})
    if ctx.me not in bucket or len(bucket) < ctx.config.quorum:
        return
    others = [bucket[i] for i in sorted(bucket) if i != ctx.me][: ctx.config.quorum - 1]
    chosen = tuple(sorted([bucket[ctx.me], *others], key=lambda vc: vc.replica))
    ctx.update(new_view_sent=s.view)
    _, plan = new_view_plan(chosen)
    pre_prepares = tuple(
        PrePrepare(
            s.view,
            seq,
            block,
            ctx.scheme.sign(
                ctx.me,
                vote_payload(ctx.domain, VoteKind.PRE_PREPARE, s.view, seq, block_digest(block)),
            ),
        )
        for seq, block in plan
    )
    unsigned = NewView(s.view, chosen, pre_prepares)
    payload = vote_payload(
        ctx.domain, VoteKind.NEW_VIEW, s.view, NEW_VIEW_SEQ, new_view_digest(unsigned)
    )
    nv = dataclasses.replace(unsigned, signature=ctx.scheme.sign(ctx.me, payload))
    ctx.update(last_new_view=nv)
    ctx.broadcast(nv)


def valid_new_view(config: ConsensusConfig, scheme: SignatureScheme, nv: NewView) -> bool:
    """Check a new view: its primary's signature, q valid view changes, the plan (§III-D)."""
    primary = primary_of(nv.view, config.n)
    domain = config.signing_domain(scheme.roster)
    payload = vote_payload(domain, VoteKind.NEW_VIEW, nv.view, NEW_VIEW_SEQ, new_view_digest(nv))
    if not scheme.verify(primary, payload, nv.signature):
        return False
    senders = {vc.replica for vc in nv.view_changes}
    if len(senders) != len(nv.view_changes) or len(senders) < config.quorum:
        return False
    for vc in nv.view_changes:
        if vc.new_view != nv.view or not valid_view_change(config, scheme, vc):
            return False
    _, plan = new_view_plan(nv.view_changes)
    if len(plan) != len(nv.pre_prepares):
        return False
    for (seq, block), pp in zip(plan, nv.pre_prepares, strict=True):
        if (pp.view, pp.seq, pp.block) != (nv.view, seq, block):
            return False
        signed = vote_payload(domain, VoteKind.PRE_PREPARE, nv.view, seq, block_digest(block))
        if not scheme.verify(primary, signed, pp.signature):
            return False
    return True


def on_new_view(ctx: ReplicaStep, source: int, nv: NewView) -> None:
    """Enter the new view if its proof checks, then process its pre-prepares (§III-D)."""
    s = ctx.state
    if source != primary_of(nv.view, ctx.n) or nv.view < s.view:
        return
    if nv.view == s.view and s.status == Status.NORMAL:
        return
    if source != ctx.me and not valid_new_view(ctx.config, ctx.scheme, nv):
        return
    base, plan = new_view_plan(nv.view_changes)
    ctx.update(
        view=nv.view,
        status=Status.NORMAL,
        view_change_rounds=0,
        slots={},
        deferred={},
        sessions={},
        signer={},
        timer_armed=False,
        votes={k: v for k, v in s.votes.items() if k.startswith(f"{int(VoteKind.CHECKPOINT)}/")},
        view_changes={v: b for v, b in s.view_changes.items() if v > nv.view},
    )
    if base.stable_seq > ctx.state.stable.seq:
        make_stable(ctx, base.stable_seq, base.stable_digest, base.stable_proof)
    high = plan[-1][0] if plan else base.stable_seq
    if ctx.is_primary:
        rids = {r.rid for _, block in plan for r in block.requests}
        ctx.update(next_seq=max(high, ctx.state.stable.seq) + 1, proposed=frozenset(rids))
    for pp in nv.pre_prepares:
        on_pre_prepare(ctx, source, pp)
    ctx.rules.on_new_view(ctx)
    arm_progress_timer(ctx)
    try_propose(ctx)
