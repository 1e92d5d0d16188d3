"""Model accountable safety and no framing of iPBFT over uninterpreted sorts (§IV-D, §IV-J).

Accountability is about what a third party can check from signed messages alone, with any
number of Byzantine replicas. A replica is a *culprit* when two of its own signed messages
contradict the protocol:

* two prepares, two commits, or a prepare and a commit of one view with different digests;
* a commit in view v and a view-change message for a later view that reports a prepare
  certificate below v (or none, ``bot``): it hid what it committed.

Each is self-contained evidence: two statements verifiable under the replica's key.

Accountable safety (transcript model): given the transcript of certificates (every commit
certificate comes with its prepare certificate, every prepare certificate of a later view with
the new-view message that justified its digest, and that new-view's chosen view-change
messages), two commit certificates with different digests imply two quorums whose every common
member is a culprit. Proved by well-founded induction on views: a minimal counterexample view is
impossible (three cases on the highest view the new view chose). With the counting fact of
:mod:`vdlt_spec.models.quorum`, two quorums share at least floor((n-1)/3) + 1 replicas.

No framing: along every run of the transition system of :mod:`vdlt_spec.models.pbft`, with no
bound on Byzantine replicas, no honest replica is a culprit (an inductive invariant).
"""

from __future__ import annotations

import z3

from vdlt_spec.models import pbft
from vdlt_spec.models.domain import (
    BOOL,
    Digest,
    Quorum,
    Replica,
    State,
    View,
    decode_structure,
    first_view,
    honest,
    member,
    no_view,
    view_le,
    view_lt,
    view_order_axioms,
)
from vdlt_spec.models.query import Query, Setup

LOGIC = "UF"


def culprit(s: State, x: z3.ExprRef) -> z3.BoolRef:
    """Return: replica x signed two messages that contradict the protocol (§IV-J evidence)."""
    v, w, vp = z3.Consts("ev_view ev_later ev_reported", View)
    e1, e2 = z3.Consts("ev_digest ev_other", Digest)
    prep, comm, vc = s["prep"], s["comm"], s["vc"]
    conflicting_votes = z3.Exists(
        [v, e1, e2],
        z3.And(
            e1 != e2,
            z3.Or(
                z3.And(prep(x, v, e1), prep(x, v, e2)),
                z3.And(comm(x, v, e1), comm(x, v, e2)),
                z3.And(prep(x, v, e1), comm(x, v, e2)),
            ),
        ),
    )
    hidden_commit = z3.Exists(
        [v, e1, w, vp, e2],
        z3.And(comm(x, v, e1), vc(x, w, vp, e2), view_lt(v, w), view_lt(vp, v)),
    )
    return z3.Or(conflicting_votes, hidden_commit)


# --- no framing: an invariant of the honest transition rules -------------------------------

r = z3.Const("r", Replica)
v, w, vp = z3.Consts("v w vp", View)
d, d1, d2, dp = z3.Consts("d d1 d2 dp", Digest)

NO_FRAMING: dict[str, pbft.Clause] = {
    "honest-prepares-once": pbft.INVARIANT["honest-prepares-once"],
    "honest-commits-prepared": lambda s: z3.ForAll(
        [r, v, d], z3.Implies(z3.And(honest(r), s["comm"](r, v, d)), s["prep"](r, v, d))
    ),
    "honest-view-change-covers-commits": pbft.INVARIANT["honest-view-change-covers-commits"],
    "view-change-leaves-view": pbft.INVARIANT["view-change-leaves-view"],
    "honest-never-culprit": lambda s: z3.ForAll([r], z3.Implies(honest(r), z3.Not(culprit(s, r)))),
}


def no_framing_queries() -> tuple[Query, ...]:
    """Ask for a run step that makes an honest replica a culprit, any Byzantine count (§IV-J)."""
    init = pbft.initiation_queries(NO_FRAMING, prefix="no-framing/initiation")
    steps = pbft.consecution_queries(
        NO_FRAMING, background=view_order_axioms(), prefix="no-framing/consecution"
    )
    return init + steps


# --- accountable safety over a transcript ----------------------------------------------------

