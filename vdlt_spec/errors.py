"""Report rejected input as data: one error type carrying a stable reason code.

A rejected input is a result, not a crash: conformance vectors record the ``Reason`` name,
so names are stable API. Add new reasons in the section of their component; never rename
or reuse one.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Name why an input was rejected; the value equals the name and is stable across versions."""

    # --- general: usage, files, serialization -------------------------------------------
    BAD_USAGE = "BAD_USAGE"
    BAD_INPUT_FILE = "BAD_INPUT_FILE"
    MALFORMED_JSON = "MALFORMED_JSON"
    SCHEMA_VIOLATION = "SCHEMA_VIOLATION"
    UNKNOWN_CHECK = "UNKNOWN_CHECK"
    UNSUPPORTED_OPERATION = "UNSUPPORTED_OPERATION"
    ADAPTER_FAILED = "ADAPTER_FAILED"
    BAD_TRACE = "BAD_TRACE"
    MISSING_EXTRA = "MISSING_EXTRA"
    UNSUPPORTED_VECTOR_FORMAT = "UNSUPPORTED_VECTOR_FORMAT"  # vectors of another format version
    VECTOR_DIGEST_MISMATCH = "VECTOR_DIGEST_MISMATCH"  # a release file differs from its manifest

    # --- class of service (§III-A, §IV-A) --------------------------------------------------
    COS_BYTE_OUT_OF_RANGE = "COS_BYTE_OUT_OF_RANGE"
    UNKNOWN_CLASS = "UNKNOWN_CLASS"
    TRUST_OUT_OF_RANGE = "TRUST_OUT_OF_RANGE"
    UNKNOWN_ROLE = "UNKNOWN_ROLE"
    BAD_TRANSACTION_ID = "BAD_TRANSACTION_ID"
    BAD_SENDER = "BAD_SENDER"
    NEGATIVE_TIME = "NEGATIVE_TIME"
    INEXACT_NUMBER = "INEXACT_NUMBER"
    NOT_AN_INTEGER = "NOT_AN_INTEGER"

    # --- queuing (§IV-A, Fig. 7) ----------------------------------------------------------
    NON_POSITIVE_WEIGHT = "NON_POSITIVE_WEIGHT"
    NON_POSITIVE_SIZE = "NON_POSITIVE_SIZE"
    NON_POSITIVE_LIMIT = "NON_POSITIVE_LIMIT"
    NON_POSITIVE_RATE = "NON_POSITIVE_RATE"
    SHARES_EXCEED_CAPACITY = "SHARES_EXCEED_CAPACITY"
    DUPLICATE_CLASS = "DUPLICATE_CLASS"
    DUPLICATE_TRANSACTION = "DUPLICATE_TRANSACTION"
    TIME_NOT_MONOTONE = "TIME_NOT_MONOTONE"

    # --- crypto (§IV-D) -------------------------------------------------------------------
    # encodings and plain values (BIP340, BIP327)
    BAD_LENGTH = "BAD_LENGTH"  # a key, signature, nonce or tweak has the wrong byte length
    INVALID_POINT = "INVALID_POINT"  # bytes that do not encode a point of secp256k1
    BAD_SECRET_KEY = "BAD_SECRET_KEY"  # secret key outside [1, n-1]
    NONCE_ZERO = "NONCE_ZERO"  # a derived nonce is 0 mod n (negligible probability)
    COUNT_MISMATCH = "COUNT_MISMATCH"  # e.g. pubnonces and pubkeys, tweaks and is_xonly differ
    # MuSig2 contributions that blame a signer (InvalidContributionError)
    INVALID_PUBKEY = "INVALID_PUBKEY"
    INVALID_PUBNONCE = "INVALID_PUBNONCE"
    INVALID_AGGNONCE = "INVALID_AGGNONCE"  # aggnonce, or aggothernonce in DeterministicSign
    INVALID_PARTIAL_SIG = "INVALID_PARTIAL_SIG"
    # MuSig2 plain invalid values
    TWEAK_OUT_OF_RANGE = "TWEAK_OUT_OF_RANGE"  # tweak >= n
    TWEAK_RESULT_INFINITE = "TWEAK_RESULT_INFINITE"  # tweaking gave the point at infinity
    AGGREGATE_KEY_INFINITE = "AGGREGATE_KEY_INFINITE"  # KeyAgg gave infinity (negligible)
    PUBKEY_NOT_IN_SESSION = "PUBKEY_NOT_IN_SESSION"  # the signer's key is not among the keys
    SECNONCE_OUT_OF_RANGE = "SECNONCE_OUT_OF_RANGE"  # zeroed or invalid secnonce: nonce reuse
    SECNONCE_KEY_MISMATCH = "SECNONCE_KEY_MISMATCH"  # secnonce made for another public key
    # signer-bitmap certificates
    ROSTER_EMPTY = "ROSTER_EMPTY"
    ROSTER_TOO_LARGE = "ROSTER_TOO_LARGE"  # n above crypto.bitmap.MAX_ROSTER members
    ROSTER_BAD_KEY = "ROSTER_BAD_KEY"  # a roster entry is not a 33-byte compressed point
    ROSTER_DUPLICATE_KEY = "ROSTER_DUPLICATE_KEY"
    ROSTER_KEY_MISMATCH = "ROSTER_KEY_MISMATCH"  # a signer's secret key is not its roster key
    CERTIFICATE_BAD_LENGTH = "CERTIFICATE_BAD_LENGTH"
    BITMAP_BAD_LENGTH = "BITMAP_BAD_LENGTH"  # not ceil(n/8) bytes
    BITMAP_PADDING_NONZERO = "BITMAP_PADDING_NONZERO"  # a bit at index >= n is set
    SIGNER_OUTSIDE_ROSTER = "SIGNER_OUTSIDE_ROSTER"  # a signer index not in [0, n)
    DUPLICATE_SIGNER = "DUPLICATE_SIGNER"
    NO_SIGNERS = "NO_SIGNERS"
    QUORUM_TOO_SMALL = "QUORUM_TOO_SMALL"  # 3·popcount <= 2n
    BAD_SIGNATURE = "BAD_SIGNATURE"

    # --- consensus (§III-D, §IV-D) --------------------------------------------------------
    BAD_CONSENSUS_PARAMETER = "BAD_CONSENSUS_PARAMETER"
    NO_CONFLICT = "NO_CONFLICT"  # evidence that shows no misbehaviour (BAD_EVIDENCE: see penalties)
    BAD_CERTIFICATE = "BAD_CERTIFICATE"  # a quorum proof that does not verify in the signing domain
    # why a replica ignores or rejects an incoming message (consensus.replica.validation)
    FUTURE_VIEW = "FUTURE_VIEW"  # for a view the replica has not entered yet: kept until then
    BEYOND_WINDOW = "BEYOND_WINDOW"  # a pre-prepare past the high watermark: kept until it moves
    WRONG_VIEW = "WRONG_VIEW"  # for an older view, or a view the replica is leaving
    WRONG_SENDER = "WRONG_SENDER"  # not from the replica that must send it (primary, named replica)
    NOT_COLLECTOR = "NOT_COLLECTOR"  # a vote or partial signature to a non-collector
    WRONG_MODE = "WRONG_MODE"  # a message of the other mode (iPBFT collector vs classic votes)
    OUT_OF_WATERMARKS = "OUT_OF_WATERMARKS"  # a sequence number outside the watermark window
    WRONG_SEQUENCE = "WRONG_SEQUENCE"  # off the checkpoint interval, or another checkpoint
    STALE_MESSAGE = "STALE_MESSAGE"  # about what is already executed, stable or certified
    DUPLICATE_MESSAGE = "DUPLICATE_MESSAGE"  # a replayed vote, certificate or other message
    EQUIVOCATION = "EQUIVOCATION"  # a second, different pre-prepare for the same (view, seq)
    BATCH_TOO_LARGE = "BATCH_TOO_LARGE"  # a block with more requests than the group's batch limit
    NO_PRE_PREPARE = "NO_PRE_PREPARE"  # a vote or certificate for a block the replica does not hold
    NOT_VOTED = "NOT_VOTED"  # a signing request or partial signature for no session of the replica
    NOT_A_SIGNER = "NOT_A_SIGNER"  # a signing request whose bitmap leaves the receiver out
    DIGEST_MISMATCH = "DIGEST_MISMATCH"  # a block or state that does not hash to the stated digest
    NEW_VIEW_MISMATCH = "NEW_VIEW_MISMATCH"  # pre-prepares that differ from the view changes' plan
    NOT_NEEDED = "NOT_NEEDED"  # a valid message the replica has no use for now

    # --- proofs (§III-D, §IV-C, §IV-D) ----------------------------------------------------
    UNKNOWN_OBLIGATION = "UNKNOWN_OBLIGATION"
    SMTLIB_EXPORT_FAILED = "SMTLIB_EXPORT_FAILED"

    # --- ledger, governance, economics (§IV-C, §IV-I, §IV-J, §IV-K) -----------------------
    # ledger
    UNKNOWN_ACCOUNT = "UNKNOWN_ACCOUNT"
    NON_POSITIVE_AMOUNT = "NON_POSITIVE_AMOUNT"
    NEGATIVE_AMOUNT = "NEGATIVE_AMOUNT"
    SELF_TRANSFER = "SELF_TRANSFER"
    FEE_TOO_LOW = "FEE_TOO_LOW"
    INSUFFICIENT_FREE_TOKENS = "INSUFFICIENT_FREE_TOKENS"
    INSUFFICIENT_STAKE = "INSUFFICIENT_STAKE"
    INSUFFICIENT_COLLATERAL = "INSUFFICIENT_COLLATERAL"
    GENESIS_MISMATCH = "GENESIS_MISMATCH"
    BAD_ACCOUNT_NAME = "BAD_ACCOUNT_NAME"
    INVARIANT_VIOLATED = "INVARIANT_VIOLATED"
    REWARD_NOT_BELOW_SLASH = "REWARD_NOT_BELOW_SLASH"
    # voting
    BAD_LOCK_MULTIPLIER = "BAD_LOCK_MULTIPLIER"
    UNKNOWN_LOCK = "UNKNOWN_LOCK"
    LOCK_EXPIRED = "LOCK_EXPIRED"
    FOREIGN_LOCK = "FOREIGN_LOCK"
    LOCK_NOT_FRESH = "LOCK_NOT_FRESH"
    DOUBLE_VOTE = "DOUBLE_VOTE"
    UNKNOWN_BALLOT = "UNKNOWN_BALLOT"
    BALLOT_CLOSED = "BALLOT_CLOSED"
    UNKNOWN_OPTION = "UNKNOWN_OPTION"
    WRONG_VOTING_MODE = "WRONG_VOTING_MODE"
    # dpos
    ALREADY_REGISTERED = "ALREADY_REGISTERED"
    NOT_REGISTERED = "NOT_REGISTERED"
    NODE_REQUIREMENTS_UNMET = "NODE_REQUIREMENTS_UNMET"
    BAD_PUBLIC_KEY = "BAD_PUBLIC_KEY"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    ROLE_CONFLICT = "ROLE_CONFLICT"
    DELEGATE_PRODUCED_USER_BLOCK = "DELEGATE_PRODUCED_USER_BLOCK"
    NOT_AN_EXECUTION_NODE = "NOT_AN_EXECUTION_NODE"
    NOT_A_DELEGATE = "NOT_A_DELEGATE"
    NO_DELEGATES = "NO_DELEGATES"
    # amendments
    INVALID_PARAMETERS = "INVALID_PARAMETERS"
    NON_CONFORMING_GENESIS = "NON_CONFORMING_GENESIS"  # §IV-I's supply or inflation cap broken
    INVALID_AMENDMENT = "INVALID_AMENDMENT"
    EMPTY_AMENDMENT = "EMPTY_AMENDMENT"
    UNKNOWN_PARAMETER = "UNKNOWN_PARAMETER"
    PARAMETER_NOT_AMENDABLE = "PARAMETER_NOT_AMENDABLE"
    DUPLICATE_AMENDMENT = "DUPLICATE_AMENDMENT"
    WRONG_STAGE = "WRONG_STAGE"
    DUPLICATE_POLL = "DUPLICATE_POLL"
    BAD_POLL = "BAD_POLL"
    # incentives
    NO_DECLARATIONS = "NO_DECLARATIONS"
    BAD_WEIGHTS = "BAD_WEIGHTS"
    # penalties
    BAD_EVIDENCE = "BAD_EVIDENCE"
    DUPLICATE_EVIDENCE = "DUPLICATE_EVIDENCE"
    STALE_EVIDENCE = "STALE_EVIDENCE"
    FUTURE_EVIDENCE = "FUTURE_EVIDENCE"
    NOT_IN_ROSTER = "NOT_IN_ROSTER"
    CERTIFICATE_VALID = "CERTIFICATE_VALID"
    NOTHING_TO_SLASH = "NOTHING_TO_SLASH"

    # --- allocation (§IV-E, §IV-G, Eq. (1)) -----------------------------------------------
    DUPLICATE_NODE = "DUPLICATE_NODE"
    UNKNOWN_NODE = "UNKNOWN_NODE"
    UNKNOWN_TRANSACTION = "UNKNOWN_TRANSACTION"
    PARAMETER_OUT_OF_RANGE = "PARAMETER_OUT_OF_RANGE"
    UNKNOWN_SOLVER = "UNKNOWN_SOLVER"
    SOLVER_FAILED = "SOLVER_FAILED"
    BAD_REFERENCE = "BAD_REFERENCE"  # an oracle answer that is infeasible or contradicts itself
    INFEASIBLE_START = "INFEASIBLE_START"  # a start for the oracle that the evaluator rejects

    # --- virtualization and hierarchy (§III-C, §IV-H) -------------------------------------
    NEGATIVE_RESOURCE = "NEGATIVE_RESOURCE"
    BAD_IDENTIFIER = "BAD_IDENTIFIER"
    DUPLICATE_PHYSICAL_NODE = "DUPLICATE_PHYSICAL_NODE"
    UNKNOWN_PHYSICAL_NODE = "UNKNOWN_PHYSICAL_NODE"
    BAD_LINK = "BAD_LINK"
    DUPLICATE_VIRTUAL_SYSTEM = "DUPLICATE_VIRTUAL_SYSTEM"
    UNKNOWN_VIRTUAL_SYSTEM = "UNKNOWN_VIRTUAL_SYSTEM"
    DUPLICATE_VIRTUAL_NODE = "DUPLICATE_VIRTUAL_NODE"
    UNKNOWN_VIRTUAL_NODE = "UNKNOWN_VIRTUAL_NODE"
    EMPTY_GROUP = "EMPTY_GROUP"
    NO_SERVICE_CLASS = "NO_SERVICE_CLASS"
    INSUFFICIENT_RESOURCES = "INSUFFICIENT_RESOURCES"
    NO_MANAGEMENT_HOST = "NO_MANAGEMENT_HOST"
    ANTI_AFFINITY_UNSATISFIABLE = "ANTI_AFFINITY_UNSATISFIABLE"
    SUBSTRATE_DISCONNECTED = "SUBSTRATE_DISCONNECTED"
    INVALID_PLACEMENT = "INVALID_PLACEMENT"
    CAPACITY_EXCEEDED = "CAPACITY_EXCEEDED"
    ANTI_AFFINITY_VIOLATED = "ANTI_AFFINITY_VIOLATED"
    MANAGEMENT_HOST_UNQUALIFIED = "MANAGEMENT_HOST_UNQUALIFIED"
    NODE_UNPLACED = "NODE_UNPLACED"
    DUPLICATE_ASSIGNMENT = "DUPLICATE_ASSIGNMENT"
    SYSTEM_DISCONNECTED = "SYSTEM_DISCONNECTED"
    GROUP_SIZE_OUT_OF_BOUNDS = "GROUP_SIZE_OUT_OF_BOUNDS"
    DUPLICATE_EXECUTION_NODE = "DUPLICATE_EXECUTION_NODE"
    UNKNOWN_EXECUTION_NODE = "UNKNOWN_EXECUTION_NODE"
    EXECUTION_NODE_UNMANAGED = "EXECUTION_NODE_UNMANAGED"
    EXECUTION_NODE_MULTIPLY_MANAGED = "EXECUTION_NODE_MULTIPLY_MANAGED"
    LOCAL_GROUP_DETACHED = "LOCAL_GROUP_DETACHED"
    REGION_MISMATCH = "REGION_MISMATCH"
    BAD_HIERARCHY = "BAD_HIERARCHY"
    EMPTY_TRANSACTION_SCOPE = "EMPTY_TRANSACTION_SCOPE"
    BAD_PROBABILITY = "BAD_PROBABILITY"

    # --- batch work: datasets, leaderboards, campaigns on a cluster ----------------------------
    SCHEDULER_UNREACHABLE = "SCHEDULER_UNREACHABLE"  # no Dask scheduler answered at the address
    BAD_DATASET = "BAD_DATASET"  # a dataset spec, manifest or case that is malformed or altered
    BAD_ALLOCATOR = "BAD_ALLOCATOR"  # an allocator name, module:factory or agent file not usable
    TASK_FAILED = "TASK_FAILED"  # a batch task failed on every try, or its cluster went away


class SpecError(Exception):
    """Reject an input with a stable reason code and a human-readable detail."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail

    def __repr__(self) -> str:
        return f"SpecError({self.reason.value!s}, {self.detail!r})"
