"""The conformance vectors as pytest tests (collected through the conformance pytest plugin)."""

from __future__ import annotations

import pytest

from vdlt_spec.conformance.adapter import Adapter
from vdlt_spec.conformance.suite import judge
from vdlt_spec.conformance.vector import Vector
from vdlt_spec.verdict import Verdict


def test_vector(vdlt_vector: Vector, vdlt_adapter: Adapter) -> None:
    """Check that the implementation answers one vector exactly as the spec does."""
    answer = vdlt_adapter.call(vdlt_vector.op, vdlt_vector.input)
    result = judge(vdlt_vector, answer.output, answer.error)
    if result.verdict is Verdict.UNKNOWN:
        pytest.skip(result.detail)
    assert result.verdict is Verdict.VALID, f"{vdlt_vector.section}: {result.detail}"
