"""Generate, load and run conformance vectors against an adapter.

Vectors are generated from the reference spec (inputs listed by each component with
:func:`inputs`, expectations computed by the reference), committed as JSON files under
``vdlt_spec/conformance/vectors/<suite>.vectors.json``, and checked for drift by the test
suite. Running them against an adapter gives a three-valued verdict per vector: valid (same
answer), invalid (different answer), unknown (the implementation does not support the operation).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from vdlt_spec import plugins, serial
from vdlt_spec.conformance.adapter import Adapter, reference_answer
from vdlt_spec.conformance.operations import operations
from vdlt_spec.conformance.vector import FORMAT_VERSION, Vector, VectorFile
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict, combine


@dataclass(frozen=True)
class VectorInput:
    """Name one input of an operation that the generated vectors must cover."""

    id: str
    op: str
    input: Any
    comment: str = ""


InputSource = Callable[[], Iterable[VectorInput]]
SOURCES: plugins.Registry[InputSource] = plugins.Registry("vector suite", Reason.UNKNOWN_CHECK)
"""The input lists of the vector suites, by suite name."""


def inputs(suite: str) -> Callable[[InputSource], InputSource]:
    """Register the decorated function as the list of inputs of vector suite ``suite``."""
    return SOURCES.register(suite, lambda source: source)


def generate(suite: str) -> VectorFile:
    """Compute the expected answers of suite ``suite`` with the reference spec."""
    ops = operations()  # imports every ops module, which registers the input sources
    vectors = []
    for item in SOURCES.get(suite)():
        answer = reference_answer(item.op, item.input)
        vectors.append(
            Vector(
                id=item.id,
                op=item.op,
                section=ops[item.op].section,
                input=item.input,
                expect_output=answer.output if answer.error is None else None,
                expect_error=answer.error,
                comment=item.comment,
            )
        )
    return VectorFile(suite=suite, version=FORMAT_VERSION, vectors=tuple(vectors))


def suites() -> tuple[str, ...]:
    """Return the names of all registered vector suites."""
    operations()
    return SOURCES.names()


VECTOR_SUFFIX = ".vectors.json"


def bundled() -> dict[str, VectorFile]:
    """Load the vector files shipped with the package, by suite name."""
    folder = resources.files("vdlt_spec.conformance") / "vectors"
    files = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(VECTOR_SUFFIX):
            vector_file = serial.loads(VectorFile, entry.read_text(encoding="utf-8"))
            files[vector_file.suite] = vector_file
    return files


def render(vector_file: VectorFile) -> str:
    """Serialize a vector file deterministically (the committed form)."""
    return json.dumps(serial.encode(vector_file), indent=1, sort_keys=True) + "\n"


@dataclass(frozen=True)
class VectorResult:
    """Record how an implementation answered one vector."""

    id: str
    op: str
    section: str
    verdict: Verdict
    detail: str


@dataclass(frozen=True)
class SuiteReport:
    """Summarize a conformance run: overall verdict, counts and every vector's result."""

    adapter: str
    verdict: Verdict
    passed: int
    failed: int
    unsupported: int
    results: tuple[VectorResult, ...]


def judge(vector: Vector, output: Any, error: str | None) -> VectorResult:
    """Compare one answer with the vector's expectation (exact JSON equality)."""

    def result(verdict: Verdict, detail: str = "") -> VectorResult:
        return VectorResult(vector.id, vector.op, vector.section, verdict, detail)

    if error == Reason.UNSUPPORTED_OPERATION.value:
        return result(Verdict.UNKNOWN, "operation not supported by the implementation")
    if vector.expect_error is not None:
        if error == vector.expect_error:
            return result(Verdict.VALID)
        got = f"error {error}" if error is not None else f"output {json.dumps(output)[:120]}"
        return result(Verdict.INVALID, f"expected error {vector.expect_error}, got {got}")
    if error is not None:
        return result(Verdict.INVALID, f"expected an output, got error {error}")
    if output != vector.expect_output:
        return result(
            Verdict.INVALID,
            f"expected {json.dumps(vector.expect_output, sort_keys=True)[:120]}, "
            f"got {json.dumps(output, sort_keys=True)[:120]}",
        )
    return result(Verdict.VALID)


def iter_vectors(files: Iterable[VectorFile], only: Iterable[str] = ()) -> Iterator[Vector]:
    """Yield the vectors of ``files`` whose suite, operation or id is in ``only`` (all if empty)."""
    wanted = set(only)
    for vector_file in files:
        for vector in vector_file.vectors:
            keys = {vector_file.suite, vector.op, vector.id}
            if not wanted or wanted & keys:
                yield vector


def run(adapter: Adapter, vectors: Iterable[Vector]) -> SuiteReport:
    """Run ``vectors`` against ``adapter``; a run that checked nothing is unknown.

    A vector with both an expected output and an expected error, or neither, is the vector
    file's fault, not the implementation's: it is ``SCHEMA_VIOLATION`` before anything runs.
    """
    chosen = list(vectors)
    for vector in chosen:
        if (vector.expect_output is None) == (vector.expect_error is None):
            raise SpecError(
                Reason.SCHEMA_VIOLATION,
                f"vector {vector.id}: needs exactly one of expect_output and expect_error",
            )
    results = []
    for vector in chosen:
        answer = adapter.call(vector.op, vector.input)
        results.append(judge(vector, answer.output, answer.error))
    verdicts = [r.verdict for r in results]
    return SuiteReport(
        adapter=adapter.name,
        verdict=combine(verdicts),
        passed=verdicts.count(Verdict.VALID),
        failed=verdicts.count(Verdict.INVALID),
        unsupported=verdicts.count(Verdict.UNKNOWN),
        results=tuple(results),
    )
