"""``vdlt allocation train`` and ``act`` end to end: train, act, evaluate, start the oracle."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from vdlt_spec.cli import main


@pytest.fixture
def instance_file(tmp_path: Path) -> Path:
    path = tmp_path / "instance.json"
    assert main(["allocation", "generate", "--count", "8", "--nodes", "3", "--seed", "4",
                 "--out", str(path)]) == 0  # fmt: skip
    return path


def test_train_act_evaluate_and_start_the_oracle(
    tmp_path: Path, instance_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agent, alloc = tmp_path / "agent.json", tmp_path / "alloc.json"
    code = main(["allocation", "train", str(instance_file), "--steps", "30", "--seed", "1",
                 "--checkpoints", "2", "--out", str(agent), "--json"])  # fmt: skip
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["steps"] == 30 and len(summary["curve"]) == 2
    assert json.loads(agent.read_text())["format"] == "vdlt-drl-agent"
    assert main(["allocation", "act", str(agent), str(instance_file), "--out", str(alloc)]) == 0
    assert "feasible" in capsys.readouterr().out
    assert main(["allocation", "evaluate", str(instance_file), str(alloc), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["feasible"] is True
    code = main(["allocation", "solve", str(instance_file), "--start", str(alloc),
                 "--time-limit", "20", "--json"])  # fmt: skip
    assert code == 0, capsys.readouterr()


def test_train_from_the_generator_writes_an_agent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agent = tmp_path / "agent.json"
    code = main(["allocation", "train", "--count", "6", "--nodes", "3", "--steps", "12",
                 "--checkpoints", "1", "--out", str(agent)])  # fmt: skip
    assert code == 0 and agent.exists()
    assert "trained 12 steps" in capsys.readouterr().out


def test_act_refuses_an_agent_of_another_env_version(
    tmp_path: Path, instance_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import numpy as np

    from vdlt_spec.drl import Agent, agent_document
    from vdlt_spec.drl.agent import init_weights

    document = agent_document(Agent(init_weights(8, np.random.default_rng(0)), {}))
    document["env_version"] = 0
    agent = tmp_path / "old.json"
    agent.write_text(json.dumps(document))
    assert main(["allocation", "act", str(agent), str(instance_file)]) == 2
    assert "BAD_INPUT_FILE" in capsys.readouterr().err


def test_train_without_jax_is_one_line_and_exit_2(
    tmp_path: Path, instance_file: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setitem(sys.modules, "jax", None)
    code = main(["allocation", "train", str(instance_file), "--steps", "5",
                 "--out", str(tmp_path / "a.json")])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "MISSING_EXTRA" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "a.json").exists()
