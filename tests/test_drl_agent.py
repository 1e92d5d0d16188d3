"""The reference DQN agent of §IV-F: files, reproducible training, and learning that happens."""

from __future__ import annotations

import json
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from vdlt_spec.allocation.evaluator import Constraint, evaluate
from vdlt_spec.allocation.generate import generate
from vdlt_spec.drl import (
    AGENT_FORMAT,
    ENV_VERSION,
    Agent,
    DqnConfig,
    allocator_from_file,
    load_agent,
    random_feasible,
    save_agent,
    train,
)
from vdlt_spec.drl.agent import init_weights
from vdlt_spec.errors import Reason, SpecError

TINY = DqnConfig(hidden=16, learning_starts=100, target_every=100, batch=32, buffer=2000)
TRAIN_SET = [generate(12, 4, seed) for seed in range(4)]


def _random_agent() -> Agent:
    return Agent(init_weights(16, np.random.default_rng(1)), {"hidden": 16})


def test_an_agent_file_round_trips_and_allocates(tmp_path: Path) -> None:
    path = tmp_path / "agent.json"
    agent = _random_agent()
    path.write_text(save_agent(agent), encoding="utf-8")
    again = load_agent(path)
    assert all(np.array_equal(agent.weights[k], again.weights[k]) for k in agent.weights)
    instance = generate(15, 4, 3)
    allocate = allocator_from_file(path)
    assert allocate(instance) == agent.allocate(instance)
    assert evaluate(instance, allocate(instance)).feasible


def test_an_agent_file_of_another_env_version_is_refused(tmp_path: Path) -> None:
    document = json.loads(save_agent(_random_agent()))
    document["env_version"] = ENV_VERSION + 1
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_agent(path)
    assert caught.value.reason is Reason.BAD_INPUT_FILE
    assert "version" in caught.value.detail


@pytest.mark.parametrize(
    "text",
    ["not json", "{}", json.dumps({"format": AGENT_FORMAT}), "[1, 2]"],
)
def test_a_malformed_agent_file_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_agent(path)
    assert caught.value.reason is Reason.BAD_INPUT_FILE


def test_training_without_jax_is_a_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jax", None)
    with pytest.raises(SpecError) as caught:
        train(10, 0, TRAIN_SET, config=TINY)
    assert caught.value.reason is Reason.MISSING_EXTRA


def test_training_is_reproducible_under_a_seed() -> None:
    pytest.importorskip("jax")
    one = train(120, 5, TRAIN_SET, config=TINY, checkpoints=1)
    two = train(120, 5, TRAIN_SET, config=TINY, checkpoints=1)
    assert all(np.array_equal(one.weights[k], two.weights[k]) for k in one.weights)
    assert one.training == two.training


def test_a_tiny_training_run_beats_the_random_feasible_policy() -> None:
    """Learning happened: on fixed held-out seeds the agent serves more than random choices."""
    pytest.importorskip("jax")
    agent = train(600, 0, TRAIN_SET, config=TINY, checkpoints=1)
    held_out = [generate(12, 4, seed) for seed in range(100, 106)]
    mine = sum((evaluate(i, agent.allocate(i)).objective for i in held_out), Fraction(0))
    chance = sum((evaluate(i, random_feasible(i, 7)).objective for i in held_out), Fraction(0))
    assert mine > chance
    for instance in held_out:  # only a mandatory transaction no placement can host
        violations = evaluate(instance, agent.allocate(instance)).violations
        assert all(v.constraint is Constraint.MANDATORY for v in violations)
