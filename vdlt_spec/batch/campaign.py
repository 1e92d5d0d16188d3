"""Run seeded consensus safety campaigns on a cluster and shrink the first violation (§III-D).

A campaign draws one :class:`CampaignRun` per seed (group size, Byzantine replicas and their
behaviours, a healing partition, a crash, lossy and duplicating links), simulates it with the
deterministic simulator (:func:`vdlt_spec.consensus.sim.simulate`) and judges safety: two
honest replicas committing different blocks at one sequence number, or a commit without a valid
proof, is a violation. Seeds go to the workers in chunks; results stream back as chunks finish,
and the campaign stops at the first violation. That run is then shrunk: faults dropped,
requests, simulated time, Byzantine replicas and the group size reduced, one at a time, as long
as the run still violates safety. A :class:`CampaignRun` is plain data, so the shrunk one is its own
reproduction (:func:`replay`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from vdlt_spec import serial
from vdlt_spec.batch.cluster import BatchCluster, stream
from vdlt_spec.consensus.config import ConsensusConfig, Mode
from vdlt_spec.consensus.sim import (
    Behaviour,
    Crash,
    FaultPlan,
    NetworkParams,
    Partition,
    RunResult,
    Scenario,
    assign_behaviours,
    parse_behaviour,
    simulate,
)
from vdlt_spec.crypto import max_faulty
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict

__all__ = [
    "CHUNK",
    "FAULTS",
    "CampaignPlan",
    "CampaignRun",
    "draw_run",
    "outcome",
    "replay",
    "run_campaign",
    "run_chunk",
    "scenario_of",
    "shrink",
]

#: The network faults a campaign may inject.
FAULTS = ("partition", "crash", "loss")
#: Seeds per task: enough to amortise the engine's per-task cost, few enough to stream.
CHUNK = 20
#: Group sizes of a campaign unless told (3f + 1 and the sizes between, up to 16).
DEFAULT_SIZES = (4, 5, 7, 10, 13, 16)
#: Requests each run submits, one every :data:`REQUEST_INTERVAL` ticks.
DEFAULT_REQUESTS = 6
REQUEST_INTERVAL = 25
#: Simulated ticks a run lasts at most.
DEFAULT_MAX_TIME = 60_000
#: The network's delay range in ticks.
MIN_DELAY, MAX_DELAY = 1, 20
#: Link loss and duplication of a lossy run, until the partition heals.
LINK_FAULT = Fraction(1, 20)
#: Simulations a shrink may spend looking for a smaller violating run.
SHRINK_BUDGET = 300


@dataclass(frozen=True)
class CampaignPlan:
    """Say which runs a campaign draws: sizes, extra Byzantine replicas, behaviour, faults.

    Each run has f = ⌊(n-1)/3⌋ Byzantine replicas plus ``extra`` (``extra = 1`` exceeds the
    fault bound, where safety may fail by design).
    """

    sizes: tuple[int, ...] = DEFAULT_SIZES
    extra: int = 0
    behaviour: str = "mixed"
    faults: tuple[str, ...] = FAULTS
    requests: int = DEFAULT_REQUESTS
    max_time: int = DEFAULT_MAX_TIME

    def __post_init__(self) -> None:
        if not self.sizes or any(n < 4 for n in self.sizes):
            raise SpecError(Reason.BAD_CONSENSUS_PARAMETER, "group sizes must be at least 4")
        if any(max_faulty(n) + self.extra > n for n in self.sizes) or self.extra < 0:
            raise SpecError(Reason.BAD_CONSENSUS_PARAMETER, f"cannot add {self.extra} Byzantine")
        parse_behaviour(self.behaviour, "behaviour")
        unknown = set(self.faults) - set(FAULTS)
        if unknown:
            raise SpecError(
                Reason.BAD_USAGE, f"faults must be among {', '.join(FAULTS)}, got {sorted(unknown)}"
            )


@dataclass(frozen=True)
class CampaignRun:
    """Describe one campaign run as plain data: the scenario, before it is built (§III-D)."""

    seed: int
    n: int
    mode: str
    byzantine: tuple[tuple[int, str], ...]
    partition: tuple[int, int, tuple[int, ...]] | None  # start, end, the isolated replicas
    crash: tuple[int, int, int] | None  # replica, start, recovery
    loss: Fraction
    requests: int
    max_time: int


def draw_run(seed: int, campaign: CampaignPlan) -> CampaignRun:
    """Draw the run of ``seed``: size, Byzantine set, partition, crash, lossy links (§III-D)."""
    rng = random.Random(f"vdlt-campaign/{seed}")
    n = campaign.sizes[seed % len(campaign.sizes)]
    f = max_faulty(n)
    byzantine = assign_behaviours(n, f + campaign.extra, campaign.behaviour, seed)
    honest = [i for i in range(n) if i not in byzantine]
    rng.shuffle(honest)
    heal = rng.randint(300, 1200)
    partition = (
        (rng.randint(0, 200), heal, tuple(sorted(honest[: f + 1])))
        if "partition" in campaign.faults and len(honest) > f + 1
        else None
    )
    down = rng.randint(0, 400)
    # the crashed replica recovers when the partition heals, or just after a later crash
    crash = (honest[-1], down, max(heal, down + 1)) if "crash" in campaign.faults else None
    return CampaignRun(
        seed=seed,
        n=n,
        mode=list(Mode)[seed % 2].value,
        byzantine=tuple(sorted((i, b.value) for i, b in byzantine.items())),
        partition=partition,
        crash=crash,
        loss=LINK_FAULT if "loss" in campaign.faults else Fraction(0),
        requests=campaign.requests,
        max_time=campaign.max_time,
    )


def scenario_of(run: CampaignRun) -> Scenario:
    """Build the simulator's scenario of ``run`` (§III-D)."""
    ends = [run.partition[1]] if run.partition else []
    ends += [run.crash[2]] if run.crash else []
    partitions = (
        () if run.partition is None else (Partition(*run.partition[:2], (run.partition[2],)),)
    )
    crashes = () if run.crash is None else (Crash(*run.crash),)
    return Scenario(
        ConsensusConfig(run.n, mode=Mode(run.mode)),
        seed=run.seed,
        network=NetworkParams(
            MIN_DELAY, MAX_DELAY, run.loss, run.loss, loss_until=max(ends, default=0) or None
        ),
        faults=FaultPlan(partitions, crashes),
        byzantine={i: Behaviour(b) for i, b in run.byzantine},
        requests=run.requests,
        request_interval=REQUEST_INTERVAL,
        max_time=run.max_time,
    )


