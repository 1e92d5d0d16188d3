"""Pose Eq. (1) as a Markov decision process: the Gymnasium environment of §IV-F.

One episode allocates one instance. The transactions are decided one per step in a fixed
order (mandatory first, then by utility per reserved GHz, :func:`density`); a step chooses one
entry of the transaction's placement menu (:mod:`vdlt_spec.drl.menu`) or rejects it (the last
action). Transactions whose menu is empty are rejected without a step. The reward of a step
is what the decision adds to the objective (:func:`vdlt_spec.drl.menu.gain`); at the end C1 is
repaired if it fails and the last reward subtracts what the repair dropped, so the rewards of
an episode sum to ``evaluate(instance, allocation).objective`` exactly (``info["gain"]`` holds
each reward as a ``Fraction``; the float reward is its nearest double).

Masks (``action_masks()``, and ``info["action_mask"]``): a menu entry is allowed only where it
exists (it fits the free capacity and meets every local constraint by the evaluator's own
report); reject is allowed unless the transaction is mandatory and has an entry. C1 is masked
where the partial allocation decides it: at the last transaction of the order, an entry that
would leave C1 violated is masked while another choice keeps it; otherwise C1 is checked at the
end and repaired (:func:`vdlt_spec.drl.menu.repair_decentralization`). An action outside the
mask is replaced deterministically: by reject where reject is allowed, else by the first
allowed entry; ``info["invalid_action"]`` says so. See docs/drl.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from vdlt_spec.allocation.baselines import density
from vdlt_spec.allocation.decision import Allocation, Assignment
from vdlt_spec.allocation.generate import generate
from vdlt_spec.allocation.instance import (
    Instance,
    TransactionStream,
    Utility,
    check_float_range,
)
from vdlt_spec.allocation.reservations import Reservations
from vdlt_spec.drl import features
from vdlt_spec.drl.fastfeatures import fast_observe
from vdlt_spec.drl.fastmenu import ScaledReservations, fast_menu
from vdlt_spec.drl.menu import (
    MENU_SIZE,
    decentralization_slack,
    gain,
    menu,
    repair_decentralization,
)
from vdlt_spec.errors import Reason, SpecError

#: The registered name of the environment.
ENV_ID = "vdlt/Allocation-v0"
#: The version of the MDP (order, menu, features, reward); agent files record it.
ENV_VERSION = 1
#: The reject action: the last of ``Discrete(MENU_SIZE + 1)``.
REJECT = MENU_SIZE


@dataclass(frozen=True)
class GeneratorSpec:
    """Say which instances the environment draws per episode: the generator's size (§IV-E)."""

    transactions: int = 30
    nodes: int = 8
    utility: Utility = Utility.THROUGHPUT

    def draw(self, seed: int) -> Instance:
        """Return the generator's instance for ``seed``."""
        return generate(self.transactions, self.nodes, seed, self.utility)


def decision_order(instance: Instance) -> list[TransactionStream]:
    """Return the order the environment decides transactions in: mandatory, then density."""
    return sorted(
        instance.transactions, key=lambda t: (not t.mandatory, -density(instance, t), t.id)
    )


Chooser = Callable[[NDArray[np.float32], NDArray[np.bool_]], int]


def play(instance: Instance, choose: Chooser, *, fast: bool = True) -> Allocation:
    """Run one episode on ``instance``, ``choose(obs, mask)`` picking each action (§IV-F).

    ``fast`` builds the menus from scaled integers (:mod:`vdlt_spec.drl.fastmenu`), else by
    the readable path (:mod:`vdlt_spec.drl.menu`); both give the same episode.
    """
    env = AllocationEnv(fast=fast)
    obs, info = env.reset(seed=0, options={"instance": instance})
    done = False
    while not done:
        obs, _, done, _, info = env.step(choose(obs, info["action_mask"]))
    allocation: Allocation = info["allocation"]
    return allocation


def random_feasible(instance: Instance, seed: int) -> Allocation:
    """Allocate ``instance`` by a uniformly random allowed action per step (a baseline)."""
    rng = np.random.default_rng(seed)
    return play(instance, lambda _, mask: int(rng.choice(np.flatnonzero(mask))))


