"""Make checkpoints stable, move the watermarks, collect garbage, transfer state (§III-D).

A checkpoint at sequence s (every K blocks) becomes stable when a quorum proof over the state
digest exists: one aggregate certificate in iPBFT, q signed votes in classic PBFT. The low
watermark moves to s, the high one to s + window, and everything at or below s is dropped. A
replica that is behind fetches the state from f + 1 of the proof's signers (one is honest) and
checks it against the certified digest.
"""

from __future__ import annotations

from vdlt_spec.consensus.block import state_digest
from vdlt_spec.consensus.messages import StateReply, StateRequest
from vdlt_spec.consensus.quorum import QuorumProof, proof_signers
from vdlt_spec.consensus.replica.context import ReplicaStep
from vdlt_spec.consensus.replica.normal import (
    execute_ready,
    release_deferred,
    try_propose,
    was_executed,
)
from vdlt_spec.consensus.replica.state import StableCheckpoint


def _seq_of_key(key: str) -> int:
    return int(key.split("/")[2])


def make_stable(ctx: ReplicaStep, seq: int, digest: bytes, proof: QuorumProof | None) -> None:
    """Adopt a proven checkpoint: move the watermarks and drop what it covers (§III-D)."""
    s = ctx.state
    if seq <= s.stable.seq:
        return
    ctx.update(
        stable=StableCheckpoint(seq, digest, proof),
        slots={k: v for k, v in s.slots.items() if k > seq},
        prepared={k: v for k, v in s.prepared.items() if k > seq},
        committed={k: v for k, v in s.committed.items() if k > seq},
        log={k: v for k, v in s.log.items() if k > seq},
        checkpoint_states={k: v for k, v in s.checkpoint_states.items() if k >= seq},
        sessions={k: v for k, v in s.sessions.items() if _seq_of_key(k) > seq},
        signer={k: v for k, v in s.signer.items() if _seq_of_key(k) > seq},
        votes={k: v for k, v in s.votes.items() if _seq_of_key(k) > seq},
        next_seq=max(s.next_seq, seq + 1),
    )
    request_state(ctx)
    release_deferred(ctx)
    try_propose(ctx)


def request_state(ctx: ReplicaStep) -> None:
    """Ask f + 1 signers of the stable checkpoint for its state if we lag (§III-D)."""
    stable = ctx.state.stable
    if ctx.state.app.seq >= stable.seq or stable.proof is None:
        return
    helpers = [i for i in proof_signers(stable.proof, ctx.n) if i != ctx.me][: ctx.config.f + 1]
    for helper in helpers:
        ctx.send(helper, StateRequest(stable.seq))


def on_state_request(ctx: ReplicaStep, source: int, message: StateRequest) -> None:
    """Answer a state transfer request with our state at that checkpoint, if we kept it (§III-D).

    The requester checks it against the certified digest, so we need not know the checkpoint
    is stable ourselves (our own proof may still be missing votes).
    """
    state = ctx.state.checkpoint_states.get(message.seq)
    if state is not None and source != ctx.me:
        ctx.send(source, StateReply(state))


def on_state_reply(ctx: ReplicaStep, message: StateReply) -> None:
    """Install a transferred state if it matches the certified stable digest (§III-D)."""
    s = ctx.state
    state = message.state
    if state.seq != s.stable.seq or s.app.seq >= state.seq:
        return
    if state_digest(state) != s.stable.digest:
        return
    pending = tuple(r for r in s.pending if not was_executed(state, r.rid))
    ctx.update(
        app=state,
        pending=pending,
        proposed=s.proposed & {r.rid for r in pending},
        committed={k: v for k, v in s.committed.items() if k > state.seq},
        checkpoint_states={**s.checkpoint_states, state.seq: state},
    )
    execute_ready(ctx)
