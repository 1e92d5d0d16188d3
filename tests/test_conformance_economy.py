"""Tests of the economy suite: the scripted runs reach what they claim, and catch planted bugs."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from vdlt_spec import ledger
from vdlt_spec.conformance import suite
from vdlt_spec.conformance.adapter import ReferenceAdapter
from vdlt_spec.conformance.operations import call
from vdlt_spec.conformance.vector import Vector
from vdlt_spec.economics import economy, incentives
from vdlt_spec.verdict import Verdict


@functools.cache
def economy_vectors() -> dict[str, Vector]:
    return {v.id: v for v in suite.bundled()["economy"].vectors}


def output(vector_id: str) -> Any:
    return economy_vectors()[vector_id].expect_output


REFUSED = {
    "no-conflict": "BAD_EVIDENCE",
    "other-position": "BAD_EVIDENCE",
    "bad-signature": "BAD_SIGNATURE",
    "other-signer": "BAD_SIGNATURE",
    "other-epoch-domain": "BAD_SIGNATURE",
    "other-chain": "BAD_SIGNATURE",
    "not-in-roster": "NOT_IN_ROSTER",
    "future": "FUTURE_EVIDENCE",
    "unknown-reporter": "UNKNOWN_ACCOUNT",
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_evidence_is_refused_for_its_reason_and_valid_evidence_slashes(case: str) -> None:
    results = output(f"economy-evidence-{case}")["results"]
    assert results[-2:] == [REFUSED[case], "ok"]


def test_scripted_runs_slash_pay_and_amend() -> None:
    slashed = output("economy-evidence-double-sign")
    assert slashed["burned"] > 0
    assert slashed["results"][-10:-7] == ["ok", "DUPLICATE_EVIDENCE", "NOTHING_TO_SLASH"]
    window = output("economy-evidence-window")["results"]
    assert window.count("STALE_EVIDENCE") == 2 and window[-1] == "STALE_EVIDENCE"
    assert "CERTIFICATE_VALID" in output("economy-evidence-forged-certificate")["results"]
    consensus = output("economy-evidence-consensus")["results"]
    refused = ["BAD_EVIDENCE", "NO_CONFLICT", "NOT_IN_ROSTER", "BAD_EVIDENCE", "BAD_EVIDENCE"]
    assert consensus[-16:-7] == [*refused, "ok", "ok", "DUPLICATE_EVIDENCE", "ok"]
    assert output("economy-paid-epoch")["minted"] > 0
    above, at = output("economy-issuance-above-cap"), output("economy-issuance-at-cap")
    assert above["supply"] == at["supply"] > output("economy-issuance-below-cap")["supply"]
    for name in ("lower-rate", "zero-rate", "no-management-pay", "long-year"):
        assert output(f"economy-amendment-{name}")["params_version"] == 1
    assert "NOT_A_DELEGATE" in output("economy-amendment-test-failure")["results"]


def test_audits_expect_no_broken_invariant_and_name_a_broken_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    audits = [v for v in economy_vectors().values() if v.op == "economy.audit"]
    assert audits and all(v.expect_output == {"broken": []} for v in audits)
    broken = economy.INVARIANTS[2]

    def report(econ: economy.Economy) -> dict[str, tuple[str, ...]]:
        return {name: ("planted",) if name == broken else () for name in economy.INVARIANTS}

    monkeypatch.setattr(economy, "invariant_report", report)
    assert call("economy.audit", audits[0].input) == {"broken": [broken]}


def failing(only: str) -> set[str]:
    vectors = suite.iter_vectors(suite.bundled().values(), [only])
    report = suite.run(ReferenceAdapter(), vectors)
    return {r.id for r in report.results if r.verdict is Verdict.INVALID}


def test_planted_bugs_fail_named_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    assert failing("economy.run") == set()
    with monkeypatch.context() as planted:
        # Unbonding collateral no longer counts as slashable (nor as encumbered).
        planted.setattr(ledger.Account, "slashable", property(lambda a: a.collateral))
        assert {"economy-unstake-unbond", "economy-evidence-unbonding"} <= failing("economy.run")
    with monkeypatch.context() as planted:
        # Management decisions ignore what is left of the epoch's pool.
        planted.setattr(incentives, "management_pay", lambda declared, _: max(declared))
        assert "economy-paid-epoch" in failing("economy.run")
