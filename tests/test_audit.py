"""Tests of the trace auditor framework (trace format, registry, verdicts, CLI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vdlt_spec.audit import trace
from vdlt_spec.audit.auditor import Audit, Finding, audit, auditor
from vdlt_spec.cli import main
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict


@auditor("test-counter", ("increasing",))
def _counter_auditor(parsed: trace.Trace) -> Audit:
    """Check that 'tick' events carry strictly increasing values (a toy invariant)."""
    findings = []
    last = None
    ticks = [e for e in parsed.events if e.type == "tick"]
    for event in ticks:
        value = event.fields.get("value")
        if last is not None and value <= last:
            findings.append(Finding("increasing", event.line, f"{value} after {last}"))
        last = value
    return Audit(tuple(findings), len(ticks), ("increasing",))


def _trace(values: list[int]) -> str:
    return trace.render(
        "test-counter", {"note": "x"}, [{"type": "tick", "value": v} for v in values]
    )


def test_render_then_parse_round_trips() -> None:
    parsed = trace.parse(_trace([1, 2]).splitlines())
    assert parsed.kind == "test-counter" and parsed.header["note"] == "x"
    assert [e.fields["value"] for e in parsed.events] == [1, 2]
    assert [e.line for e in parsed.events] == [2, 3]


@pytest.mark.parametrize(
    ("values", "verdict"),
    [([1, 2, 3], Verdict.VALID), ([1, 3, 2], Verdict.INVALID), ([], Verdict.UNKNOWN)],
)
def test_verdicts(values: list[int], verdict: Verdict) -> None:
    report = audit(trace.parse(_trace(values).splitlines()))
    assert report.verdict is verdict
    if verdict is Verdict.INVALID:
        assert report.findings[0].line == 4


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[1]",
        '{"no": "kind"}',
        '{"trace": "test-counter", "version": 2}',
        '{"trace": "test-counter", "version": 1}\n{"value": 1}',
        '{"trace": "test-counter", "version": 1}\n{bad',
    ],
)
def test_malformed_traces_are_rejected(text: str) -> None:
    with pytest.raises(SpecError) as info:
        trace.parse(text.splitlines())
    assert info.value.reason is Reason.BAD_TRACE


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(SpecError) as info:
        audit(trace.parse(['{"trace": "nope", "version": 1}']))
    assert info.value.reason is Reason.BAD_TRACE


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad, broken = tmp_path / "good.jsonl", tmp_path / "bad.jsonl", tmp_path / "x.jsonl"
    good.write_text(_trace([1, 2]), encoding="utf-8")
    bad.write_text(_trace([2, 1]), encoding="utf-8")
    broken.write_text("not json\n", encoding="utf-8")
    assert main(["audit", str(good)]) == 0
    assert main(["audit", str(bad), "--json"]) == 1
    assert main(["audit", str(broken)]) == 2
    assert main(["audit", str(tmp_path / "missing.jsonl")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_audit_help_names_every_auditor_and_rule_from_the_registry(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from vdlt_spec.audit.auditor import auditors

    assert main(["audit", "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "test-counter" not in shown  # a plugin from outside the spec's rules package
    for kind, registered in auditors().items():
        if kind == "test-counter":
            continue
        assert f"{kind} traces:" in shown
        for rule in registered.rules:
            assert rule in shown.replace("- ", "-"), (kind, rule)


def test_the_consensus_rules_it_applies_depend_on_the_roster() -> None:
    from vdlt_spec.audit.auditor import auditors

    assert auditors()["consensus"].rules == ("commit-proof", "agreement", "commit-once")
