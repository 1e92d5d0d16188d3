"""Batch client requests into blocks and execute committed blocks in order (§III-D, §IV-D).

A block is the unit a PBFT sequence number decides. Its digest is a tagged hash of a fixed
binary encoding; the replicated state is a hash chain over executed blocks plus the set of
executed request identifiers (so a request re-proposed after a view change runs once).
"""

from __future__ import annotations

from dataclasses import dataclass

from vdlt_spec.consensus.payloads import tagged_hash
from vdlt_spec.errors import Reason, SpecError

BLOCK_TAG = b"vDLT/block"
STATE_TAG = b"vDLT/state"
CHAIN_TAG = b"vDLT/chain"
ID_BYTES = 8
LENGTH_BYTES = 4
GENESIS_CHAIN = bytes(32)


@dataclass(frozen=True, order=True)
class Request:
    """Carry one client operation: the client, its request number and an opaque payload (§III-D)."""

    client: int
    number: int
    payload: bytes = b""

    @property
    def rid(self) -> tuple[int, int]:
        """Return the request identifier (client, number) (§III-D)."""
        return (self.client, self.number)


@dataclass(frozen=True)
class Block:
    """Batch requests under one sequence number; the empty block is PBFT's null request (§III-D)."""

    requests: tuple[Request, ...] = ()


NULL_BLOCK = Block()


def _u64(value: int) -> bytes:
    if not 0 <= value < 2**64:
        raise SpecError(Reason.SCHEMA_VIOLATION, f"value must fit in 64 bits: {value}")
    return value.to_bytes(ID_BYTES, "big")


def encode_block(block: Block) -> bytes:
    """Encode a block: count, then per request client, number, length, payload (§III-D)."""
    parts = [len(block.requests).to_bytes(LENGTH_BYTES, "big")]
    for request in block.requests:
        parts.append(_u64(request.client) + _u64(request.number))
        parts.append(len(request.payload).to_bytes(LENGTH_BYTES, "big") + request.payload)
    return b"".join(parts)


def block_digest(block: Block) -> bytes:
    """Return the 32-byte digest that votes on this block sign (§IV-D)."""
    return tagged_hash(BLOCK_TAG, encode_block(block))


@dataclass(frozen=True)
class AppState:
    """Summarise the replicated state after executing blocks 1..seq (§III-D)."""

    seq: int = 0
    chain: bytes = GENESIS_CHAIN
    executed: tuple[tuple[int, int], ...] = ()


GENESIS_STATE = AppState()


def state_digest(state: AppState) -> bytes:
    """Return the digest of a state: what checkpoint votes sign (§IV-D)."""
    ids = b"".join(_u64(c) + _u64(n) for c, n in state.executed)
    return tagged_hash(STATE_TAG, _u64(state.seq) + state.chain + ids)


def execute(state: AppState, seq: int, block: Block) -> AppState:
    """Apply the block decided at ``seq`` = state.seq + 1; skip repeated requests (§III-D)."""
    if seq != state.seq + 1:
        raise SpecError(Reason.SCHEMA_VIOLATION, f"execute seq {seq} after {state.seq}")
    done = set(state.executed)
    fresh = [r.rid for r in block.requests if r.rid not in done]
    chain = tagged_hash(CHAIN_TAG, state.chain + _u64(seq) + block_digest(block))
    executed = tuple(sorted(done.union(fresh))) if fresh else state.executed
    return AppState(seq, chain, executed)
