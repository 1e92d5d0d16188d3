"""Train sb3-contrib's MaskablePPO on ``vdlt/Allocation-v0`` and score it exactly (§IV-F).

An optional extra: ``pip install sb3-contrib`` (it pulls PyTorch). The environment follows
sb3-contrib's convention, ``action_masks()``, so MaskablePPO needs no wrapper; the allocation
the trained policy produces is scored by the exact evaluator like any other.

    python examples/maskable_ppo.py --steps 20000
"""

from __future__ import annotations

import argparse
import sys

import gymnasium as gym

from vdlt_spec.allocation.baselines import density_greedy
from vdlt_spec.allocation.evaluator import Evaluation, evaluate
from vdlt_spec.allocation.generate import generate
from vdlt_spec.drl import ENV_ID, GeneratorSpec, play


def main(steps: int = 4096, seed: int = 0, size: tuple[int, int] = (30, 8)) -> Evaluation:
    """Train MaskablePPO for ``steps`` steps; print and return the evaluation of its allocation."""
    from sb3_contrib import MaskablePPO

    env = gym.make(ENV_ID, generator=GeneratorSpec(*size))
    model = MaskablePPO("MlpPolicy", env, seed=seed, n_steps=256, batch_size=64, verbose=0)
    model.learn(total_timesteps=steps)
    instance = generate(*size, seed=900_000)

    def choose(obs, mask):  # type: ignore[no-untyped-def]
        action, _ = model.predict(obs, action_masks=mask, deterministic=True)
        return int(action)

    mine = evaluate(instance, play(instance, choose))
    greedy = evaluate(instance, density_greedy(instance))
    print(
        f"MaskablePPO after {steps} steps on {instance.name}: feasible={mine.feasible}, "
        f"{mine.utility.value} {float(mine.objective):g} "
        f"(density greedy {float(greedy.objective):g})"
    )
    return mine


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4096)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(args.steps, args.seed)
    sys.exit(0)
