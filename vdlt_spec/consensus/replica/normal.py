"""Run the normal case shared by both modes: requests, pre-prepare, commit, execution (§III-D).

The mode-specific part (how prepare and commit votes become quorum proofs) lives in
:mod:`.collector` (iPBFT) and :mod:`.classic`; they reach this core through
:class:`.context.VotingRules`.
"""

from __future__ import annotations

import bisect
import dataclasses

from vdlt_spec.consensus.block import AppState, Block, block_digest, execute, state_digest
from vdlt_spec.consensus.messages import ClientRequest, PrePrepare
from vdlt_spec.consensus.payloads import VoteKind, vote_payload
from vdlt_spec.consensus.quorum import QuorumProof
from vdlt_spec.consensus.replica.context import ReplicaStep
from vdlt_spec.consensus.replica.state import (
    CommittedRecord,
    PreparedRecord,
    ProgressTimer,
    ReplicaState,
    Slot,
    Status,
)

LOOKAHEAD_WINDOWS = 2
PROGRESS_PHASES = 2  # the view timeout is split: catch up and retransmit, then change view


def was_executed(app: AppState, rid: tuple[int, int]) -> bool:
    """Return whether request ``rid`` is part of the executed state (§III-D)."""
    i = bisect.bisect_left(app.executed, rid)
    return i < len(app.executed) and app.executed[i] == rid


def in_window(ctx: ReplicaStep, seq: int) -> bool:
    """Return whether ``seq`` lies between the low and high watermarks (§III-D)."""
    low = ctx.state.stable.seq
    return low < seq <= low + ctx.config.window


def in_lookahead(ctx: ReplicaStep, seq: int) -> bool:
    """Return whether ``seq`` is at most one window beyond the high watermark (D-cons-5) (§III-D).

    Replicas move their watermarks at slightly different times; what arrives for the next
    window is kept (bounded) instead of dropped, so no retransmission is needed.
    """
    low = ctx.state.stable.seq
    return low < seq <= low + LOOKAHEAD_WINDOWS * ctx.config.window


def _waiting(s: ReplicaState) -> bool:
    """Return whether the replica waits for something: requests, a gap, an open slot."""
    if s.pending or s.committed:
        return True
    return any(
        not slot.committed for seq, slots in s.slots.items() if seq > s.app.seq for slot in slots
    )


