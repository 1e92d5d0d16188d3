"""Run one replica of iPBFT or classic PBFT as a pure step function (§III-D, §IV-D).

:func:`step` maps (state, event) to (state, outputs); :class:`ReplicaStep` accumulates one step
for the handlers (:mod:`.normal`, :mod:`.collector`, :mod:`.classic`, :mod:`.checkpoint`,
:mod:`.catchup`, :mod:`.viewchange`, :mod:`.retransmit`); :mod:`.state` holds the replica's
frozen state, the events it consumes and the outputs it emits.
"""

from __future__ import annotations

from vdlt_spec.consensus.replica.context import HONEST, Policy, ReplicaStep, VotingRules
from vdlt_spec.consensus.replica.state import (
    CLIENT,
    GENESIS_DIGEST,
    Broadcast,
    Decide,
    Deliver,
    Fire,
    Output,
    Recover,
    ReplicaEvent,
    ReplicaState,
    RetransmitTimer,
    Send,
    StartTimer,
    Status,
    Timer,
)
from vdlt_spec.consensus.replica.transition import initial_state, rules_for, step

__all__ = [
    "CLIENT",
    "GENESIS_DIGEST",
    "HONEST",
    "Broadcast",
    "Decide",
    "Deliver",
    "Fire",
    "Output",
    "Policy",
    "Recover",
    "ReplicaEvent",
    "ReplicaState",
    "ReplicaStep",
    "RetransmitTimer",
    "Send",
    "StartTimer",
    "Status",
    "Timer",
    "VotingRules",
    "initial_state",
    "rules_for",
    "step",
]
