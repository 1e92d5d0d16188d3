"""Self-checks of the allocation component (Eq. (1), §IV-E, §IV-G), run by ``vdlt verify``.

Each solves the bundled small instances with the exact MILP and judges the result with the
evaluator and the recorded expectations; each can fail (a wrong optimum, an infeasible
"solution", a heuristic above the optimum, a diagnosis that does not bind).
"""

from __future__ import annotations

from fractions import Fraction

from vdlt_spec.checks import Outcome, check
from vdlt_spec.verdict import Verdict

COMPONENT = "allocation"
THREADS = 1


@check("allocation-milp-optimum", COMPONENT, "§IV-E Eq. (1)")
def milp_optimum() -> Outcome:
    """Solve the bundled feasible instances: each optimum proven, feasible, as recorded (§IV-E).

    Each baseline is scored against the proven optimum (its share is a figure); one that is
    feasible and beats it makes the check invalid, and so does an LP or Lagrangian bound
    (D-alloc-23) below the optimum or a Lagrangian bound above the LP's.
    """
    from vdlt_spec.allocation.baselines import BASELINES
    from vdlt_spec.allocation.bundled import bundled_instances, expected_results
    from vdlt_spec.allocation.evaluator import evaluate
    from vdlt_spec.allocation.score import Reference, score
    from vdlt_spec.errors import SpecError
    from vdlt_spec.models.milp import SolveStatus, solve

    expected = expected_results()
    figures: dict[str, str] = {}
    proven = 0
    for name, inst in bundled_instances().items():
        want = expected[name]
        if want.status != "optimal":
            continue
        heuristics = {h: allocate(inst) for h, allocate in BASELINES.items()}  # once per instance
        for solver in ("highs", "cbc"):
            report = solve(inst, solver=solver, threads=THREADS, diagnose=False)
            if report.status is not SolveStatus.OPTIMAL or report.allocation is None:
                return Outcome(Verdict.UNKNOWN, f"{name}: {solver} ended {report.status.value}")
            ev = evaluate(inst, report.allocation)
            if not ev.feasible:
                return Outcome(Verdict.INVALID, f"{name}: {solver}'s allocation is infeasible")
            if str(ev.objective) != want.objective:
                return Outcome(
                    Verdict.INVALID,
                    f"{name}: {solver} optimum {ev.objective}, recorded {want.objective}",
                )
            wrong = _wrong_bounds(report.relaxation_bound, report.lagrangian_bound, ev.objective)
            if wrong:
                return Outcome(Verdict.INVALID, f"{name}: {solver}: {wrong}")
            if report.lagrangian_bound is not None:
                figures[f"{name}/Lagrangian bound"] = f"{report.lagrangian_bound:.6g}"
            optimum = Reference(report.allocation, proven=True)
            for heuristic, allocation in heuristics.items():
                try:
                    share = score(inst, allocation, optimum).share_high
                except SpecError as exc:  # a feasible heuristic above a proven optimum
                    return Outcome(Verdict.INVALID, f"{name}: {heuristic}: {exc.detail}")
                if share is not None:
                    figures[f"{name}/{heuristic} share"] = f"{float(100 * share):.1f} %"
            figures[f"{name}/{solver}"] = str(ev.objective)
            proven += 1
    return Outcome(Verdict.VALID, f"{proven} proven optima match", figures)


def _wrong_bounds(lp: float | None, lagrangian: float | None, optimum: Fraction) -> str | None:
    """Say what is wrong with the reported bounds of a proven optimum, if anything (D-alloc-23)."""
    tolerance = 1e-6 * (1 + abs(float(optimum)))
    for name, bound in (("LP relaxation", lp), ("Lagrangian", lagrangian)):
        if bound is not None and bound < float(optimum) - tolerance:
            return f"the {name} bound {bound:.6g} cuts off the optimum {optimum}"
    if lp is not None and lagrangian is not None and lagrangian > lp + tolerance:
        return f"the Lagrangian bound {lagrangian:.6g} lies above the LP's {lp:.6g}"
    return None


@check("allocation-exhaustive-oracle", COMPONENT, "§IV-E Eq. (1)")
def exhaustive_oracle() -> Outcome:
    """Enumerate the tiny bundled instance; its optimum equals the MILP's (§IV-E)."""
    from vdlt_spec.allocation.bundled import bundled_instances
    from vdlt_spec.allocation.exhaustive import exhaustive_optimum
    from vdlt_spec.models.milp import SolveStatus, solve

    inst = bundled_instances()["tiny-exhaustive"]
    best = exhaustive_optimum(inst)
    report = solve(inst, threads=THREADS, diagnose=False)
    if best.evaluation is None:
        return Outcome(Verdict.INVALID, "exhaustive search found no feasible allocation")
    if report.status is not SolveStatus.OPTIMAL:
        return Outcome(Verdict.UNKNOWN, f"MILP ended {report.status.value}")
    if report.objective != best.evaluation.objective:
        return Outcome(
            Verdict.INVALID,
            f"MILP optimum {report.objective} != exhaustive {best.evaluation.objective}",
        )
    return Outcome(
        Verdict.VALID,
        f"optimum {best.evaluation.objective} over {best.allocations_scored} allocations",
        {"optimum": str(best.evaluation.objective), "scored": best.allocations_scored},
    )


@check("allocation-infeasibility-diagnosis", COMPONENT, "§IV-E Eq. (1)")
def infeasibility_diagnosis() -> Outcome:
    """Diagnose the bundled infeasible instance; the named constraints bind (§IV-E)."""
    from vdlt_spec.allocation.bundled import bundled_instances, expected_results
    from vdlt_spec.allocation.evaluator import relative_slack
    from vdlt_spec.models.milp import (
        Relaxation,
        SolveStatus,
        is_feasible,
        relaxation_dropping,
        solve,
    )

    name = "infeasible-latency"
    inst = bundled_instances()[name]
    want = expected_results()[name]
    report = solve(inst, threads=THREADS)
    if report.status is not SolveStatus.INFEASIBLE:
        return Outcome(Verdict.INVALID, f"{name}: expected infeasible, got {report.status.value}")
    named = {(r.constraint.value, r.subject) for r in report.diagnosis}
    missing = set(want.diagnosis) - named
    if missing:
        return Outcome(Verdict.INVALID, f"{name}: diagnosis misses {sorted(missing)}")
    if is_feasible(inst, Relaxation()) is not False:
        return Outcome(Verdict.INVALID, f"{name}: feasibility check disagrees")
    if is_feasible(inst, relaxation_dropping(report.diagnosis)) is not True:
        return Outcome(Verdict.INVALID, f"{name}: dropping the diagnosed constraints is not enough")
    worst = min(report.diagnosis, key=relative_slack)
    return Outcome(
        Verdict.VALID,
        f"names {len(named)} constraint(s), e.g. {worst.where}",
        {"diagnosis": sorted(f"{c} {s}" for c, s in named)},
    )
