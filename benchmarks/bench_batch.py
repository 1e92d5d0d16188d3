"""Measure batch work on Dask distributed: dataset scaling, per-task overhead, a campaign.

Run: ``python benchmarks/bench_batch.py [--instances 200] [--transactions 30] [--nodes 8]
[--time-limit 60] [--runs 10000] [--json]``.

The same dataset spec (``--instances`` seeded instances of ``--transactions`` x ``--nodes``,
throughput and welfare in turn, each solved by the MILP oracle on one solver thread) is built
from scratch on a local cluster of 1 worker process, then of 2, in the same run; the ratio is
the 1-worker time over the 2-worker time (cluster start-up excluded, timed apart). The Dask
overhead per task is the wall time of 2,000 empty tasks on 1 worker, per task, and the build's
own: 1-worker wall time minus the solves' seconds, per case. The campaign runs ``--runs``
seeded consensus simulations (n = 4..16, f Byzantine, partition, crash, lossy links) on 2
workers and reports its runs, decisions, faults and safety violations.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import add_json_flag, dumps, run_main

from vdlt_spec.batch import CampaignPlan, build, connect, parse_spec, run_campaign, stream

EMPTY_TASKS = 2000


def _spec(instances: int, transactions: int, nodes: int, time_limit: float) -> dict[str, Any]:
    return {
        "name": f"bench-{instances}x{transactions}x{nodes}",
        "sizes": [[transactions, nodes]],
        "utilities": ["throughput", "welfare"],
        "seeds": {"start": 0, "count": (instances + 1) // 2},
        "solver": {"time_limit": time_limit},
    }


def _build(spec: Any, workers: int, folder: Path) -> dict[str, Any]:
    began = time.perf_counter()
    with connect(workers=workers) as cluster:
        started = time.perf_counter()
        manifest = build(spec, folder, cluster)
        wall = time.perf_counter() - started
    solve = sum(float(c["seconds"]) for c in manifest["cases"])
    return {
        "workers": workers,
        "cases": manifest["counts"]["finished"],
        "proven_optimal": manifest["counts"]["proven_optimal"],
        "status_counts": manifest["status_counts"],
        "startup_seconds": started - began,
        "wall_seconds": wall,
        "solve_seconds": solve,
        "overhead_per_case_seconds": (wall * workers - solve) / max(1, len(manifest["cases"])),
    }


def _empty_tasks() -> float:
    with connect(workers=1) as cluster:
        began = time.perf_counter()
        for _ in stream(cluster, abs, list(range(EMPTY_TASKS))):
            pass
        return (time.perf_counter() - began) / EMPTY_TASKS


def run(
    instances: int, transactions: int, nodes: int, time_limit: float, runs: int
) -> dict[str, Any]:
    """Build the dataset on 1 then 2 workers, time empty tasks, run the campaign."""
    spec = parse_spec(_spec(instances, transactions, nodes, time_limit))
    report: dict[str, Any] = {"spec": spec.document()}
    with tempfile.TemporaryDirectory(prefix="vdlt-bench-batch-") as scratch:
        one = _build(spec, 1, Path(scratch) / "one")
        two = _build(spec, 2, Path(scratch) / "two")
    report["builds"] = [one, two]
    report["speedup_1_to_2"] = one["wall_seconds"] / two["wall_seconds"]
    report["empty_task_seconds"] = _empty_tasks()
    if runs:
        with connect(workers=2) as cluster:
            began = time.perf_counter()
            campaign = run_campaign(cluster, CampaignPlan(), range(runs))
            campaign["wall_seconds"] = time.perf_counter() - began
        report["campaign"] = {k: v for k, v in campaign.items() if k != "violation"}
        report["campaign"]["violation"] = campaign["violation"]
    return report


def render(report: dict[str, Any]) -> str:
    """Lay the figures out as plain text."""
    lines = [f"dataset {report['spec']['name']} (HiGHS, 1 solver thread per worker)"]
    for b in report["builds"]:
        lines.append(
            f"  {b['workers']} worker(s): {b['cases']} cases ({b['proven_optimal']} proven "
            f"optimal) in {b['wall_seconds']:.1f} s (cluster start {b['startup_seconds']:.1f} s);"
            f" solves {b['solve_seconds']:.1f} s; overhead per case "
            f"{1000 * b['overhead_per_case_seconds']:.1f} ms"
        )
    lines.append(f"  speed-up 1 -> 2 workers: {report['speedup_1_to_2']:.2f}x (goal >= 1.8x)")
    lines.append(
        f"Dask overhead per empty task (1 worker, {EMPTY_TASKS} tasks): "
        f"{1000 * report['empty_task_seconds']:.2f} ms"
    )
    c = report.get("campaign")
    if c:
        seen = c["faults_exercised"]
        lines.append(
            f"campaign: {c['runs']} runs, {c['decisions']} decisions, {c['view_changes']} view "
            f"changes; {seen['partition']} partitions, {seen['crash']} crashes, "
            f"{seen['lossy']} lossy runs, {seen['byzantine_replicas']} Byzantine replicas; "
            f"{c['violations']} safety violations; {c['wall_seconds']:.1f} s on 2 workers"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(prog="bench_batch", description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=200, metavar="N")
    parser.add_argument("--transactions", type=int, default=30, metavar="N")
    parser.add_argument("--nodes", type=int, default=8, metavar="N")
    parser.add_argument("--time-limit", type=float, default=60.0, metavar="SECONDS")
    parser.add_argument("--runs", type=int, default=10_000, metavar="K")
    add_json_flag(parser)
    return run_main("bench_batch", _main, parser.parse_args(argv))


def _main(args: argparse.Namespace) -> int:
    report = run(args.instances, args.transactions, args.nodes, args.time_limit, args.runs)
    sys.stdout.write(dumps(report) + "\n" if args.json else render(report) + "\n")
    if args.json:
        json.loads(dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