prep = z3.Function("prep", Replica, View, Digest, BOOL)
comm = z3.Function("comm", Replica, View, Digest, BOOL)
vc = z3.Function("vc", Replica, View, View, Digest, BOOL)
pcert = z3.Function("pcert", View, Digest, BOOL)
ccert = z3.Function("ccert", View, Digest, BOOL)
new_view = z3.Function("new_view", View, Digest, BOOL)
pcert_quorum = z3.Function("pcert_quorum", View, Digest, Quorum)
ccert_quorum = z3.Function("ccert_quorum", View, Digest, Quorum)
nv_quorum = z3.Function("nv_quorum", View, Digest, Quorum)
nv_highest = z3.Function("nv_highest", View, Digest, View)
nv_chosen = z3.Function("nv_chosen", View, Digest, Replica, View, Digest, BOOL)
TRANSCRIPT: State = {"prep": prep, "comm": comm, "vc": vc}


def transcript_axioms() -> list[z3.BoolRef]:
    """Return what a verifier checks of a transcript and requires it to hold (§IV-J)."""
    m = z3.Const("m", Replica)
    return [
        *view_order_axioms(),
        z3.ForAll([m, d], z3.And(z3.Not(prep(m, no_view, d)), z3.Not(comm(m, no_view, d)))),
        # certificates: a quorum of signatures (unforgeable)
        z3.ForAll(
            [v, d, m],
            z3.Implies(z3.And(pcert(v, d), member(m, pcert_quorum(v, d))), prep(m, v, d)),
        ),
        z3.ForAll(
            [v, d, m],
            z3.Implies(z3.And(ccert(v, d), member(m, ccert_quorum(v, d))), comm(m, v, d)),
        ),
        # completeness: a commit certificate comes with its prepare certificate, and a prepare
        # certificate of a later view with the new-view message that justified its digest
        z3.ForAll([v, d], z3.Implies(ccert(v, d), pcert(v, d))),
        z3.ForAll([w, d], z3.Implies(z3.And(pcert(w, d), w != first_view), new_view(w, d))),
        # a valid new view: one chosen view-change message per member of its quorum ...
        z3.ForAll(
            [w, d, m],
            z3.Implies(
                z3.And(new_view(w, d), member(m, nv_quorum(w, d))),
                z3.Exists([vp, dp], nv_chosen(w, d, m, vp, dp)),
            ),
        ),
        # ... each a real, signed view-change message carrying a real certificate (or none) ...
        z3.ForAll(
            [w, d, m, vp, dp],
            z3.Implies(
                nv_chosen(w, d, m, vp, dp),
                z3.And(
                    member(m, nv_quorum(w, d)),
                    vc(m, w, vp, dp),
                    view_lt(vp, w),
                    z3.Or(vp == no_view, pcert(vp, dp)),
                ),
            ),
        ),
        # ... and the digest of the highest chosen certificate, if there is one
        z3.ForAll(
            [w, d],
            z3.Implies(
                new_view(w, d),
                z3.And(
                    z3.Or(
                        nv_highest(w, d) == no_view,
                        z3.Exists([m], nv_chosen(w, d, m, nv_highest(w, d), d)),
                    ),
                    z3.ForAll(
                        [m, vp, dp],
                        z3.Implies(nv_chosen(w, d, m, vp, dp), view_le(vp, nv_highest(w, d))),
                    ),
                ),
            ),
        ),
        # every quorum has a member
        z3.ForAll([z3.Const("q", Quorum)], z3.Exists([m], member(m, z3.Const("q", Quorum)))),
    ]


def blame() -> z3.BoolRef:
    """Return: there are two quorums all of whose common members are culprits (§IV-J)."""
    qa, qb = z3.Consts("blamed_quorum_1 blamed_quorum_2", Quorum)
    x = z3.Const("blamed", Replica)
    return z3.Exists(
        [qa, qb],
        z3.ForAll([x], z3.Implies(z3.And(member(x, qa), member(x, qb)), culprit(TRANSCRIPT, x))),
    )


def _all_culprits(qa: z3.ExprRef, qb: z3.ExprRef) -> z3.BoolRef:
    x = z3.Const("blamed", Replica)
    return z3.ForAll([x], z3.Implies(z3.And(member(x, qa), member(x, qb)), culprit(TRANSCRIPT, x)))


def _decode(model: z3.ModelRef) -> dict[str, str]:
    fns = [member, prep, comm, vc, pcert, ccert, new_view]
    return decode_structure(model, (Replica, Quorum, View, Digest), fns)


