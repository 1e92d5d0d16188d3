"""Declare the uninterpreted sorts, the order of views and the quorum lemmas of the PBFT models.

Replicas, quorums, views and digests are uninterpreted sorts, so a proof over them holds for
every number of replicas n. What the models know about quorums is exactly what
:mod:`vdlt_spec.models.quorum` proves in linear arithmetic for all n (§III-D, §IV-D):

* honest intersection: any two quorums share an honest replica (when 3|B| < n);
* every quorum has a member (3|Q| > 2n >= 2).

Views are totally ordered, with a first view ``v0`` and a marker ``bot`` below it that a
view-change message uses to say "no prepare certificate". The module also offers the small
transition-system toolkit the models share: relations, states, guarded updates, and a decoder
that prints a finite counterexample structure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import product

import z3

Replica = z3.DeclareSort("Replica")
Quorum = z3.DeclareSort("Quorum")
View = z3.DeclareSort("View")
Digest = z3.DeclareSort("Digest")
Seq = z3.DeclareSort("Seq")
BOOL = z3.BoolSort()

member = z3.Function("member", Replica, Quorum, BOOL)
honest = z3.Function("honest", Replica, BOOL)
view_le = z3.Function("view_le", View, View, BOOL)
first_view = z3.Const("v0", View)
no_view = z3.Const("bot", View)


def view_lt(a: z3.ExprRef, b: z3.ExprRef) -> z3.BoolRef:
    """Return a < b in the order of views (§III-D)."""
    return z3.And(view_le(a, b), a != b)


def view_order_axioms() -> list[z3.BoolRef]:
    """Return the axioms of a total order of views: ``bot`` < ``v0`` <= real views (§III-D)."""
    a, b, c = z3.Consts("a b c", View)
    return [
        z3.ForAll([a], view_le(a, a)),
        z3.ForAll([a, b], z3.Implies(z3.And(view_le(a, b), view_le(b, a)), a == b)),
        z3.ForAll([a, b, c], z3.Implies(z3.And(view_le(a, b), view_le(b, c)), view_le(a, c))),
        z3.ForAll([a, b], z3.Or(view_le(a, b), view_le(b, a))),
        z3.ForAll([a], z3.Implies(a != no_view, view_le(first_view, a))),
        view_lt(no_view, first_view),
    ]


def honest_intersection_lemma() -> z3.BoolRef:
    """Return: any two quorums share an honest member (proved for all n in quorum.py) (§III-D)."""
    q1, q2 = z3.Consts("q1 q2", Quorum)
    r = z3.Const("r", Replica)
    return z3.ForAll([q1, q2], z3.Exists([r], z3.And(member(r, q1), member(r, q2), honest(r))))


def nonempty_quorum_lemma() -> z3.BoolRef:
    """Return: every quorum has a member (3|Q| > 2n >= 2 gives |Q| >= 1) (§III-D)."""
    q = z3.Const("q", Quorum)
    r = z3.Const("r", Replica)
    return z3.ForAll([q], z3.Exists([r], member(r, q)))


# --- a small toolkit for transition systems over relations ------------------------------------

RelFn = Callable[..., z3.BoolRef]
State = dict[str, RelFn]


@dataclass(frozen=True)
class Relation:
    """Name a state relation and the sorts of its arguments (§III-D)."""

    name: str
    sorts: tuple[z3.SortRef, ...]


def symbols(relations: Iterable[Relation], suffix: str = "") -> State:
    """Return a state whose relations are fresh uninterpreted predicates (§III-D)."""
    return {rel.name: z3.Function(rel.name + suffix, *rel.sorts, BOOL) for rel in relations}


def empty_state(relations: Iterable[Relation]) -> State:
    """Return the state where every relation is empty (§III-D)."""
    return {rel.name: (lambda *_args: z3.BoolVal(False)) for rel in relations}


def insert(rel: RelFn, *row: z3.ExprRef) -> RelFn:
    """Return the relation ``rel`` with the tuple ``row`` added (§III-D)."""

    def updated(*args: z3.ExprRef) -> z3.BoolRef:
        return z3.Or(rel(*args), z3.And(*[x == y for x, y in zip(args, row, strict=True)]))

    return updated


def reads(formula: z3.ExprRef, names: Iterable[str]) -> bool:
    """Tell whether the formula applies any of the named predicates (§III-D)."""
    text = formula.sexpr()
    return any(f"({name} " in text for name in names)


def decode_structure(
    model: z3.ModelRef, sorts: Iterable[z3.SortRef], functions: Iterable[z3.FuncDeclRef]
) -> dict[str, str]:
    """Describe a finite counterexample: sort universes and true relation rows (§III-D)."""
    out: dict[str, str] = {}
    universes: dict[str, list[z3.ExprRef]] = {}
    for sort in sorts:
        universe = model.get_universe(sort)
        elems = list(universe) if universe is not None else []
        universes[sort.name()] = elems
        out[sort.name()] = f"{len(elems)} element(s)"
    for fn in functions:
        domains = [universes.get(fn.domain(i).name(), []) for i in range(fn.arity())]
        if fn.range() != BOOL or any(not d for d in domains):
            continue
        rows = [
            "(" + ",".join(str(x) for x in args) + ")"
            for args in product(*domains)
            if z3.is_true(model.eval(fn(*args), model_completion=True))
        ]
        if rows:
            text = " ".join(rows)
            out[fn.name()] = text if len(text) <= 300 else text[:300] + " ..."
    return out
