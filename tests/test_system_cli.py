"""``vdlt system simulate`` and ``vdlt system experiment`` with --json, a trace and the audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vdlt_spec.cli import app, main

runner = CliRunner()


def test_simulate_json_with_baseline_and_trace(tmp_path: Path) -> None:
    trace = tmp_path / "run.jsonl"
    result = runner.invoke(
        app,
        [
            "system",
            "simulate",
            "--transactions",
            "80",
            "--baseline",
            "--trace",
            str(trace),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [r["architecture"] for r in document["runs"]] == ["vdlt", "coupled"]
    audited = runner.invoke(app, ["audit", str(trace), "--json"])
    assert audited.exit_code == 0, audited.output


def test_simulate_reads_a_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"transactions": 50, "execution": 12}))
    result = runner.invoke(app, ["system", "simulate", "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["config"]["execution"] == 12


def test_bad_configuration_is_one_line_and_exit_2() -> None:
    assert main(["system", "simulate", "--management", "2", "--json"]) == 2


@pytest.mark.parametrize("name", ["virtual-systems"])
def test_experiment_json(name: str) -> None:
    result = runner.invoke(app, ["system", "experiment", name, "--transactions", "60", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["experiment"] == name and document["rows"]


def test_unknown_experiment_exits_2() -> None:
    assert main(["system", "experiment", "nope"]) == 2
