"""The fast menu of §IV-F equals the readable one: menus, masks, observations, episodes."""

from __future__ import annotations

import copy
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec.allocation.generate import generate
from vdlt_spec.allocation.instance import Instance, Utility
from vdlt_spec.drl import AllocationEnv, load_agent, play
from vdlt_spec.drl.agent import Weights, greedy_action, q_values
from vdlt_spec.drl.fastmenu import ScaledReservations, fast_menu
from vdlt_spec.drl.menu import Reservations, menu

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _odd(instance: Instance) -> Instance:
    """Return ``instance`` with awkward denominators in every scaled unit family."""
    nodes = tuple(
        replace(
            n,
            cpu_ghz=n.cpu_ghz * Fraction(7, 3),
            bandwidth_mbps=n.bandwidth_mbps * Fraction(11, 7),
            storage_gb=n.storage_gb * Fraction(5, 3),
            trust=1 - (1 - n.trust) * Fraction(2, 3),
            compute_price=n.compute_price * Fraction(9, 7),
        )
        for n in instance.nodes
    )
    txs = tuple(
        replace(
            t,
            size_kb=t.size_kb * Fraction(3, 13),
            storage_gb=t.storage_gb * Fraction(4, 3),
            latency_ms=t.latency_ms * Fraction(17, 16),
            budget=t.budget * Fraction(13, 11),
            throughput_tps=t.throughput_tps * Fraction(5, 7),
        )
        for t in instance.transactions
    )
    return replace(
        instance,
        nodes=nodes,
        transactions=txs,
        rate_levels_ghz=tuple(r * Fraction(7, 5) for r in instance.rate_levels_ghz),
        control_capacity_ghz=instance.control_capacity_ghz * Fraction(3, 2),
    )


instances = st.builds(
    lambda size, seed, utility, odd: (_odd if odd else (lambda i: i))(
        generate(size[0], size[1], seed, utility)
    ),
    st.sampled_from([(5, 3), (10, 4), (16, 6)]),
    st.integers(0, 10_000),
    st.sampled_from(list(Utility)),
    st.booleans(),
)


def _same_state(fast: ScaledReservations, readable: Reservations) -> None:
    p = fast.plan
    for j, n in enumerate(fast.instance.nodes):
        assert fast.cpu[n.id] == readable.cpu[n.id] == Fraction(fast.cpu_i[j], p.ghz)
        assert fast.disk[n.id] == readable.disk[n.id] == Fraction(fast.disk_i[j], p.gb)
        assert fast.link[n.id] == readable.link[n.id] == Fraction(fast.link_i[j], p.mbps)
        assert fast.load[n.id] == readable.load[n.id] == Fraction(fast.load_i[j], p.tps)
    assert fast.control == readable.control == Fraction(fast.control_i, p.ghz)
    assert fast.placed == readable.placed


@settings(max_examples=25, deadline=None)
@given(instances, st.integers(0, 2**32 - 1))
def test_fast_episodes_equal_readable_ones_step_by_step(instance: Instance, seed: int) -> None:
    fast, readable = AllocationEnv(fast=True), AllocationEnv(fast=False)
    obs_f, info_f = fast.reset(seed=0, options={"instance": instance})
    obs_r, info_r = readable.reset(seed=0, options={"instance": instance})
    rng = np.random.default_rng(seed)
    done, step = False, 0
    while True:
        assert np.array_equal(obs_f, obs_r)
        assert np.array_equal(info_f["action_mask"], info_r["action_mask"])
        assert fast._menu == readable._menu
        assert isinstance(fast._state, ScaledReservations)
        _same_state(fast._state, readable._state)
        if step % 4 == 0:  # every transaction's menu on this partial allocation
            for tx in instance.transactions:
                if tx.id not in readable._state.placed:
                    assert fast_menu(fast._state, tx) == menu(readable._state, tx)
        if done:
            break
        # any action, allowed or not: the deterministic replacement must agree too
        action = int(rng.integers(-1, 11)) if rng.random() < 0.1 else None
        if action is None:
            action = int(rng.choice(np.flatnonzero(info_f["action_mask"])))
        obs_f, rew_f, done, _, info_f = fast.step(action)
        obs_r, rew_r, done_r, _, info_r = readable.step(action)
        assert (rew_f, done, info_f["gain"]) == (rew_r, done_r, info_r["gain"])
        step += 1
    assert info_f["allocation"] == info_r["allocation"]


def test_the_example_agents_allocate_as_by_the_readable_menu() -> None:
    for name, size, seed in (("agent.json", (30, 8), 900_000), ("agent-100x20.json", (12, 5), 7)):
        agent = load_agent(EXAMPLES / name)
        weights = agent.weights

        def choose(obs: np.ndarray, mask: np.ndarray, weights: Weights = weights) -> int:
            return greedy_action(q_values(weights, obs), mask)

        instance = generate(size[0], size[1], seed)
        assert play(instance, choose, fast=True) == play(instance, choose, fast=False)
        assert agent.allocate(instance) == play(instance, choose, fast=False)


def test_scaled_data_of_a_placement_is_the_same_computed_anew() -> None:
    instance = _odd(generate(12, 5, 3, Utility.WELFARE))
    state = ScaledReservations(instance)
    for tx in instance.transactions:
        entries = [a for a in fast_menu(state, tx) if a is not None]
        for a in entries:
            kept, anew = state.entry(tx, a), state.entry(tx, replace(a))
            assert anew.assignment is not a
            assert (kept.nodes, kept.rates, kept.cost) == (anew.nodes, anew.rates, anew.cost)
        if entries:
            state.commit(tx, entries[0])


def test_a_copied_environment_goes_on_as_the_original() -> None:
    instance = generate(12, 5, 11)
    env = AllocationEnv()
    _, info = env.reset(seed=0, options={"instance": instance})
    env.step(int(np.flatnonzero(info["action_mask"])[0]))
    twin = copy.deepcopy(env)
    rng = np.random.default_rng(5)
    done = False
    while not done:
        action = int(rng.choice(np.flatnonzero(env.action_masks())))
        obs, _, done, _, info = env.step(action)
        obs_t, _, _, _, info_t = twin.step(action)
        assert np.array_equal(obs, obs_t)
    assert info["allocation"] == info_t["allocation"]
