"""The ``vdlt consensus simulate`` command: figures, verdicts, JSON and one-line usage errors."""

from __future__ import annotations

import json

import pytest

from vdlt_spec.cli import main


def test_safe_run_prints_valid_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["consensus", "simulate", "--n", "7", "--byzantine", "2", "--decisions", "5"])
    out = capsys.readouterr().out
    assert code == 0
    assert "safety: valid" in out and "messages per decision" in out


def test_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["consensus", "simulate", "--n", "4", "--decisions", "3", "--mode", "classic", "--json"]
    code = main(argv)
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["verdict"] == "valid" and doc["decided_sequence_numbers"] >= 3
    assert doc["messages_per_decision"] == 24  # classic PBFT at n = 4: 2n(n - 1)


def test_colluders_beyond_f_are_caught(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["consensus", "simulate", "--n", "4", "--byzantine", "2", "--behaviour", "collude"]
    code = main([*argv, "--decisions", "2", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["verdict"] == "invalid"
    assert {c["replica"] for c in doc["culprits"]} == {0, 1}


def test_real_signatures(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["consensus", "simulate", "--n", "4", "--decisions", "2", "--signatures", "real"]
    assert main(argv) == 0
    assert "safety: valid" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ["--n", "0"],
        ["--n", "4", "--byzantine", "5"],
        ["--n", "4", "--byzantine", "-1"],
        ["--n", "4", "--decisions", "0"],
        ["--n", "4", "--mode", "hotstuff"],
        ["--n", "4", "--signatures", "bls"],
        ["--n", "4", "--behaviour", "evil"],
        ["--n", "4", "--loss", "often"],
        ["--n", "4", "--loss", "2"],
        ["--n", "four"],
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["consensus", "simulate", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("vdlt: error") and "\n" not in err
