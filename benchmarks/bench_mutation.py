"""Plant small bugs in the reference with cosmic-ray and count the ones its checks catch.

Run: ``python benchmarks/bench_mutation.py [--killer spec|vectors|prove] [--component NAME]...
[--per-component N] [--seed S] [--jobs J] [--json]``.

Every mutant is one of cosmic-ray's operators (a comparison, an arithmetic operator, a boolean,
a constant, a loop) applied at one place of one module of a component. The killers of a
campaign run against the mutated tree; a mutant is *killed* when one of them fails or runs past
its time limit, and *survives* when all pass. The campaigns (``benchmarks/mutation_plan.toml``):

* ``spec``: the component's own tests, ``vdlt verify --only`` and ``vdlt prove --only`` of the
  component: the spec's own checks;
* ``vectors``: ``vdlt conformance run --only`` over the component's suites, nothing else: the
  conformance vectors alone, as an implementer's bug would meet them;
* ``prove``: ``vdlt prove`` alone, over the modules that hold the rules the obligations are about
  (every mutant, no sampling, unless ``--per-component`` asks for it).

Mutants are drawn per component, uniformly and seeded (``--per-component``, 0 for all), so the
rate is an estimate with its ±2σ/√n; each survivor is listed (file:line, the change) with its
judgement from ``benchmarks/mutation_judgements.toml``: *equivalent* (no input tells it from the
reference, with the reason) or not. A survivor nobody judged counts as not equivalent. The rate
is killed / (drawn − equivalent).

The vectors campaign also runs its killers once unmutated under ``trace_lines.py`` and marks
each survivor whose line no vector executes: ``unrun`` counts the non-equivalent ones, and a
second rate leaves them out (the score over the code the vectors run). The first rate, with
them, is the one the goal is stated on.

The tree is copied into one scratch workspace per job (``vdlt_spec/`` with ``models/`` and
``proofs/`` inside it, as installed, plus ``tests/``, ``docs/``, ``examples/``), and the killers
import that copy through ``PYTHONPATH``: the working tree is never touched.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any

from harness import Step, add_json_flag, dumps, run_main, run_steps

from vdlt_spec.errors import Reason, SpecError

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "benchmarks" / "mutation_plan.toml"
JUDGEMENTS = ROOT / "benchmarks" / "mutation_judgements.toml"
KILLERS = ("spec", "vectors", "prove")
TRACER = Path(__file__).resolve().with_name("trace_lines.py")
# Where each top-level folder of the repository lands in the workspace (as installed).
LAYOUT = {
    "vdlt_spec": "vdlt_spec",
    "models": "vdlt_spec/models",
    "proofs": "vdlt_spec/proofs",
    "tests": "tests",
    "docs": "docs",
    "examples": "examples",
    "benchmarks": "benchmarks",
}
COPIED_FILES = ("pyproject.toml", "README.md")


@dataclass(frozen=True)
class Mutant:
    """Name one mutation: a module (repository path), an operator and its occurrence there."""

    component: str
    path: str
    operator: str
    occurrence: int
    line: int
    source: str
    start: tuple[int, int]
    end: tuple[int, int]

    @property
    def where(self) -> str:
        """Return ``path:line``."""
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Outcome:
    """Hold what the killers did to one mutant: killed (and how) or survived, and the diff."""

    mutant: Mutant
    killed: bool
    how: str
    diff: str
    seconds: float


@dataclass(frozen=True)
class Component:
    """Hold one component of the plan: the modules mutated and the killer commands."""

    name: str
    files: tuple[str, ...]
    commands: tuple[str, ...]
    functions: tuple[str, ...] = ()


@dataclass
class Tally:
    """Count one component's mutants: population, drawn, killed, equivalent, and survivors."""

    component: str
    population: int = 0
    drawn: int = 0
    killed: int = 0
    timeouts: int = 0
    equivalent: int = 0
    unrun: int | None = None
    survivors: list[dict[str, Any]] = field(default_factory=list)
    baseline_s: float = 0.0

    @property
    def rate(self) -> float | None:
        """Return killed / (drawn − equivalent), or None when nothing counts."""
        counted = self.drawn - self.equivalent
        return self.killed / counted if counted > 0 else None

    @property
    def error(self) -> float | None:
        """Return 2σ/√n of the rate (a binomial proportion), or None."""
        counted = self.drawn - self.equivalent
        rate = self.rate
        if rate is None:
            return None
        return 2 * math.sqrt(rate * (1 - rate) / counted)

    @property
    def rate_run(self) -> float | None:
        """Return the rate over the mutants in lines a killer runs, or None when not traced."""
        if self.unrun is None:
            return None
        counted = self.drawn - self.equivalent - self.unrun
        return self.killed / counted if counted > 0 else None


