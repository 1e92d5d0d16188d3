"""Time every proof obligation, beside cvc5 on the same exported queries and a QF_FD peer.

Run: ``python benchmarks/bench_proofs.py [--no-cvc5] [--exhaustive] [--json]``.

* Z3 time per obligation (the prover's own discharge, fresh process state) and the total; the
  target is the whole suite under 10 s, each all-n obligation under 1 s;
* cvc5 on the SMT-LIB files the same obligation exports (the second solver of the test suite),
  with the ratio cvc5 / Z3 measured in the same run;
* the peer setup for the bitmap obligation: Z3's cardinality solver (``SolverFor("QF_FD")``)
  on the two-certificate overlap at small n, against the simplex encoding used (D-proof-3);
* ``--exhaustive``: the bitmap obligations for every n in 1..1024 instead of the sampled sizes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import z3

from vdlt_spec.models import bitmap
from vdlt_spec.models.query import Setup, make_solver, solver_for
from vdlt_spec.proofs import catalog, runner

FD_SIZES = (16, 24, 32, 48, 64)
FD_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class Timing:
    """Hold one obligation's times: Z3 discharge, cvc5 on its files, and the ratio."""

    name: str
    scope: str
    bounded: bool
    queries: int
    found: str
    verdict: str
    z3_s: float
    cvc5_s: float | None
    cvc5_answers: str


def _cvc5_seconds(obligation: Any, directory: Path) -> tuple[float | None, str]:
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from test_proofs_cvc5 import (  # type: ignore[import-not-found]  # tests/, on sys.path
            CVC5_UNDECIDED,
            UNDECIDED_LIMIT_MS,
            cvc5_check,
        )
    except ImportError:  # pragma: no cover - cvc5 is in the test extra
        return None, "cvc5 not installed"
    total = 0.0
    answers: dict[str, int] = {}
    for query, (name, text) in zip(
        obligation.encoding(), runner.smtlib_files(obligation), strict=True
    ):
        path = directory / name
        path.write_text(text, encoding="utf-8")
        limit = UNDECIDED_LIMIT_MS if name in CVC5_UNDECIDED else 60_000
        start = time.perf_counter()
        answer = cvc5_check(path, query.logic, limit)
        total += time.perf_counter() - start
        answers[answer] = answers.get(answer, 0) + 1
    return total, " ".join(f"{k}:{v}" for k, v in sorted(answers.items()))


def time_obligations(with_cvc5: bool = True) -> list[Timing]:
    """Discharge every obligation once and time it (and cvc5 on its exported files)."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for obligation in catalog.OBLIGATIONS:
            result = runner.discharge(obligation, 120)
            cvc5_s, answers = _cvc5_seconds(obligation, Path(tmp)) if with_cvc5 else (None, "-")
            rows.append(
                Timing(
                    obligation.name,
                    obligation.scope.text,
                    obligation.scope.bounded,
                    len(result.queries),
                    result.finding.value,
                    result.verdict.value,
                    result.seconds,
                    cvc5_s,
                    answers,
                )
            )
    return rows


def qf_fd_peer(sizes: tuple[int, ...] = FD_SIZES) -> list[dict[str, Any]]:
    """Time the two-certificate overlap with cardinality constraints (QF_FD) and with simplex."""
    out = []
    for n in sizes:
        x = [z3.Bool(f"x{i}") for i in range(n)]
        y = [z3.Bool(f"y{i}") for i in range(n)]
        fd = make_solver(Setup.QF_FD, int(FD_TIMEOUT_S * 1000))
        q = bitmap.quorum_size(n)
        fd.add(z3.AtLeast(*x, q), z3.AtLeast(*y, q))
        fd.add(z3.AtMost(*[z3.And(a, b) for a, b in zip(x, y, strict=True)], n // 3))
        start = time.perf_counter()
        fd_answer = str(fd.check())
        fd_s = time.perf_counter() - start
        query = bitmap.conflicting_overlap_query(n)
        start = time.perf_counter()
        lia_answer = str(solver_for(query, 60_000).check())
        lia_s = time.perf_counter() - start
        out.append(
            {"n": n, "qf_fd": fd_answer, "qf_fd_s": fd_s, "simplex": lia_answer, "simplex_s": lia_s}
        )
    return out


def exhaustive_bitmap(limit: int = bitmap.MAX_ROSTER) -> dict[str, Any]:
    """Discharge both bitmap obligations for every n in 1..limit; return counts and time."""
    sizes = tuple(range(1, limit + 1))
    start = time.perf_counter()
    answers: dict[str, int] = {}
    for query in bitmap.accept_threshold_queries(sizes) + bitmap.conflicting_overlap_queries(sizes):
        answer = runner.run_query(query, 120).answer
        answers[answer] = answers.get(answer, 0) + 1
    return {"sizes": f"1..{limit}", "answers": answers, "seconds": time.perf_counter() - start}


def render(rows: list[Timing], peer: list[dict[str, Any]]) -> str:
    """Format the timings as a plain-text table with totals and the QF_FD peer."""
    head = f"{'obligation':36} {'scope':38} {'q':>3} {'found':>14} {'z3 s':>7} {'cvc5 s':>7}"
    lines = [head + f" {'cvc5/z3':>8}  cvc5 answers"]
    for r in rows:
        ratio = f"{r.cvc5_s / r.z3_s:8.1f}" if r.cvc5_s is not None and r.z3_s > 0 else f"{'-':>8}"
        cvc5 = f"{r.cvc5_s:7.2f}" if r.cvc5_s is not None else f"{'-':>7}"
        row = f"{r.name:36} {r.scope[:38]:38} {r.queries:3d} {r.found:>14} {r.z3_s:7.3f}"
        lines.append(f"{row} {cvc5} {ratio}  {r.cvc5_answers}")
    z3_total = sum(r.z3_s for r in rows)
    unbounded = [r for r in rows if not r.bounded]
    slowest = max(unbounded, key=lambda r: r.z3_s)
    queries = sum(r.queries for r in rows)
    lines.append(f"total Z3: {z3_total:.2f} s for {len(rows)} obligations ({queries} queries)")
    if all(r.cvc5_s is not None for r in rows):
        cvc5_total = sum(r.cvc5_s or 0.0 for r in rows)
        lines.append(f"total cvc5: {cvc5_total:.2f} s (ratio {cvc5_total / z3_total:.1f} x Z3)")
    lines.append(f"slowest all-n obligation: {slowest.name} {slowest.z3_s:.3f} s")
    lines.append("bitmap overlap, cardinality constraints (QF_FD) vs simplex (used):")
    for p in peer:
        fd = f"QF_FD {p['qf_fd']:>7} {p['qf_fd_s']:7.2f} s"
        lines.append(f"  n={p['n']:5d}  {fd}   simplex {p['simplex']:>5} {p['simplex_s']:6.3f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cvc5", action="store_true", help="skip the cvc5 column")
    parser.add_argument("--exhaustive", action="store_true", help="bitmap for every n <= 1024")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    rows = time_obligations(with_cvc5=not args.no_cvc5)
    peer = qf_fd_peer()
    report: dict[str, Any] = {"obligations": [asdict(r) for r in rows], "qf_fd_peer": peer}
    if args.exhaustive:
        report["exhaustive_bitmap"] = exhaustive_bitmap()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render(rows, peer))
        if args.exhaustive:
            print("exhaustive bitmap:", report["exhaustive_bitmap"])
    return 0 if all(r.verdict == "valid" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
