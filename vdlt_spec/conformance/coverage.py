"""Summarize a conformance run as a machine-readable coverage report an implementation commits.

Each vector gets ``pass``, ``fail`` or ``unsupported``; the report counts them in total, by
operation (with its suite and whitepaper section) and by section, and lists every vector.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vdlt_spec.conformance.suite import SuiteReport
from vdlt_spec.conformance.vector import FORMAT_VERSION, VectorFile
from vdlt_spec.verdict import Verdict

RESULT_NAMES = {Verdict.VALID: "pass", Verdict.INVALID: "fail", Verdict.UNKNOWN: "unsupported"}
"""How a vector's verdict is spelled in the coverage report."""


def _counts() -> dict[str, int]:
    return dict.fromkeys(RESULT_NAMES.values(), 0)


def coverage_report(report: SuiteReport, files: Iterable[VectorFile]) -> dict[str, Any]:
    """Return the coverage of ``report`` over the vectors of ``files`` (plain JSON data)."""
    suite_of = {vector.id: f.suite for f in files for vector in f.vectors}
    totals = _counts()
    operations: dict[str, dict[str, Any]] = {}
    sections: dict[str, dict[str, int]] = {}
    vectors = []
    for result in report.results:
        outcome = RESULT_NAMES[result.verdict]
        suite = suite_of.get(result.id, "")
        totals[outcome] += 1
        by_op = operations.setdefault(
            result.op, {"suite": suite, "section": result.section, **_counts()}
        )
        by_op[outcome] += 1
        sections.setdefault(result.section, _counts())[outcome] += 1
        vectors.append(
            {
                "id": result.id,
                "suite": suite,
                "op": result.op,
                "section": result.section,
                "result": outcome,
            }
        )
    return {
        "format_version": FORMAT_VERSION,
        "adapter": report.adapter,
        "verdict": report.verdict.value,
        "totals": {"vectors": len(vectors), **totals},
        "operations": operations,
        "sections": sections,
        "vectors": vectors,
    }
