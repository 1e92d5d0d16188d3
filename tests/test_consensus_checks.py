"""The consensus self-checks pass on the reference and fail when what they check breaks."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from vdlt_spec.checks import consensus as checks
from vdlt_spec.consensus.accountability import Evidence, Rule, Statement
from vdlt_spec.consensus.sim.scenario import Conflict, RunResult
from vdlt_spec.verdict import Verdict


@pytest.mark.parametrize(
    "body",
    [
        checks.safety_campaign,
        checks.certificates_in_consensus,
        checks.accountability,
        checks.linear_messages,
    ],
)
def test_checks_pass_on_the_reference(body: Any) -> None:
    outcome = body()
    assert outcome.verdict == Verdict.VALID, outcome.detail


def test_campaign_fails_on_a_conflict(monkeypatch: pytest.MonkeyPatch) -> None:
    real = checks.simulate

    def broken(scenario: Any, *args: Any) -> RunResult:
        result = real(scenario, *args)
        commit = result.commits[0]
        return dataclasses.replace(result, conflicts=(Conflict(commit.seq, commit, commit),))

    monkeypatch.setattr(checks, "simulate", broken)
    assert checks.safety_campaign().verdict == Verdict.INVALID


def test_certificate_check_fails_if_everything_verifies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "verify_proof", lambda *args, **kwargs: True)
    assert checks.certificates_in_consensus().verdict == Verdict.INVALID


def test_accountability_check_fails_on_framing(monkeypatch: pytest.MonkeyPatch) -> None:
    def framing(result: RunResult, verifier: Any) -> tuple[Evidence, ...]:
        c = result.conflicts[0].first
        statement = Statement(1, c.view, c.seq, c.digest, c.proof)  # type: ignore[arg-type]
        return (Evidence(3, Rule.DOUBLE_VOTE, statement),)

    monkeypatch.setattr(checks, "culprits", framing)
    assert checks.accountability().verdict == Verdict.INVALID


def test_message_check_fails_when_counts_drift(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "quorum_size", lambda n: n)  # a wrong expectation must be noticed
    assert checks.linear_messages().verdict == Verdict.INVALID