class AllocationEnv(gym.Env[NDArray[np.float32], np.int64]):
    """Allocate one instance of Eq. (1) per episode, one transaction per step (§IV-F).

    ``instances``: the episode's instance is drawn from them with the reset's seed; without
    them, ``generator`` draws a fresh generator instance per episode. ``reset(options={"instance":
    inst})`` allocates a given instance. ``fast`` (the default) builds each menu from scaled
    integers (:func:`vdlt_spec.drl.fastmenu.fast_menu`), ``fast=False`` by the readable
    :func:`vdlt_spec.drl.menu.menu`: the same menus, masks and episodes.
    """

    metadata: dict[str, Any] = {"render_modes": []}  # noqa: RUF012 - Gymnasium's convention

    def __init__(
        self,
        instances: tuple[Instance, ...] | list[Instance] = (),
        generator: GeneratorSpec | None = None,
        *,
        fast: bool = True,
    ) -> None:
        """Set the episodes' source: the given instances, else the ``generator``."""
        self.fast = fast
        self.instances = tuple(instances)
        self.generator = generator or GeneratorSpec()
        if not self.instances and self.generator.transactions < 0:
            raise SpecError(Reason.PARAMETER_OUT_OF_RANGE, "the generator needs transactions >= 0")
        self.action_space = gym.spaces.Discrete(MENU_SIZE + 1)
        self.observation_space = gym.spaces.Box(
            -features.BOUND, features.BOUND, (features.SIZE,), dtype=np.float32
        )
        self._instance: Instance | None = None

    # --- the episode ---------------------------------------------------------------------

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[NDArray[np.float32], dict[str, Any]]:
        """Start an episode on the given, a listed or a generated instance (§IV-F)."""
        super().reset(seed=seed)
        given = (options or {}).get("instance")
        if isinstance(given, Instance):
            instance = given
        elif self.instances:
            instance = self.instances[int(self.np_random.integers(len(self.instances)))]
        else:
            instance = self.generator.draw(int(self.np_random.integers(2**31 - 1)))
        check_float_range(instance)
        self._instance = instance
        self._order = decision_order(instance)
        self._state = ScaledReservations(instance) if self.fast else Reservations(instance)
        self._scale = features.Scale.of(instance, self._order)
        self._cursor = 0
        self._skip()
        return self._observe(), self._info(Fraction(0), invalid=False)

    def step(
        self, action: np.int64 | int
    ) -> tuple[NDArray[np.float32], float, bool, bool, dict[str, Any]]:
        """Decide the current transaction: place it as menu entry ``action``, or reject it."""
        if self._instance is None:
            raise SpecError(Reason.BAD_USAGE, "call reset() before step()")
        mask = self._mask
        chosen = int(action) if self.action_space.contains(np.int64(action)) else -1
        invalid = chosen < 0 or not mask[chosen]
        if invalid:
            chosen = REJECT if mask[REJECT] else int(np.flatnonzero(mask)[0])
        earned = Fraction(0)
        if self._cursor < len(self._order):
            tx = self._order[self._cursor]
            entry = self._menu[chosen] if chosen != REJECT else None
            if entry is not None:
                self._state.commit(tx, entry)
                earned += gain(self._instance, tx, entry)
            self._cursor += 1
            self._skip()
        done = self._cursor >= len(self._order)
        if done:
            for tx, entry in repair_decentralization(self._state, self._order):
                earned -= gain(self._instance, tx, entry)
        info = self._info(earned, invalid=invalid)
        if done:
            info["allocation"] = self.allocation()
        return self._observe(), float(earned), done, False, info

    def action_masks(self) -> NDArray[np.bool_]:
        """Return the allowed actions, sb3-contrib's convention: one bool per action (§IV-F)."""
        return self._mask.copy()

    def allocation(self) -> Allocation:
        """Return the allocation decided so far, in decision order (§IV-E)."""
        placed = self._state.placed
        return Allocation(tuple(placed[t.id] for t in self._order if t.id in placed))

    @property
    def instance(self) -> Instance:
        """Return the instance of the current episode."""
        if self._instance is None:
            raise SpecError(Reason.BAD_USAGE, "call reset() first")
        return self._instance

    # --- internals -----------------------------------------------------------------------

    def _skip(self) -> None:
        """Move to the next transaction that has a menu entry; build its menu and mask."""
        while self._cursor < len(self._order):
            tx = self._order[self._cursor]
            state = self._state
            self._menu = (
                fast_menu(state, tx) if isinstance(state, ScaledReservations) else menu(state, tx)
            )
            if any(a is not None for a in self._menu):
                self._mask = self._allowed(tx)
                return
            self._cursor += 1
        self._menu = (None,) * MENU_SIZE
        self._mask = np.zeros(MENU_SIZE + 1, dtype=bool)
        self._mask[REJECT] = True

    def _allowed(self, tx: TransactionStream) -> NDArray[np.bool_]:
        mask = np.array([a is not None for a in self._menu] + [not tx.mandatory], dtype=bool)
        if self._cursor == len(self._order) - 1:
            keeps = [self._keeps_decentralization(tx, a) for a in self._menu]
            keeps.append(self._keeps_decentralization(tx, None))
            decided = mask & np.array(keeps, dtype=bool)
            if decided.any():
                mask = decided
        return mask

    def _keeps_decentralization(self, tx: TransactionStream, a: Assignment | None) -> bool:
        if a is None:
            return decentralization_slack(self.instance, list(self._state.load.values())) >= 0
        loads = dict(self._state.load)
        for r in a.replicas:
            loads[r.node] += tx.throughput_tps
        return decentralization_slack(self.instance, list(loads.values())) >= 0

    def _info(self, earned: Fraction, *, invalid: bool) -> dict[str, Any]:
        return {
            "action_mask": self._mask.copy(),
            "gain": earned,
            "gain_scale": float(self._scale.gain),
            "invalid_action": invalid,
        }

    def _observe(self) -> NDArray[np.float32]:
        tx = self._order[self._cursor] if self._cursor < len(self._order) else None
        state, reject = self._state, bool(self._mask[REJECT])
        if isinstance(state, ScaledReservations):
            return fast_observe(
                self.instance, state, self._order, self._cursor, tx, self._menu, reject, self._scale
            )
        return features.observe(
            self.instance, state, self._order, self._cursor, tx, self._menu, reject, self._scale
        )
