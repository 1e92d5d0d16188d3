"""Collect the self-checks that components register, and run them (``vdlt verify``).

Each component adds a module to :mod:`vdlt_spec.checks`; every module there is imported on
discovery and registers its checks with :func:`check`. The CLI knows no list of checks.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from vdlt_spec.errors import Reason, SpecError
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


_REGISTRY: dict[str, Check] = {}


def check(
    name: str, component: str, section: str
) -> Callable[[Callable[[], Outcome]], Callable[[], Outcome]]:
    """Register the decorated function as the self-check ``name`` of ``component``."""

    def register(body: Callable[[], Outcome]) -> Callable[[], Outcome]:
        if name in _REGISTRY and _REGISTRY[name].body is not body:
            raise ValueError(f"check {name!r} registered twice")
        doc = (body.__doc__ or "").strip().splitlines()
        _REGISTRY[name] = Check(name, component, section, doc[0] if doc else "", body)
        return body

    return register


def discover() -> tuple[Check, ...]:
    """Import every module of :mod:`vdlt_spec.checks` and return all checks, sorted by name."""
    import vdlt_spec.checks as package

    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
    return tuple(sorted(_REGISTRY.values(), key=lambda c: (c.component, c.name)))


def select(checks: Iterable[Check], only: Iterable[str]) -> tuple[Check, ...]:
    """Keep the checks named in ``only`` (names or component names); reject unknown names."""
    wanted = list(only)
    available = tuple(checks)
    if not wanted:
        return available
    known = {c.name for c in available} | {c.component for c in available}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise SpecError(
            Reason.UNKNOWN_CHECK,
            f"no check or component named {', '.join(unknown)}; known: {', '.join(sorted(known))}",
        )
    return tuple(c for c in available if c.name in wanted or c.component in wanted)


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