def arm_progress_timer(ctx: ReplicaStep) -> None:
    """Start the view-change timer if something waits and it is not running (§III-D).

    Committed blocks wait when an earlier sequence number is missing (a gap), and an accepted
    pre-prepare waits for its commit: the timer then leads to a catch-up fetch (§III-D, D-cons-8).
    """
    s = ctx.state
    if s.timer_armed or s.status != Status.NORMAL or not _waiting(s):
        return
    epoch = s.timer_epoch + 1
    ctx.update(timer_epoch=epoch, timer_armed=True)
    ctx.start_timer(ProgressTimer(epoch), ctx.config.view_timeout // PROGRESS_PHASES)


def restart_progress_timer(ctx: ReplicaStep) -> None:
    """Restart the view-change timer after progress, as PBFT does (§III-D)."""
    ctx.update(timer_armed=False)
    arm_progress_timer(ctx)


def on_client_request(ctx: ReplicaStep, message: ClientRequest) -> None:
    """Remember a client request until it executes; the primary proposes it (§III-D)."""
    request = message.request
    s = ctx.state
    if was_executed(s.app, request.rid) or any(r.rid == request.rid for r in s.pending):
        return
    ctx.update(pending=(*s.pending, request))
    arm_progress_timer(ctx)
    try_propose(ctx)


def try_propose(ctx: ReplicaStep) -> None:
    """Propose blocks of unproposed requests while the window and pipeline allow (§IV-D)."""
    if not ctx.is_primary or ctx.state.status != Status.NORMAL:
        return
    while True:
        s = ctx.state
        inflight = s.next_seq - 1 - s.app.seq
        if not in_window(ctx, s.next_seq) or inflight >= ctx.config.max_inflight:
            return
        batch = tuple(r for r in s.pending if r.rid not in s.proposed)[: ctx.config.max_batch]
        if not batch:
            return
        propose(ctx, s.next_seq, Block(batch))


def propose(ctx: ReplicaStep, seq: int, block: Block) -> None:
    """Sign and broadcast a pre-prepare of ``block`` at ``seq`` in the current view (§IV-D)."""
    s = ctx.state
    digest = block_digest(block)
    signature = ctx.scheme.sign(
        ctx.me, vote_payload(ctx.domain, VoteKind.PRE_PREPARE, s.view, seq, digest)
    )
    ctx.update(
        next_seq=max(s.next_seq, seq + 1),
        proposed=s.proposed | {r.rid for r in block.requests},
    )
    ctx.broadcast(PrePrepare(s.view, seq, block, signature))


def find_slot(ctx: ReplicaStep, seq: int, digest: bytes) -> Slot | None:
    """Return the accepted pre-prepare of (current view, seq) with ``digest``, if any (§III-D)."""
    for slot in ctx.state.slots.get(seq, ()):
        if slot.digest == digest:
            return slot
    return None


def put_slot(ctx: ReplicaStep, seq: int, slot: Slot) -> None:
    """Store ``slot`` at ``seq``, replacing the slot with the same digest (§III-D)."""
    others = tuple(x for x in ctx.state.slots.get(seq, ()) if x.digest != slot.digest)
    ctx.update(slots={**ctx.state.slots, seq: (*others, slot)})


def on_pre_prepare(ctx: ReplicaStep, source: int, message: PrePrepare) -> None:
    """Accept the primary's first valid pre-prepare for (view, seq) and vote for it (§III-D)."""
    s = ctx.state
    if s.status != Status.NORMAL or message.view != s.view or source != ctx.primary:
        return
    if len(message.block.requests) > ctx.config.max_batch or not in_lookahead(ctx, message.seq):
        return
    if not in_window(ctx, message.seq):
        waiting = s.deferred.get(message.seq, ())
        if message not in waiting and (not waiting or ctx.policy.accept_conflicting):
            ctx.update(deferred={**s.deferred, message.seq: (*waiting, message)})
        return
    digest = block_digest(message.block)
    existing = s.slots.get(message.seq, ())
    if any(x.digest == digest for x in existing):
        return
    if existing and not ctx.policy.accept_conflicting:
        return
    payload = vote_payload(ctx.domain, VoteKind.PRE_PREPARE, message.view, message.seq, digest)
    if source != ctx.me and not ctx.scheme.verify(source, payload, message.signature):
        return
    put_slot(ctx, message.seq, Slot(message, digest))
    ctx.rules.on_pre_prepare(ctx, message.seq, digest)
    arm_progress_timer(ctx)


def release_deferred(ctx: ReplicaStep) -> None:
    """Process the pre-prepares kept for sequence numbers the window now covers (§III-D)."""
    s = ctx.state
    ready = sorted(seq for seq in s.deferred if in_window(ctx, seq))
    stale = [seq for seq in s.deferred if seq <= s.stable.seq]
    if not ready and not stale:
        return
    ctx.update(deferred={k: v for k, v in s.deferred.items() if k not in ready and k not in stale})
    for seq in ready:
        for message in s.deferred[seq]:
            on_pre_prepare(ctx, ctx.primary, message)


def record_prepared(ctx: ReplicaStep, seq: int, digest: bytes, proof: QuorumProof) -> None:
    """Mark the slot prepared; keep its proof if its view is the highest (§III-D)."""
    slot = find_slot(ctx, seq, digest)
    if slot is None:
        return
    put_slot(ctx, seq, dataclasses.replace(slot, prepared=True))
    s = ctx.state
    old = s.prepared.get(seq)
    if old is None or old.view < s.view:
        record = PreparedRecord(s.view, digest, proof, slot.pre_prepare.block)
        ctx.update(prepared={**s.prepared, seq: record})


def commit(
    ctx: ReplicaStep, view: int, seq: int, digest: bytes, block: Block, proof: QuorumProof
) -> None:
    """Commit ``block`` at ``seq`` on a verified commit proof, then execute in order (§IV-D)."""
    s = ctx.state
    if seq <= s.app.seq or seq in s.committed or seq <= s.stable.seq:
        return
    record = CommittedRecord(view, digest, block, proof)
    ctx.update(committed={**s.committed, seq: record}, decided=s.decided + 1)
    arm_progress_timer(ctx)
    slot = find_slot(ctx, seq, digest)
    if slot is not None:
        put_slot(ctx, seq, dataclasses.replace(slot, committed=True))
    ctx.decide(seq, view, digest, block, proof)
    execute_ready(ctx)


def execute_ready(ctx: ReplicaStep) -> None:
    """Execute committed blocks in sequence order; take checkpoints every K blocks (§III-D)."""
    progressed = False
    while True:
        s = ctx.state
        record = s.committed.get(s.app.seq + 1)
        if record is None:
            break
        app = execute(s.app, s.app.seq + 1, record.block)
        committed = {k: v for k, v in s.committed.items() if k != app.seq}
        pending = tuple(r for r in s.pending if not was_executed(app, r.rid))
        live = {r.rid for r in pending}
        ctx.update(
            app=app,
            committed=committed,
            log={**s.log, app.seq: record},
            pending=pending,
            proposed=s.proposed & live,
        )
        progressed = True
        if app.seq % ctx.config.checkpoint_interval == 0:
            take_checkpoint(ctx, app)
    if progressed:
        restart_progress_timer(ctx)
        try_propose(ctx)


def take_checkpoint(ctx: ReplicaStep, app: AppState) -> None:
    """Remember the state at a checkpoint and vote for its digest (§III-D)."""
    s = ctx.state
    if app.seq <= s.stable.seq:
        return
    ctx.update(checkpoint_states={**s.checkpoint_states, app.seq: app})
    ctx.rules.on_checkpoint(ctx, app.seq, state_digest(app))
