"""Run the two tiers' consensus: calibrated replica groups and their quorum certificates (§IV-D).

Each tier agrees with iPBFT (§III-D, §IV-D). Running the replica simulator for every block of
a 10^5-transaction workload is too slow, so the system composes it in two parts:

* :func:`calibrate` runs the real replica group (:func:`vdlt_spec.consensus.simulate`) of the
  given size, Byzantine set, loss and partition for a few decisions and measures the time to
  commit them, the messages and bytes per decision and whether the group was live; one run per
  distinct group shape, cached;
* :func:`certify_block` gives every block the commit certificate its group would produce: a
  collector session (:func:`vdlt_spec.consensus.certify`) of the first quorum of honest, live
  members over the block's COMMIT payload in the group's signing domain, with the ideal or the
  real (BIP340/MuSig2) scheme. The quorum rule is crypto's (3k > 2n); a group with fewer honest
  live members than a quorum certifies nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from vdlt_spec.consensus import (
    DEFAULT_CHAIN_ID,
    Behaviour,
    ConsensusConfig,
    FaultPlan,
    NetworkParams,
    Partition,
    RunResult,
    Scenario,
    Signatures,
    SignatureScheme,
    SigningDomain,
    VoteKind,
    block_digest,
    certify,
    make_scheme,
    simulate,
    vote_payload,
)
from vdlt_spec.consensus.block import Block, Request
from vdlt_spec.consensus.sim import assign_behaviours
from vdlt_spec.crypto import Certificate, quorum_size
from vdlt_spec.verdict import Verdict

CALIBRATION_DECISIONS = 4
"""Decisions each calibration run commits; the tier's latency is the time they take (§III-D)."""
CALIBRATION_TIMEOUTS = 60
"""A calibration run stops after this many view timeouts."""
GROUP_SEED_TAG = b"vDLT/system-group"
COMMIT_VIEW = 0


@dataclass(frozen=True)
class Calibration:
    """Hold what a calibration run measured for one group shape (§III-D).

    ``latency_ms``: time to commit :data:`CALIBRATION_DECISIONS` decisions from a standing
    start (ticks are ms); ``messages`` and ``bytes`` per decision; ``live``: the group committed
    them safely (verdict valid, every request executed by f + 1 honest replicas).
    """

    n: int
    byzantine: tuple[int, ...]
    latency_ms: int
    messages: Fraction
    bytes: Fraction
    live: bool
    result: RunResult
    behaviours: tuple[str, ...] = ()


def group_seed(seed: int, chain_id: str, members: Sequence[str]) -> int:
    """Return the key seed of an execution group: a hash of the run seed, chain and members."""
    text = f"{seed}/{chain_id}/{','.join(members)}".encode()
    return int.from_bytes(hashlib.sha256(GROUP_SEED_TAG + text).digest()[:8], "big")


@lru_cache(maxsize=4096)
def group_scheme(signatures: str, n: int, seed: int) -> SignatureScheme:
    """Return the signature scheme of a group of ``n`` keyed by ``seed`` (§IV-D)."""
    return make_scheme(Signatures.parse(signatures), n, seed)


def domain_of(scheme: SignatureScheme, chain_id: str, epoch: int) -> SigningDomain:
    """Return the signing domain of a group: its chain, epoch and roster (§IV-C, §IV-D)."""
    return ConsensusConfig(scheme.n, chain_id=chain_id, epoch=epoch).signing_domain(scheme.roster)


def tx_block(ids: Sequence[int], payloads: Sequence[bytes]) -> Block:
    """Return the block of transactions ``ids`` (request number = transaction id) (§III-D)."""
    return Block(tuple(Request(0, i, p) for i, p in zip(ids, payloads, strict=True)))


def commit_message(domain: SigningDomain, seq: int, digest: bytes) -> bytes:
    """Return the COMMIT payload a group signs for block ``digest`` at height ``seq`` (§IV-D)."""
    return vote_payload(domain, VoteKind.COMMIT, COMMIT_VIEW, seq, digest)


def certify_block(
    scheme: SignatureScheme,
    domain: SigningDomain,
    seq: int,
    digest: bytes,
    signers: tuple[int, ...],
) -> Certificate | None:
    """Return the commit certificate of the first quorum of ``signers``, or None (§IV-D)."""
    need = quorum_size(scheme.n)
    if len(signers) < need:
        return None
    chosen = signers[:need]
    session = digest + seq.to_bytes(8, "big")
    return certify(scheme, chosen, commit_message(domain, seq, digest), session)


def digest_of(block: Block) -> bytes:
    """Return a block's digest, what its commit votes sign (§IV-D)."""
    return block_digest(block)


@lru_cache(maxsize=256)
def calibrate(
    n: int,
    byzantine: tuple[int, ...],
    behaviour: str,
    loss: Fraction,
    partition_ms: int,
    signatures: str,
    seed: int,
    epoch: int = 0,
    chain_id: str = DEFAULT_CHAIN_ID,
) -> Calibration:
    """Run a group of ``n`` replicas for a few decisions and measure it (§III-D, §IV-D).

    ``byzantine`` lists the faulty replicas, all behaving as ``behaviour`` (``mixed`` and
    ``collude`` as :func:`vdlt_spec.consensus.sim.assign_behaviours` assigns them);
    ``partition_ms`` cuts the last replica off from the start for that long.
    """
    config = ConsensusConfig(n, chain_id=chain_id, epoch=epoch, max_batch=1)
    if behaviour in {b.value for b in Behaviour}:
        faulty = {i: Behaviour(behaviour) for i in byzantine}
    else:
        drawn = assign_behaviours(n, len(byzantine), behaviour, seed)
        faulty = dict(zip(byzantine, drawn.values(), strict=True))
    partitions = (Partition(0, partition_ms, ((n - 1,),)),) if partition_ms > 0 and n > 1 else ()
    scenario = Scenario(
        config,
        seed=seed,
        network=NetworkParams(loss=loss),
        faults=FaultPlan(partitions=partitions),
        byzantine=faulty,
        requests=CALIBRATION_DECISIONS,
        request_interval=1,
        decisions=CALIBRATION_DECISIONS,
        max_time=config.view_timeout * CALIBRATION_TIMEOUTS,
        signatures=Signatures.parse(signatures),
    )
    result = simulate(scenario)
    live = result.verdict == Verdict.VALID and result.requests_complete
    decided = max(result.decided_seqs, 1)
    return Calibration(
        n=n,
        byzantine=byzantine,
        latency_ms=max(result.end_time, 1),
        messages=Fraction(result.metrics.messages, decided),
        bytes=Fraction(result.metrics.bytes, decided),
        live=live,
        result=result,
        behaviours=tuple(faulty[i].value for i in byzantine),
    )
