"""Render a solve of Eq. (1) for people and for machines: its table and its strict JSON (§IV-E).

The ``vdlt allocation solve`` command's report: utilities with their units, the gap, the time per
phase, and the ``--json`` document whose utilities are exact rationals (the codec's "p/q").
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from rich.table import Table

from vdlt_spec.cli.common import shown

__all__ = [
    "SOLVER_NAMES",
    "UTILITY_FIELDS",
    "UTILITY_UNIT",
    "diagnosis_table",
    "fraction_text",
    "solve_document",
    "solve_table",
]

#: The unit of each utility (Eq. (1)).
UTILITY_UNIT = {"throughput": "tx/s", "welfare": "tokens/epoch"}
#: The solvers' names as people write them.
SOLVER_NAMES = {"highs": "HiGHS", "cbc": "CBC"}
#: Fields of the solve report that are utilities: exact rationals in ``--json`` (the codec's
#: "p/q" strings), whether the oracle computed them exactly or a solver returned a float.
UTILITY_FIELDS = (
    "objective",
    "incumbent",
    "bound",
    "relaxation_bound",
    "lagrangian_bound",
    "warm_start",
    "searched",
)


def fraction_text(value: Any) -> str:
    """Show a utility briefly: an integer whole, a fraction as six significant digits."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return f"{float(value):.6g}" if getattr(value, "denominator", 1) != 1 else str(value)


def _exact(value: Any) -> Fraction | None:
    """Return a utility as an exact rational: a float as the decimal it prints as."""
    if value is None or isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(repr(value)) if math.isfinite(value) else None
    return Fraction(value)


def solve_document(report: Any, limit: float | None) -> dict[str, Any]:
    """Return a solve report as one strict JSON document with one type per field.

    Utilities are exact rationals in the codec's form ("p/q" strings, integers as "25"),
    seconds and the relative gap are JSON numbers, and no field is ever NaN or Infinity:
    a missing figure is null. Every wall-clock figure's name ends in ``seconds``
    (``phase_seconds`` maps each phase that ran to its seconds).
    """
    from vdlt_spec.serial import encode

    document: dict[str, Any] = encode(report)
    for name in UTILITY_FIELDS:
        document[name] = encode(_exact(getattr(report, name)))
    document["time_limit"] = limit
    # every wall-clock figure's name ends in "seconds"
    document["phase_seconds"] = {p.phase: p.seconds for p in report.phase_seconds}
    document["solver_name"] = SOLVER_NAMES.get(report.solver, report.solver)
    return document


def _with_unit(value: Any, unit: str) -> str:
    text = fraction_text(value)
    return text if value is None else f"{text} {unit}"


def _gap_text(report: Any) -> str:
    if report.gap is not None:
        return "0 %" if report.gap == 0 else f"{100 * report.gap:.3g} %"
    if report.objective == 0 and report.bound is not None:
        return "- (no relative gap to a utility of 0)"
    return "-"


def _admitted_text(report: Any) -> str:
    """Say how many transactions were admitted, or that the instance was never read."""
    if [p.phase for p in report.phase_seconds] == ["reading"] and report.variables == 0:
        return "- (the instance was not read)"
    return f"{report.admitted} of {report.transactions} transactions"


def _model_text(report: Any) -> str:
    """Describe the model's size, or say that the time limit came before it was built."""
    phases = {p.phase for p in report.phase_seconds}
    if phases <= {"reading", "building"} and report.variables == 0:
        return "not built: the time limit came first"
    return f"{report.binaries} binaries, {report.constraints} rows"


def _solver_text(report: Any) -> str:
    name = SOLVER_NAMES.get(report.solver, str(report.solver))
    if report.solver_ran:
        return name
    if report.proven_optimal:
        return f"{name}, not needed: a bound proved the optimum first"
    return f"{name}, not run: the time limit was spent before it"


def _seconds_text(report: Any, limit: float | None) -> str:
    of = "no limit" if limit is None else f"limit {limit:g} s"
    return f"{report.seconds:.2f} s ({of})"


def _phases_text(report: Any) -> str:
    return ", ".join(f"{p.phase} {p.seconds:.2f} s" for p in report.phase_seconds)


def solve_table(report: Any, utility: str, limit: float | None) -> Table:
    """Lay out a solve report as a two-column table that stays whole at 60 columns and up."""
    unit = UTILITY_UNIT.get(utility, "")
    table = Table(title=f"vdlt allocation solve {shown(report.instance)}: {report.status.value}")
    table.add_column("figure", overflow="fold")
    table.add_column("value", overflow="fold")
    rows = [
        ("status", report.status.value),
        ("why", report.summary),
        ("solver", _solver_text(report)),
        (f"{utility} (exact)", _with_unit(report.objective, unit)),
        ("bound", _with_unit(report.bound, unit)),
        ("  LP relaxation", _with_unit(report.relaxation_bound, unit)),
        ("  Lagrangian", _with_unit(report.lagrangian_bound, unit)),
        ("relative gap", _gap_text(report)),
        ("admitted", _admitted_text(report)),
        ("warm start", _with_unit(report.warm_start, unit)),
        (
            "neighbourhood search",
            f"{_with_unit(report.searched, unit)} in {report.search_seconds:.2f} s"
            if report.search_seconds
            else "not run",
        ),
        ("model", _model_text(report)),
        ("time", _seconds_text(report, limit)),
        ("  per phase", _phases_text(report)),
    ]
    for name, value in rows:
        table.add_row(shown(name), shown(value))
    return table


def diagnosis_table(rows: Any) -> Table:
    """Lay out the constraints an infeasible instance's least-violating allocation breaks."""
    diag = Table(title="why infeasible: constraints the least-violating allocation breaks")
    for column in ("constraint", "subject", "unit"):
        diag.add_column(column, overflow="fold")
    for column in ("value", "bound", "violated by"):
        diag.add_column(column, justify="right", no_wrap=True)
    for r in rows:
        diag.add_row(
            r.constraint.value,
            shown(r.subject),
            r.unit,
            fraction_text(r.value),
            fraction_text(r.bound),
            fraction_text(-r.slack),
        )
    return diag
