"""Model iPBFT safety over uninterpreted sorts, for every n (§III-D, §IV-D).

Two models, both over replicas, quorums, views and digests as uninterpreted sorts, with the
quorum facts of :mod:`vdlt_spec.models.quorum` as lemmas (:mod:`vdlt_spec.models.domain`):

* agreement within a view: what honest replicas sign (one prepare per (view, seq); a commit
  only with a prepare certificate) makes two commit certificates of one (view, seq) agree;
* agreement across views: a transition system of one sequence number — prepares, commits,
  certificates, view-change messages carrying the highest prepare certificate, new views that
  re-propose the digest of the highest certificate among a quorum of view-change messages,
  and Byzantine replicas that sign anything (but cannot forge a certificate). An inductive
  invariant is checked by initiation, consecution (one query per action and invariant clause
  the action can change) and invariant => agreement.

Certificates are ghost relations (``pcert``, ``ccert``) set by certificate-forming actions whose
guard is "every member of some quorum signed". This keeps every quantifier alternation flowing
from views and digests to quorums to replicas, which model-based quantifier instantiation decides
quickly (docs/decisions.md, D-proof-4). A Python mirror of the honest guards, for tie-in tests
against the executable replica, is :mod:`vdlt_spec.models.pbft_guards`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import z3

from vdlt_spec.models.domain import (
    BOOL,
    Digest,
    Quorum,
    Relation,
    RelFn,
    Replica,
    Seq,
    State,
    View,
    decode_structure,
    empty_state,
    first_view,
    honest,
    honest_intersection_lemma,
    insert,
    member,
    no_view,
    nonempty_quorum_lemma,
    reads,
    symbols,
    view_le,
    view_lt,
    view_order_axioms,
)
from vdlt_spec.models.query import Query, Setup

LOGIC = "UF"  # uninterpreted sorts and functions with quantifiers

# --- agreement within a view (non-inductive) -----------------------------------------------


def within_view_queries() -> tuple[Query, ...]:
    """Ask for two commit certificates of one (view, seq) with different digests (§IV-D)."""
    prep = z3.Function("prep", Replica, View, Seq, Digest, BOOL)
    comm = z3.Function("comm", Replica, View, Seq, Digest, BOOL)
    pcert = z3.Function("pcert", View, Seq, Digest, BOOL)
    pcq = z3.Function("pcert_quorum", View, Seq, Digest, Quorum)
    r, m = z3.Consts("r m", Replica)
    v = z3.Const("v", View)
    s = z3.Const("s", Seq)
    d, d1, d2 = z3.Consts("d d1 d2", Digest)
    honest_rules = [
        # an honest replica prepares at most one digest per (view, seq)
        z3.ForAll(
            [r, v, s, d1, d2],
            z3.Implies(z3.And(honest(r), prep(r, v, s, d1), prep(r, v, s, d2)), d1 == d2),
        ),
        # an honest replica commits only with a prepare certificate for that digest
        z3.ForAll([r, v, s, d], z3.Implies(z3.And(honest(r), comm(r, v, s, d)), pcert(v, s, d))),
        # a prepare certificate is a quorum of prepare signatures (signatures are unforgeable)
        z3.ForAll(
            [v, s, d, m],
            z3.Implies(z3.And(pcert(v, s, d), member(m, pcq(v, s, d))), prep(m, v, s, d)),
        ),
    ]
    qa, qb = z3.Consts("commit_quorum_1 commit_quorum_2", Quorum)
    vk = z3.Const("view", View)
    sk = z3.Const("seq", Seq)
    da, db = z3.Consts("digest_1 digest_2", Digest)
    negated = [
        z3.ForAll([m], z3.Implies(member(m, qa), comm(m, vk, sk, da))),
        z3.ForAll([m], z3.Implies(member(m, qb), comm(m, vk, sk, db))),
        da != db,
    ]
    facts = (honest_intersection_lemma(), *honest_rules, *negated)

    def decode(model: z3.ModelRef) -> dict[str, str]:
        return decode_structure(model, (Replica, Quorum, Digest), (member, honest, comm))

    return (Query("commit-certificates-agree", facts, LOGIC, Setup.QUANTIFIED, decode),)


# --- agreement across views: the transition system of one sequence number -----------------

RELATIONS: tuple[Relation, ...] = (
    Relation("prep", (Replica, View, Digest)),  # a signed prepare
    Relation("comm", (Replica, View, Digest)),  # a signed commit
    Relation("vc", (Replica, View, View, Digest)),  # view change to w reporting (view, digest)
    Relation("prop", (View, Digest)),  # a valid pre-prepare of the view's primary
    Relation("left", (Replica, View)),  # ghost: the replica moved past the view
    Relation("pcert", (View, Digest)),  # ghost: a prepare certificate exists
    Relation("ccert", (View, Digest)),  # ghost: a commit certificate exists
)
REL_NAMES = tuple(rel.name for rel in RELATIONS)


def _quorum_signed(rel: Callable[[z3.ExprRef], z3.BoolRef], tag: str) -> z3.BoolRef:
    q = z3.Const(f"{tag}_quorum", Quorum)
    m = z3.Const(f"{tag}_member", Replica)
    return z3.Exists([q], z3.ForAll([m], z3.Implies(member(m, q), rel(m))))


r = z3.Const("r", Replica)
q = z3.Const("q", Quorum)
v, w, vp = z3.Consts("v w vp", View)
d, d1, d2, dp, dd = z3.Consts("d d1 d2 dp dd", Digest)

Clause = Callable[[State], z3.BoolRef]

INVARIANT: dict[str, Clause] = {
    "honest-prepares-once": lambda s: z3.ForAll(
        [r, v, d1, d2],
        z3.Implies(z3.And(honest(r), s["prep"](r, v, d1), s["prep"](r, v, d2)), d1 == d2),
    ),
    "honest-prepares-proposal": lambda s: z3.ForAll(
        [r, v, d], z3.Implies(z3.And(honest(r), s["prep"](r, v, d)), s["prop"](v, d))
    ),
    "prepare-certificate-unique": lambda s: z3.ForAll(
        [v, d1, d2], z3.Implies(z3.And(s["pcert"](v, d1), s["pcert"](v, d2)), d1 == d2)
    ),
    "prepare-certificate-proposed": lambda s: z3.ForAll(
        [v, d], z3.Implies(s["pcert"](v, d), s["prop"](v, d))
    ),
    "prepare-certificate-quorum": lambda s: z3.ForAll(
        [v, d],
        z3.Implies(s["pcert"](v, d), _quorum_signed(lambda m: s["prep"](m, v, d), "prepare")),
    ),
    "no-certificate-before-first-view": lambda s: z3.ForAll(
        [v, d], z3.Implies(z3.Or(s["pcert"](v, d), s["prop"](v, d)), v != no_view)
    ),
    "honest-commit-certified": lambda s: z3.ForAll(
        [r, v, d], z3.Implies(z3.And(honest(r), s["comm"](r, v, d)), s["pcert"](v, d))
    ),
    "view-change-certificate-real": lambda s: z3.ForAll(
        [r, w, vp, dp],
        z3.Implies(
            s["vc"](r, w, vp, dp),
            z3.And(z3.Or(vp == no_view, s["pcert"](vp, dp)), view_lt(vp, w)),
        ),
    ),
    "honest-view-change-covers-commits": lambda s: z3.ForAll(
        [r, w, vp, dp, v, d],
        z3.Implies(
            z3.And(honest(r), s["vc"](r, w, vp, dp), s["comm"](r, v, d), view_lt(v, w)),
            view_le(v, vp),
        ),
    ),
    "view-change-leaves-view": lambda s: z3.ForAll(
        [r, w, v, vp, dp],
        z3.Implies(z3.And(honest(r), s["vc"](r, w, vp, dp), view_lt(v, w)), s["left"](r, v)),
    ),
    "later-proposals-safe": lambda s: z3.ForAll(
        [v, w, d, dd, q],
        z3.Implies(
            z3.And(s["prop"](w, dd), v != no_view, view_lt(v, w), d != dd),
            z3.Exists(
                [r],
                z3.And(member(r, q), honest(r), s["left"](r, v), z3.Not(s["comm"](r, v, d))),
            ),
        ),
    ),
    "commit-certificate-quorum": lambda s: z3.ForAll(
        [v, d],
        z3.Implies(s["ccert"](v, d), _quorum_signed(lambda m: s["comm"](m, v, d), "commit")),
    ),
    "commit-certificate-prepared": lambda s: z3.ForAll(
        [v, d], z3.Implies(s["ccert"](v, d), s["pcert"](v, d))
    ),
}


def agreement(s: State) -> z3.BoolRef:
    """Return the safety property: all commit certificates of the slot carry one digest (§IV-D)."""
    v1, v2 = z3.Consts("v1 v2", View)
    return z3.ForAll(
        [v1, v2, d1, d2], z3.Implies(z3.And(s["ccert"](v1, d1), s["ccert"](v2, d2)), d1 == d2)
    )


@dataclass(frozen=True)
class Action:
    """Describe one guarded transition: parameters are fresh constants of the query (§IV-D)."""

    name: str
    guard: Callable[[State], list[z3.BoolRef]]
    update: Callable[[State], dict[str, RelFn]]
    note: str = field(default="")


ra = z3.Const("actor", Replica)
va, wa, vpa, vmax = z3.Consts("at_view new_view reported_view highest_view", View)
da, dpa = z3.Consts("digest reported_digest", Digest)
qa = z3.Const("signer_quorum", Quorum)
chosen = z3.Function("chosen", Replica, View, Digest, BOOL)  # new-view's chosen messages


def _left_after(s: State, new_view: z3.ExprRef) -> RelFn:
    def left(x: z3.ExprRef, y: z3.ExprRef) -> z3.BoolRef:
        return z3.Or(s["left"](x, y), z3.And(x == ra, view_lt(y, new_view)))

    return left


def _covers_commits(s: State) -> z3.BoolRef:
    return z3.ForAll(
        [v, d], z3.Implies(z3.And(s["comm"](ra, v, d), view_lt(v, wa)), view_le(v, vpa))
    )


def _reported(s: State) -> z3.BoolRef:
    return z3.And(z3.Or(vpa == no_view, s["pcert"](vpa, dpa)), view_lt(vpa, wa))


ACTIONS: tuple[Action, ...] = (
    Action(
        "honest-prepare",
        lambda s: [
            honest(ra),
            s["prop"](va, da),
            z3.ForAll([d], z3.Implies(s["prep"](ra, va, d), d == da)),
            z3.Not(s["left"](ra, va)),
        ],
        lambda s: {"prep": insert(s["prep"], ra, va, da)},
        "accept the view's pre-prepare once, while still in the view",
    ),
    Action(
        "honest-commit",
        lambda s: [
            honest(ra),
            s["pcert"](va, da),
            s["prep"](ra, va, da),
            z3.Not(s["left"](ra, va)),
        ],
        lambda s: {"comm": insert(s["comm"], ra, va, da)},
        "commit the prepared digest on its prepare certificate, while still in the view",
    ),
    Action(
        "honest-view-change",
        lambda s: [honest(ra), _reported(s), _covers_commits(s)],
        lambda s: {"vc": insert(s["vc"], ra, wa, vpa, dpa), "left": _left_after(s, wa)},
        "report the highest prepare certificate held (bot: none) and leave lower views",
    ),
    Action(
        "form-prepare-certificate",
        lambda s: [z3.ForAll([r], z3.Implies(member(r, qa), s["prep"](r, va, da)))],
        lambda s: {"pcert": insert(s["pcert"], va, da)},
        "a quorum of prepare signatures on one digest",
    ),
    Action(
        "form-commit-certificate",
        lambda s: [z3.ForAll([r], z3.Implies(member(r, qa), s["comm"](r, va, da)))],
        lambda s: {"ccert": insert(s["ccert"], va, da)},
        "a quorum of commit signatures on one digest",
    ),
    Action(
        "byzantine-prepare",
        lambda s: [z3.Not(honest(ra))],
        lambda s: {"prep": insert(s["prep"], ra, va, da)},
        "a Byzantine replica signs any prepare",
    ),
    Action(
        "byzantine-commit",
        lambda s: [z3.Not(honest(ra))],
        lambda s: {"comm": insert(s["comm"], ra, va, da)},
        "a Byzantine replica signs any commit",
    ),
    Action(
        "byzantine-view-change",
        lambda s: [z3.Not(honest(ra)), _reported(s)],
        lambda s: {"vc": insert(s["vc"], ra, wa, vpa, dpa)},
        "a Byzantine replica reports any real certificate, or none",
    ),
    Action(
        "propose-first-view",
        lambda s: [],
        lambda s: {"prop": insert(s["prop"], first_view, da)},
        "the first view's primary proposes anything (several digests if Byzantine)",
    ),
    Action(
        "new-view",
        lambda s: [
            view_lt(first_view, wa),
            # the new primary takes one view-change message for wa from each member of a quorum
            z3.ForAll([r], z3.Implies(member(r, qa), z3.Exists([vp, dp], chosen(r, vp, dp)))),
            z3.ForAll(
                [r, vp, dp],
                z3.Implies(chosen(r, vp, dp), z3.And(member(r, qa), s["vc"](r, wa, vp, dp))),
            ),
            # and re-proposes the digest of the highest reported certificate, if any
            z3.ForAll([r, vp, dp], z3.Implies(chosen(r, vp, dp), view_le(vp, vmax))),
            z3.Or(vmax == no_view, chosen(ra, vmax, da)),
        ],
        lambda s: {"prop": insert(s["prop"], wa, da)},
        "re-propose the digest of the highest prepare certificate in a quorum of view changes",
    ),
)


def axioms() -> list[z3.BoolRef]:
    """Return the background facts: the order of views and the quorum lemmas (§IV-D)."""
    return [*view_order_axioms(), honest_intersection_lemma(), nonempty_quorum_lemma()]


def _decoder(states: list[State]) -> Callable[[z3.ModelRef], dict[str, str]]:
    def decode(model: z3.ModelRef) -> dict[str, str]:
        fns: list[z3.FuncDeclRef] = [member, honest]
        for st in states:
            for fn in st.values():
                if isinstance(fn, z3.FuncDeclRef):
                    fns.append(fn)
        return decode_structure(model, (Replica, Quorum, View, Digest), fns)

    return decode


def initiation_queries(
    invariant: dict[str, Clause] = INVARIANT, prefix: str = "initiation"
) -> tuple[Query, ...]:
    """Ask for an initial state (all relations empty) that violates the invariant (§IV-D)."""
    init = empty_state(RELATIONS)
    facts = (*view_order_axioms(), z3.Not(z3.And(*[c(init) for c in invariant.values()])))
    return (Query(prefix, facts, LOGIC, Setup.QUANTIFIED),)


def consecution_queries(
    invariant: dict[str, Clause] = INVARIANT,
    background: list[z3.BoolRef] | None = None,
    prefix: str = "consecution",
) -> tuple[Query, ...]:
    """Ask, per action and clause it can change, for a step out of the invariant (§IV-D)."""
    pre = symbols(RELATIONS)
    hyps = (axioms() if background is None else background) + [c(pre) for c in invariant.values()]
    out: list[Query] = []
    for act in ACTIONS:
        changed = act.update(pre)
        post: State = {**pre, **changed}
        for name, clause in invariant.items():
            if not reads(clause(pre), changed):
                continue  # the clause reads no relation the action changes: it is preserved
            if (act.name, name) in SPLIT and invariant is INVARIANT:
                out.extend(SPLIT[(act.name, name)](pre, post, act))
                continue
            facts = (*hyps, *act.guard(pre), z3.Not(clause(post)))
            out.append(
                Query(
                    f"{prefix}/{act.name}/{name}", facts, LOGIC, Setup.QUANTIFIED, _decoder([pre])
                )
            )
    return tuple(out)


def _new_view_keeps_proposals_safe(pre: State, post: State, act: Action) -> list[Query]:
    """Split the hardest step (a new view's proposal is safe) into cases on the highest view.

    The negated clause is instantiated with named constants; the cases compare the chosen highest
    view with the committed view. Each case lists the invariant clauses it uses (fewer
    hypotheses are sound for unsat and keep instantiation focused); a last query shows the
    cases cover every possibility.
    """
    vs, ws = z3.Consts("committed_view proposed_view", View)
    ds, dds = z3.Consts("committed_digest proposed_digest", Digest)
    qs = z3.Const("some_quorum", Quorum)
    negated = [
        post["prop"](ws, dds),
        vs != no_view,
        view_lt(vs, ws),
        ds != dds,
        z3.ForAll(
            [r],
            z3.Not(
                z3.And(
                    member(r, qs), honest(r), post["left"](r, vs), z3.Not(post["comm"](r, vs, ds))
                )
            ),
        ),
    ]
    is_new = z3.And(ws == wa, dds == da)
    inv = {name: clause(pre) for name, clause in INVARIANT.items()}
    every = list(inv)
    # the parts of the new-view guard that the narrow cases use
    picks = [
        z3.ForAll(
            [r, vp, dp],
            z3.Implies(chosen(r, vp, dp), z3.And(member(r, qa), pre["vc"](r, wa, vp, dp))),
        ),
        z3.Or(vmax == no_view, chosen(ra, vmax, da)),
    ]
    guard = act.guard(pre)
    cases: list[tuple[str, z3.BoolRef, list[str], list[z3.BoolRef]]] = [
        ("earlier-proposal", z3.Not(is_new), ["later-proposals-safe"], []),
        ("no-certificate-reported", z3.And(is_new, vmax == no_view), every, guard),
        (
            "highest-below-committed",
            z3.And(is_new, vmax != no_view, view_lt(vmax, vs)),
            every,
            guard,
        ),
        ("highest-at-committed", z3.And(is_new, vmax == vs), every, guard),
        (
            "highest-above-committed",
            z3.And(is_new, view_lt(vs, vmax)),
            [
                "later-proposals-safe",
                "view-change-certificate-real",
                "prepare-certificate-proposed",
            ],
            picks,
        ),
    ]
    base = f"consecution/{act.name}/later-proposals-safe"
    out: list[Query] = []
    for label, condition, used, guard_used in cases:
        background = axioms() if used is every else view_order_axioms()
        facts = (
            *background,
            *[inv[name] for name in used],
            *guard_used,
            *negated,
            condition,
        )
        out.append(Query(f"{base}/{label}", facts, LOGIC, Setup.QUANTIFIED, _decoder([pre])))
    cover = (*view_order_axioms(), z3.Not(z3.Or(*[case[1] for case in cases])))
    out.append(Query(f"{base}/cases-exhaustive", cover, LOGIC, Setup.QUANTIFIED))
    return out


SPLIT: dict[tuple[str, str], Callable[[State, State, Action], list[Query]]] = {
    ("new-view", "later-proposals-safe"): _new_view_keeps_proposals_safe,
}


def safety_queries() -> tuple[Query, ...]:
    """Ask for a state satisfying the invariant with two different committed digests (§IV-D)."""
    pre = symbols(RELATIONS)
    facts = (*axioms(), *[c(pre) for c in INVARIANT.values()], z3.Not(agreement(pre)))
    return (Query("invariant-implies-agreement", facts, LOGIC, Setup.QUANTIFIED, _decoder([pre])),)


def across_views_queries() -> tuple[Query, ...]:
    """Return initiation, consecution and invariant => agreement, all expected unsat (§IV-D)."""
    return initiation_queries() + consecution_queries() + safety_queries()


def nonvacuity_queries() -> tuple[Query, ...]:
    """Ask for a state satisfying the axioms and invariant in which a digest is committed (§IV-D).

    A model is expected: it shows the hypotheses of the agreement proof are consistent (a proof
    from contradictory axioms would be vacuous).
    """
    pre = symbols(RELATIONS)
    vk = z3.Const("committed_view", View)
    dk = z3.Const("committed_digest", Digest)
    facts = (
        *axioms(),
        *[c(pre) for c in INVARIANT.values()],
        pre["ccert"](vk, dk),
        view_lt(first_view, vk),
        z3.Exists([r], z3.Not(honest(r))),
    )
    return (
        Query("commit-reachable-under-invariant", facts, LOGIC, Setup.QUANTIFIED, _decoder([pre])),
    )
