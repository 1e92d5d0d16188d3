"""Simulate a consensus group: network, cluster, Byzantine behaviours and scenarios (§III-D).

:func:`simulate` runs a :class:`Scenario` (group, seed, network, faults, Byzantine set,
workload) over the deterministic :class:`Network` and judges safety and liveness;
:func:`nemesis_run` draws and judges one Jepsen-style fault schedule from a seed;
:func:`explore` drives a :class:`Cluster` adversarially through view changes;
:func:`build_scenario` builds one from its headline figures.
"""

from __future__ import annotations

from vdlt_spec.consensus.sim.byzantine import (
    BEHAVIOUR_CHOICES,
    COLLUDE,
    MIXED,
    Adversary,
    Behaviour,
    assign_behaviours,
    parse_behaviour,
)
from vdlt_spec.consensus.sim.cluster import Cluster
from vdlt_spec.consensus.sim.explore import ExplorationReport, Explorer, explore
from vdlt_spec.consensus.sim.nemesis import NemesisConfig, NemesisResult, nemesis_run
from vdlt_spec.consensus.sim.network import (
    ClockSkew,
    Crash,
    FaultPlan,
    Network,
    NetworkParams,
    Partition,
)
from vdlt_spec.consensus.sim.scenario import (
    Commit,
    Conflict,
    Metrics,
    RunResult,
    Scenario,
    Signatures,
    build_scenario,
    culprits,
    make_scheme,
    simulate,
)
from vdlt_spec.consensus.sim.summary import ConflictingCommits, Convicted, RunSummary, summarize
from vdlt_spec.consensus.sim.view_change_script import differing_prepared_run

__all__ = [
    "BEHAVIOUR_CHOICES",
    "COLLUDE",
    "MIXED",
    "Adversary",
    "Behaviour",
    "ClockSkew",
    "Cluster",
    "Commit",
    "Conflict",
    "ConflictingCommits",
    "Convicted",
    "Crash",
    "ExplorationReport",
    "Explorer",
    "FaultPlan",
    "Metrics",
    "NemesisConfig",
    "NemesisResult",
    "Network",
    "NetworkParams",
    "Partition",
    "RunResult",
    "RunSummary",
    "Scenario",
    "Signatures",
    "assign_behaviours",
    "build_scenario",
    "culprits",
    "differing_prepared_run",
    "explore",
    "make_scheme",
    "nemesis_run",
    "parse_behaviour",
    "simulate",
    "summarize",
]
