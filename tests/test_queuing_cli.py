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
