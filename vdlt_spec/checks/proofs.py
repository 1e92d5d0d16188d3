"""Register the proof obligations in ``vdlt verify``: one check per group (§III-D, §IV-C, §IV-D).

Each check discharges its group's obligations with the prover and is valid only when every
finding matches its expectation; a timeout or ``unknown`` answer makes it unknown, never valid.
"""

from __future__ import annotations

from collections.abc import Callable

from vdlt_spec.checks import Outcome, check
from vdlt_spec.verdict import combine

COMPONENT = "proofs"
CHECK_TIMEOUT_S = 30.0  # solver budget per obligation inside ``vdlt verify``


def _group(group: str) -> Outcome:
    """Discharge every obligation of ``group`` and combine the verdicts."""
    from vdlt_spec.proofs import catalog, runner

    results = [
        runner.discharge(o, CHECK_TIMEOUT_S) for o in catalog.OBLIGATIONS if o.group == group
    ]
    verdict = combine(r.verdict for r in results)
    off = [
        f"{r.name}: expected {r.expected}, found {r.finding}"
        for r in results
        if r.verdict != "valid"
    ]
    detail = "; ".join(off) if off else f"{len(results)} obligations match their expectation"
    figures = {r.name: {"found": r.finding.value, "seconds": round(r.seconds, 3)} for r in results}
    return Outcome(verdict, detail, figures)


def _register(group: str, section: str, doc: str) -> Callable[[], Outcome]:
    def body() -> Outcome:
        return _group(group)

    body.__doc__ = doc
    body.__name__ = f"proofs_{group}"
    return check(f"proofs-{group}", COMPONENT, section)(body)


quorum_check = _register(
    "quorum", "§IV-D", "Prove the quorum counting facts for all n and their tightness."
)
bitmap_check = _register(
    "bitmap", "§IV-D", "Prove the signer-bitmap rule implies the quorum facts, n <= 1024."
)
pbft_check = _register(
    "pbft", "§III-D, §IV-D", "Prove iPBFT agreement within and across views for all n."
)
accountability_check = _register(
    "accountability", "§IV-D, §IV-J", "Prove accountable safety and no framing for all n."
)
multisig_check = _register(
    "multisig", "§IV-D", "Show plain key sums admit rogue keys and weighted aggregation binds."
)
checkpoint_check = _register(
    "checkpoint", "§III-D", "Prove garbage collection keeps what no certificate covers."
)
voting_check = _register("voting", "§IV-C", "Prove the quadratic-voting and token-lock claims.")
penalties_check = _register(
    "penalties", "§IV-J", "Prove the offender loses the whole slash whoever reports."
)
inflation_check = _register(
    "inflation", "§IV-I", "Prove no year of capped issuance mints above the inflation cap."
)
allocation_check = _register(
    "allocation", "§IV-E", "Prove the evaluator's rows are Eq. (1)'s and the security row is safe."
)
