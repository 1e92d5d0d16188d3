"""Mirror the PBFT model's honest guards in Python, for tie-in tests (§IV-D).

The relations of :mod:`vdlt_spec.models.pbft` for one sequence number, held as finite sets, and
the guards honest replicas obey (prepare, commit, view change) evaluated on them: the tie-in
tests check that the executable replica only takes steps these guards allow, and that the
guards equal the model's Z3 formulas on small structures.
"""

from __future__ import annotations

from dataclasses import dataclass

NO_VIEW = -1  # the mirror's ``bot``: "no prepare certificate"


@dataclass(frozen=True)
class SlotTrace:
    """Hold the model's relations for one sequence number as finite sets (§IV-D)."""

    prep: frozenset[tuple[int, int, bytes]] = frozenset()
    comm: frozenset[tuple[int, int, bytes]] = frozenset()
    vc: frozenset[tuple[int, int, int, bytes]] = frozenset()
    prop: frozenset[tuple[int, bytes]] = frozenset()
    pcert: frozenset[tuple[int, bytes]] = frozenset()
    left: frozenset[tuple[int, int]] = frozenset()


def may_prepare(t: SlotTrace, r: int, v: int, d: bytes) -> bool:
    """Evaluate the honest-prepare guard: d proposed, first prepare in v, still in v (§IV-D)."""
    others = {d2 for (r2, v2, d2) in t.prep if r2 == r and v2 == v}
    return (v, d) in t.prop and others <= {d} and (r, v) not in t.left


def may_commit(t: SlotTrace, r: int, v: int, d: bytes) -> bool:
    """Evaluate the honest-commit guard: a prepare certificate, own prepare, still in v (§IV-D)."""
    return (v, d) in t.pcert and (r, v, d) in t.prep and (r, v) not in t.left


def may_view_change(t: SlotTrace, r: int, w: int, vp: int, dp: bytes) -> bool:
    """Evaluate the view-change guard: a real certificate below w covering commits (§IV-D)."""
    real = vp == NO_VIEW or (vp, dp) in t.pcert
    covers = all(v <= vp for (r2, v, _d) in t.comm if r2 == r and v < w)
    return real and vp < w and covers


def after_view_change(t: SlotTrace, r: int, w: int, vp: int, dp: bytes, views: range) -> SlotTrace:
    """Return the trace after replica r's view change to w (it leaves views < w) (§IV-D)."""
    gone = frozenset((r, v) for v in views if v < w)
    return SlotTrace(t.prep, t.comm, t.vc | {(r, w, vp, dp)}, t.prop, t.pcert, t.left | gone)
