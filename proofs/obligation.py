"""Describe a proof obligation as data: a named claim, its scope, its expected verdict (§III-D).

An obligation names a claim of the whitepaper (its section), says it in plain language, states
its scope (every n, or a bound), what the solver is expected to find (a proof, or a
counterexample for the checks that show a weaker rule fails), what the claim assumes, and the
encoding that builds its solver queries from :mod:`vdlt_spec.models`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from vdlt_spec.models.query import Query


class ProofOutcome(StrEnum):
    """Name what the solver established about a claim (§III-D)."""

    PROVED = "proved"  # every query unsat: the negated claim has no model
    COUNTEREXAMPLE = "counterexample"  # some query sat: a model refutes the claim
    UNKNOWN = "unknown"  # a timeout or an ``unknown`` answer: never counted as proved


class Expected(StrEnum):
    """Name what an obligation expects the solver to find (§III-D)."""

    PROVED = "proved"
    COUNTEREXAMPLE = "counterexample"

    @property
    def finding(self) -> ProofOutcome:
        """Return the finding that matches this expectation (§III-D)."""
        return ProofOutcome(self.value)


@dataclass(frozen=True)
class Scope:
    """Say for which systems a claim is checked: every size, or a bounded range (§III-D)."""

    bounded: bool
    text: str

    @classmethod
    def all_sizes(cls, text: str = "all n") -> Scope:
        """Return an unbounded scope (e.g. every number of replicas) (§III-D)."""
        return cls(False, text)

    @classmethod
    def bound(cls, text: str) -> Scope:
        """Return a bounded scope, with its bound in words (e.g. ``n <= 1024``) (§III-D)."""
        return cls(True, text)


@dataclass(frozen=True)
class Obligation:
    """Hold one named claim, what the solver should find, and how to encode it (§III-D)."""

    name: str
    group: str
    section: str
    statement: str
    scope: Scope
    expected: Expected
    assumes: tuple[str, ...]
    encoding: Callable[[], tuple[Query, ...]]