def accountable_safety_queries() -> tuple[Query, ...]:
    """Return the induction step (three cases), the final cases and their coverage (§IV-J)."""
    vk, wk = z3.Consts("committed_view later_view", View)
    dk, ddk = z3.Consts("committed_digest other_digest", Digest)
    ax = transcript_axioms()
    hi = nv_highest(wk, ddk)
    # Step: a commit certificate in vk and a new view in wk > vk for another digest, where the
    # claim holds for every view below wk, yields two quorums of culprits.
    step = [ccert(vk, dk), new_view(wk, ddk), view_lt(vk, wk), dk != ddk]
    hypothesis_below = z3.Implies(
        z3.And(ccert(vk, dk), new_view(hi, ddk), view_lt(vk, hi), dk != ddk), blame()
    )
    out = [
        Query(
            "step/highest-below-committed",
            (
                *ax,
                *step,
                view_lt(hi, vk),
                z3.Not(_all_culprits(ccert_quorum(vk, dk), nv_quorum(wk, ddk))),
            ),
            LOGIC,
            Setup.QUANTIFIED,
            _decode,
        ),
        Query(
            "step/highest-at-committed",
            (
                *ax,
                *step,
                hi == vk,
                z3.Not(_all_culprits(ccert_quorum(vk, dk), pcert_quorum(vk, ddk))),
            ),
            LOGIC,
            Setup.QUANTIFIED,
            _decode,
        ),
        Query(
            "step/highest-above-committed",
            (*ax, *step, view_lt(vk, hi), hypothesis_below, z3.Not(blame())),
            LOGIC,
            Setup.QUANTIFIED,
            _decode,
        ),
        Query(
            "step/cases-exhaustive",
            (*view_order_axioms(), z3.Not(z3.Or(view_lt(hi, vk), hi == vk, view_lt(vk, hi)))),
            LOGIC,
            Setup.QUANTIFIED,
        ),
    ]
    v1, v2 = z3.Consts("view_1 view_2", View)
    e1, e2 = z3.Consts("digest_1 digest_2", Digest)
    conflict = [ccert(v1, e1), ccert(v2, e2), e1 != e2]
    by_induction = z3.Implies(
        z3.And(ccert(v1, e1), new_view(v2, e2), view_lt(v1, v2), e1 != e2), blame()
    )
    out += [
        Query(
            "conflict/same-view",
            (
                *ax,
                *conflict,
                v1 == v2,
                z3.Not(_all_culprits(ccert_quorum(v1, e1), ccert_quorum(v2, e2))),
            ),
            LOGIC,
            Setup.QUANTIFIED,
            _decode,
        ),
        Query(
            "conflict/later-view",
            (*ax, *conflict, view_lt(v1, v2), by_induction, z3.Not(blame())),
            LOGIC,
            Setup.QUANTIFIED,
            _decode,
        ),
        Query(
            "conflict/cases-exhaustive",
            (*view_order_axioms(), z3.Not(z3.Or(v1 == v2, view_lt(v1, v2), view_lt(v2, v1)))),
            LOGIC,
            Setup.QUANTIFIED,
        ),
    ]
    return tuple(out)


def conflict_possible_queries() -> tuple[Query, ...]:
    """Ask for a transcript with two conflicting commit certificates (a model is expected) (§IV-J).

    Without an honest majority conflicting commits can happen; this shows the accountability
    hypotheses are consistent, so the accountable-safety proof is not vacuous.
    """
    v1, v2 = z3.Consts("view_1 view_2", View)
    e1, e2 = z3.Consts("digest_1 digest_2", Digest)
    x = z3.Const("x", Replica)
    qx = z3.Const("qx", Quorum)
    vx = z3.Const("vx", View)
    dx = z3.Const("dx", Digest)
    # a small universe keeps the search for a model finite: one replica forms the one quorum
    universe = [
        z3.ForAll([x], x == z3.Const("the_replica", Replica)),
        z3.ForAll([qx], qx == z3.Const("the_quorum", Quorum)),
        z3.ForAll([vx], z3.Or(vx == no_view, vx == v1, vx == v2)),
        z3.ForAll([dx], z3.Or(dx == e1, dx == e2)),
    ]
    facts = (
        *transcript_axioms(),
        *universe,
        ccert(v1, e1),
        ccert(v2, e2),
        e1 != e2,
        view_lt(v1, v2),
    )
    return (Query("conflicting-commits-in-transcript", facts, LOGIC, Setup.QUANTIFIED, _decode),)
