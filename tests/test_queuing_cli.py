"""Tests of ``vdlt queuing simulate``."""

from __future__ import annotations

import io
import json
from fractions import Fraction
from pathlib import Path

import pytest
from rich.console import Console

from vdlt_spec.cli import main


def test_simulate_prints_a_table_per_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["queuing", "simulate", "--seed", "3", "--count", "300", "--fifo"]) == 0
    out = capsys.readouterr().out
    assert "vDLT default CBWFQ" in out and "one FIFO queue" in out and "scavenger" in out


def test_simulate_json_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["queuing", "simulate", "--seed", "5", "--count", "400", "--load", "3/2", "--json"]
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
    [
        ["--load", "fast"],
        ["--load", "1/0"],
        ["--load", "-1"],
        ["--load", "1/2,"],
        ["--tx", "0"],
        ["--tx", "x"],
        ["--count", "0"],
    ],
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
    assert main(["queue", "simulate", "--seed", "2", "--count", "300", "--json"]) == 0
    rows = {r["service_class"]: r for r in json.loads(capsys.readouterr().out)["classes"]["cbwfq"]}
    assert rows[7]["sent"] + rows[7]["dropped"] == 0
    assert sum(r["sent"] + r["dropped"] for r in rows.values()) == 300


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_old_spelling_of_count_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["queuing", "simulate", "--seed", "4", "--json"]
    assert _run([*base, "--tx", "250"], capsys) == _run([*base, "--count", "250"], capsys)
    code, out, _ = _run(["queuing", "simulate", "--help"], capsys)
    assert code == 0 and "--count" in out and "--tx" not in out


def test_a_load_sweep_prints_the_mean_delay_per_load(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["queuing", "simulate", "--count", "300", "--load", "1/2,3/2", "--fifo"]
    code, out, _ = _run(argv, capsys)
    assert code == 0 and " 1/2 " in out and " 3/2 " in out and "one FIFO queue" in out
    code, out, _ = _run([*argv, "--json"], capsys)
    doc = json.loads(out)
    assert [run["load"] for run in doc["loads"]] == ["1/2", "3/2"]
    assert all(set(run["classes"]) == {"cbwfq", "fifo"} for run in doc["loads"])
    single = json.loads(_run([*argv[:-3], "--load", "3/2", "--fifo", "--json"], capsys)[1])
    assert single["classes"] == doc["loads"][1]["classes"]


def _figures(document: dict[str, object]) -> list[list[str]]:
    """Return the figures of each row of the single-run tables, as the tables print them."""
    rows = []
    for stats in document["classes"].values():  # type: ignore[attr-defined]
        for row in stats:
            shown = [str(row["sent"]), str(row["dropped"])]
            for key in ("mean_delay", "p99_delay", "max_delay"):
                value = row[key]
                shown.append("-" if value is None else f"{float(Fraction(value)):.2f}")
            rows.append(shown)
    return rows


@pytest.mark.parametrize("width", [80, 60])
def test_tables_cut_no_number_at_narrow_widths(
    width: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from vdlt_spec.cli import queuing as cli

    argv = ["queuing", "simulate", "--count", "2000", "--load", "3/2", "--fifo"]
    doc = json.loads(_run([*argv, "--json"], capsys)[1])
    sink = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=sink, width=width))
    assert main(argv) == 0
    text = sink.getvalue()
    assert max(len(line) for line in text.splitlines()) <= width and "…" not in text
    for figures in _figures(doc):  # a row may continue in a second table, each figure whole
        assert all(f" {f} " in text for f in figures), figures
    assert "time units" in text


@pytest.mark.parametrize("name", ["delays.txt", "missing/delays.png"])
def test_a_bad_plot_path_is_one_line_before_any_run(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["queuing", "simulate", "--plot", str(tmp_path / name)], capsys)
    assert code == 2 and out == ""
    assert err.startswith("vdlt: error [BAD_USAGE]") and len(err.strip().splitlines()) == 1
