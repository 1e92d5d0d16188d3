"""Read the best-known allocations of benchmark instances (docs/allocation.md §6, D-alloc-24).

`benchmarks/best_known/` holds, one file per instance name, an allocation better than the
oracle's own answer within its time limit (one found outside the oracle). The benchmarks
score against it and prove from it; nothing in it is trusted: the exact evaluator re-scores
every file, and an infeasible one stops the benchmark.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from vdlt_spec.allocation.decision import Allocation
from vdlt_spec.allocation.evaluator import evaluate
from vdlt_spec.allocation.instance import Instance
from vdlt_spec.allocation.schema import parse_allocation

#: Allocations better than the oracle's own, one file per instance name.
BEST_KNOWN = Path(__file__).resolve().parent / "best_known"


def best_known(instance: Instance) -> tuple[Allocation, Fraction] | None:
    """Return the stored best-known allocation of an instance and its utility, if any."""
    path = BEST_KNOWN / f"{instance.name}.json"
    if not path.exists():
        return None
    allocation = parse_allocation(json.loads(path.read_text()))
    ev = evaluate(instance, allocation)
    if not ev.feasible:
        raise SystemExit(f"{path}: infeasible for {instance.name}")
    return allocation, ev.objective
