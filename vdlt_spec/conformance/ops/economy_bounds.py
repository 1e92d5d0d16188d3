"""Conformance operations that check a claimed issuance or slash against its rule (§IV-I, §IV-J).

A node that receives a block minting an epoch's issuance, or a slash record, checks the
claimed amounts against the rules: the issuance is floor(r·S / E) (§IV-I), the slashed amount
floor(slashable · slash_fraction) and the reward floor(slashed · denouncer_reward) (§IV-J).
The spec states each floor as two constraints (:func:`~vdlt_spec.economics.incentives.
epoch_issuance_bounds`, :func:`~vdlt_spec.economics.settlement.slash_bounds`,
:func:`~vdlt_spec.economics.settlement.reward_bounds`) that the proofs reuse on solver terms;
these operations evaluate them on a claim: ``not_above`` (the claim does not exceed the
rule's amount) and ``not_below`` (the next amount would exceed it). A claim is valid iff both
hold. ``economy.check_slash_records`` audits a chain's record of applied slashes: every
offence slashed once, the punished set and the records agreeing, and each record's amounts
those of the rule; ``economy.check_ledger`` audits a ledger snapshot: no negative amount, no
account encumbered beyond its balance, supply = genesis + minted - burned, and the live locks
well numbered, unexpired and matching every account's locked amount.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from vdlt_spec import ledger, serial
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.suite import VectorInput
from vdlt_spec.economics import incentives, penalties
from vdlt_spec.economics.settlement import reward_bounds, slash_amounts, slash_bounds
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance.parameters import GENESIS_SUPPLY, Parameters, validate


def _verdict(bounds: tuple[Any, Any]) -> dict[str, bool]:
    not_above, not_below = (bool(b) for b in bounds)
    return {"not_above": not_above, "not_below": not_below, "valid": not_above and not_below}


def _amount(payload: Any, name: str) -> int:
    value: int = serial.decode(int, payload.get(name), f"$.{name}")
    if value < 0:
        raise SpecError(Reason.NEGATIVE_AMOUNT, f"{name} must be >= 0, got {value}")
    return value


@operation(
    "economy.check_issuance",
    "§IV-I",
    input_schema='{"issued": int, "year_start_supply": int, "params"?: Parameters}',
    output_schema=(
        '{"not_above": bool, "not_below": bool, "valid": bool,'
        ' "voted_rate": {"at_least_zero": bool, "at_most_cap": bool}}'
    ),
)
def check_issuance(payload: Any) -> Any:
    """Check a claimed epoch issuance against floor(r·S / E), r the clamped rate (§IV-I).

    ``voted_rate`` tells whether the voted inflation rate already lies in [0, cap], the range
    the issued rate keeps to; where it does not, the rate is clamped into it.
    """
    params = validate(serial.decode(Parameters, payload.get("params", {}), "$.params"))
    issued = _amount(payload, "issued")
    supply = _amount(payload, "year_start_supply")
    rate = incentives.clamped_rate(params)
    at_least_zero, at_most_cap = incentives.rate_within_cap(
        Fraction(params.inflation_rate), params.max_inflation_rate
    )
    verdict = _verdict(
        incentives.epoch_issuance_bounds(issued, supply, rate, params.epochs_per_year)
    )
    return verdict | {"voted_rate": {"at_least_zero": at_least_zero, "at_most_cap": at_most_cap}}


@operation(
    "economy.check_slash",
    "§IV-J",
    input_schema=(
        '{"slashed": int, "reward": int, "slashable": int,'
        ' "params"?: {slash_fraction, denouncer_reward}}'
    ),
    output_schema='{"slashed": {not_above, not_below, valid}, "reward": {...}}',
)
def check_slash(payload: Any) -> Any:
    """Check a claimed slash and reward against their floors (§IV-J).

    The reward is checked against the claimed slashed amount: floor(slashed · denouncer_reward).
    """
    params = validate(serial.decode(Parameters, payload.get("params", {}), "$.params"))
    slashed = _amount(payload, "slashed")
    reward = _amount(payload, "reward")
    slashable = _amount(payload, "slashable")
    fraction = Fraction(params.slash_fraction)
    share = Fraction(params.denouncer_reward)
    return {
        "slashed": _verdict(
            slash_bounds(slashed, slashable, fraction.numerator, fraction.denominator)
        ),
        "reward": _verdict(reward_bounds(reward, slashed, share.numerator, share.denominator)),
    }


@operation(
    "economy.check_slash_records",
    "§IV-J",
    input_schema='{"punished": [offence], "slashes": [SlashRecord]}',
    output_schema='{"problems": int}',
)
def check_slash_records(payload: Any) -> Any:
    """Count the broken rules of a record of applied slashes; 0 when it is consistent (§IV-J).

    A problem is counted for an offence slashed twice, for a punished set that differs from
    the records' offences, and per record for a slashed amount outside (0, slashable], a
    reward not below the slashed amount, and amounts other than the rule's.
    """
    punished = serial.decode(frozenset[str], payload.get("punished"), "$.punished")
    slashes = serial.decode(tuple[penalties.SlashRecord, ...], payload.get("slashes"), "$.slashes")
    state = penalties.PenaltyState(punished=punished, slashes=slashes)
    return {"problems": len(penalties.slash_violations(state))}


@operation(
    "economy.check_ledger",
    "§IV-C, §IV-I, §IV-J",
    input_schema='{"ledger": Ledger}',
    output_schema='{"problems": int}',
)
def check_ledger(payload: Any) -> Any:
    """Count the broken invariants of a ledger snapshot; 0 when it is sound (§IV-I).

    A problem is counted per account with a negative amount, per account encumbered beyond
    its balance, once for a supply other than genesis + minted - burned, per lock badly
    numbered, per lock expired but held, and per account whose locked amount differs from its
    live locks.
    """
    snapshot = serial.decode(ledger.Ledger, payload.get("ledger"), "$.ledger")
    return {"problems": len(ledger.invariant_violations(snapshot))}


# --- vector inputs ----------------------------------------------------------------------------


def bounds_inputs() -> Iterator[VectorInput]:
    """Yield claims at, one below and one above the rule's amount, divisible or not."""
    op = "economy.check_issuance"
    one_epoch = {"conforming": False, "epochs_per_year": 1, "inflation_rate": "1/25"}
    for name, supply, params in (
        ("genesis", GENESIS_SUPPLY, {}),
        ("odd", 7_777_777, {}),
        ("exact", 25 * 7, one_epoch),
        ("inexact", 25 * 7 + 1, one_epoch),
        ("zero-supply", 0, {}),
    ):
        rule = incentives.epoch_issuance(
            supply, validate(serial.decode(Parameters, params, "$.params"))
        )
        for label, claim in (("rule", rule), ("below", rule - 1), ("above", rule + 1)):
            if claim < 0:
                continue
            yield VectorInput(
                f"check-issuance-{name}-{label}",
                op,
                {"issued": claim, "year_start_supply": supply, "params": params},
                f"the rule's amount is {rule}",
            )
    yield VectorInput(
        "check-issuance-negative", op, {"issued": -1, "year_start_supply": 1}, "rejected input"
    )
    for label, rate in (
        ("zero", "0"),
        ("negative", "-1/100"),
        ("at-cap", "1/25"),
        ("over", "1/10"),
    ):
        params = {"conforming": False, "inflation_rate": rate, "max_inflation_rate": "1/25"}
        yield VectorInput(
            f"check-issuance-voted-rate-{label}",
            op,
            {"issued": 0, "year_start_supply": GENESIS_SUPPLY, "params": params},
            f"a voted rate of {rate} against a cap of 1/25",
        )
    op = "economy.check_slash"
    slashes: tuple[tuple[str, int, dict[str, Any]], ...] = (
        ("default", 6_000 * 10**8 + 7, {}),
        ("halves-exact", 1000, {"slash_fraction": "1/2", "denouncer_reward": "1/5"}),
        ("thirds-inexact", 1000, {"slash_fraction": "1/3", "denouncer_reward": "1/11"}),
        ("halves-odd", 999, {"slash_fraction": "1/2", "denouncer_reward": "1/5"}),
        ("two-thirds", 999, {"slash_fraction": "2/3", "denouncer_reward": "2/7"}),
    )
    for name, slashable, params in slashes:
        parsed = validate(serial.decode(Parameters, params, "$.params"))
        slashed, reward = slash_amounts(slashable, parsed.slash_fraction, parsed.denouncer_reward)
        for label, amounts in (
            ("rule", (slashed, reward)),
            ("slashed-below", (slashed - 1, reward)),
            ("slashed-above", (slashed + 1, reward)),
            ("reward-below", (slashed, reward - 1)),
            ("reward-above", (slashed, reward + 1)),
        ):
            yield VectorInput(
                f"check-slash-{name}-{label}",
                op,
                {
                    "slashed": amounts[0],
                    "reward": amounts[1],
                    "slashable": slashable,
                    "params": params,
                },
                f"the rule's amounts are slashed {slashed}, reward {reward}",
            )
    yield VectorInput(
        "check-slash-negative",
        op,
        {"slashed": 1, "reward": -1, "slashable": 10},
        "rejected input",
    )


