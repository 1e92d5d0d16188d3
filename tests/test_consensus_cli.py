"""The ``vdlt consensus simulate`` command: figures, verdicts, JSON and one-line usage errors."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from vdlt_spec.cli import main


def test_safe_run_prints_valid_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["consensus", "simulate", "--nodes", "7", "--byzantine", "2", "--count", "5"])
    out = capsys.readouterr().out
    assert code == 0
    assert "safety: valid" in out and "messages per decision" in out


def test_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        *["consensus", "simulate", "--nodes", "4", "--count", "3", "--mode", "classic"],
        "--json",
    ]
    code = main(argv)
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["verdict"] == "valid" and doc["decided_sequence_numbers"] >= 3
    assert doc["messages_per_decision"] == 24  # classic PBFT at n = 4: 2n(n - 1)


def test_colluders_beyond_f_are_caught(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["consensus", "simulate", "--nodes", "4", "--byzantine", "2", "--behaviour", "collude"]
    code = main([*argv, "--count", "2", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["verdict"] == "invalid"
    assert {c["replica"] for c in doc["culprits"]} == {0, 1}


def test_real_signatures(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["consensus", "simulate", "--nodes", "4", "--count", "2", "--signatures", "real"]
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
        ["--nodes", "0"],
        ["--nodes", "4", "--count", "0"],
        ["--nodes", "4", "--plot", "messages.txt"],
        ["--nodes", "4", "--plot", "missing/messages.png"],
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["consensus", "simulate", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("vdlt: error") and "\n" not in err


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_old_spellings_still_work(capsys: pytest.CaptureFixture[str]) -> None:
    old = _run(["consensus", "simulate", "--n", "4", "--decisions", "2", "--json"], capsys)
    new = _run(["consensus", "simulate", "--nodes", "4", "--count", "2", "--json"], capsys)
    assert old == new and old[0] == 0
    help_text = _run(["consensus", "simulate", "--help"], capsys)[1]
    assert "--nodes" in help_text and "--count" in help_text
    assert "--decisions" not in help_text and "--n " not in help_text


@pytest.mark.parametrize("byzantine", ["0", "2", "3"])
def test_the_title_shows_the_fault_bound_and_the_byzantine_count(
    byzantine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["consensus", "simulate", "--nodes", "7", "--byzantine", byzantine, "--count", "3"]
    _, out, _ = _run(argv, capsys)
    flat = " ".join(out.split())
    assert "n = 7 replicas" in flat and "tolerates f = 2" in flat
    assert f"{byzantine} Byzantine" in flat
    assert ("exceed f = 2" in flat) == (byzantine == "3")
    assert "simulated time (ticks)" in flat and "bytes sent" in flat


@pytest.mark.parametrize("width", [80, 60])
def test_the_table_cuts_no_number_at_narrow_widths(
    width: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from vdlt_spec.cli import consensus as cli

    argv = ["consensus", "simulate", "--nodes", "10", "--byzantine", "3", "--count", "4"]
    doc = json.loads(_run([*argv, "--json"], capsys)[1])
    sink = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=sink, width=width))
    main(argv)
    text = sink.getvalue()
    assert max(len(line) for line in text.splitlines()) <= width and "…" not in text
    for key in ("messages", "bytes", "signatures_verified", "simulated_time"):
        assert f" {doc[key]} " in text, key
    for count in doc["messages_by_type"].values():
        assert f" {count} " in text


def test_the_library_reports_progress_by_blocks() -> None:
    from vdlt_spec.consensus import build_scenario, simulate

    seen: list[tuple[int, int]] = []
    scenario = build_scenario(4, 0, "mixed", 1, decisions=3)
    simulate(scenario, on_progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (3, 3)
    assert [d for d, _ in seen] == sorted({d for d, _ in seen})
