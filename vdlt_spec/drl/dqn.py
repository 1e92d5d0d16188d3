"""Train the reference agent of §IV-F: a Double DQN with a target network and replay (JAX).

The whitepaper solves Eq. (1) with a deep Q-network. This is Double DQN (van Hasselt et al.
2016): the online network picks the next action, the target network (a copy refreshed every
``target_every`` steps) values it, transitions come from a replay buffer, the loss is Huber,
the optimiser Adam (optax) with gradient clipping. Exploration is epsilon-greedy over the
allowed actions only; the next state's maximum is taken over its allowed actions only.
Rewards are divided by the episode's ``gain_scale`` (the mean gain of a transaction) so that
one network serves every instance size; with ``gamma = 1`` the return is the objective.

Seeded and reproducible: NumPy's generator drives the episodes, exploration and replay, JAX's
key the initial weights (drawn in NumPy), and XLA runs on one CPU thread. JAX and optax are the
``drl`` extra; without them :func:`train` is ``MISSING_EXTRA``.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from vdlt_spec.allocation.baselines import density_greedy
from vdlt_spec.allocation.evaluator import evaluate
from vdlt_spec.allocation.instance import Instance
from vdlt_spec.drl import features
from vdlt_spec.drl.agent import Agent, greedy_action, init_weights, q_values
from vdlt_spec.drl.env import AllocationEnv, GeneratorSpec
from vdlt_spec.errors import Reason, SpecError

#: XLA on one CPU thread: reproducible, and fair to a shared machine.
ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
#: Validation instances drawn from the generator when none are given.
VALIDATION_SEEDS = (1_000_001, 1_000_002, 1_000_003)


@dataclass(frozen=True)
class DqnConfig:
    """Hold the hyperparameters of Double DQN (§IV-F); the agent file records them."""

    hidden: int = 64
    learning_rate: float = 5e-4
    gamma: float = 1.0
    batch: int = 64
    buffer: int = 50_000
    learning_starts: int = 500
    train_every: int = 1
    target_every: int = 500
    epsilon_start: float = 1.0
    epsilon_end: float = 0.02
    epsilon_fraction: float = 0.5
    max_grad_norm: float = 10.0

    def check(self) -> DqnConfig:
        """Return the configuration, or ``PARAMETER_OUT_OF_RANGE`` naming what is off."""
        ok = (
            self.hidden >= 1
            and self.learning_rate > 0
            and 0 <= self.gamma <= 1
            and 1 <= self.batch <= self.buffer
            and self.learning_starts >= 0
            and self.train_every >= 1
            and self.target_every >= 1
            and 0 <= self.epsilon_end <= self.epsilon_start <= 1
            and 0 < self.epsilon_fraction <= 1
        )
        if not ok:
            raise SpecError(Reason.PARAMETER_OUT_OF_RANGE, f"bad DQN configuration: {self}")
        return self


@dataclass(frozen=True)
class LearningPoint:
    """Record one validation of the greedy policy during training: its share of the greedy."""

    step: int
    episodes: int
    versus_greedy: float  # mean of agent objective / density-greedy objective on validation


def jax_modules() -> tuple[Any, Any, Any]:
    """Import JAX and optax on one CPU thread, or raise ``MISSING_EXTRA`` (§IV-F)."""
    os.environ.setdefault("XLA_FLAGS", ONE_THREAD)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    try:
        jax = importlib.import_module("jax")
        jnp = importlib.import_module("jax.numpy")
        optax = importlib.import_module("optax")
    except ImportError:
        raise SpecError(
            Reason.MISSING_EXTRA,
            "training an agent needs JAX and optax: pip install 'vdlt-spec[drl]'",
        ) from None
    return jax, jnp, optax


@functools.lru_cache(maxsize=8)
def _update_function(config: DqnConfig) -> tuple[Callable[..., Any], Any]:
    """Return the jitted Double-DQN update and the optimiser (one compilation per config)."""
    jax, jnp, optax = jax_modules()
    optimiser = optax.chain(
        optax.clip_by_global_norm(config.max_grad_norm), optax.adam(config.learning_rate)
    )

    def q_all(params: Any, obs: Any) -> Any:
        head = obs[:, : features.GLOBAL]
        rows = obs[:, features.GLOBAL :].reshape(obs.shape[0], features.ACTIONS, -1)
        x = jnp.concatenate(
            [jnp.broadcast_to(head[:, None, :], (*rows.shape[:2], head.shape[-1])), rows], -1
        )
        x = jax.nn.relu(x @ params["w1"] + params["b1"])
        x = jax.nn.relu(x @ params["w2"] + params["b2"])
        return (x @ params["w3"] + params["b3"])[..., 0]

    def loss(params: Any, target: Any, batch: Any) -> Any:
        obs, action, reward, next_obs, done, next_mask = batch
        index = jnp.arange(obs.shape[0])
        q = q_all(params, obs)[index, action]
        online_next = jnp.where(next_mask, q_all(params, next_obs), -1e9)
        chosen = jnp.argmax(online_next, axis=1)
        value_next = q_all(target, next_obs)[index, chosen]
        y = reward + config.gamma * (1.0 - done) * jax.lax.stop_gradient(value_next)
        return jnp.mean(optax.huber_loss(q, y))

    def update(params: Any, target: Any, opt_state: Any, batch: Any) -> Any:
        value, grads = jax.value_and_grad(loss)(params, target, batch)
        updates, opt_state = optimiser.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, value

    return jax.jit(update), optimiser


class _Replay:
    """Hold the last ``capacity`` transitions in preallocated arrays."""

    def __init__(self, capacity: int) -> None:
        self.obs = np.zeros((capacity, features.SIZE), np.float32)
        self.next_obs = np.zeros((capacity, features.SIZE), np.float32)
        self.action = np.zeros(capacity, np.int32)
        self.reward = np.zeros(capacity, np.float32)
        self.done = np.zeros(capacity, np.float32)
        self.next_mask = np.zeros((capacity, features.ACTIONS), bool)
        self.capacity, self.size, self.head = capacity, 0, 0

    def add(self, *row: Any) -> None:
        arrays = (self.obs, self.action, self.reward, self.next_obs, self.done, self.next_mask)
        for array, value in zip(arrays, row, strict=True):
            array[self.head] = value
        self.head = (self.head + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, rng: np.random.Generator, batch: int) -> tuple[Any, ...]:
        i = rng.integers(self.size, size=batch)
        return (
            self.obs[i],
            self.action[i],
            self.reward[i],
            self.next_obs[i],
            self.done[i],
            self.next_mask[i],
        )


def _versus_greedy(weights: Any, validation: Sequence[tuple[Instance, float]]) -> float:
    agent = Agent(weights, {})
    shares = []
    for instance, greedy in validation:
        mine = float(evaluate(instance, agent.allocate(instance)).objective)
        shares.append(mine / greedy if greedy > 0 else 1.0)
    return float(np.mean(shares)) if shares else float("nan")


def train(
    steps: int,
    seed: int,
    instances: Sequence[Instance] = (),
    generator: GeneratorSpec | None = None,
    config: DqnConfig = DqnConfig(),
    on_progress: Callable[[int, int], None] | None = None,
    on_checkpoint: Callable[[Agent, LearningPoint], None] | None = None,
    checkpoints: int = 10,
) -> Agent:
    """Train a Double DQN agent for ``steps`` environment steps, seeded (§IV-F).

    Episodes come from ``instances`` (drawn with the seed) or the ``generator``. Every
    ``steps // checkpoints`` steps (and at the end) the greedy policy is validated against the
    density greedy on three validation instances (the first three of ``instances``, or three
    generator draws outside training: the learning curve) and ``on_checkpoint`` is
    told. ``on_progress(done, total)`` counts steps.
    """
    config.check()
    if steps < 1 or checkpoints < 1:
        raise SpecError(Reason.PARAMETER_OUT_OF_RANGE, "need steps >= 1 and checkpoints >= 1")
    _, jnp, _ = jax_modules()
    update, optimiser = _update_function(config)
    rng = np.random.default_rng(seed)
    weights = init_weights(config.hidden, rng)
    params = {k: jnp.asarray(v) for k, v in weights.items()}
    target = dict(params)
    opt_state = optimiser.init(params)
    env = AllocationEnv(tuple(instances), generator)
    held_out = (
        list(instances[:3]) if instances else [env.generator.draw(s) for s in VALIDATION_SEEDS]
    )
    validation = [(i, float(evaluate(i, density_greedy(i)).objective)) for i in held_out]
    replay = _Replay(min(config.buffer, max(steps, config.batch)))
    curve: list[LearningPoint] = []
    every = max(steps // checkpoints, 1)
    obs, info = env.reset(seed=int(rng.integers(2**31 - 1)))
    episodes, returns = 0, []
    episode_return = 0.0
    decay = max(int(config.epsilon_fraction * steps), 1)
    for step in range(1, steps + 1):
        mask = info["action_mask"]
        eps = config.epsilon_start + (config.epsilon_end - config.epsilon_start) * min(
            (step - 1) / decay, 1.0
        )
        if rng.random() < eps:
            action = int(rng.choice(np.flatnonzero(mask)))
        else:
            action = greedy_action(q_values(weights, obs), mask)
        scale = info["gain_scale"]
        next_obs, reward, done, _, info = env.step(action)
        episode_return += reward
        replay.add(obs, action, reward / scale, next_obs, float(done), info["action_mask"])
        obs = next_obs
        if done:
            episodes += 1
            returns.append(episode_return)
            episode_return = 0.0
            obs, info = env.reset(seed=int(rng.integers(2**31 - 1)))
        if step > config.learning_starts and step % config.train_every == 0:
            batch = tuple(jnp.asarray(x) for x in replay.sample(rng, config.batch))
            params, opt_state, _ = update(params, target, opt_state, batch)
            weights = {k: np.asarray(v) for k, v in params.items()}
        if step % config.target_every == 0:
            target = dict(params)
        if on_progress is not None:
            on_progress(step, steps)
        if step % every == 0 or step == steps:
            point = LearningPoint(step, episodes, _versus_greedy(weights, validation))
            curve.append(point)
            if on_checkpoint is not None:
                on_checkpoint(_agent(weights, config, seed, step, episodes, curve), point)
    return _agent(weights, config, seed, steps, episodes, curve)


def _agent(
    weights: Any, config: DqnConfig, seed: int, step: int, episodes: int, curve: list[LearningPoint]
) -> Agent:
    return Agent(
        {k: np.array(v, dtype=np.float32) for k, v in weights.items()},
        {"algorithm": "double-dqn", "seed": seed, **asdict(config)},
        {
            "steps": step,
            "episodes": episodes,
            "curve": [asdict(p) for p in curve],
        },
    )
