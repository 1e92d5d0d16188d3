"""Conformance operations of the token economy (§IV-C, §IV-I, §IV-J, §IV-K).

``economy.run`` replays a sequence of economy operations from genesis: each one is applied
wholly or rejected with its reason, and the vector fixes the answer to every step and the
final ledger. Implementations that model the economy differently still meet here: the
operations and the ledger are plain JSON. ``economy.audit`` replays the same input and names the
invariants of the whole economy that are broken; ``economy.issuance``, ``economy.incentive_pay``
and ``economy.slash`` fix the arithmetic of issuance, pay and penalties on their own. The
scripted runs past genesis are written in :mod:`vdlt_spec.conformance.ops.economy_runs`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from vdlt_spec import serial
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.ops.economy_bounds import bounds_inputs, ledger_inputs, records_inputs
from vdlt_spec.conformance.ops.economy_runs import run_inputs
from vdlt_spec.conformance.suite import VectorInput, inputs
from vdlt_spec.economics import Operation, economy, incentives, penalties
from vdlt_spec.economics.settlement import settle
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance.parameters import GENESIS_SUPPLY, Parameters, validate

ACCEPTED = "ok"
RUN_INPUT = '{"allocations": {name: int}, "params"?: Parameters, "operations": [Operation]}'
"""The input of ``economy.run`` and ``economy.audit``: genesis, parameters, operations."""


def _replay(payload: Any) -> tuple[economy.Economy, list[str]]:
    """Start the economy of ``payload`` and apply its operations; return it and the answers."""
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
    return state, results


@operation(
    "economy.run",
    "§IV-C, §IV-I, §IV-J, §IV-K",
    input_schema=RUN_INPUT,
    output_schema=(
        '{"results": ["ok" or REASON], "epoch", "supply", "minted", "burned", "accounts",'
        ' "params_version", "year_start_supply", "minted_this_year"}'
    ),
)
def run(payload: Any) -> Any:
    """Apply operations from genesis; answer each with ``ok`` or its reason, then the ledger."""
    state, results = _replay(payload)
    ledger = state.ledger
    return {
        "results": results,
        "epoch": state.epoch,
        "supply": ledger.supply,
        "minted": ledger.minted,
        "burned": ledger.burned,
        "accounts": ledger.accounts,
        "params_version": state.governance.version,
        "year_start_supply": state.year_start_supply,
        "minted_this_year": state.minted_this_year,
    }


@operation(
    "economy.audit",
    "§IV-C, §IV-I, §IV-J, §IV-K",
    input_schema=RUN_INPUT,
    output_schema='{"broken": [INVARIANT]}',
)
def audit(payload: Any) -> Any:
    """Apply operations from genesis as ``economy.run`` does; name the invariants now broken."""
    state, _ = _replay(payload)
    report = economy.invariant_report(state)
    return {"broken": [name for name in economy.INVARIANTS if report[name]]}


@operation(
    "economy.incentive_pay",
    "§IV-B, §IV-I",
    input_schema=('{"declared": [int], "budget_left": int, "blocks": {name: int}, "pool": int}'),
    output_schema='{"median": int, "management_pay": int, "execution": {name: int}}',
)
def incentive_pay(payload: Any) -> Any:
    """Return the median of the declared pays and what management and execution earn (§IV-I)."""
    declared = serial.decode(tuple[int, ...], payload.get("declared"), "$.declared")
    budget_left = serial.decode(int, payload.get("budget_left"), "$.budget_left")
    blocks = serial.decode(dict[str, int], payload.get("blocks"), "$.blocks")
    pool = serial.decode(int, payload.get("pool"), "$.pool")
    if budget_left < 0 or pool < 0 or any(count < 0 for count in blocks.values()):
        raise SpecError(Reason.NEGATIVE_AMOUNT, "budget, pool and block counts must be >= 0")
    return {
        "median": incentives.median_pay(declared),
        "management_pay": incentives.management_pay(declared, budget_left),
        "execution": incentives.execution_payouts(blocks, declared, pool),
    }


@operation(
    "economy.slash",
    "§IV-J",
    input_schema=(
        '{"slashable": int, "self_report": bool, "params"?: {slash_fraction, denouncer_reward}}'
    ),
    output_schema='{"slashed": int, "reward": int, "offender_change", "reporter_credit", "burnt"}',
)
def slash(payload: Any) -> Any:
    """Return what a slash takes, what the reporter earns and what is burnt (§IV-J)."""
    params = validate(serial.decode(Parameters, payload.get("params", {}), "$.params"))
    slashable = serial.decode(int, payload.get("slashable"), "$.slashable")
    self_report = serial.decode(bool, payload.get("self_report"), "$.self_report")
    if slashable < 0:
        raise SpecError(Reason.NEGATIVE_AMOUNT, f"slashable collateral must be >= 0: {slashable}")
    slashed, reward = penalties.slash_amounts(slashable, params)
    split = settle(slashed, reward, self_report)
    return {
        "slashed": slashed,
        "reward": reward,
        "offender_change": split.offender_change,
        "reporter_credit": split.reporter_credit,
        "burnt": split.burnt,
    }


@operation(
    "economy.issuance",
    "§IV-I",
    input_schema='{"year_start_supply": int, "params"?: Parameters}',
    output_schema=(
        '{"rate": Fraction, "epoch_issuance": int, "pools": {"management", "execution",'
        ' "stakers"}, "yearly_cap": int}'
    ),
)
def issuance(payload: Any) -> Any:
    """Return the clamped rate, an epoch's issuance, its three pools and the yearly cap (§IV-I)."""
    params = validate(serial.decode(Parameters, payload.get("params", {}), "$.params"))
    supply = serial.decode(int, payload.get("year_start_supply"), "$.year_start_supply")
    if supply < 0:
        raise SpecError(Reason.NEGATIVE_AMOUNT, f"the supply must be >= 0: {supply}")
    amount = incentives.epoch_issuance(supply, params)
    return {
        "rate": incentives.clamped_rate(params),
        "epoch_issuance": amount,
        "pools": incentives.split_issuance(amount, params),
        "yearly_cap": incentives.yearly_cap(supply, params),
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
    yield from run_inputs()
    yield from _incentive_inputs()
    yield from _issuance_inputs()
    yield from _slash_inputs()
    yield from bounds_inputs()
    yield from records_inputs()
    yield from ledger_inputs()


def _incentive_inputs() -> Iterator[VectorInput]:
    """Yield incentive vectors: the lower median of declared pays, budgets, the pool (§IV-I)."""
    op = "economy.incentive_pay"
    blocks = {"e0": 3, "e1": 1, "e2": 0}
    cases = {
        "odd": ([30, 10, 20], 100, 40 * 10),
        "even-lower-median": ([40, 10, 30, 20], 100, 1000),
        "one-liar-high": ([10, 11, 12, 10**12], 100, 1000),
        "one-liar-low": ([0, 11, 12, 13, 14], 100, 1000),
        "budget-caps-management": ([50, 60, 70], 55, 1000),
        "pool-too-small": ([10, 20, 30], 100, 41),
        "pool-exact": ([10, 20, 30], 100, 80),
        "single": ([7], 0, 0),
    }
    for name, (declared, budget, pool) in cases.items():
        yield VectorInput(
            f"incentive-{name}",
            op,
            {"declared": declared, "budget_left": budget, "blocks": blocks, "pool": pool},
        )
    for name, declared in {"none": [], "negative": [5, -1]}.items():
        yield VectorInput(
            f"incentive-bad-{name}",
            op,
            {"declared": declared, "budget_left": 1, "blocks": blocks, "pool": 1},
            "rejected input",
        )


def _issuance_inputs() -> Iterator[VectorInput]:
    """Yield issuance vectors: the clamped rate, the floors of issuance, pools and cap (§IV-I)."""
    op = "economy.issuance"
    for supply in (0, 1, GENESIS_SUPPLY, GENESIS_SUPPLY + 1, 10**18 + 7):
        yield VectorInput(f"issuance-{supply}", op, {"year_start_supply": supply})
    edges = (24, 25, 49, 50, 7_777_777)
    experiments: dict[str, tuple[dict[str, str | int], tuple[int, ...]]] = {
        "at-cap": ({"inflation_rate": "1/25", "max_inflation_rate": "1/25"}, edges),
        "above-cap": ({"inflation_rate": "1/10", "max_inflation_rate": "1/25"}, (7_777_777,)),
        "negative-rate": ({"inflation_rate": "-1/100"}, (7_777_777,)),
        "zero-rate": ({"inflation_rate": "0"}, (7_777_777,)),
        "one-epoch-year": ({"epochs_per_year": 1, "inflation_rate": "1/25"}, edges),
        "thirds": ({"management_share": "1/3", "execution_share": "1/3"}, (7_777_777,)),
        "no-management": ({"management_share": "0", "execution_share": "1"}, (7_777_777,)),
    }
    for name, (params, supplies) in experiments.items():
        for supply in supplies:
            yield VectorInput(
                f"issuance-{name}-{supply}",
                op,
                {"year_start_supply": supply, "params": {"conforming": False, **params}},
            )
    yield VectorInput("issuance-bad-supply", op, {"year_start_supply": -1}, "rejected input")
    yield VectorInput(
        "issuance-bad-cap",
        op,
        {"year_start_supply": 1, "params": {"max_inflation_rate": "1/20"}},
        "a conforming chain caps inflation at 4 %",
    )


def _slash_inputs() -> Iterator[VectorInput]:
    """Yield slashing vectors: floors of the slashed amount and the reporter's reward (§IV-J)."""
    op = "economy.slash"
    for slashable in (0, 1, 10, 11, 12, 6_000 * 10**8 + 7):
        for self_report in (False, True):
            yield VectorInput(
                f"slash-{slashable}-{'self' if self_report else 'other'}",
                op,
                {"slashable": slashable, "self_report": self_report},
            )
    for fraction, reward in (("1/2", "1/3"), ("1/3", "1/11"), ("0", "1/11")):
        yield VectorInput(
            f"slash-fraction-{fraction.replace('/', 'over')}-{reward.replace('/', 'over')}",
            op,
            {
                "slashable": 1000,
                "self_report": False,
                "params": {"slash_fraction": fraction, "denouncer_reward": reward},
            },
        )
    yield VectorInput(
        "slash-negative", op, {"slashable": -1, "self_report": False}, "rejected input"
    )
