"""iPBFT among management/control nodes with multisignature certificates (§III-D, §IV-D).

The face of the consensus component. Its parts: :mod:`.config` (group parameters),
:mod:`.payloads` (the bytes replicas sign), :mod:`.block` (blocks and the replicated state),
:mod:`.messages` (what replicas exchange), :mod:`.quorum` (quorum proofs),
:mod:`.accountability` (culprits of a conflict), and the subpackages :mod:`.schemes`
(signature schemes), :mod:`.replica` (the replica's step function) and :mod:`.sim` (the
simulator). The quorum rule itself is crypto's (:mod:`vdlt_spec.crypto.quorum`).
"""

from __future__ import annotations

from vdlt_spec.consensus.accountability import Evidence, Rule, Statement, find_culprits
from vdlt_spec.consensus.block import Block, Request, block_digest
from vdlt_spec.consensus.config import ConsensusConfig, Mode, primary_of
from vdlt_spec.consensus.messages import Message, encoded_size, wire_size
from vdlt_spec.consensus.payloads import (
    CHECKPOINT_VIEW,
    DEFAULT_CHAIN_ID,
    SigningDomain,
    VoteKind,
    roster_commitment,
    vote_payload,
)
from vdlt_spec.consensus.quorum import (
    QuorumProof,
    SignedVote,
    VoteSet,
    check_proof,
    proof_signers,
    verify_proof,
)
from vdlt_spec.consensus.replica import ReplicaState, ReplicaStep, initial_state, step
from vdlt_spec.consensus.schemes import (
    IdealScheme,
    Meter,
    RealScheme,
    RosterVerifier,
    SignatureScheme,
    certify,
)
from vdlt_spec.consensus.sim import (
    BEHAVIOUR_CHOICES,
    Behaviour,
    Commit,
    Conflict,
    Crash,
    FaultPlan,
    NetworkParams,
    Partition,
    RunResult,
    RunSummary,
    Scenario,
    Signatures,
    build_scenario,
    culprits,
    make_scheme,
    parse_behaviour,
    simulate,
    summarize,
)

__all__ = [
    "BEHAVIOUR_CHOICES",
    "CHECKPOINT_VIEW",
    "DEFAULT_CHAIN_ID",
    "Behaviour",
    "Block",
    "Commit",
    "Conflict",
    "ConsensusConfig",
    "Crash",
    "Evidence",
    "FaultPlan",
    "IdealScheme",
    "Message",
    "Meter",
    "Mode",
    "NetworkParams",
    "Partition",
    "QuorumProof",
    "RealScheme",
    "ReplicaState",
    "ReplicaStep",
    "Request",
    "RosterVerifier",
    "Rule",
    "RunResult",
    "RunSummary",
    "Scenario",
    "SignatureScheme",
    "Signatures",
    "SignedVote",
    "SigningDomain",
    "Statement",
    "VoteKind",
    "VoteSet",
    "block_digest",
    "build_scenario",
    "certify",
    "check_proof",
    "culprits",
    "encoded_size",
    "find_culprits",
    "initial_state",
    "make_scheme",
    "parse_behaviour",
    "primary_of",
    "proof_signers",
    "roster_commitment",
    "simulate",
    "step",
    "summarize",
    "verify_proof",
    "vote_payload",
    "wire_size",
]
