"""Hold the reference DQN agent of §IV-F as plain data: its Q-network, file and allocator.

The Q-network scores each action of the MDP from the state's global features and the
action's own row (:mod:`vdlt_spec.drl.features`): one small MLP, shared by all actions, so
``Q(s, a) = MLP([global(s), row_a(s)])``. Acting is a masked argmax, computed here in NumPy:
using a trained agent needs no JAX (training does, :mod:`vdlt_spec.drl.dqn`).

An agent file is one JSON document: the format name, the environment's id and version, the
network's shape, the training configuration and summary, and each weight array as base64 of
its little-endian float32 bytes with its shape. Loading a file made for another environment
version is ``BAD_INPUT_FILE``: its features would mean something else.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vdlt_spec.allocation.baselines import Allocator
from vdlt_spec.allocation.decision import Allocation
from vdlt_spec.allocation.instance import Instance
from vdlt_spec.drl import features
from vdlt_spec.drl.env import ENV_ID, ENV_VERSION, play
from vdlt_spec.errors import Reason, SpecError

#: The ``format`` field of an agent file.
AGENT_FORMAT = "vdlt-drl-agent"
#: Names of the Q-network's arrays, input layer first.
WEIGHT_NAMES = ("w1", "b1", "w2", "b2", "w3", "b3")
Weights = dict[str, NDArray[np.float32]]


def init_weights(hidden: int, rng: np.random.Generator) -> Weights:
    """Return a freshly initialised Q-network (He-uniform weights, zero biases)."""
    sizes = [features.GLOBAL + features.PER_ACTION, hidden, hidden, 1]
    out: Weights = {}
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes), 1):
        limit = np.sqrt(6.0 / n_in)
        out[f"w{i}"] = rng.uniform(-limit, limit, (n_in, n_out)).astype(np.float32)
        out[f"b{i}"] = np.zeros(n_out, dtype=np.float32)
    return out


def action_inputs(obs: NDArray[np.float32]) -> NDArray[np.float32]:
    """Return the network's input per action, shape (..., actions, global + per-action)."""
    head = obs[..., : features.GLOBAL]
    rows = obs[..., features.GLOBAL :].reshape(*obs.shape[:-1], features.ACTIONS, -1)
    tiled = np.broadcast_to(head[..., None, :], (*rows.shape[:-1], head.shape[-1]))
    return np.concatenate([tiled, rows], axis=-1)


def q_values(weights: Mapping[str, NDArray[np.float32]], obs: NDArray[np.float32]) -> Any:
    """Return Q(s, a) for every action of each observation (NumPy), shape (..., actions)."""
    x = action_inputs(obs)
    x = np.maximum(x @ weights["w1"] + weights["b1"], 0.0)
    x = np.maximum(x @ weights["w2"] + weights["b2"], 0.0)
    return (x @ weights["w3"] + weights["b3"])[..., 0]


def greedy_action(q: NDArray[np.floating[Any]], mask: NDArray[np.bool_]) -> int:
    """Return the allowed action of highest value; ties go to the lowest index."""
    return int(np.argmax(np.where(mask, q, -np.inf)))


@dataclass(frozen=True)
class Agent:
    """Hold a trained agent: its weights, its configuration and what training reported."""

    weights: Weights
    config: Mapping[str, Any]
    training: Mapping[str, Any] = field(default_factory=dict)
    env_id: str = ENV_ID
    env_version: int = ENV_VERSION

    def allocate(self, instance: Instance) -> Allocation:
        """Allocate ``instance`` by the masked greedy policy (§IV-F); the evaluator scores it."""
        return play(instance, lambda obs, mask: greedy_action(q_values(self.weights, obs), mask))


def _encode(array: NDArray[np.float32]) -> dict[str, Any]:
    data = np.ascontiguousarray(array, dtype="<f4").tobytes()
    return {"shape": list(array.shape), "data": base64.b64encode(data).decode("ascii")}


def _decode(name: str, entry: Any) -> NDArray[np.float32]:
    try:
        shape = tuple(int(x) for x in entry["shape"])
        raw = base64.b64decode(entry["data"], validate=True)
        return np.frombuffer(raw, dtype="<f4").reshape(shape).astype(np.float32)
    except (KeyError, TypeError, ValueError) as exc:
        raise SpecError(
            Reason.BAD_INPUT_FILE, f"agent weight {name!r} is malformed: {exc}"
        ) from None


def agent_document(agent: Agent) -> dict[str, Any]:
    """Return the agent as one JSON-serialisable document (the agent file's content)."""
    return {
        "format": AGENT_FORMAT,
        "env_id": agent.env_id,
        "env_version": agent.env_version,
        "network": {
            "global_features": features.GLOBAL,
            "action_features": features.PER_ACTION,
            "actions": features.ACTIONS,
            "hidden": int(agent.weights["w1"].shape[1]),
        },
        "config": dict(agent.config),
        "training": dict(agent.training),
        "weights": {name: _encode(agent.weights[name]) for name in WEIGHT_NAMES},
    }


def agent_from_document(data: Any, where: str = "agent file") -> Agent:
    """Read an agent document; another format or environment version is ``BAD_INPUT_FILE``."""
    if not isinstance(data, dict) or data.get("format") != AGENT_FORMAT:
        raise SpecError(Reason.BAD_INPUT_FILE, f"{where} is not a {AGENT_FORMAT} document")
    if data.get("env_id") != ENV_ID or data.get("env_version") != ENV_VERSION:
        raise SpecError(
            Reason.BAD_INPUT_FILE,
            f"{where} was trained for {data.get('env_id')!r} version {data.get('env_version')!r}; "
            f"this is {ENV_ID!r} version {ENV_VERSION}: train the agent again",
        )
    network, raw = data.get("network"), data.get("weights")
    if not isinstance(network, dict) or not isinstance(raw, dict):
        raise SpecError(Reason.BAD_INPUT_FILE, f"{where} lacks its network or weights")
    weights = {name: _decode(name, raw.get(name)) for name in WEIGHT_NAMES}
    hidden = weights["w1"].shape[-1] if weights["w1"].ndim == 2 else -1
    expected = init_weights(max(hidden, 1), np.random.default_rng(0))
    if any(weights[n].shape != expected[n].shape for n in WEIGHT_NAMES):
        raise SpecError(Reason.BAD_INPUT_FILE, f"{where}: the weights do not fit the network")
    config, training = data.get("config", {}), data.get("training", {})
    if not isinstance(config, dict) or not isinstance(training, dict):
        raise SpecError(Reason.BAD_INPUT_FILE, f"{where}: config and training must be objects")
    return Agent(weights, config, training)


def save_agent(agent: Agent) -> str:
    """Return the text of the agent file for ``agent`` (write it with an atomic writer)."""
    return json.dumps(agent_document(agent), indent=1, sort_keys=True) + "\n"


def load_agent(path: Path | str) -> Agent:
    """Read an agent file (§IV-F); unreadable or foreign files are ``BAD_INPUT_FILE``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SpecError(Reason.BAD_INPUT_FILE, f"cannot read agent file {path}: {exc}") from None
    return agent_from_document(data, f"agent file {path}")


def allocator_from_file(path: Path | str) -> Allocator:
    """Return the allocator an agent file describes: instance in, allocation out (§IV-F)."""
    return load_agent(path).allocate
