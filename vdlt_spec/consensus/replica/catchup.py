"""Let a replica that fell behind fetch what it missed (§III-D, D-cons-8).

Messages lost to a partition, a crash or the network leave a replica without blocks that a
quorum committed. Before it suspects the primary, and while it waits in a view change, it asks
every peer for what was committed after its last executed block. A peer answers with its stable
checkpoint (and quorum proof) and the committed blocks it still logs, each with its commit
proof; the replica checks every proof itself, so one honest answer suffices and a Byzantine
answer cannot mislead it. A checkpoint ahead of the replica's state triggers a state transfer.
"""

from __future__ import annotations

from vdlt_spec.consensus.block import block_digest
from vdlt_spec.consensus.messages import CommittedEntry, Fetch, FetchReply
from vdlt_spec.consensus.payloads import CHECKPOINT_VIEW, VoteKind
from vdlt_spec.consensus.quorum import verify_proof
from vdlt_spec.consensus.replica.checkpoint import make_stable, request_state
from vdlt_spec.consensus.replica.context import ReplicaStep
from vdlt_spec.consensus.replica.normal import commit


def request_catch_up(ctx: ReplicaStep) -> None:
    """Ask every peer for commits after our last executed block; retry state (§III-D)."""
    ctx.broadcast(Fetch(ctx.state.app.seq + 1))
    request_state(ctx)


def on_fetch(ctx: ReplicaStep, source: int, message: Fetch) -> None:
    """Answer a peer behind us: stable checkpoint and logged commits after it (§III-D)."""
    s = ctx.state
    if source == ctx.me:
        return
    entries = tuple(
        CommittedEntry(seq, rec.view, rec.digest, rec.block, rec.proof)
        for seq, rec in sorted(s.log.items())
        if seq >= message.next_seq
    )
    if not entries and s.stable.seq < message.next_seq:
        return
    ctx.send(source, FetchReply(s.stable.seq, s.stable.digest, s.stable.proof, entries))


def on_fetch_reply(ctx: ReplicaStep, message: FetchReply) -> None:
    """Adopt a proven checkpoint ahead of us and commit every proven block we lack (§III-D)."""
    seq, digest, proof = message.stable_seq, message.stable_digest, message.stable_proof
    if (
        seq > ctx.state.stable.seq
        and proof is not None
        and verify_proof(
            ctx.scheme, ctx.domain, VoteKind.CHECKPOINT, CHECKPOINT_VIEW, seq, digest, proof
        )
    ):
        make_stable(ctx, seq, digest, proof)
    for entry in message.committed:
        s = ctx.state
        if entry.seq <= s.app.seq or entry.seq in s.committed or entry.seq <= s.stable.seq:
            continue
        if block_digest(entry.block) != entry.digest:
            continue
        if not verify_proof(
            ctx.scheme,
            ctx.domain,
            VoteKind.COMMIT,
            entry.view,
            entry.seq,
            entry.digest,
            entry.proof,
        ):
            continue
        commit(ctx, entry.view, entry.seq, entry.digest, entry.block, entry.proof)
