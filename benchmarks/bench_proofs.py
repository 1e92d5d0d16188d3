"""Time every proof obligation, beside cvc5 on the same exported queries and a QF_FD peer.

Run: ``python benchmarks/bench_proofs.py [--no-cvc5] [--no-peer] [--only NAME] [--exhaustive]
[--json] [--plot FILE]``.

* Z3 time per obligation (the prover's own discharge, fresh process state) and the total; the
  target is the whole suite under 10 s, each all-n obligation under 1 s;
* cvc5 on the SMT-LIB files the same obligation exports (the second solver of the test suite),
  with the ratio cvc5 / Z3 measured in the same run;
* the peer setup for the bitmap obligation: Z3's cardinality solver (``SolverFor("QF_FD")``)
  on the two-certificate overlap at small n, against the simplex encoding used (D-proof-3);
* ``--exhaustive``: the bitmap obligations for every n in 1..1024 instead of the sampled sizes;
* ``--plot FILE``: a picture of the time per obligation, Z3 beside cvc5.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import z3
from harness import Step, add_json_flag, add_plot_option, dumps, run_main, run_steps

from vdlt_spec.cli.plots import horizontal_bar_chart
from vdlt_spec.errors import Reason, SpecError
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


def time_obligations(
    with_cvc5: bool = True, only: Sequence[str] = (), *, quiet: bool = True
) -> list[Timing]:
    """Discharge every obligation (or those named) once and time it, and cvc5 on its files."""
    chosen = [o for o in catalog.OBLIGATIONS if not only or o.name in only]
    unknown = sorted(set(only) - {o.name for o in catalog.OBLIGATIONS})
    if unknown:
        raise SpecError(Reason.BAD_USAGE, f"--only: no obligation named {', '.join(unknown)}")
    with tempfile.TemporaryDirectory() as tmp:

        def one(obligation: Any) -> Timing:
            result = runner.discharge(obligation, 120)
            cvc5_s, answers = _cvc5_seconds(obligation, Path(tmp)) if with_cvc5 else (None, "-")
            return Timing(
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

        steps = [Step(o.name, partial(one, o)) for o in chosen]
        return run_steps("proving", steps, quiet=quiet)


def qf_fd_peer(sizes: tuple[int, ...] = FD_SIZES, *, quiet: bool = True) -> list[dict[str, Any]]:
    """Time the two-certificate overlap with cardinality constraints (QF_FD) and with simplex."""
    return run_steps("QF_FD peer", [Step(f"n={n}", partial(_peer, n)) for n in sizes], quiet=quiet)


def _peer(n: int) -> dict[str, Any]:
    """Time the overlap at ``n`` with cardinality constraints and with simplex."""
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
    return {
        "n": n,
        "qf_fd": fd_answer,
        "qf_fd_s": fd_s,
        "simplex": lia_answer,
        "simplex_s": lia_s,
    }


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
    queries = sum(r.queries for r in rows)
    lines.append(f"total Z3: {z3_total:.2f} s for {len(rows)} obligations ({queries} queries)")
    if all(r.cvc5_s is not None for r in rows):
        cvc5_total = sum(r.cvc5_s or 0.0 for r in rows)
        lines.append(f"total cvc5: {cvc5_total:.2f} s (ratio {cvc5_total / z3_total:.1f} x Z3)")
    if unbounded:
        slowest = max(unbounded, key=lambda r: r.z3_s)
        lines.append(f"slowest all-n obligation: {slowest.name} {slowest.z3_s:.3f} s")
    if peer:
        lines.append("bitmap overlap, cardinality constraints (QF_FD) vs simplex (used):")
    for p in peer:
        fd = f"QF_FD {p['qf_fd']:>7} {p['qf_fd_s']:7.2f} s"
        lines.append(f"  n={p['n']:5d}  {fd}   simplex {p['simplex']:>5} {p['simplex_s']:6.3f} s")
    return "\n".join(lines)


def plot(path: Path, rows: list[Timing]) -> None:
    """Draw each obligation's proof time, Z3 beside cvc5, on a log scale, to ``path``."""
    series: list[tuple[str, list[float | None]]] = [("Z3", [max(r.z3_s, 1e-4) for r in rows])]
    if any(r.cvc5_s is not None for r in rows):
        cvc5 = [None if r.cvc5_s is None else max(r.cvc5_s, 1e-4) for r in rows]
        series.append(("cvc5 (same exported queries)", cvc5))
    horizontal_bar_chart(
        path,
        "Proof time per obligation",
        [r.name for r in rows],
        series,
        "seconds (log scale)",
        log_scale=True,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (or JSON); draw the picture only with --plot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cvc5", action="store_true", help="skip the cvc5 column")
    parser.add_argument("--no-peer", action="store_true", help="skip the QF_FD peer")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="time only this obligation (repeatable)",
    )
    parser.add_argument("--exhaustive", action="store_true", help="bitmap for every n <= 1024")
    add_json_flag(parser)
    add_plot_option(parser, "the time per obligation (Z3 beside cvc5)")
    return run_main("bench_proofs", _main, parser.parse_args(argv))


def _main(args: argparse.Namespace) -> int:
    rows = time_obligations(with_cvc5=not args.no_cvc5, only=args.only, quiet=args.json)
    peer = [] if args.no_peer else qf_fd_peer(quiet=args.json)
    report: dict[str, Any] = {"obligations": [asdict(r) for r in rows], "qf_fd_peer": peer}
    if args.exhaustive:
        report["exhaustive_bitmap"] = exhaustive_bitmap()
    if args.plot is not None:
        plot(args.plot, rows)
    if args.json:
        print(dumps(report))
    else:
        print(render(rows, peer))
        if args.exhaustive:
            print("exhaustive bitmap:", report["exhaustive_bitmap"])
    return 0 if all(r.verdict == "valid" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
