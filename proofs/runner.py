"""Discharge proof obligations with a time budget, and export them as SMT-LIB 2 (§III-D, §IV-D).

Each query of an obligation asks whether the negated claim is satisfiable. ``unsat`` for every
query is a proof; any ``sat`` is a counterexample, decoded into domain terms; a timeout or
``unknown`` is unknown, never a proof. The verdict compares the finding with the expectation:
valid when they match, invalid when a definite finding contradicts it, unknown otherwise.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import z3

from vdlt_spec import plugins
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.models.query import Query, solver_for, to_smtlib
from vdlt_spec.proofs.obligation import Expected, Obligation, ProofOutcome
from vdlt_spec.verdict import Verdict

DEFAULT_TIMEOUT_S = 60.0  # solver budget per obligation


@dataclass(frozen=True)
class QueryRun:
    """Record one solver query: its answer, time, and a decoded counterexample if sat (§III-D)."""

    name: str
    answer: str  # "sat", "unsat", "unknown" or "not run"
    seconds: float
    counterexample: dict[str, str] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True)
class Discharge:
    """Record one obligation's outcome: finding, verdict, evidence (§III-D)."""

    name: str
    group: str
    section: str
    scope: str
    bounded: bool
    expected: Expected
    finding: ProofOutcome
    verdict: Verdict
    seconds: float
    counterexample: dict[str, str]
    detail: str
    queries: tuple[QueryRun, ...]


def verdict_of(expected: Expected, finding: ProofOutcome) -> Verdict:
    """Compare a finding with its expectation: match valid, else invalid or unknown (§III-D)."""
    if finding is ProofOutcome.UNKNOWN:
        return Verdict.UNKNOWN
    return Verdict.VALID if finding is expected.finding else Verdict.INVALID


def finding_of(answers: Iterable[str]) -> ProofOutcome:
    """Combine answers: any sat a counterexample, all unsat a proof, else unknown (§III-D)."""
    seen = list(answers)
    if "sat" in seen:
        return ProofOutcome.COUNTEREXAMPLE
    if seen and all(a == "unsat" for a in seen):
        return ProofOutcome.PROVED
    return ProofOutcome.UNKNOWN


def run_query(query: Query, timeout_s: float) -> QueryRun:
    """Ask the solver one query within ``timeout_s`` seconds; decode any model (§III-D)."""
    start = time.perf_counter()
    solver = solver_for(query, int(timeout_s * 1000))
    answer = solver.check()
    seconds = time.perf_counter() - start
    if answer == z3.sat:
        return QueryRun(query.name, "sat", seconds, query.decode(solver.model()))
    if answer == z3.unsat:
        return QueryRun(query.name, "unsat", seconds)
    return QueryRun(query.name, "unknown", seconds, reason=solver.reason_unknown())


def summarize(counterexample: dict[str, str], limit: int = 160) -> str:
    """Render a decoded counterexample as one short line (key=value pairs) (§III-D)."""
    text = " ".join(f"{k}={v}" for k, v in counterexample.items())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_timeout(timeout_s: float, where: str = "timeout") -> float:
    """Return ``timeout_s`` if it is a positive solver budget in seconds (§III-D).

    Zero, a negative budget or NaN is ``BAD_USAGE``; ``where`` names the input in the
    message, e.g. a command-line option.
    """
    if not timeout_s > 0:
        raise SpecError(Reason.BAD_USAGE, f"{where} must be positive, got {timeout_s}")
    return timeout_s


def discharge(obligation: Obligation, timeout_s: float = DEFAULT_TIMEOUT_S) -> Discharge:
    """Run an obligation's queries within one time budget and judge the finding (§III-D)."""
    check_timeout(timeout_s)
    start = time.perf_counter()
    queries = obligation.encoding()
    runs: list[QueryRun] = []
    for query in queries:
        left = timeout_s - (time.perf_counter() - start)
        if left <= 0:
            runs.append(QueryRun(query.name, "not run", 0.0, reason="time budget spent"))
            continue
        run = run_query(query, left)
        runs.append(run)
        if run.answer == "sat":
            break  # a model is definite: the claim is refuted
    seconds = time.perf_counter() - start
    finding = finding_of(r.answer for r in runs)
    verdict = verdict_of(obligation.expected, finding)
    witness = next((r for r in runs if r.answer == "sat"), None)
    counterexample = dict(witness.counterexample) if witness else {}
    if finding is ProofOutcome.PROVED:
        detail = f"{len(runs)} quer{'y' if len(runs) == 1 else 'ies'} unsat"
    elif finding is ProofOutcome.COUNTEREXAMPLE and witness is not None:
        detail = f"{witness.name}: {summarize(counterexample)}"
    else:
        open_runs = [r for r in runs if r.answer not in ("sat", "unsat")]
        detail = "; ".join(f"{r.name}: {r.answer} ({r.reason})" for r in open_runs[:3])
    return Discharge(
        obligation.name,
        obligation.group,
        obligation.section,
        obligation.scope.text,
        obligation.scope.bounded,
        obligation.expected,
        finding,
        verdict,
        seconds,
        counterexample,
        detail,
        tuple(runs),
    )


def select(obligations: Iterable[Obligation], only: Iterable[str]) -> tuple[Obligation, ...]:
    """Keep the obligations named in ``only`` (names or groups); reject unknown names (§III-D)."""
    return plugins.select(
        obligations,
        only,
        lambda o: (o.name, o.group),
        "obligation or group",
        Reason.UNKNOWN_OBLIGATION,
    )


def smtlib_files(obligation: Obligation) -> list[tuple[str, str]]:
    """Return (file name, SMT-LIB 2 script) for every query of an obligation (§III-D)."""
    out = []
    for index, query in enumerate(obligation.encoding()):
        slug = re.sub(r"[^A-Za-z0-9_.=-]+", "_", query.name).strip("_")
        out.append((f"{obligation.name}--{index:02d}-{slug}.smt2", to_smtlib(query)))
    return out
