"""Load the small benchmark instances bundled as package data, and their expected results.

``instances/*.json`` are allocation instances (made by ``benchmarks/make_bundled_instances.py``);
``instances/expected.json`` records, per instance, the proven status and optimum (or the
constraints a diagnosis must name), so ``vdlt verify`` can detect any regression (§IV-E).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from vdlt_spec.allocation.instance import Instance
from vdlt_spec.allocation.schema import parse_instance

EXPECTED_FILE = "expected.json"


@dataclass(frozen=True)
class ExpectedSolve:
    """Record what solving a bundled instance must give: status, optimum or diagnosis (§IV-E)."""

    status: str
    objective: str | None
    diagnosis: tuple[tuple[str, str], ...]


def _folder() -> Any:
    return resources.files("vdlt_spec.allocation") / "instances"


def bundled_instances() -> dict[str, Instance]:
    """Return the bundled instances by file stem, validated like any user input (§IV-E)."""
    out = {}
    for entry in sorted(_folder().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json") and entry.name != EXPECTED_FILE:
            out[entry.name.removesuffix(".json")] = parse_instance(json.loads(entry.read_text()))
    return out


def expected_results() -> dict[str, ExpectedSolve]:
    """Return the recorded expected result of every bundled instance (§IV-E)."""
    data = json.loads((_folder() / EXPECTED_FILE).read_text())
    return {
        name: ExpectedSolve(
            status=item["status"],
            objective=item.get("objective"),
            diagnosis=tuple((c, s) for c, s in item.get("diagnosis", [])),
        )
        for name, item in data.items()
    }
