"""Incentives, penalties and the economy state machine over ledger and governance (§IV-I, §IV-J).

The economy (:mod:`vdlt_spec.economics.economy`) composes the token ledger
(:mod:`vdlt_spec.ledger`), the DPoS elections and the amendment process
(:mod:`vdlt_spec.governance`), the incentives and the penalties into one state machine.
"""

from vdlt_spec.economics.economy import apply, invariant_report, invariant_violations, start
from vdlt_spec.economics.incentives import Pools
from vdlt_spec.economics.operations import Operation
from vdlt_spec.economics.penalties import (
    ConsensusEvidence,
    DoubleSignEvidence,
    ForgedCertificateEvidence,
    PenaltyState,
    SignedStatement,
    SlashingEvidence,
    SlashRecord,
    submit_evidence,
)
from vdlt_spec.economics.state import Economy

__all__ = [
    "ConsensusEvidence",
    "DoubleSignEvidence",
    "Economy",
    "ForgedCertificateEvidence",
    "Operation",
    "PenaltyState",
    "Pools",
    "SignedStatement",
    "SlashRecord",
    "SlashingEvidence",
    "apply",
    "invariant_report",
    "invariant_violations",
    "start",
    "submit_evidence",
]
