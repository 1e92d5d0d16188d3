"""Name the three verdicts of every checker, prover and auditor (D-gen-1).

``valid`` / ``invalid`` / ``unknown`` map to exit codes 0 / 1 / 2. A run that exercised nothing,
a solver timeout or a crash inside a check is ``unknown``, never ``valid``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Verdict(StrEnum):
    """Classify the outcome of a check in three values."""

    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"

    @property
    def exit_code(self) -> int:
        """Return the process exit code of this verdict (0 valid, 1 invalid, 2 unknown)."""
        return {Verdict.VALID: 0, Verdict.INVALID: 1, Verdict.UNKNOWN: 2}[self]


def combine(verdicts: Iterable[Verdict]) -> Verdict:
    """Combine verdicts: any invalid wins, then any unknown; nothing checked is unknown.

    A definite failure outranks an undecided one, so a run with both exits 1 (docs/decisions.md).
    """
    seen = set(verdicts)
    if Verdict.INVALID in seen:
        return Verdict.INVALID
    if not seen or Verdict.UNKNOWN in seen:
        return Verdict.UNKNOWN
    return Verdict.VALID
