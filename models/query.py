"""Describe one solver question: the negation of a claim, whose models are counterexamples.

Every encoding in :mod:`vdlt_spec.models` produces :class:`Query` objects. A query asks whether
the negated claim is satisfiable: ``unsat`` means the claim holds, ``sat`` yields a
counterexample, which the query's ``decode`` turns into domain terms (n, f, quorums, replicas).
The ``setup`` names the solver configuration that the encoding was designed for (§III-D, §IV-D).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import z3

Decoder = Callable[[z3.ModelRef], dict[str, str]]


class Setup(StrEnum):
    """Name the solver configurations the encodings use (§III-D)."""

    DEFAULT = "default"  # z3.Solver(): Z3 picks its strategy from the formula
    SIMPLEX = (
        "simplex"  # the plain SMT core (Tactic "smt"): LIA/LRA by simplex, no 0-1 bit-blasting
    )
    QF_FD = "qf_fd"  # SolverFor("QF_FD"): finite domains, native cardinality constraints
    QUANTIFIED = "quantified"  # SMT core with model-based quantifier instantiation (MBQI)


def decode_values(model: z3.ModelRef) -> dict[str, str]:
    """Return every constant of the model with its value, sorted by name (§III-D)."""
    out = {}
    for decl in sorted(model.decls(), key=lambda d: d.name()):
        if decl.arity() == 0:
            out[decl.name()] = str(model[decl])
    return out


def no_decode(model: z3.ModelRef) -> dict[str, str]:
    """Return the raw model as text for queries without a domain decoder (§III-D)."""
    text = " ".join(model.sexpr().split())
    return {"model": text if len(text) <= 400 else text[:400] + " ..."}


@dataclass(frozen=True)
class Query:
    """Hold one question: the negated claim's assertions and how to read a model (§III-D)."""

    name: str
    assertions: tuple[z3.BoolRef, ...]
    logic: str
    setup: Setup = Setup.DEFAULT
    decode: Decoder = field(default=no_decode)


def make_solver(setup: Setup, timeout_ms: int) -> z3.Solver:
    """Create a fresh solver of the given setup with a timeout in milliseconds (§III-D)."""
    if setup is Setup.QF_FD:
        solver = z3.SolverFor("QF_FD")
    elif setup is Setup.SIMPLEX:
        solver = z3.Tactic("smt").solver()
    elif setup is Setup.QUANTIFIED:
        solver = z3.Solver()
        solver.set("mbqi", True)
    else:
        solver = z3.Solver()
    solver.set("timeout", max(1, timeout_ms))
    return solver


def solver_for(query: Query, timeout_ms: int) -> z3.Solver:
    """Return a solver of the query's setup loaded with its assertions (§III-D)."""
    solver = make_solver(query.setup, timeout_ms)
    solver.add(*query.assertions)
    return solver


def to_smtlib(query: Query) -> str:
    """Render a query as an SMT-LIB 2 script ending in ``(check-sat)`` (§III-D)."""
    solver = z3.Solver()
    solver.add(*query.assertions)
    body = solver.to_smt2()
    return f"; vdlt-spec obligation query {query.name}\n(set-logic {query.logic})\n{body}"


def conj(parts: Sequence[z3.BoolRef]) -> z3.BoolRef:
    """Return the conjunction of the parts (``True`` when empty) (§III-D)."""
    if not parts:
        return z3.BoolVal(True)
    return parts[0] if len(parts) == 1 else z3.And(*parts)


def total(terms: Sequence[z3.ArithRef]) -> z3.ArithRef:
    """Return the sum of the terms without a one-argument ``+`` (which SMT-LIB forbids) (§III-D)."""
    if not terms:
        return z3.IntVal(0)
    return terms[0] if len(terms) == 1 else z3.Sum(*terms)
