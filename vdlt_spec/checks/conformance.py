"""Self-checks of the conformance suite: bundled vectors match the reference spec."""

from __future__ import annotations

from vdlt_spec.checks import Outcome, check
from vdlt_spec.conformance import suite
from vdlt_spec.conformance.adapter import ReferenceAdapter
from vdlt_spec.verdict import Verdict


@check("conformance-vectors", "conformance", "all")
def bundled_vectors_pass() -> Outcome:
    """Run every bundled vector against the reference spec and check none has drifted."""
    bundled = suite.bundled()
    drifted = [
        name
        for name in suite.suites()
        if name not in bundled or suite.render(suite.generate(name)) != suite.render(bundled[name])
    ]
    report = suite.run(ReferenceAdapter(), suite.iter_vectors(bundled.values()))
    figures = {"suites": len(bundled), "vectors": len(report.results), "drifted": drifted}
    if drifted:
        return Outcome(Verdict.INVALID, f"vector files out of date: {', '.join(drifted)}", figures)
    detail = f"{report.passed}/{len(report.results)} vectors pass in {len(bundled)} suites"
    return Outcome(report.verdict, detail, figures)
