"""Write ``economy.run`` inputs past genesis on a small chain whose nodes sign with known keys.

A :class:`Script` replays its operations on the reference economy while it is written, so that
signed evidence can name the roster an election really seated and the keys of the nodes it
seated. The vector holds only the genesis allocations, the parameters and the operations (plain
JSON); its expectation is computed by ``economy.run`` like that of every other vector. The
scripts run on an experimental chain (ten million base units, four epochs a year, four
delegates, one-epoch governance stages) so that a few operations reach every transition
(§IV-B..§IV-K).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from vdlt_spec import serial
from vdlt_spec.conformance.suite import VectorInput
from vdlt_spec.economics import economy
from vdlt_spec.economics.operations import (
    Bond,
    EndEpoch,
    Operation,
    Register,
    Stake,
    SubmitEvidence,
    VoteWithLock,
)
from vdlt_spec.economics.penalties import DoubleSignEvidence, SlashingEvidence
from vdlt_spec.economics.signing import (
    compressed_public_key,
    double_sign_evidence,
    simulation_secret_key,
)
from vdlt_spec.economics.simulation import QUALIFIED_SPEC
from vdlt_spec.errors import SpecError
from vdlt_spec.governance.dpos import election_id
from vdlt_spec.governance.parameters import ParameterChange, Parameters
from vdlt_spec.roles import NodeRole

OP = "economy.run"
KEY_SEED = 7
"""Seed of the simulation keys the scripts' nodes register and sign with."""
MANAGERS = ("m0", "m1", "m2", "m3", "m4")
"""Management/control candidates; four of them are seated (``delegate_count`` 4)."""
DECLARED = {"m0": 9_000, "m1": 10_000, "m2": 11_000, "m3": 12_000, "m4": 13_000, "x0": 7}
"""Declared pay per decision or block; the seated delegates' median spends the pool in 3."""
ALLOCATIONS = {"h0": 4_000_000, "h1": 4_500_000, "x0": 500_000, "x1": 500_000} | dict.fromkeys(
    MANAGERS, 100_000
)
"""Genesis: two holders, two execution nodes, five managers; ten million base units in all."""
PARAMS: dict[str, Any] = {
    "conforming": False,
    "genesis_supply": 10_000_000,
    "epochs_per_year": 4,
    "inflation_rate": "1/25",
    "min_collateral": 100,
    "delegate_count": 4,
    "poll_period_epochs": 1,
    "vote_period_epochs": 1,
    "test_period_epochs": 1,
}
"""The experimental chain of the scripts: issuance 100,000 base units an epoch at 4 %."""
NEXT = (ParameterChange("inflation_rate", Fraction(1, 50)),)
"""The change of an amendment submitted only to probe the stage (accepted in PROPOSAL only)."""


def secret(name: str) -> bytes:
    """Return the simulation secret key of node ``name``."""
    return simulation_secret_key(KEY_SEED, name)


def key(name: str) -> bytes:
    """Return the compressed public key node ``name`` registers."""
    return compressed_public_key(secret(name))


class Script:
    """Write one ``economy.run`` input while replaying it on the reference economy."""

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        self.params = {**PARAMS, **(params or {})}
        live = serial.decode(Parameters, self.params, "$.params")
        self.econ = economy.start(ALLOCATIONS, live)
        self.ops: list[Operation] = []

    def do(self, *ops: Operation) -> Script:
        """Append operations; apply each to the replica, keeping it when it is refused."""
        for op in ops:
            self.ops.append(op)
            with contextlib.suppress(SpecError):
                self.econ = economy.apply(self.econ, op)
        return self

    @property
    def epoch(self) -> int:
        """Return the epoch the replayed economy is in."""
        return self.econ.epoch

    def roster(self, epoch: int) -> list[bytes]:
        """Return the keys seated in ``epoch``, in election order."""
        return [entry.key for entry in self.econ.registry.rosters.get(epoch, ())]

    def seated(self, epoch: int) -> list[str]:
        """Return the accounts seated in ``epoch``, in election order."""
        return [entry.account for entry in self.econ.registry.rosters.get(epoch, ())]

    def elect(self, *voters: str, k: int = 1) -> Script:
        """Have each candidate vote for itself and ``voters`` for m0, then end the epoch."""
        ballot = election_id(self.epoch)
        votes = [VoteWithLock(m, ballot, 10, k, m) for m in MANAGERS]
        votes += [VoteWithLock(v, ballot, 1_000, k, "m0") for v in voters]
        return self.do(*votes, EndEpoch())

    def evidence(self, reporter: str, evidence: SlashingEvidence) -> Script:
        """Submit evidence (§IV-J)."""
        return self.do(SubmitEvidence(reporter, evidence))

    def vector(self, name: str, comment: str) -> VectorInput:
        """Return the vector input of the script so far."""
        payload = {
            "allocations": ALLOCATIONS,
            "params": self.params,
            "operations": serial.encode(self.ops),
        }
        return VectorInput(f"economy-{name}", OP, payload, comment)


def running(params: Mapping[str, Any] | None = None) -> Script:
    """Bond, register and elect the managers; x0 executes; h0, h1 and x0 stake (epoch 1)."""
    script = Script(params)
    for name in (*MANAGERS, "x0"):
        role = NodeRole.EXECUTION if name == "x0" else NodeRole.MANAGEMENT_CONTROL
        script.do(Bond(name, 100), Register(name, role, key(name), DECLARED[name], QUALIFIED_SPEC))
    script.do(Stake("h0", 1_000_000), Stake("h1", 1_000_000), Stake("x0", 100_000))
    return script.elect()


def double_sign(script: Script, name: str, epoch: int, seq: int = 1) -> DoubleSignEvidence:
    """Return ``name``'s two signed PREPAREs for (view 0, ``seq``) in ``epoch``'s domain."""
    return double_sign_evidence(secret(name), epoch, 0, seq, roster=script.roster(epoch))
