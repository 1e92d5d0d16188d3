"""Tests of the consensus trace auditor on simulated runs (§III-D, §IV-D, §IV-J)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vdlt_spec.audit import trace
from vdlt_spec.audit.auditor import AuditReport, audit
from vdlt_spec.audit.rules.consensus import run_trace
from vdlt_spec.cli import main
from vdlt_spec.verdict import Verdict


def _run(tmp_path: Path, *args: str) -> tuple[AuditReport, dict[str, object]]:
    target = tmp_path / "run.jsonl"
    main(["consensus", "simulate", "--json", "--trace", str(target), *args])
    report = audit(trace.parse(target.read_text(encoding="utf-8").splitlines()))
    return report, json.loads(target.read_text(encoding="utf-8").splitlines()[0])


@pytest.mark.parametrize("mode", ["ipbft", "classic"])
def test_real_signature_runs_audit_valid(tmp_path: Path, mode: str) -> None:
    report, header = _run(
        tmp_path, "--n", "4", "--decisions", "3", "--signatures", "real", "--mode", mode
    )
    assert "roster" in header
    assert report.verdict is Verdict.VALID and report.checked > 0
    assert "commit-proof" in report.rules


def test_a_tampered_digest_fails_the_proof_rule(tmp_path: Path) -> None:
    target = tmp_path / "run.jsonl"
    main(
        [
            "consensus",
            "simulate",
            "--n",
            "4",
            "--decisions",
            "2",
            "--signatures",
            "real",
            "--json",
            "--trace",
            str(target),
        ]
    )
    lines = target.read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[1])
    event["digest"] = "00" * 32
    lines[1] = json.dumps(event)
    report = audit(trace.parse(lines))
    assert report.verdict is Verdict.INVALID
    assert [f.rule for f in report.findings] == ["commit-proof"]
    assert report.findings[0].line == 2


def test_collusion_beyond_f_breaks_agreement_and_names_signers(tmp_path: Path) -> None:
    report, _ = _run(
        tmp_path,
        "--n",
        "4",
        "--byzantine",
        "2",
        "--behaviour",
        "collude",
        "--decisions",
        "3",
        "--signatures",
        "real",
    )
    agreement = [f for f in report.findings if f.rule == "agreement"]
    assert report.verdict is Verdict.INVALID and agreement
    assert "signed both proofs: [" in agreement[0].message


def test_ideal_runs_check_agreement_only_and_idle_runs_are_unknown() -> None:
    assert audit(trace.parse(run_trace(None, ()).splitlines())).verdict is Verdict.UNKNOWN