# ---------------------------------------------------------------------------- the plan


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SpecError(Reason.SCHEMA_VIOLATION, f"{where}: {key} must be a list of strings")
    return tuple(value)


def python_command(args: Sequence[str]) -> str:
    """Return the command line that runs ``python ARGS`` with this interpreter."""
    return shlex.join([sys.executable, *args])


def killer_commands(table: dict[str, Any], killer: str, where: str) -> tuple[str, ...]:
    """Return the commands of ``killer`` for one component of the plan, cheapest first."""
    commands: list[str] = []
    if killer == "spec":
        tests = _strings(table, "tests", where)
        if tests:
            commands.append(
                python_command(["-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests])
            )
        for name in _strings(table, "verify", where):
            commands.append(python_command(["-m", "vdlt_spec", "verify", "--only", name]))
        for name in _strings(table, "prove", where):
            commands.append(python_command(["-m", "vdlt_spec", "prove", "--only", name]))
    elif killer == "vectors":
        suites = _strings(table, "vectors", where)
        if suites:
            only = [arg for suite in suites for arg in ("--only", suite)]
            commands.append(python_command(["-m", "vdlt_spec", "conformance", "run", *only]))
    else:
        for name in _strings(table, "prove", where):
            commands.append(python_command(["-m", "vdlt_spec", "prove", "--only", name]))
    return tuple(commands)


def load_plan(path: Path, killer: str, only: Sequence[str]) -> list[Component]:
    """Read the plan's components for ``killer``; keep those named in ``only`` (all if empty)."""
    try:
        plan = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(Reason.BAD_INPUT_FILE, f"{path}: {exc}") from None
    section = plan.get(killer, {})
    if not isinstance(section, dict) or not section:
        raise SpecError(Reason.SCHEMA_VIOLATION, f"{path}: no [{killer}.*] components")
    unknown = sorted(set(only) - set(section))
    if unknown:
        raise SpecError(
            Reason.BAD_USAGE,
            f"unknown component {', '.join(unknown)}; known: {', '.join(sorted(section))}",
        )
    components = []
    for name, table in section.items():
        if only and name not in only:
            continue
        where = f"{path.name} [{killer}.{name}]"
        files = _strings(table, "files", where)
        commands = killer_commands(table, killer, where)
        if not files or not commands:
            raise SpecError(Reason.SCHEMA_VIOLATION, f"{where}: needs files and killers")
        functions = _strings(table, "functions", where)
        components.append(Component(name, files, commands, functions))
    return components


# ---------------------------------------------------------------------------- mutants


def operator_allowed(name: str) -> bool:
    """Say whether a cosmic-ray operator is one of the realistic slips this benchmark plants.

    Kept: comparisons among ``== != < <= > >=`` and ``is``/``is not``, ``in``/``not in``
    swapped; arithmetic among ``+ - * / // %``; ``and``/``or``; ``not`` added or removed; a
    changed number or boolean constant; a loop that runs zero times; ``break``/``continue``.
    Left out: replacements no programmer writes by slip (``<`` by ``is``, ``+`` by ``<<``),
    removed decorators and replaced exception types.
    """
    order = {"Eq", "NotEq", "Lt", "LtE", "Gt", "GtE"}
    swaps = {("Is", "IsNot"), ("IsNot", "Is"), ("In", "NotIn"), ("NotIn", "In")}
    arithmetic = {"Add", "Sub", "Mul", "Div", "FloorDiv", "Mod"}
    kind, _, rest = name.removeprefix("core/").partition("_")
    if kind == "ReplaceComparisonOperator":
        a, _, b = rest.partition("_")
        return (a in order and b in order) or (a, b) in swaps
    if kind == "ReplaceBinaryOperator":
        a, _, b = rest.partition("_")
        return a in arithmetic and b in arithmetic
    if kind == "ReplaceUnaryOperator":
        return rest.startswith("Delete_") or rest.endswith("_Not") or rest == "Not_Delete"
    return kind in {
        "ReplaceAndWithOr",
        "ReplaceOrWithAnd",
        "AddNot",
        "ReplaceTrueWithFalse",
        "ReplaceFalseWithTrue",
        "NumberReplacer",
        "ZeroIterationForLoop",
        "ReplaceBreakWithContinue",
        "ReplaceContinueWithBreak",
    }


def function_lines(source: str, names: Sequence[str]) -> set[int]:
    """Return the line numbers inside the definitions of the functions ``names``."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in names:
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def enumerate_mutants(component: Component, root: Path) -> list[Mutant]:
    """List every allowed mutant of the component's modules, in a stable order.

    With ``functions`` in the plan, only the mutants inside those function definitions.
    """
    import cosmic_ray.plugins
    from cosmic_ray.ast import ast_nodes, get_ast_from_path

    names = sorted(n for n in cosmic_ray.plugins.operator_names() if operator_allowed(n))
    mutants = []
    for pattern in component.files:
        paths = sorted(root.glob(pattern))
        if not paths:
            raise SpecError(Reason.BAD_INPUT_FILE, f"[{component.name}]: no file matches {pattern}")
        for path in paths:
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            inside = function_lines(text, component.functions) if component.functions else None
            module = get_ast_from_path(path)
            for name in names:
                operator = cosmic_ray.plugins.get_operator(name)()
                positions = (
                    (start, end)
                    for node in ast_nodes(module)
                    for start, end in operator.mutation_positions(node)
                )
                for occurrence, (start, end) in enumerate(positions):
                    line = start[0]
                    if inside is not None and line not in inside:
                        continue
                    rel = path.relative_to(root).as_posix()
                    code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
                    mutants.append(
                        Mutant(component.name, rel, name, occurrence, line, code, start, end)
                    )
    return mutants


def draw(mutants: list[Mutant], count: int, seed: int) -> list[Mutant]:
    """Return ``count`` mutants drawn uniformly with ``seed`` (all of them when count is 0)."""
    if count <= 0 or count >= len(mutants):
        return list(mutants)
    chosen = random.Random(seed).sample(range(len(mutants)), count)
    return [mutants[i] for i in sorted(chosen)]


# ---------------------------------------------------------------------------- workspace


def build_workspace(root: Path, into: Path) -> Path:
    """Copy the repository into ``into`` with the installed layout; return the copy's root."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", "node_modules")
    for source, target in LAYOUT.items():
        if (root / source).is_dir():
            shutil.copytree(root / source, into / target, ignore=ignore, dirs_exist_ok=True)
    for name in COPIED_FILES:
        if (root / name).is_file():
            shutil.copy2(root / name, into / name)
    return into


def workspace_path(repository_path: str) -> str:
    """Map a repository path (``models/pbft.py``) to its place in the workspace."""
    top, _, rest = repository_path.partition("/")
    return f"{LAYOUT.get(top, top)}/{rest}" if rest else repository_path


_WORKSPACE: Path | None = None


def _start_worker(root: str) -> None:
    """Give this worker process its own workspace, imported first through PYTHONPATH."""
    global _WORKSPACE
    _WORKSPACE = build_workspace(Path(root), Path(tempfile.mkdtemp(prefix="vdlt-mutants-")))
    # a pool worker ends through multiprocessing, which runs its finalizers, not atexit
    Finalize(
        None, shutil.rmtree, args=(_WORKSPACE,), kwargs={"ignore_errors": True}, exitpriority=1
    )
    os.environ["PYTHONPATH"] = str(_WORKSPACE)
    os.environ["HYPOTHESIS_PROFILE"] = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    os.chdir(_WORKSPACE)


def shell(commands: Sequence[str]) -> str:
    """Return one command that runs ``commands`` in order and stops at the first failure."""
    return shlex.join(["sh", "-c", " && ".join(commands)])


def run_mutant(mutant: Mutant, commands: Sequence[str], timeout: float) -> Outcome:
    """Apply ``mutant`` in this worker's workspace, run the killers, restore the module."""
    from cosmic_ray.mutating import mutate_and_test
    from cosmic_ray.work_item import MutationSpec, TestOutcome, WorkerOutcome

    assert _WORKSPACE is not None
    spec = MutationSpec(
        module_path=_WORKSPACE / workspace_path(mutant.path),
        operator_name=mutant.operator,
        occurrence=mutant.occurrence,
        start_pos=mutant.start,
        end_pos=mutant.end,
    )
    start = time.perf_counter()
    result = mutate_and_test([spec], shell(commands), timeout)
    seconds = time.perf_counter() - start
    if result.worker_outcome == WorkerOutcome.NO_TEST:
        return Outcome(mutant, True, "not applicable", "", seconds)
    if result.worker_outcome != WorkerOutcome.NORMAL:
        return Outcome(mutant, True, "mutation failed", result.output or "", seconds)
    killed = result.test_outcome != TestOutcome.SURVIVED
    how = "timeout" if result.output == "timeout" else ("failed" if killed else "survived")
    return Outcome(mutant, killed, how, result.diff or "", seconds)


def run_baseline(commands: Sequence[str], timeout: float) -> tuple[float, str | None]:
    """Run the killers on the unmutated workspace; return their time and, if they fail, why."""
    from cosmic_ray.testing import run_tests
    from cosmic_ray.work_item import TestOutcome

    start = time.perf_counter()
    outcome, output = run_tests(shell(commands), timeout)
    seconds = time.perf_counter() - start
    if outcome != TestOutcome.SURVIVED:
        return seconds, " | ".join((output or "").strip().splitlines()[-3:])
    return seconds, None


def lines_run(commands: Sequence[str], paths: Sequence[str], timeout: float) -> dict[str, set[int]]:
    """Run the killers once more, unmutated, under ``trace_lines.py``; return the lines run.

    Keys are repository paths; a path no killer reaches maps to an empty set.
    """
    where = {workspace_path(p): p for p in paths}
    seen: dict[str, set[int]] = {p: set() for p in paths}
    with tempfile.TemporaryDirectory(prefix="vdlt-lines-") as scratch:
        for number, command in enumerate(commands):
            python, flag, *rest = shlex.split(command)
            if flag != "-m":
                raise SpecError(Reason.BAD_USAGE, f"cannot trace a killer not run by -m: {command}")
            out = Path(scratch) / f"{number}.json"
            traced = [python, str(TRACER), str(out), ",".join(where), "-m", *rest]
            subprocess.run(traced, capture_output=True, timeout=timeout, check=False)
            if not out.is_file():
                raise SpecError(Reason.BAD_USAGE, f"tracing the killer wrote nothing: {command}")
            for path, lines in json.loads(out.read_text(encoding="utf-8")).items():
                seen[where[path]].update(lines)
    return seen


# ---------------------------------------------------------------------------- judgements


def squeezed(line: str) -> str:
    """Return ``line`` without any whitespace: how mutated lines are compared."""
    return "".join(line.split())


Judged = dict[tuple[str, str, str], list[tuple[frozenset[str] | None, str]]]


def load_judgements(path: Path) -> Judged:
    """Read the survivors judged equivalent: (path, operator, source line) → [(mutated, why)].

    An entry with ``mutated`` (one mutated line or a list of them) covers only those mutants of
    its source line and operator, compared without whitespace; one without covers them all.
    """
    if not path.is_file():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    judged: Judged = {}
    for entry in data.get("equivalent", []):
        key = (entry["path"], entry["operator"], entry["source"].strip())
        mutated = entry.get("mutated")
        lines = [mutated] if isinstance(mutated, str) else mutated
        only = None if lines is None else frozenset(squeezed(line) for line in lines)
        judged.setdefault(key, []).append((only, " ".join(entry["why"].split())))
    return judged


def judge(outcome: Outcome, judged: Judged) -> str | None:
    """Return why a surviving mutant is equivalent, or None when nobody said it is."""
    m = outcome.mutant
    mutated = squeezed(changed_line(outcome.diff))
    for only, why in judged.get((m.path, m.operator, m.source), []):
        if only is None or mutated in only:
            return why
    return None


def changed_line(diff: str) -> str:
    """Return the mutated line of a unified diff (the first added line), stripped."""
    for line in diff.splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            return line[1:].strip()
    return ""


def tally(
    component: str,
    population: int,
    outcomes: Sequence[Outcome],
    judged: Judged,
    run: dict[str, set[int]] | None = None,
) -> Tally:
    """Count a component's outcomes and list its survivors with their judgements.

    With ``run`` (the lines the killers execute unmutated), each survivor also says whether a
    killer runs its line, and ``unrun`` counts the non-equivalent ones no killer runs.
    """
    count = Tally(component, population=population, drawn=len(outcomes))
    if run is not None:
        count.unrun = 0
    for outcome in outcomes:
        if outcome.killed:
            count.killed += 1
            count.timeouts += outcome.how == "timeout"
            continue
        why = judge(outcome, judged)
        count.equivalent += why is not None
        m = outcome.mutant
        reached = None if run is None else m.line in run.get(m.path, set())
        if count.unrun is not None and why is None and not reached:
            count.unrun += 1
        count.survivors.append(
            {
                "where": m.where,
                "operator": m.operator.removeprefix("core/"),
                "occurrence": m.occurrence,
                "source": m.source,
                "mutated": changed_line(outcome.diff),
                "equivalent": why is not None,
                "why": why,
                "line_run": reached,
            }
        )
    return count


# ---------------------------------------------------------------------------- the run


def campaign(args: argparse.Namespace) -> list[Tally]:
    """Run one campaign over the plan's components and return each one's tally."""
    components = load_plan(args.plan, args.killer, args.component)
    judged = load_judgements(args.judgements)
    tallies = []
    with ProcessPoolExecutor(
        max_workers=args.jobs, initializer=_start_worker, initargs=(str(args.root),)
    ) as pool:
        for component in components:
            population = enumerate_mutants(component, args.root)
            per = args.per_component if args.killer != "prove" or args.sample_prove else 0
            chosen = draw(population, per, args.seed)
            baseline = pool.submit(run_baseline, component.commands, args.baseline_timeout)
            baseline_s, failure = baseline.result()
            if failure is not None:
                raise SpecError(
                    Reason.BAD_USAGE, f"[{component.name}] the killers fail unmutated: {failure}"
                )
            timeout = max(args.min_timeout, args.timeout_factor * baseline_s)
            run = None
            if args.killer == "vectors":
                paths = sorted({m.path for m in population})
                traced = pool.submit(lines_run, component.commands, paths, args.baseline_timeout)
                run = traced.result()
            futures = [pool.submit(run_mutant, m, component.commands, timeout) for m in chosen]
            steps = [Step(m.where, f.result) for m, f in zip(chosen, futures, strict=True)]
            outcomes = run_steps(f"mutants of {component.name}", steps, quiet=args.json)
            count = tally(component.name, len(population), outcomes, judged, run)
            count.baseline_s = baseline_s
            tallies.append(count)
    return tallies


def table_lines(killer: str, tallies: Sequence[Tally]) -> Iterator[str]:
    """Yield the text table: per component mutants, killed, survived, equivalent, rate.

    A traced campaign adds ``unrun`` (non-equivalent survivors in lines no killer runs) and the
    rate over the mutants in lines the killers run.
    """
    traced = any(t.unrun is not None for t in tallies)
    yield f"killer: {killer}"
    yield (
        f"{'component':<16}{'mutants':>9}{'drawn':>7}{'killed':>8}{'timeout':>9}"
        f"{'survived':>10}{'equiv.':>8}"
        + (f"{'unrun':>7}" if traced else "")
        + f"{'rate':>16}"
        + (f"{'rate, lines run':>17}" if traced else "")
    )
    for t in tallies:
        survived = t.drawn - t.killed
        rate = "-" if t.rate is None else f"{t.rate:.1%} ± {t.error or 0:.1%}"
        run = "-" if t.rate_run is None else f"{t.rate_run:.1%}"
        yield (
            f"{t.component:<16}{t.population:>9}{t.drawn:>7}{t.killed:>8}{t.timeouts:>9}"
            f"{survived:>10}{t.equivalent:>8}"
            + (f"{'-' if t.unrun is None else t.unrun:>7}" if traced else "")
            + f"{rate:>16}"
            + (f"{run:>17}" if traced else "")
        )
    for t in tallies:
        for s in t.survivors:
            mark = f"equivalent: {s['why']}" if s["equivalent"] else "NOT equivalent"
            if s.get("line_run") is False and not s["equivalent"]:
                mark += "; no killer runs this line"
            yield f"  {t.component}: {s['where']} {s['operator']}: {s['mutated']}  [{mark}]"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, run the campaign, print the table or one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--killer", choices=KILLERS, default="spec")
    parser.add_argument("--component", action="append", default=[], metavar="NAME")
    parser.add_argument("--per-component", type=int, default=40, metavar="N")
    parser.add_argument(
        "--sample-prove", action="store_true", help="draw in the prove campaign too"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), metavar="J")
    parser.add_argument("--timeout-factor", type=float, default=3.0)
    parser.add_argument("--min-timeout", type=float, default=30.0, metavar="SECONDS")
    parser.add_argument("--baseline-timeout", type=float, default=900.0, metavar="SECONDS")
    parser.add_argument("--plan", type=Path, default=PLAN)
    parser.add_argument("--judgements", type=Path, default=JUDGEMENTS)
    parser.add_argument("--root", type=Path, default=ROOT)
    add_json_flag(parser)
    args = parser.parse_args(argv)

    def body(args: argparse.Namespace) -> int:
        if args.jobs < 1 or args.per_component < 0:
            raise SpecError(Reason.BAD_INPUT_FILE, "--jobs must be >= 1 and --per-component >= 0")
        tallies = campaign(args)
        if args.json:
            document = {
                "killer": args.killer,
                "seed": args.seed,
                "per_component": args.per_component,
                "components": [
                    {**asdict(t), "rate": t.rate, "error": t.error, "rate_lines_run": t.rate_run}
                    for t in tallies
                ],
            }
            print(dumps(document))
        else:
            print("\n".join(table_lines(args.killer, tallies)))
        return 0

    return run_main("bench_mutation", body, args)


if __name__ == "__main__":
    sys.exit(main())
