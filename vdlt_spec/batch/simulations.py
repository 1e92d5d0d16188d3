"""Run seeded economy walks and whole-system runs on the cluster, each checked (§IV-I, Fig. 3).

Two campaigns beside the consensus one (:mod:`.campaign`), with the same shape: one seed is one
run, drawn and checked on a worker; results stream back in chunks; the campaign stops at the
first run that breaks a rule and reports it with its seed and a smaller reproduction.

* **economy**: :func:`vdlt_spec.economics.campaign.campaign` applies random operations, valid and
  invalid, to an economy and checks every invariant after each; a run breaks a rule when it
  records a violation. Its reproduction is the shortest prefix of the walk that still does.
* **system**: :func:`vdlt_spec.system.simulate` runs Fig. 3's pipeline under faults drawn from
  the seed (Byzantine delegates and execution nodes within the fault bound, a crash, loss, a
  partition) and the ``system`` auditor checks the run's trace; a run breaks a rule when the
  audit finds anything.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from vdlt_spec import serial
from vdlt_spec.audit import audit, parse
from vdlt_spec.batch.cluster import BatchCluster, stream
from vdlt_spec.consensus import BEHAVIOUR_CHOICES
from vdlt_spec.crypto import max_faulty
from vdlt_spec.economics.campaign import campaign as economy_walk
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.system import Faults, SystemConfig, render_trace, simulate, summarize
from vdlt_spec.verdict import Verdict

#: Random operations per economy walk (the self-check walks 400).
ECONOMY_STEPS = 400
#: Transactions per system run.
SYSTEM_TRANSACTIONS = 200
#: The largest run either campaign takes (larger ones would run for hours per seed).
MAX_STEPS = 100_000
MAX_TRANSACTIONS = 1_000_000
#: Seeds per task.
CHUNK = 10
#: Findings kept per broken run.
FINDINGS_KEPT = 10
KINDS = ("economy", "system")


@dataclass(frozen=True)
class SimulationPlan:
    """Say which campaign runs and how large each run is (§IV-I, Fig. 3)."""

    kind: str = "economy"
    steps: int = ECONOMY_STEPS  # economy: random operations per walk
    transactions: int = SYSTEM_TRANSACTIONS  # system: transactions per run
    faults: bool = True  # system: draw faults from the seed

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise SpecError(
                Reason.BAD_USAGE, f"campaign kind must be one of {', '.join(KINDS)}: {self.kind!r}"
            )
        for name, most in (("steps", MAX_STEPS), ("transactions", MAX_TRANSACTIONS)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
                raise SpecError(
                    Reason.BAD_USAGE, f"{name} must be an integer in 1..{most}: {value!r}"
                )


def system_config(seed: int, plan: SimulationPlan) -> SystemConfig:
    """Draw the system run of ``seed``: faults within the bound of every group (§III-D, Fig. 3).

    Up to f Byzantine delegates of one behaviour, one Byzantine execution node, one crashed
    execution node, lossy links and a partition at the start of each group's run.
    """
    base = SystemConfig(transactions=plan.transactions)
    if not plan.faults:
        return base
    rng = random.Random(f"vdlt-system-campaign/{seed}")
    faults = Faults(
        byzantine_management=rng.randint(0, max_faulty(base.management)),
        byzantine_execution=rng.randint(0, 1),
        behaviour=rng.choice(sorted(BEHAVIOUR_CHOICES)),
        crashed_execution=rng.randint(0, 1),
        crash_at_ms=rng.randint(0, 2000),
        loss=rng.choice((Fraction(0), Fraction(1, 20))),
        partition_ms=rng.choice((0, 100, 300)),
    )
    return SystemConfig(transactions=plan.transactions, faults=faults)


def economy_outcome(seed: int, plan: SimulationPlan) -> dict[str, Any]:
    """Walk the economy of ``seed`` and return what it did and any violation (§IV-B..§IV-K)."""
    report = economy_walk(seed, plan.steps)
    return {
        "seed": seed,
        "steps": report.steps,
        "accepted": report.accepted,
        "rejected": sum(report.rejected.values()),
        "slashes": report.slashes,
        "amendments_live": report.amendments_live,
        "findings": list(report.violations[:FINDINGS_KEPT]),
        "unsafe": report.verdict is Verdict.INVALID,
    }


def system_outcome(seed: int, plan: SimulationPlan) -> dict[str, Any]:
    """Run the system of ``seed``, audit its trace and return the figures and findings."""
    config = system_config(seed, plan)
    run = simulate(config, seed)
    checked = audit(parse(render_trace(run).splitlines()))
    summary = summarize(run)
    return {
        "seed": seed,
        "config": serial.encode(config),
        "submitted": summary.submitted,
        "confirmed": summary.confirmed,
        "user_blocks": summary.user_blocks,
        "order_decisions": summary.management.decisions,
        "penalties": len(run.penalties),
        "base_units_slashed": summary.slashed,
        "events_audited": checked.checked,
        "findings": [f"{f.rule} (line {f.line}): {f.message}" for f in checked.findings][
            :FINDINGS_KEPT
        ],
        "unsafe": checked.verdict is Verdict.INVALID,
    }


OUTCOMES: dict[str, Callable[[int, SimulationPlan], dict[str, Any]]] = {
    "economy": economy_outcome,
    "system": system_outcome,
}
#: The figures each kind sums over its runs.
TOTALS: dict[str, tuple[str, ...]] = {
    "economy": ("steps", "accepted", "rejected", "slashes", "amendments_live"),
    "system": (
        "submitted",
        "confirmed",
        "user_blocks",
        "order_decisions",
        "penalties",
        "base_units_slashed",
        "events_audited",
    ),
}


def run_chunk(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Run a chunk of seeds on a worker, stopping at the first run that breaks a rule."""
    plan = serial.decode(SimulationPlan, item["plan"])
    done = []
    for seed in item["seeds"]:
        found = OUTCOMES[plan.kind](seed, plan)
        done.append(found)
        if found["unsafe"]:
            break
    return done


