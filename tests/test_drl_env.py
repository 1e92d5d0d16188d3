"""The allocation MDP of §IV-F: Gymnasium's checks, masks that keep Eq. (1), exact rewards."""

from __future__ import annotations

import warnings
from dataclasses import replace
from fractions import Fraction

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec.allocation.evaluator import Constraint, evaluate
from vdlt_spec.allocation.generate import generate
from vdlt_spec.allocation.instance import Instance, Utility
from vdlt_spec.drl import (
    ENV_ID,
    REJECT,
    AllocationEnv,
    GeneratorSpec,
    decision_order,
    random_feasible,
)
from vdlt_spec.drl.features import SIZE

SMALL = GeneratorSpec(10, 3)


def _episode(env: AllocationEnv, instance: Instance, seed: int) -> tuple[list[Fraction], dict]:
    """Run a seeded random masked policy; return the exact rewards and the last info."""
    rng = np.random.default_rng(seed)
    obs, info = env.reset(seed=seed, options={"instance": instance})
    gains: list[Fraction] = []
    done = False
    while not done:
        assert np.array_equal(env.action_masks(), info["action_mask"])
        assert env.observation_space.contains(obs)
        action = int(rng.choice(np.flatnonzero(info["action_mask"])))
        obs, reward, done, truncated, info = env.step(action)
        assert not truncated and not info["invalid_action"]
        assert reward == float(info["gain"])
        gains.append(info["gain"])
    return gains, info


def test_the_environment_passes_gymnasiums_checker() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_env(AllocationEnv(generator=SMALL), skip_render_check=True)


def test_the_environment_is_registered_and_runs_in_a_vector_env() -> None:
    envs = gym.vector.SyncVectorEnv([lambda: gym.make(ENV_ID, generator=SMALL) for _ in range(2)])
    obs, info = envs.reset(seed=3)
    assert obs.shape == (2, SIZE)
    rng = np.random.default_rng(0)
    for _ in range(25):
        actions = [int(rng.choice(np.flatnonzero(m))) for m in info["action_mask"]]
        obs, _, _, _, info = envs.step(np.array(actions))
        assert obs.shape == (2, SIZE)
    envs.close()


@settings(max_examples=12, deadline=None)
@given(
    count=st.integers(0, 14),
    nodes=st.integers(1, 5),
    seed=st.integers(0, 10_000),
    utility=st.sampled_from(list(Utility)),
)
def test_rewards_sum_to_the_evaluators_objective_and_nothing_is_violated(
    count: int, nodes: int, seed: int, utility: Utility
) -> None:
    """Whatever allowed actions are taken, the allocation breaks no constraint of Eq. (1)."""
    instance = generate(count, nodes, seed, utility)
    gains, info = _episode(AllocationEnv(), instance, seed)
    ev = evaluate(instance, info["allocation"])
    assert sum(gains, Fraction(0)) == ev.objective
    placeable = {a.transaction for a in info["allocation"].assignments}
    assert all(
        v.constraint is Constraint.MANDATORY and v.subject not in placeable for v in ev.violations
    )
    assert [v.where for v in ev.violations if v.constraint is not Constraint.MANDATORY] == []


def test_generated_instances_are_allocated_with_zero_violations() -> None:
    for seed in range(4):
        instance = generate(30, 8, seed)
        assert evaluate(instance, random_feasible(instance, seed)).violations == ()


def test_c1_is_repaired_and_the_last_reward_pays_for_it() -> None:
    """A decentralization rule that no load meets: the repair drops placements until C1 holds."""
    base = generate(12, 4, 5)
    instance = replace(
        base,
        transactions=tuple(replace(t, mandatory=False) for t in base.transactions),
        decentralization_nodes=len(base.nodes),
        decentralization_share=Fraction(1, 100),
    )
    env = AllocationEnv()
    _, info = env.reset(seed=0, options={"instance": instance})
    total, done = Fraction(0), False
    while not done:
        _, _, done, _, info = env.step(int(np.flatnonzero(info["action_mask"])[0]))
        total += info["gain"]
    ev = evaluate(instance, info["allocation"])
    assert ev.feasible and total == ev.objective
    assert info["gain"] < 0 or ev.admitted == 0


def test_a_mandatory_transaction_cannot_be_rejected_while_it_can_be_placed() -> None:
    instance = next(
        i
        for i in (generate(20, 6, s) for s in range(20))
        if any(t.mandatory for t in i.transactions)
    )
    env = AllocationEnv()
    _, info = env.reset(seed=0, options={"instance": instance})
    first = decision_order(instance)[0]
    assert first.mandatory
    assert not info["action_mask"][REJECT] and info["action_mask"][:REJECT].any()


def test_an_invalid_action_is_replaced_deterministically() -> None:
    instance = generate(20, 6, 2)
    a, b = AllocationEnv(), AllocationEnv()
    _, info = a.reset(seed=0, options={"instance": instance})
    b.reset(seed=0, options={"instance": instance})
    mask = info["action_mask"]
    masked = [i for i in range(REJECT + 1) if not mask[i]]
    bad = masked[0] if masked else 99
    substitute = REJECT if mask[REJECT] else int(np.flatnonzero(mask)[0])
    obs_a, r_a, _, _, info_a = a.step(bad)
    obs_b, r_b, _, _, info_b = b.step(substitute)
    assert info_a["invalid_action"] and not info_b["invalid_action"]
    assert np.array_equal(obs_a, obs_b) and r_a == r_b
    _, _, _, _, info_c = a.step(12345)  # out of the action space: same treatment
    assert info_c["invalid_action"]


def test_episodes_are_deterministic_under_a_seed() -> None:
    def run(seed: int) -> list[np.ndarray]:
        env = AllocationEnv(generator=SMALL)
        obs, info = env.reset(seed=seed)
        seen, done = [obs], False
        while not done:
            obs, _, done, _, info = env.step(int(np.flatnonzero(info["action_mask"])[-1]))
            seen.append(obs)
        return seen

    one, two = run(7), run(7)
    assert len(one) == len(two) and all(np.array_equal(x, y) for x, y in zip(one, two, strict=True))


def test_an_empty_instance_ends_in_one_step() -> None:
    env = AllocationEnv()
    _, info = env.reset(seed=0, options={"instance": generate(0, 2, 1)})
    assert info["action_mask"].tolist() == [False] * REJECT + [True]
    _, reward, done, _, info = env.step(REJECT)
    assert done and reward == 0 and info["allocation"].assignments == ()


def test_step_before_reset_is_refused() -> None:
    from vdlt_spec.errors import SpecError

    with pytest.raises(SpecError):
        AllocationEnv().step(0)
