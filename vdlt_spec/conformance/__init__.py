"""Conformance suite: vectors, adapters and runner that other implementations run.

Operations (:func:`~vdlt_spec.conformance.operations.operations`, :func:`call`; one module per
component under :mod:`vdlt_spec.conformance.ops`, found on first use) are what an adapter
answers. A vector file (:class:`VectorFile` of :class:`Vector`) holds one suite's cases;
:func:`run` drives an :class:`Adapter` (the :class:`ReferenceAdapter` or a
:class:`SubprocessAdapter` speaking the JSON-lines protocol) over them and returns a
:class:`SuiteReport`. Releases pin vector files by digest (:func:`load_release`);
:func:`coverage_report` says which operations and error reasons a run exercised.
"""

from vdlt_spec.conformance.adapter import (
    Adapter,
    Answer,
    ReferenceAdapter,
    SubprocessAdapter,
    reference_answer,
    serve_line,
)
from vdlt_spec.conformance.coverage import coverage_report
from vdlt_spec.conformance.operations import AdapterOperation, call
from vdlt_spec.conformance.release import load_release, release_files
from vdlt_spec.conformance.suite import (
    SuiteReport,
    VectorResult,
    bundled,
    generate,
    iter_vectors,
    judge,
    run,
    suites,
)
from vdlt_spec.conformance.vector import Vector, VectorFile

__all__ = [
    "Adapter",
    "AdapterOperation",
    "Answer",
    "ReferenceAdapter",
    "SubprocessAdapter",
    "SuiteReport",
    "Vector",
    "VectorFile",
    "VectorResult",
    "bundled",
    "call",
    "coverage_report",
    "generate",
    "iter_vectors",
    "judge",
    "load_release",
    "reference_answer",
    "release_files",
    "run",
    "serve_line",
    "suites",
]
