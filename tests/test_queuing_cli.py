"""Tests of ``vdlt queuing simulate``."""

from __future__ import annotations

import json

import pytest

from vdlt_spec.cli import main


def test_simulate_prints_a_table_per_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["queuing", "simulate", "--seed", "3", "--tx", "300", "--fifo"]) == 0
    out = capsys.readouterr().out
    assert "vDLT default CBWFQ" in out and "one FIFO queue" in out and "scavenger" in out


def test_simulate_json_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["queuing", "simulate", "--seed", "5", "--tx", "400", "--load", "3/2", "--json"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out == first
    doc = json.loads(first)
    rows = doc["classes"]["cbwfq"]
    assert len(rows) == 8 and sum(r["sent"] + r["dropped"] for r in rows) == 400
    assert doc["shares"]["FAST_CONFIRMATION"] == "1/4"


@pytest.mark.parametrize(
    "args",
    [["--load", "fast"], ["--load", "1/0"], ["--load", "-1"], ["--tx", "0"], ["--tx", "x"]],
)
def test_simulate_rejects_bad_input_in_one_line(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["queuing", "simulate", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vdlt: error") and len(err.strip().splitlines()) == 1


def test_simulate_uses_the_scheduler_the_parameters_in_force_prescribe() -> None:
    from vdlt_spec.governance.parameters import Parameters, queuing_config
    from vdlt_spec.queuing import default_config

    assert queuing_config(Parameters()) == default_config()


def test_simulate_reclassifies_at_the_receiving_node(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fractions import Fraction

    from vdlt_spec import queuing
    from vdlt_spec.cos import Sender

    known = queuing.workload_senders

    def doubtful(spec: queuing.WorkloadSpec) -> dict[str, Sender]:
        return {name: Sender(Fraction(1, 4)) for name in known(spec)}

    monkeypatch.setattr(queuing, "workload_senders", doubtful)
    assert main(["queue", "simulate", "--seed", "2", "--tx", "300", "--json"]) == 0
    rows = {r["service_class"]: r for r in json.loads(capsys.readouterr().out)["classes"]["cbwfq"]}
    assert rows[7]["sent"] + rows[7]["dropped"] == 0
    assert sum(r["sent"] + r["dropped"] for r in rows.values()) == 300