def unsafe(result: RunResult) -> bool:
    """Tell whether a run broke safety: conflicting honest commits or an unproven commit."""
    return bool(result.conflicts or result.unproven) or result.verdict is Verdict.INVALID


def outcome(run: CampaignRun, result: RunResult) -> dict[str, Any]:
    """Return what a run did as plain data: decisions, faults exercised, safety."""
    return {
        "seed": run.seed,
        "n": run.n,
        "byzantine": len(run.byzantine),
        "behaviours": sorted({b for _, b in run.byzantine}),
        "partition": run.partition is not None,
        "crash": run.crash is not None,
        "lossy": run.loss > 0,
        "decided": result.decided_seqs,
        "view_changes": len(result.new_views),
        "dropped": result.metrics.dropped,
        "conflicts": len(result.conflicts),
        "unproven": len(result.unproven),
        "verdict": result.verdict.value,
        "unsafe": unsafe(result),
        "requests_complete": result.requests_complete,
        "end_time": result.end_time,
    }


def replay(run: CampaignRun) -> dict[str, Any]:
    """Simulate ``run`` again (deterministic in its data) and return its outcome."""
    return outcome(run, simulate(scenario_of(run)))


def run_chunk(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Simulate a chunk of seeds on a worker, stopping at the first unsafe run.

    ``item`` holds ``campaign`` (a :class:`CampaignPlan` as a document) and ``seeds``; each
    outcome carries its run as a document under ``run``.
    """
    campaign = serial.decode(CampaignPlan, item["campaign"])
    done = []
    for seed in item["seeds"]:
        run = draw_run(seed, campaign)
        found = replay(run)
        done.append({**found, "run": serial.encode(run)})
        if found["unsafe"]:
            break
    return done


def _candidates(run: CampaignRun, last: Mapping[str, Any]) -> Iterator[CampaignRun]:
    """Yield smaller variants of ``run``: fewer faults, requests, ticks, Byzantine, replicas."""
    if run.partition is not None:
        yield replace(run, partition=None)
    if run.crash is not None:
        yield replace(run, crash=None)
    if run.loss:
        yield replace(run, loss=Fraction(0))
    if run.requests > 1:
        yield replace(run, requests=run.requests // 2)
    if last["end_time"] + 1 < run.max_time:
        yield replace(run, max_time=last["end_time"] + 1)
    for k in range(len(run.byzantine)):
        yield replace(run, byzantine=run.byzantine[:k] + run.byzantine[k + 1 :])
    for n in range(4, run.n):
        yield _smaller_group(run, n)


def _smaller_group(run: CampaignRun, n: int) -> CampaignRun:
    """Return ``run`` on ``n`` replicas: Byzantine ids renumbered below n, faults trimmed."""
    spare = [i for i in reversed(range(n)) if i not in {r for r, _ in run.byzantine}]
    byzantine = []
    for replica, kind in run.byzantine:
        byzantine.append((replica if replica < n else spare.pop(0), kind))
    taken = {r for r, _ in byzantine}
    partition = None
    if run.partition is not None:
        group = tuple(i for i in run.partition[2] if i < n and i not in taken)
        partition = (run.partition[0], run.partition[1], group) if group else None
    crash = (
        run.crash
        if run.crash is not None and run.crash[0] < n and run.crash[0] not in taken
        else None
    )
    return replace(
        run, n=n, byzantine=tuple(sorted(byzantine)[:n]), partition=partition, crash=crash
    )


def shrink(
    run: CampaignRun, budget: int = SHRINK_BUDGET
) -> tuple[CampaignRun, dict[str, Any], int]:
    """Return the smallest unsafe run found from ``run``, its outcome and the simulations spent.

    Greedy: try each smaller variant in turn and keep the first that still violates safety;
    stop when none does or ``budget`` simulations are spent.
    """
    best, last = run, replay(run)
    spent = 1
    improved = True
    while improved and spent < budget:
        improved = False
        for candidate in _candidates(best, last):
            if spent >= budget:
                break
            try:
                found = replay(candidate)
            except SpecError:
                continue
            spent += 1
            if found["unsafe"]:
                best, last, improved = candidate, found, True
                break
    return best, last, spent


def run_campaign(
    cluster: BatchCluster,
    campaign: CampaignPlan,
    seeds: Sequence[int],
    *,
    chunk: int = CHUNK,
    on_progress: Callable[[int, int], None] | None = None,
    shrink_budget: int = SHRINK_BUDGET,
) -> dict[str, Any]:
    """Run one simulation per seed on ``cluster``; stop at the first safety violation.

    Returns the totals (runs, decisions, view changes, faults and behaviours exercised), the
    runs that failed to complete their requests, and ``violation``: None, or the first unsafe
    run with its seed, its run, and the shrunk run with its outcome.
    """
    document = serial.encode(campaign)
    items = [
        {"campaign": document, "seeds": list(seeds[k : k + chunk])}
        for k in range(0, len(seeds), chunk)
    ]
    totals = {"runs": 0, "decisions": 0, "view_changes": 0, "dropped": 0}
    exercised = {"partition": 0, "crash": 0, "lossy": 0, "byzantine_replicas": 0}
    behaviours: dict[str, int] = {}
    incomplete: list[int] = []
    violation: dict[str, Any] | None = None
    for _, outcomes in stream(cluster, run_chunk, items):
        for o in outcomes:
            totals["runs"] += 1
            totals["decisions"] += o["decided"]
            totals["view_changes"] += o["view_changes"]
            totals["dropped"] += o["dropped"]
            for fault in ("partition", "crash", "lossy"):
                exercised[fault] += int(o[fault])
            exercised["byzantine_replicas"] += o["byzantine"]
            for b in o["behaviours"]:
                behaviours[b] = behaviours.get(b, 0) + 1
            if not o["requests_complete"]:
                incomplete.append(o["seed"])
            if o["unsafe"] and (violation is None or o["seed"] < violation["seed"]):
                violation = o
        if on_progress is not None:
            on_progress(totals["runs"], len(seeds))
        if violation is not None:
            break
    report: dict[str, Any] = {
        "campaign": document,
        "seeds": len(seeds),
        **totals,
        "faults_exercised": exercised,
        "behaviours": dict(sorted(behaviours.items())),
        "incomplete_seeds": sorted(incomplete),
        "violations": 0 if violation is None else 1,
        "violation": None,
    }
    if violation is not None:
        found = serial.decode(CampaignRun, violation["run"])
        small, small_outcome, spent = shrink(found, shrink_budget)
        report["violation"] = {
            "seed": violation["seed"],
            "outcome": {k: v for k, v in violation.items() if k != "run"},
            "run": violation["run"],
            "shrunk": serial.encode(small),
            "shrunk_outcome": small_outcome,
            "shrink_simulations": spent,
        }
    return report
