"""Conformance operations of quadratic voting with token locks (§IV-C).

``voting.lock_votes`` fixes the votes and lock periods of a token lock; ``voting.quadratic`` fixes
the plain quadratic price of votes and what a budget buys.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vdlt_spec import serial
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.suite import VectorInput, inputs
from vdlt_spec.governance import voting


@operation(
    "voting.lock_votes",
    "§IV-C",
    input_schema='{"tokens": int, "k": int}',
    output_schema='{"votes": N·k, "periods": k²}',
)
def lock_votes(payload: Any) -> Any:
    """Return the votes and the lock periods of N tokens locked with multiplier k (§IV-C)."""
    tokens = serial.decode(int, payload.get("tokens"), "$.tokens")
    k = serial.decode(int, payload.get("k"), "$.k")
    return {"votes": voting.lock_votes(tokens, k), "periods": voting.lock_periods(k)}


@operation(
    "voting.quadratic",
    "§IV-C",
    input_schema='{"votes": int, "budget": int}',
    output_schema='{"cost": v², "marginal": 2v−1, "affordable": isqrt(budget)}',
)
def quadratic(payload: Any) -> Any:
    """Return the price of v votes, the price of the v-th vote, and votes a budget buys (§IV-C)."""
    votes = serial.decode(int, payload.get("votes"), "$.votes")
    budget = serial.decode(int, payload.get("budget"), "$.budget")
    return {
        "cost": voting.quadratic_cost(votes),
        "marginal": voting.marginal_cost(votes) if votes >= 1 else 0,
        "affordable": voting.max_quadratic_votes(budget),
    }


@inputs("governance")
def _governance_inputs() -> Iterator[VectorInput]:
    for tokens, k in ((1, 1), (100, 2), (10**9, 4), (0, 3), (5, 0), (-1, 1)):
        yield VectorInput(
            f"voting-lock-{tokens}-{k}", "voting.lock_votes", {"tokens": tokens, "k": k}
        )
    for votes, budget in ((1, 1), (2, 4), (3, 8), (4, 16), (10, 99), (0, 0), (-1, 5)):
        yield VectorInput(
            f"voting-quadratic-{votes}-{budget}",
            "voting.quadratic",
            {"votes": votes, "budget": budget},
        )
