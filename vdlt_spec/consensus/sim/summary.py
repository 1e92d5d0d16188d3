"""Summarize a simulated run: decisions, execution, messages, conflicts and culprits (§III-D).

:func:`summarize` turns a :class:`~.scenario.RunResult` into the flat record that
``vdlt consensus simulate`` prints (as a table or as JSON): the headline figures of one run
of iPBFT or classic PBFT, and who its conflicting commits convict (§IV-J).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vdlt_spec.consensus.accountability import Verifier
from vdlt_spec.consensus.config import Mode
from vdlt_spec.consensus.sim.scenario import RunResult, Scenario, Signatures, culprits
from vdlt_spec.verdict import Verdict

#: Decimal places of the mean number of messages per decided sequence number.
MESSAGES_PER_DECISION_DIGITS = 2


@dataclass(frozen=True)
class ConflictingCommits:
    """Name one sequence number two honest replicas committed differently (§III-D)."""

    seq: int
    replicas: tuple[int, int]


@dataclass(frozen=True)
class Convicted:
    """Name one replica the evidence convicts and the rule it broke (§IV-J)."""

    replica: int
    rule: str


@dataclass(frozen=True)
class RunSummary:
    """Hold the headline figures of one simulated run (§III-D, §IV-D).

    ``messages_per_decision`` is the mean messages per decided sequence number rounded to
    :data:`MESSAGES_PER_DECISION_DIGITS` places (0 when nothing was decided): a reported
    figure, never an input to a decision.
    """

    verdict: Verdict
    mode: Mode
    signatures: Signatures
    n: int
    f: int
    byzantine: Mapping[str, str]
    decided_sequence_numbers: int
    executed_min: int
    executed_max: int
    final_views: tuple[int, ...]
    messages: int
    messages_per_decision: float
    bytes: int
    messages_by_type: Mapping[str, int]
    signatures_verified: int
    conflicts: tuple[ConflictingCommits, ...]
    culprits: tuple[Convicted, ...]
    simulated_time: int


def summarize(scenario: Scenario, result: RunResult, verifier: Verifier) -> RunSummary:
    """Summarize a run of ``scenario``: figures, conflicts and the replicas convicted (§IV-J).

    Culprits are sought only when the run has conflicting commits; ``verifier`` is the
    signature scheme the run used.
    """
    named = culprits(result, verifier) if result.conflicts else ()
    executed = list(result.executed.values())
    decided = result.decided_seqs
    per = result.metrics.messages / decided if decided else 0
    return RunSummary(
        verdict=result.verdict,
        mode=scenario.config.mode,
        signatures=scenario.signatures,
        n=scenario.config.n,
        f=scenario.config.f,
        byzantine={str(i): str(b) for i, b in scenario.byzantine.items()},
        decided_sequence_numbers=decided,
        executed_min=min(executed, default=0),
        executed_max=max(executed, default=0),
        final_views=tuple(sorted(set(result.final_views.values()))),
        messages=result.metrics.messages,
        messages_per_decision=round(per, MESSAGES_PER_DECISION_DIGITS),
        bytes=result.metrics.bytes,
        messages_by_type=result.metrics.messages_by_type,
        signatures_verified=result.metrics.signatures_verified,
        conflicts=tuple(
            ConflictingCommits(c.seq, (c.first.replica, c.second.replica)) for c in result.conflicts
        ),
        culprits=tuple(Convicted(e.culprit, str(e.rule)) for e in named),
        simulated_time=result.end_time,
    )
