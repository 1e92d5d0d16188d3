"""Describe a conformance vector: one operation, its input, and the expected output or reason.

A vector file is one JSON document ``{"suite", "version", "vectors": [...]}``; each vector names
an operation of :mod:`vdlt_spec.conformance.operations`, the whitepaper section it exercises,
the input, and exactly one of ``expect_output`` or ``expect_error`` (a ``Reason`` name).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vdlt_spec.errors import Reason, SpecError

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Vector:
    """Pair an operation's input with what a conforming implementation must answer."""

    id: str
    op: str
    section: str
    input: Any
    expect_output: Any = None
    expect_error: str | None = None
    comment: str = ""

    def __post_init__(self) -> None:
        if self.expect_error is not None and self.expect_error not in Reason.__members__:
            raise SpecError(
                Reason.SCHEMA_VIOLATION, f"{self.id}: unknown reason {self.expect_error}"
            )


@dataclass(frozen=True)
class VectorFile:
    """Group the vectors of one suite (usually one component) with the format version."""

    suite: str
    version: int
    vectors: tuple[Vector, ...]

    def __post_init__(self) -> None:
        if self.version != FORMAT_VERSION:
            raise SpecError(
                Reason.UNSUPPORTED_VECTOR_FORMAT,
                f"suite {self.suite}: vector format {self.version} (supported: {FORMAT_VERSION})",
            )
        ids = [v.id for v in self.vectors]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise SpecError(Reason.SCHEMA_VIOLATION, f"duplicate vector ids: {duplicates}")
