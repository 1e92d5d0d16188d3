"""The CoS and CBWFQ self-checks pass on the reference and fail on broken schedulers."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import pytest

from vdlt_spec import checks as self_checks
from vdlt_spec.checks import cos as cos_checks
from vdlt_spec.checks import queuing as queuing_checks
from vdlt_spec.cli import main
from vdlt_spec.cos import Classification, ReclassificationReason, ServiceClass, Transaction
from vdlt_spec.queuing import CbwfqConfig, Schedule, default_config, fifo_run, run
from vdlt_spec.verdict import Verdict

NAMES = (
    "cos-table",
    "cos-reclassification",
    "cbwfq-gps-bound",
    "cbwfq-fast-confirmation-isolation",
    "cbwfq-fast-path",
    "cbwfq-config-validation",
)


def _run(name: str) -> self_checks.CheckRun:
    checks = {c.name: c for c in self_checks.discover()}
    return self_checks.run(checks[name])


@pytest.mark.parametrize("name", NAMES)
def test_checks_are_registered_and_valid(name: str) -> None:
    result = _run(name)
    assert result.verdict is Verdict.VALID, result.detail


def _fifo_scheduler(config: CbwfqConfig, arrivals: Iterable[Transaction]) -> Schedule:
    """A scheduler that ignores classes: one FIFO queue."""
    return fifo_run(config.rate, arrivals, limit=64)


def _lifo_within_bursts(config: CbwfqConfig, arrivals: Iterable[Transaction]) -> Schedule:
    """The reference with its departure order reversed inside each pair: breaks FIFO and timing."""
    good = run(config, arrivals)
    d = list(good.departures)
    for i in range(0, len(d) - 1, 2):
        d[i], d[i + 1] = d[i + 1], d[i]
    return Schedule(tuple(d), good.drops)


def test_scheduler_checks_fail_on_a_classless_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queuing_checks, "run", _fifo_scheduler)
    assert _run("cbwfq-fast-confirmation-isolation").verdict is Verdict.INVALID
    assert _run("cbwfq-gps-bound").verdict is Verdict.INVALID
    assert _run("cbwfq-fast-path").verdict is Verdict.INVALID


def test_gps_check_fails_on_a_reordered_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queuing_checks, "run", _lifo_within_bursts)
    result = _run("cbwfq-gps-bound")
    assert result.verdict is Verdict.INVALID
    assert "violations" in result.detail


def test_fast_path_check_fails_when_the_paths_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queuing_checks, "run_fast", _lifo_within_bursts)
    assert _run("cbwfq-fast-path").verdict is Verdict.INVALID


def test_config_check_fails_when_an_invalid_configuration_is_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    accepted = (("default accepted", default_config, queuing_checks.Reason.NON_POSITIVE_RATE),)
    monkeypatch.setattr(queuing_checks, "INVALID_CONFIGS", accepted)
    assert _run("cbwfq-config-validation").verdict is Verdict.INVALID


def test_cos_checks_fail_on_a_wrong_table_or_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    swapped = {**cos_checks.TABLE_II_BITS, "111": "SCAVENGER", "000": "FAST_CONFIRMATION"}
    monkeypatch.setattr(cos_checks, "TABLE_II_BITS", swapped)
    assert _run("cos-table").verdict is Verdict.INVALID

    def keep(
        declared: ServiceClass, trust: Fraction, roles: object = (), *, banned: bool = False
    ) -> Classification:
        return Classification(declared, declared, ReclassificationReason.DECLARED)

    monkeypatch.setattr(cos_checks, "reclassify", keep)
    assert _run("cos-reclassification").verdict is Verdict.INVALID


def test_vdlt_verify_runs_the_queuing_component(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--only", "queuing", "--only", "cos", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"verdict": "valid"' in out and "cbwfq-gps-bound" in out
