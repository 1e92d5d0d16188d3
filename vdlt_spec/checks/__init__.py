"""Self-checks of every component, and how ``vdlt verify`` finds and runs them.

Each component adds one module to this package; the module registers its checks with
:func:`check` when imported, and :func:`discover` imports every module of the package. The CLI
knows no list of checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from vdlt_spec import plugins
from vdlt_spec.errors import Reason
from vdlt_spec.verdict import Verdict


@dataclass(frozen=True)
class Outcome:
    """Hold what one check found: its verdict, a one-line detail, and figures for ``--json``."""

    verdict: Verdict
    detail: str = ""
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """Describe a registered self-check: its name, component, whitepaper section and body."""

    name: str
    component: str
    section: str
    description: str
    body: Callable[[], Outcome]


@dataclass(frozen=True)
class CheckRun:
    """Record one executed check: its outcome and the seconds it took."""

    name: str
    component: str
    section: str
    verdict: Verdict
    detail: str
    seconds: float
    figures: dict[str, Any]


CHECKS: plugins.Registry[Check] = plugins.Registry("check", Reason.UNKNOWN_CHECK)
"""The registered self-checks, by name."""


def check(
    name: str, component: str, section: str
) -> Callable[[Callable[[], Outcome]], Callable[[], Outcome]]:
    """Register the decorated function as the self-check ``name`` of ``component``."""
    return CHECKS.register(
        name, lambda body: Check(name, component, section, plugins.first_line(body), body)
    )


def discover() -> tuple[Check, ...]:
    """Import every module of this package and return all checks, by component and name."""
    plugins.discover(__name__)
    return tuple(sorted(CHECKS, key=lambda c: (c.component, c.name)))


def select(checks: Iterable[Check], only: Iterable[str]) -> tuple[Check, ...]:
    """Keep the checks named in ``only`` (names or component names); reject unknown names."""
    return plugins.select(
        checks, only, lambda c: (c.name, c.component), "check or component", Reason.UNKNOWN_CHECK
    )


def run(chk: Check) -> CheckRun:
    """Run one check; an exception inside it is an ``unknown`` verdict, never ``valid``."""
    start = time.perf_counter()
    try:
        outcome = chk.body()
    except Exception as exc:  # a crashing check is undecided, and reported as such
        outcome = Outcome(Verdict.UNKNOWN, f"check raised {type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - start
    return CheckRun(
        chk.name,
        chk.component,
        chk.section,
        outcome.verdict,
        outcome.detail,
        seconds,
        dict(outcome.figures),
    )


__all__ = [
    "CHECKS",
    "Check",
    "CheckRun",
    "Outcome",
    "check",
    "discover",
    "run",
    "select",
]
