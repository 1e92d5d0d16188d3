"""Solve Eq. (1) by deep reinforcement learning (§IV-F): the Gymnasium environment, the agent.

The environment (``vdlt/Allocation-v0``) poses an instance as an MDP whose action masks keep
every local constraint of Eq. (1); the agent is a Double DQN (JAX and optax, the ``drl``
extra, needed for training only); an agent file turns into an allocator with
:func:`allocator_from_file`. See docs/drl.md.
"""

from __future__ import annotations

import gymnasium

from vdlt_spec.drl.agent import (
    AGENT_FORMAT,
    Agent,
    agent_document,
    agent_from_document,
    allocator_from_file,
    load_agent,
    save_agent,
)
from vdlt_spec.drl.dqn import DqnConfig, LearningPoint, train
from vdlt_spec.drl.env import (
    ENV_ID,
    ENV_VERSION,
    REJECT,
    AllocationEnv,
    GeneratorSpec,
    decision_order,
    play,
    random_feasible,
)
from vdlt_spec.drl.menu import MENU_SIZE, RANKINGS

__all__ = [
    "AGENT_FORMAT",
    "ENV_ID",
    "ENV_VERSION",
    "MENU_SIZE",
    "RANKINGS",
    "REJECT",
    "Agent",
    "AllocationEnv",
    "DqnConfig",
    "GeneratorSpec",
    "LearningPoint",
    "agent_document",
    "agent_from_document",
    "allocator_from_file",
    "decision_order",
    "load_agent",
    "play",
    "random_feasible",
    "save_agent",
    "train",
]

if ENV_ID not in gymnasium.registry:
    gymnasium.register(ENV_ID, entry_point="vdlt_spec.drl.env:AllocationEnv")
