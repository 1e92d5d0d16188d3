"""The crypto self-checks of ``vdlt verify`` pass, and fail when what they guard breaks."""

from __future__ import annotations

import pytest

from vdlt_spec import checks as self_checks
from vdlt_spec.checks import crypto as checks
from vdlt_spec.conformance import bip_vectors
from vdlt_spec.verdict import Verdict

NAMES = ("bip340-vectors", "bip327-vectors", "certificate-rules", "rogue-key-regression")


def test_checks_are_registered_and_valid() -> None:
    found = {c.name: c for c in self_checks.discover() if c.component == "crypto"}
    assert set(NAMES) <= set(found)
    for name in NAMES:
        run = self_checks.run(found[name])
        assert run.verdict is Verdict.VALID, (name, run.detail)


def test_certificate_rules_fail_if_verification_accepts_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(checks, "verify_certificate", lambda *args, **kwargs: None)
    outcome = checks.certificate_rules()
    assert outcome.verdict is Verdict.INVALID


def test_rogue_key_check_fails_if_musig2_accepted_the_forgery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(checks.rogue_key, "musig2_accepts", lambda *args, **kwargs: True)
    assert checks.rogue_key_regression().verdict is Verdict.INVALID


def test_vector_checks_fail_on_a_failing_case(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = bip_vectors.CaseResult("bip340", "rows", 0, False, "verification: got False")
    monkeypatch.setattr(checks, "run_bip340", lambda **kwargs: (bad,))
    outcome = checks.bip340_vectors()
    assert outcome.verdict is Verdict.INVALID and "verification" in outcome.detail
    monkeypatch.setattr(checks, "run_bip327", lambda **kwargs: ())
    assert checks.bip327_vectors().verdict is Verdict.UNKNOWN
