"""Report rejected input as data: one error type carrying a stable reason code (DESIGN rule 4).

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

    # --- class of service (§III-A, §IV-A) --------------------------------------------------
    COS_BYTE_OUT_OF_RANGE = "COS_BYTE_OUT_OF_RANGE"
    UNKNOWN_CLASS = "UNKNOWN_CLASS"
    TRUST_OUT_OF_RANGE = "TRUST_OUT_OF_RANGE"

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

    # --- consensus (§III-D, §IV-D) --------------------------------------------------------

    # --- proofs (§III-D, §IV-C, §IV-D) ----------------------------------------------------

    # --- ledger, governance, economics (§IV-C, §IV-I, §IV-J, §IV-K) -----------------------

    # --- allocation (§IV-E, §IV-G, Eq. (1)) -----------------------------------------------
    DUPLICATE_NODE = "DUPLICATE_NODE"
    UNKNOWN_NODE = "UNKNOWN_NODE"
    UNKNOWN_TRANSACTION = "UNKNOWN_TRANSACTION"
    PARAMETER_OUT_OF_RANGE = "PARAMETER_OUT_OF_RANGE"
    UNKNOWN_SOLVER = "UNKNOWN_SOLVER"
    SOLVER_FAILED = "SOLVER_FAILED"


class SpecError(Exception):
    """Reject an input with a stable reason code and a human-readable detail."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail

    def __repr__(self) -> str:
        return f"SpecError({self.reason.value!s}, {self.detail!r})"
