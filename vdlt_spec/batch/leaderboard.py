"""Score allocators over a dataset: share of the optimum, feasibility and time (§IV-E, §IV-F).

Each (allocator, case) pair is one task: the worker resolves the allocator by name, allocates
the case's instance, and scores the allocation against the oracle's with
:func:`vdlt_spec.allocation.score.score` (exact arithmetic; the share is exact where the oracle
proved its optimum). The leaderboard gives, per allocator, the mean share with its 2σ/√n
half-width (an infeasible allocation counts as share 0), the feasible count, paired wins against
every other allocator and the time spent, total and per instance.

An allocator is a name: a baseline (``density-greedy``, ``per-class-greedy``, or
``per-class``), ``oracle`` (the dataset's own allocation), ``module:factory`` (a zero-argument
factory returning an ``Instance -> Allocation`` callable) or the path of an agent file, which
:mod:`vdlt_spec.drl` loads.
"""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from vdlt_spec.allocation.baselines import BASELINES, Allocator
from vdlt_spec.batch.cluster import BatchCluster, stream
from vdlt_spec.batch.dataset import verify
from vdlt_spec.batch.store import read_document
from vdlt_spec.drl import allocator_from_file
from vdlt_spec.errors import Reason, SpecError

__all__ = [
    "ALIASES",
    "ORACLE",
    "Allocator",
    "leaderboard",
    "load_dataset",
    "resolve_allocator",
    "score_case",
    "score_dataset",
]

#: The allocator that returns the dataset's own (oracle) allocation.
ORACLE = "oracle"
#: Short names of the baselines.
ALIASES = {"per-class": "per-class-greedy", "density": "density-greedy"}
_RESOLVED: dict[str, Allocator | None] = {}


def _agent(path: Path) -> Allocator:
    """Load an agent file (:func:`vdlt_spec.drl.allocator_from_file`, §IV-F)."""
    return allocator_from_file(path)


def _factory(text: str) -> Allocator:
    module_name, _, attribute = text.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SpecError(
            Reason.BAD_ALLOCATOR, f"{text}: cannot import {module_name} ({exc})"
        ) from None
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise SpecError(Reason.BAD_ALLOCATOR, f"{text}: {module_name} has no factory {attribute}")
    allocator = factory()
    if not callable(allocator):
        raise SpecError(Reason.BAD_ALLOCATOR, f"{text}: the factory returned no callable")
    return allocator  # type: ignore[no-any-return]


def resolve_allocator(name: str) -> Allocator | None:
    """Return the allocator called ``name`` (None for ``oracle``); else ``BAD_ALLOCATOR``.

    Resolved allocators are kept per process, so a worker loads a factory or an agent once.
    """
    if name in _RESOLVED:
        return _RESOLVED[name]
    found: Allocator | None
    if name == ORACLE:
        found = None
    elif ALIASES.get(name, name) in BASELINES:
        found = BASELINES[ALIASES.get(name, name)]
    elif Path(name).is_file():
        found = _agent(Path(name))
    elif ":" in name:
        found = _factory(name)
    else:
        names = ", ".join([*BASELINES, *ALIASES, ORACLE])
        raise SpecError(
            Reason.BAD_ALLOCATOR, f"{name!r} is none of {names}, module:factory or an agent file"
        )
    _RESOLVED[name] = found
    return found


def load_dataset(folder: Path) -> list[dict[str, Any]]:
    """Return a dataset's finished cases that have an allocation, checked against the manifest.

    Each case is ``{"name", "instance", "allocation", "report"}`` (file texts and the report
    document). A file whose sha256 differs from the manifest is ``BAD_DATASET``.
    """
    check = verify(folder)
    if check["problems"]:
        raise SpecError(
            Reason.BAD_DATASET,
            f"{folder}: {len(check['problems'])} problems, e.g. {check['problems'][0]}",
        )
    manifest = read_document(folder / "manifest.json")
    cases = []
    for entry in manifest["cases"]:
        if entry["sha256"]["allocation"] is None:
            continue
        base = folder / "cases" / entry["name"]
        cases.append(
            {
                "name": entry["name"],
                "instance": (base / "instance.json").read_text(encoding="utf-8"),
                "allocation": (base / "allocation.json").read_text(encoding="utf-8"),
                "report": read_document(base / "report.json"),
            }
        )
    if not cases:
        raise SpecError(Reason.BAD_DATASET, f"{folder}: no solved case to score against")
    return cases


