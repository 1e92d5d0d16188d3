"""Build allocation datasets with proven optima: generated instances solved by the oracle (§IV-E).

A dataset is a folder: ``spec.json`` (what was asked), ``manifest.json`` (every finished case
with its status, utilities and the sha256 of its files, counts, status counts, versions) and
``cases/NAME/`` holding ``instance.json``, ``allocation.json`` (absent when the oracle found
none) and ``report.json`` (the oracle's report, with the sha256 of the other two). A case is
finished when its report is present and the hashes in it match its files and the instance the
spec generates: a build that stopped (killed, Ctrl-C, a lost worker) resumes from the cases
that are not, and never solves a finished case again. Every file is written atomically, the
report of a case last, and the manifest is rewritten atomically as cases finish.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from vdlt_spec import __version__, serial
from vdlt_spec.allocation.generate import generate
from vdlt_spec.allocation.instance import Utility
from vdlt_spec.batch.cluster import BatchCluster, stream
from vdlt_spec.batch.store import atomic_write, read_document, sha256_of
from vdlt_spec.errors import Reason, SpecError

__all__ = [
    "DATASET_FORMAT",
    "MANIFEST_EVERY",
    "DatasetCase",
    "DatasetSpec",
    "build",
    "case_of",
    "load_spec",
    "parse_spec",
    "plan",
    "solve_case",
    "verify",
]

#: The format tag of a dataset's manifest.
DATASET_FORMAT = "vdlt-allocation-dataset/1"
#: Seconds between two rewrites of the manifest while a build runs (and once at its end).
MANIFEST_EVERY = 2.0
#: Seconds each solve runs at most unless the spec says otherwise.
DEFAULT_CASE_TIME_LIMIT = 60.0
#: The packages whose versions a manifest records: the spec, the solvers, the engine.
VERSIONED = ("pulp", "highspy", "dask", "distributed")
_SPEC_KEYS = {"name", "sizes", "utilities", "seeds", "solver"}
_SOLVER_KEYS = {"solver", "time_limit", "gap"}


@dataclass(frozen=True)
class DatasetSpec:
    """Say which instances a dataset holds and how each is solved (§IV-E).

    ``sizes`` are (transactions, execution nodes) pairs; every size is generated for every
    utility and every seed in ``seed_start .. seed_start + seed_count - 1``. Each case is solved
    by the MILP oracle with ``solver``, at most ``time_limit`` seconds, stopping at ``gap``.
    """

    name: str
    sizes: tuple[tuple[int, int], ...]
    utilities: tuple[Utility, ...]
    seed_start: int
    seed_count: int
    solver: str = "highs"
    time_limit: float = DEFAULT_CASE_TIME_LIMIT
    gap: float | None = None

    def document(self) -> dict[str, Any]:
        """Return the spec as the JSON document :func:`parse_spec` reads."""
        return {
            "name": self.name,
            "sizes": [list(s) for s in self.sizes],
            "utilities": [u.value for u in self.utilities],
            "seeds": {"start": self.seed_start, "count": self.seed_count},
            "solver": {"solver": self.solver, "time_limit": self.time_limit, "gap": self.gap},
        }


@dataclass(frozen=True)
class DatasetCase:
    """Name one instance of a dataset: its size, seed and utility (§IV-E)."""

    transactions: int
    nodes: int
    seed: int
    utility: Utility

    @property
    def name(self) -> str:
        """Return the generator's name of the instance, the case's folder name."""
        return f"gen-{self.transactions}x{self.nodes}-s{self.seed}-{self.utility.value}"


def _bad(detail: str) -> SpecError:
    return SpecError(Reason.BAD_DATASET, detail)


def _int(value: Any, where: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise _bad(f"{where} must be an integer >= {least}, got {value!r}")
    return value


def parse_spec(data: Any) -> DatasetSpec:
    """Read a dataset spec document; anything malformed is ``BAD_DATASET`` naming the field."""
    if not isinstance(data, dict):
        raise _bad("a dataset spec is a JSON object")
    unknown = set(data) - _SPEC_KEYS
    if unknown:
        raise _bad(f"unknown spec fields: {', '.join(sorted(unknown))}")
    name = data.get("name", "dataset")
    if not isinstance(name, str) or not name:
        raise _bad("name must be a non-empty string")
    sizes = data.get("sizes")
    if not isinstance(sizes, list) or not sizes:
        raise _bad("sizes must be a non-empty list of [transactions, nodes] pairs")
    pairs: list[tuple[int, int]] = []
    for k, size in enumerate(sizes):
        if not isinstance(size, list) or len(size) != 2:
            raise _bad(f"sizes[{k}] must be [transactions, nodes]")
        pairs.append((_int(size[0], f"sizes[{k}][0]", 1), _int(size[1], f"sizes[{k}][1]", 1)))
    utilities = data.get("utilities", ["throughput"])
    if not isinstance(utilities, list) or not utilities:
        raise _bad("utilities must be a non-empty list")
    kinds = tuple(Utility.parse(str(u), "utilities") for u in utilities)
    seeds = data.get("seeds")
    if not isinstance(seeds, dict) or set(seeds) - {"start", "count"}:
        raise _bad('seeds must be {"start": N, "count": N}')
    solver = data.get("solver", {})
    if not isinstance(solver, dict) or set(solver) - _SOLVER_KEYS:
        raise _bad(f"solver must be an object with fields {', '.join(sorted(_SOLVER_KEYS))}")
    limit = solver.get("time_limit", DEFAULT_CASE_TIME_LIMIT)
    gap = solver.get("gap")
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not limit > 0:
        raise _bad(f"solver.time_limit must be a number of seconds > 0, got {limit!r}")
    if gap is not None and (isinstance(gap, bool) or not isinstance(gap, int | float)):
        raise _bad(f"solver.gap must be a fraction or null, got {gap!r}")
    spec = DatasetSpec(
        name=name,
        sizes=tuple(pairs),
        utilities=kinds,
        seed_start=_int(seeds.get("start", 0), "seeds.start", 0),
        seed_count=_int(seeds.get("count"), "seeds.count", 1),
        solver=str(solver.get("solver", "highs")),
        time_limit=float(limit),
        gap=None if gap is None else float(gap),
    )
    _options(spec)  # the oracle refuses an unknown solver or a gap outside [0, 1) up front
    return spec


def load_spec(path: Path) -> DatasetSpec:
    """Read a dataset spec file (see :func:`parse_spec`)."""
    return parse_spec(read_document(path))


def plan(spec: DatasetSpec) -> list[DatasetCase]:
    """Return every case of ``spec``: sizes x utilities x seeds, in that order."""
    seeds = range(spec.seed_start, spec.seed_start + spec.seed_count)
    return [DatasetCase(t, n, s, u) for (t, n) in spec.sizes for u in spec.utilities for s in seeds]


def instance_text(case: DatasetCase) -> str:
    """Return the instance JSON of ``case`` exactly as its ``instance.json`` holds it."""
    instance = generate(case.transactions, case.nodes, case.seed, case.utility)
    return serial.dumps(instance, indent=2) + "\n"


def _options(spec: DatasetSpec) -> Any:
    from vdlt_spec.models.milp import SolveOptions

    return SolveOptions(solver=spec.solver, time_limit=spec.time_limit, gap=spec.gap, threads=1)


def _finite(value: Any) -> Any:
    return value if not isinstance(value, float) or math.isfinite(value) else None


def solve_case(item: Mapping[str, Any]) -> dict[str, Any]:
    """Solve one case on a worker: instance JSON and spec in, allocation and report out (§IV-E).

    ``item`` holds ``instance`` (the instance's JSON text) and ``spec`` (the dataset spec
    document). The result holds ``allocation`` (JSON text, or None when the oracle found none)
    and ``report`` (the oracle's report without its allocation, every float finite or null).
    """
    from vdlt_spec.allocation.schema import loads_instance
    from vdlt_spec.models.milp import solve

    spec = parse_spec(item["spec"])
    report = solve(loads_instance(item["instance"]), _options(spec))
    document = {k: _finite(v) for k, v in serial.encode(report).items() if k != "allocation"}
    document["phase_seconds"] = {p.phase: p.seconds for p in report.phase_seconds}
    allocation = report.allocation
    return {
        "allocation": None if allocation is None else serial.dumps(allocation, indent=2) + "\n",
        "report": document,
    }


def _case_dir(out: Path, case: DatasetCase) -> Path:
    return out / "cases" / case.name


def case_of(
    out: Path, case: DatasetCase, expected_instance: str | None = None
) -> dict[str, Any] | None:
    """Return the manifest entry of a finished case, or None if it is not finished.

    Finished means: ``report.json`` parses and the sha256 it records for ``instance.json`` and
    ``allocation.json`` match those files (and ``expected_instance``'s hash when given).
    """
    folder = _case_dir(out, case)
    try:
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        hashes = report["sha256"]
        instance_hash = sha256_of(folder / "instance.json")
        if hashes["instance"] != instance_hash:
            return None
        if expected_instance is not None and _digest(expected_instance) != instance_hash:
            return None
        allocation = folder / "allocation.json"
        has = allocation.exists()
        if (hashes["allocation"] is None) == has:
            return None
        if has and hashes["allocation"] != sha256_of(allocation):
            return None
        return _entry(case, report, sha256_of(folder / "report.json"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entry(case: DatasetCase, report: Mapping[str, Any], report_hash: str) -> dict[str, Any]:
    return {
        "name": case.name,
        "transactions": case.transactions,
        "nodes": case.nodes,
        "seed": case.seed,
        "utility": case.utility.value,
        "status": report["status"],
        "proven_optimal": report["proven_optimal"],
        "objective": report["objective"],
        "bound": report["bound"],
        "gap": report["gap"],
        "seconds": report["seconds"],
        "sha256": {**report["sha256"], "report": report_hash},
    }


def _store(
    out: Path, case: DatasetCase, instance: str, result: Mapping[str, Any]
) -> dict[str, Any]:
    """Write a solved case atomically, its report last, and return its manifest entry."""
    folder = _case_dir(out, case)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(folder / "instance.json", instance)
    allocation = result["allocation"]
    path = folder / "allocation.json"
    if allocation is None:
        path.unlink(missing_ok=True)
    else:
        atomic_write(path, allocation)
    report = {
        **result["report"],
        "sha256": {
            "instance": _digest(instance),
            "allocation": None if allocation is None else _digest(allocation),
        },
    }
    text = json.dumps(report, indent=2, sort_keys=True, allow_nan=False) + "\n"
    atomic_write(folder / "report.json", text)
    return _entry(case, report, _digest(text))


def _versions() -> dict[str, str]:
    found = {"vdlt-spec": __version__, "python": platform.python_version()}
    for package in VERSIONED:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "absent"
    return found


def _manifest(spec: DatasetSpec, entries: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    planned = plan(spec)
    cases = [entries[c.name] for c in planned if c.name in entries]
    statuses: dict[str, int] = {}
    for entry in cases:
        statuses[entry["status"]] = statuses.get(entry["status"], 0) + 1
    return {
        "format": DATASET_FORMAT,
        "spec": spec.document(),
        "counts": {
            "planned": len(planned),
            "finished": len(cases),
            "missing": len(planned) - len(cases),
            "proven_optimal": sum(1 for e in cases if e["proven_optimal"]),
        },
        "status_counts": dict(sorted(statuses.items())),
        "versions": _versions(),
        "cases": cases,
    }


def _write_manifest(out: Path, spec: DatasetSpec, entries: Mapping[str, Any]) -> dict[str, Any]:
    manifest = _manifest(spec, entries)
    atomic_write(out / "manifest.json", json.dumps(manifest, indent=2, allow_nan=False) + "\n")
    return manifest


def _claim(out: Path, spec: DatasetSpec) -> None:
    """Make ``out`` this spec's dataset folder; a folder of another spec is ``BAD_DATASET``."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "spec.json"
    if path.exists():
        if parse_spec(read_document(path)) != spec:
            raise _bad(f"{out} holds a dataset of another spec; choose another --out")
        return
    atomic_write(path, json.dumps(spec.document(), indent=2) + "\n")


def build(
    spec: DatasetSpec,
    out: Path,
    cluster: BatchCluster,
    *,
    limit: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Build (or resume) the dataset of ``spec`` in ``out`` on ``cluster``; return its manifest.

    Finished cases are kept as they are; the others are generated here and solved on the
    workers, ``limit`` of them at most (all unless told). ``on_progress(done, total)`` counts
    finished cases. Stopping early (Ctrl-C, an error) leaves every written case whole and the
    manifest listing exactly the finished ones.
    """
    _claim(out, spec)
    cases = plan(spec)
    entries: dict[str, dict[str, Any]] = {}
    todo: list[tuple[DatasetCase, str]] = []
    for case in cases:
        text = instance_text(case)
        entry = case_of(out, case, text)
        if entry is None:
            todo.append((case, text))
        else:
            entries[case.name] = entry
    if limit is not None:
        todo = todo[:limit]
    if on_progress is not None:
        on_progress(len(entries), len(cases))
    document = spec.document()
    items = [{"instance": text, "spec": document} for _, text in todo]
    last = time.monotonic()
    try:
        for index, result in stream(cluster, solve_case, items):
            case, text = todo[index]
            entries[case.name] = _store(out, case, text, result)
            if on_progress is not None:
                on_progress(len(entries), len(cases))
            if time.monotonic() - last >= MANIFEST_EVERY:
                _write_manifest(out, spec, entries)
                last = time.monotonic()
    finally:
        manifest = _write_manifest(out, spec, entries)
    return manifest


def verify(out: Path) -> dict[str, Any]:
    """Check a dataset against its manifest: every listed file present with its sha256.

    Returns ``{"cases", "checked_files", "problems"}``; a missing or malformed manifest is
    ``BAD_DATASET``.
    """
    manifest = read_document(out / "manifest.json")
    if not isinstance(manifest, dict) or manifest.get("format") != DATASET_FORMAT:
        raise _bad(f"{out / 'manifest.json'} is not a {DATASET_FORMAT} manifest")
    problems: list[str] = []
    checked = 0
    for entry in manifest.get("cases", []):
        folder = out / "cases" / str(entry["name"])
        for kind, expected in entry["sha256"].items():
            path = folder / f"{kind}.json"
            if expected is None:
                if path.exists():
                    problems.append(f"{entry['name']}: {kind}.json present but not listed")
                continue
            checked += 1
            try:
                actual = sha256_of(path)
            except OSError:
                problems.append(f"{entry['name']}: {kind}.json missing")
                continue
            if actual != expected:
                problems.append(f"{entry['name']}: {kind}.json sha256 differs from the manifest")
    return {"cases": len(manifest.get("cases", [])), "checked_files": checked, "problems": problems}