def _record(offence: str, **changes: Any) -> dict[str, Any]:
    """Return a slash record of 1000 slashable at 1/2 and 1/5, reported by another node."""
    record: dict[str, Any] = {
        "epoch": 1,
        "offence": offence,
        "offender": "mallory",
        "reporter": "alice",
        "slashable_before": 1000,
        "slashed": 500,
        "reward": 100,
        "slash_fraction": "1/2",
        "denouncer_reward": "1/5",
    }
    return record | changes


def records_inputs() -> Iterator[VectorInput]:
    """Yield slash records: consistent, and each rule of the audit broken on its own."""
    op = "economy.check_slash_records"
    a, b = _record("a"), _record("b")
    cases: dict[str, tuple[list[str], list[dict[str, Any]]]] = {
        "consistent": (["a", "b"], [a, b]),
        "empty": ([], []),
        "self-report": (["a"], [_record("a", reporter="mallory", reward=0)]),
        "slashed-twice": (["a"], [a, a]),
        "punished-without-record": (["a", "b"], [a]),
        "record-not-punished": (["a"], [a, b]),
        "sets-apart": (["b"], [a]),
        "nothing-slashed": (["a"], [_record("a", slashed=0, reward=0)]),
        "slashed-all": (["a"], [_record("a", slash_fraction="1", slashed=1000, reward=200)]),
        "slashed-over": (["a"], [_record("a", slashed=1001)]),
        "reward-equal": (["a"], [_record("a", reward=500)]),
        "reward-negative": (["a"], [_record("a", reward=-1)]),
        "amounts-off-rule": (["a"], [_record("a", slashed=400, reward=80)]),
        "self-report-paid": (["a"], [_record("a", reporter="mallory")]),
    }
    for name, (punished, slashes) in cases.items():
        yield VectorInput(
            f"check-slash-records-{name}", op, {"punished": punished, "slashes": slashes}
        )