def _text(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def score_case(item: Mapping[str, Any]) -> dict[str, Any]:
    """Allocate one case with one allocator and score it against the oracle, on a worker.

    ``item`` holds ``allocator`` (a name) and ``case`` (as :func:`load_dataset` returns it).
    The result's utilities and shares are exact rationals as strings; ``seconds`` is the
    allocator's time (the oracle's solve time for ``oracle``).
    """
    from vdlt_spec.allocation.schema import loads_instance, parse_allocation
    from vdlt_spec.allocation.score import Reference, score
    from vdlt_spec.serial import load_json

    case = item["case"]
    report = case["report"]
    instance = loads_instance(case["instance"])
    reference = Reference(
        allocation=parse_allocation(load_json(case["allocation"])),
        bound=None if report.get("bound") is None else Fraction(str(report["bound"])),
        proven=bool(report["proven_optimal"]),
        instance=instance.name,
    )
    allocator = resolve_allocator(item["allocator"])
    began = time.perf_counter()
    if allocator is None:
        allocation, seconds = reference.allocation, float(report.get("seconds", 0.0))
    else:
        allocation = allocator(instance)
        seconds = time.perf_counter() - began
    standing = score(instance, allocation, reference)
    return {
        "allocator": item["allocator"],
        "instance": case["name"],
        "feasible": standing.feasible,
        "objective": _text(standing.objective),
        "best": _text(standing.best),
        "proven": standing.proven,
        "share_low": _text(standing.share_low),
        "share_high": _text(standing.share_high),
        "seconds": seconds,
    }


def score_dataset(
    cluster: BatchCluster,
    cases: Sequence[Mapping[str, Any]],
    allocators: Sequence[str],
    on_progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Score every allocator on every case on ``cluster``; return the rows in a fixed order."""
    for name in allocators:
        resolve_allocator(name)  # a bad name fails here, in one line, before any work
    items = [{"allocator": a, "case": c} for a in allocators for c in cases]
    rows: list[dict[str, Any] | None] = [None] * len(items)
    for done, (index, row) in enumerate(stream(cluster, score_case, items), start=1):
        rows[index] = row
        if on_progress is not None:
            on_progress(done, len(items))
    return [r for r in rows if r is not None]


def _share(row: Mapping[str, Any]) -> Fraction | None:
    """Return a row's share of the optimum: 0 if infeasible, None if the optimum is 0."""
    if not row["feasible"]:
        return Fraction(0)
    return None if row["share_high"] is None else Fraction(row["share_high"])


def _rank(row: Mapping[str, Any]) -> Fraction | None:
    return Fraction(row["objective"]) if row["feasible"] else None


def _beats(a: Fraction | None, b: Fraction | None) -> bool:
    return a is not None and (b is None or a > b)


def leaderboard(
    rows: Sequence[Mapping[str, Any]], wall_seconds: float, workers: int
) -> dict[str, Any]:
    """Summarise scored rows per allocator: mean share ± 2σ/√n, wins, feasibility and time.

    The mean runs over the instances with a share (an infeasible allocation counts 0; an
    instance whose optimum is 0 has none and is counted in ``no_share``).

    ``paired_wins[a][b]`` counts the instances where ``a``'s feasible utility is above ``b``'s
    (any feasible allocation beats an infeasible one).
    """
    names = list(dict.fromkeys(r["allocator"] for r in rows))
    by: dict[str, dict[str, Mapping[str, Any]]] = {n: {} for n in names}
    for r in rows:
        by[r["allocator"]][r["instance"]] = r
    table = []
    for name in names:
        mine = list(by[name].values())
        defined = [_share(r) for r in mine]
        shares = [float(s) for s in defined if s is not None]
        n = len(shares)
        mean = sum(shares) / n if n else 0.0
        spread = math.sqrt(sum((s - mean) ** 2 for s in shares) / (n - 1)) if n > 1 else 0.0
        total = sum(float(r["seconds"]) for r in mine)
        table.append(
            {
                "allocator": name,
                "instances": len(mine),
                "no_share": len(mine) - n,
                "feasible": sum(1 for r in mine if r["feasible"]),
                "proven": sum(1 for r in mine if r["proven"]),
                "mean_share": mean,
                "half_width": 2 * spread / math.sqrt(n) if n else 0.0,
                "min_share": min(shares, default=0.0),
                "total_seconds": total,
                "mean_seconds": total / len(mine),
            }
        )
    wins = {
        a: {
            b: sum(1 for k, r in by[a].items() if k in by[b] and _beats(_rank(r), _rank(by[b][k])))
            for b in names
            if b != a
        }
        for a in names
    }
    return {
        "allocators": table,
        "paired_wins": wins,
        "wall_seconds": wall_seconds,
        "workers": workers,
        "rows": list(rows),
    }