def shortest_breaking_walk(seed: int, plan: SimulationPlan) -> int:
    """Return the fewest steps of ``seed``'s economy walk that still record a violation.

    A walk of k steps is the first k steps of a longer one and violations are never taken
    back, so the steps that break a rule are an upward-closed range: bisect it.
    """
    low, high = 1, plan.steps
    while low < high:
        middle = (low + high) // 2
        if economy_walk(seed, middle).verdict is Verdict.INVALID:
            high = middle
        else:
            low = middle + 1
    return low


def run_simulations(
    cluster: BatchCluster,
    plan: SimulationPlan,
    seeds: Sequence[int],
    *,
    chunk: int = CHUNK,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run one checked simulation per seed on ``cluster``; stop at the first broken rule.

    Returns the plan, the number of runs, the kind's totals, and ``violation``: None, or the
    first run that broke a rule (its outcome; for the economy also the shortest walk of the
    same seed that still breaks it).
    """
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise SpecError(Reason.BAD_USAGE, f"chunk must be a positive integer: {chunk!r}")
    document = serial.encode(plan)
    items = [
        {"plan": document, "seeds": list(seeds[k : k + chunk])} for k in range(0, len(seeds), chunk)
    ]
    totals = dict.fromkeys(TOTALS[plan.kind], 0)
    runs = 0
    violation: dict[str, Any] | None = None
    for _, outcomes in stream(cluster, run_chunk, items):
        for o in outcomes:
            runs += 1
            for key in totals:
                totals[key] += o[key]
            if o["unsafe"] and (violation is None or o["seed"] < violation["seed"]):
                violation = dict(o)
        if on_progress is not None:
            on_progress(runs, len(seeds))
        if violation is not None:
            break
    if violation is not None and plan.kind == "economy":
        violation["shortest_steps"] = shortest_breaking_walk(violation["seed"], plan)
    return {
        "plan": document,
        "seeds": len(seeds),
        "runs": runs,
        "totals": totals,
        "violations": 0 if violation is None else 1,
        "violation": violation,
    }
