"""Conformance operations of the token economy (§IV-C, §IV-I, §IV-J, §IV-K).

``economy.run`` replays a sequence of economy operations from genesis: each one is applied
wholly or rejected with its reason, and the vector fixes the answer to every step and the
final ledger. Implementations that model the economy differently still meet here: the
operations and the ledger are plain JSON.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from vdlt_spec import serial
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.suite import VectorInput, inputs
from vdlt_spec.economics import Operation, economy
from vdlt_spec.errors import SpecError
from vdlt_spec.governance.parameters import GENESIS_SUPPLY, Parameters

ACCEPTED = "ok"


@operation(
    "economy.run",
    "§IV-C, §IV-I, §IV-J, §IV-K",
    input_schema='{"allocations": {name: int}, "params"?: Parameters, "operations": [Operation]}',
    output_schema=(
        '{"results": ["ok" or REASON], "epoch", "supply", "minted", "burned", "accounts",'
        ' "params_version"}'
    ),
)
def run(payload: Any) -> Any:
    """Apply operations from genesis; answer each with ``ok`` or its reason, then the ledger."""
    allocations = serial.decode(dict[str, int], payload.get("allocations"), "$.allocations")
    params = serial.decode(Parameters, payload.get("params", {}), "$.params")
    operations = serial.decode(tuple[Operation, ...], payload.get("operations"), "$.operations")
    state = economy.start(allocations, params)
    results = []
    for op in operations:
        try:
            state = economy.apply(state, op)
            results.append(ACCEPTED)
        except SpecError as exc:
            results.append(exc.reason.value)
    ledger = state.ledger
    return {
        "results": results,
        "epoch": state.epoch,
        "supply": ledger.supply,
        "minted": ledger.minted,
        "burned": ledger.burned,
        "accounts": ledger.accounts,
        "params_version": state.governance.version,
    }


HOLDERS = ("alice", "bob", "carol", "dave")


def _random_ops(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Draw ledger operations, a share of them invalid (overdrafts, unknown accounts, zero)."""
    ops: list[dict[str, Any]] = []
    names = (*HOLDERS, "mallory")
    for _ in range(count):
        kind = rng.choice(("transfer", "stake", "unstake", "bond", "unbond", "end-epoch"))
        who = rng.choice(names)
        amount = rng.choice((0, 1, rng.randrange(10**12), GENESIS_SUPPLY))
        if kind == "transfer":
            ops.append({"op": kind, "src": who, "dst": rng.choice(names), "amount": amount})
        elif kind == "end-epoch":
            ops.append({"op": kind})
        else:
            ops.append({"op": kind, "account": who, "amount": amount})
    return ops


@inputs("economy")
def _economy_inputs() -> Iterator[VectorInput]:
    share = GENESIS_SUPPLY // len(HOLDERS)
    allocations = dict.fromkeys(HOLDERS, share)
    for seed in range(1, 7):
        ops = _random_ops(random.Random(seed), 40)
        yield VectorInput(
            f"economy-ledger-{seed}",
            "economy.run",
            {"allocations": allocations, "operations": ops},
            "transfers, stakes, collateral and epochs with inflation; invalid ones mixed in",
        )
    yield VectorInput(
        "economy-bad-genesis",
        "economy.run",
        {"allocations": {"alice": 1}, "operations": []},
        "allocations must sum to the genesis supply",
    )
    yield VectorInput(
        "economy-bad-operation",
        "economy.run",
        {"allocations": allocations, "operations": [{"op": "teleport"}]},
    )