def _lock(lock_id: int, **changes: Any) -> dict[str, Any]:
    """Return a lock of 1 token of ``a`` on ballot ``b``, held until epoch 3."""
    lock: dict[str, Any] = {
        "lock_id": lock_id,
        "owner": "a",
        "ballot_id": "b",
        "amount": 1,
        "k": 1,
        "locked_at": 0,
        "unlock_at": 3,
    }
    return lock | changes


def ledger_inputs() -> Iterator[VectorInput]:
    """Yield ledger snapshots: sound, and each invariant broken on its own, at its boundary."""
    op = "economy.check_ledger"
    locked = {"a": {"balance": 5, "locked": 1}}
    cases: dict[str, dict[str, Any]] = {
        "sound": {"accounts": {"a": {"balance": 5}}, "genesis": 5},
        "sound-with-history": {
            "accounts": {"a": {"balance": 3}, "b": {"balance": 3}},
            "genesis": 5,
            "minted": 2,
            "burned": 1,
        },
        "negative-balance": {"accounts": {"a": {"balance": -1}, "b": {"balance": 6}}, "genesis": 5},
        "negative-unbonding": {
            "accounts": {"a": {"balance": 5, "unbonding": [{"amount": -1, "release_at": 2}]}},
            "genesis": 5,
        },
        "fully-encumbered": {
            "accounts": {"a": {"balance": 5, "staked": 2, "collateral": 3}},
            "genesis": 5,
        },
        "over-encumbered": {"accounts": {"a": {"balance": 5, "staked": 6}}, "genesis": 5},
        "supply-above": {"accounts": {"a": {"balance": 6}}, "genesis": 5},
        "supply-below": {"accounts": {"a": {"balance": 4}}, "genesis": 5},
        "lock-sound": {
            "accounts": locked,
            "genesis": 5,
            "locks": {"0": _lock(0)},
            "next_lock_id": 1,
        },
        "lock-id-below-key": {
            "accounts": locked,
            "genesis": 5,
            "locks": {"1": _lock(0)},
            "next_lock_id": 2,
        },
        "lock-id-above-key": {
            "accounts": locked,
            "genesis": 5,
            "locks": {"0": _lock(1)},
            "next_lock_id": 2,
        },
        "lock-id-not-issued": {
            "accounts": locked,
            "genesis": 5,
            "locks": {"1": _lock(1)},
            "next_lock_id": 1,
        },
        "lock-expires-now": {
            "accounts": locked,
            "genesis": 5,
            "locks": {"0": _lock(0)},
            "next_lock_id": 1,
            "now": 3,
        },
        "lock-expires-next-epoch": {
            "accounts": locked,
            "genesis": 5,
            "locks": {"0": _lock(0)},
            "next_lock_id": 1,
            "now": 2,
        },
        "locked-without-lock": {"accounts": locked, "genesis": 5},
        "lock-not-counted": {
            "accounts": {"a": {"balance": 5}},
            "genesis": 5,
            "locks": {"0": _lock(0)},
            "next_lock_id": 1,
        },
    }
    for name, snapshot in cases.items():
        yield VectorInput(f"check-ledger-{name}", op, {"ledger": snapshot})
