"""Score the DRL allocator of §IV-F against the exact oracle on a fixed held-out set (docs/drl.md).

Held-out set: generator instances at 30 x 8, 100 x 20 and 200 x 40 (seeds from 900000, never
drawn in training), each solved by the MILP oracle (`vdlt_spec.models.milp`, HiGHS, one
thread). Per instance and allocator (the agent, the density greedy, the per-class greedy of
§IV-G, a random-feasible policy, and the agent once more on the readable menu path, the
speed peer of its fast path): the share of the proven optimum (or of the best known
allocation, with the oracle's gap, marked), feasibility and time. Per size: mean share
+- 2 sigma / sqrt(n), paired wins / ties / losses of the agent against each baseline, and the
agent's inference time against the oracle's time to its answer (the ratio). Micro instances
(3 transactions x 4 nodes) are scored against exhaustive enumeration.

    python benchmarks/bench_drl.py                          # the reference agents of examples/
    python benchmarks/bench_drl.py --agent A.json --counts 4,2,1 --micro 3   # a smoke run
    python benchmarks/bench_drl.py --agent A.json --plot-dir docs/img        # the pictures

``--json`` prints every measurement as one JSON document instead of the tables.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from fractions import Fraction
from pathlib import Path

from harness import add_json_flag, dumps, log_line, run_main

from vdlt_spec.allocation.baselines import density_greedy, per_class_greedy
from vdlt_spec.allocation.decision import Allocation
from vdlt_spec.allocation.evaluator import evaluate
from vdlt_spec.allocation.exhaustive import exhaustive_optimum
from vdlt_spec.allocation.generate import DEFAULT_SETTINGS, PROFILES, generate
from vdlt_spec.allocation.instance import Instance
from vdlt_spec.cos import ServiceClass
from vdlt_spec.drl import Agent, load_agent, play, random_feasible
from vdlt_spec.drl.agent import greedy_action, q_values
from vdlt_spec.models.milp import solve

SIZES = ((30, 8), (100, 20), (200, 40))
COUNTS = (20, 10, 5)
FIRST_SEED = 900_000
MICRO_SEED = 950_000
TIME_LIMIT = 120.0
BASELINES = ("density-greedy", "per-class-greedy", "random-feasible")
#: The same agent acting on the readable menu and features (env fast=False): the speed peer.
READABLE = "agent (readable menu)"
ALLOCATORS = ("agent", READABLE, *BASELINES)
#: The reference agents: one trained per size (docs/drl.md gives the commands).
AGENTS = {
    "*": "examples/agent.json",
    "100x20": "examples/agent-100x20.json",
    "200x40": "examples/agent-200x40.json",
}
#: Micro instances: four execution nodes, no control nodes, two rate levels, one control level.
MICRO_SETTINGS = replace(
    DEFAULT_SETTINGS,
    control_nodes=0,
    rate_levels_ghz=(Fraction(2), Fraction(8)),
    control_levels_ghz=(Fraction(1),),
    profiles={c: p for c, p in PROFILES.items() if c is not ServiceClass.MANAGEMENT_CONTROL},
)


@dataclass
class Row:
    """One held-out instance: the oracle's answer and each allocator's standing."""

    size: str
    seed: int
    optimum: float
    proven: bool
    gap: float | None
    oracle_seconds: float
    share: dict[str, float | None] = field(default_factory=dict)  # None: infeasible
    seconds: dict[str, float] = field(default_factory=dict)


def _timed(
    allocate: Callable[[Instance], Allocation], instance: Instance
) -> tuple[float, Allocation]:
    began = time.perf_counter()
    allocation = allocate(instance)
    return time.perf_counter() - began, allocation


def _allocators(agent: Agent) -> dict[str, Callable[[Instance], Allocation]]:
    return {
        "agent": agent.allocate,
        READABLE: lambda instance: play(
            instance,
            lambda obs, mask: greedy_action(q_values(agent.weights, obs), mask),
            fast=False,
        ),
        "density-greedy": density_greedy,
        "per-class-greedy": per_class_greedy,
        "random-feasible": lambda instance: random_feasible(instance, 0),
    }


def measure(agent: Agent, n: int, j: int, seed: int, time_limit: float) -> Row:
    """Solve one held-out instance exactly and score every allocator against it."""
    instance = generate(n, j, seed)
    report = solve(instance, threads=1, time_limit=time_limit)
    assert report.allocation is not None and report.objective is not None, report.detail
    best = float(report.objective)
    row = Row(f"{n}x{j}", seed, best, report.proven_optimal, report.gap, report.seconds)
    for name, allocate in _allocators(agent).items():
        seconds, allocation = _timed(allocate, instance)
        ev = evaluate(instance, allocation)
        row.seconds[name] = seconds
        row.share[name] = float(ev.objective) / best if ev.feasible and best > 0 else None
    return row


def micro(agent: Agent, seed: int) -> Row:
    """Score every allocator on a micro instance against exhaustive enumeration (§IV-E)."""
    instance = generate(3, 4, seed, settings=MICRO_SETTINGS)
    began = time.perf_counter()
    best = exhaustive_optimum(instance)
    seconds = time.perf_counter() - began
    optimum = float(best.evaluation.objective) if best.evaluation is not None else 0.0
    row = Row("micro 3x4", seed, optimum, True, 0.0, seconds)
    for name, allocate in _allocators(agent).items():
        spent, allocation = _timed(allocate, instance)
        ev = evaluate(instance, allocation)
        row.seconds[name] = spent
        row.share[name] = float(ev.objective) / optimum if ev.feasible and optimum > 0 else None
    return row


def _mean_band(values: list[float]) -> str:
    if not values:
        return "-"
    mean = statistics.fmean(values)
    band = 2 * statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return f"{100 * mean:.1f} +- {100 * band:.1f} %"


def _wins(rows: list[Row], other: str) -> str:
    win = tie = loss = 0
    for r in rows:
        mine, theirs = r.share["agent"] or 0.0, r.share[other] or 0.0
        if math.isclose(mine, theirs, abs_tol=1e-12):
            tie += 1
        elif mine > theirs:
            win += 1
        else:
            loss += 1
    return f"{win}/{tie}/{loss}"


def size_table(rows: list[Row]) -> str:
    """Return the summary per size: shares, feasibility, wins, times."""
    lines = [
        "| size | n | optimum proven | allocator | share of optimum (mean +- 2 sigma/sqrt n) | "
        "min | feasible | agent wins/ties/losses | mean s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in dict.fromkeys(r.size for r in rows):
        group = [r for r in rows if r.size == size]
        proven = sum(r.proven for r in group)
        for name in ALLOCATORS:
            shares = [r.share[name] for r in group]
            feasible = [s for s in shares if s is not None]
            versus = "-" if name == "agent" else _wins(group, name)
            seconds = statistics.fmean(r.seconds[name] for r in group)
            lines.append(
                f"| {size} | {len(group)} | {proven}/{len(group)} | {name} | "
                f"{_mean_band([s or 0.0 for s in shares])} | "
                f"{100 * min(s or 0.0 for s in shares):.1f} % | {len(feasible)}/{len(group)} | "
                f"{versus} | {seconds:.3f} |"
            )
        oracle = statistics.fmean(r.oracle_seconds for r in group)
        agent = statistics.fmean(r.seconds["agent"] for r in group)
        readable = statistics.fmean(r.seconds[READABLE] for r in group)
        lines.append(
            f"| {size} | {len(group)} | | oracle ({'exhaustive' if 'micro' in size else 'MILP'}) "
            f"| 100 % | | {len(group)}/{len(group)} | oracle s / agent s = "
            f"{oracle / max(agent, 1e-9):.2f}; readable s / agent s = "
            f"{readable / max(agent, 1e-9):.2f} | {oracle:.3f} |"
        )
    return "\n".join(lines)


def instance_table(rows: list[Row]) -> str:
    """Return one line per instance: optimum (proven or gap), each share, times."""
    head = " | ".join(f"{n} %" for n in ALLOCATORS)
    lines = [
        f"| instance | optimum | {head} | agent s | oracle s |",
        "|---|---|" + "---|" * (len(ALLOCATORS) + 2),
    ]
    for r in rows:
        best = f"{r.optimum:g}" + ("" if r.proven else f" (best known, gap {r.gap:.2%})")
        cells = " | ".join(
            "infeasible" if r.share[n] is None else f"{100 * (r.share[n] or 0):.1f}"
            for n in ALLOCATORS
        )
        lines.append(
            f"| {r.size} s{r.seed} | {best} | {cells} | {r.seconds['agent']:.3f} | "
            f"{r.oracle_seconds:.2f} |"
        )
    return "\n".join(lines)


def plots(directory: Path, rows: list[Row], agents: dict[str, Agent]) -> None:
    """Draw the learning curves and the share of the optimum per allocator and size."""
    from vdlt_spec.cli.plots import bar_chart, line_chart

    line_chart(
        directory / "drl-learning-curve.png",
        "DQN training: greedy policy on validation instances",
        [
            (
                f"agent for {'every size' if size == '*' else size}",
                [(p["step"], p["versus_greedy"]) for p in agent.training.get("curve", [])],
            )
            for size, agent in agents.items()
        ],
        ("environment steps", "utility relative to the density greedy"),
    )
    sizes = list(dict.fromkeys(r.size for r in rows))
    bars = [
        (
            name,
            [
                100 * statistics.fmean(r.share[name] or 0.0 for r in rows if r.size == s)
                for s in sizes
            ],
        )
        for name in ALLOCATORS
        if name != READABLE
    ]
    bar_chart(
        directory / "drl-share.png",
        "Share of the optimum per allocator (held-out set)",
        sizes,
        bars,
        ("size", "mean share of the optimum, %"),
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--agent",
        action="append",
        default=[],
        metavar="[SIZE=]FILE",
        help="agent file for every size, or for one size (e.g. 100x20=agent-100.json); "
        "default: the reference agents of examples/ (agent.json, agent-100x20.json, "
        "agent-200x40.json)",
    )
    parser.add_argument("--counts", default=",".join(map(str, COUNTS)), metavar="A,B,C")
    parser.add_argument("--micro", type=int, default=10, metavar="N")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT, metavar="SECONDS")
    parser.add_argument("--plot-dir", type=Path, metavar="DIR")
    add_json_flag(parser)
    return run_main("bench_drl", _main, parser.parse_args(argv))


def _main(args: argparse.Namespace) -> int:
    files = dict(AGENTS) if not args.agent else {"*": AGENTS["*"]}
    for given in args.agent:
        size, _, path = given.rpartition("=")
        files[size or "*"] = path
    agents = {size: load_agent(path) for size, path in files.items()}
    default = agents["*"]
    counts = [int(c) for c in args.counts.split(",")]
    rows: list[Row] = []
    for (n, j), count in zip(SIZES, counts, strict=False):
        agent = agents.get(f"{n}x{j}", default)
        for seed in range(FIRST_SEED, FIRST_SEED + count):
            rows.append(measure(agent, n, j, seed, args.time_limit))
            log_line(f"  {rows[-1].size} s{seed}: {rows[-1].share}", quiet=args.json)
    tiny = [micro(default, seed) for seed in range(MICRO_SEED, MICRO_SEED + args.micro)]
    if args.plot_dir is not None:
        plots(args.plot_dir, rows, agents)
    if args.json:
        sys.stdout.write(
            dumps({"rows": [asdict(r) for r in rows], "micro": [asdict(r) for r in tiny]})
        )
        return 0
    for size, path in files.items():
        trained = agents[size].training
        print(f"agent for {'every size' if size == '*' else size}: {path}, "
              f"{trained.get('steps')} training steps")  # fmt: skip
    print()
    print(size_table(rows + tiny))
    print()
    print(instance_table(rows + tiny))
    return 0


if __name__ == "__main__":
    sys.exit(main())
