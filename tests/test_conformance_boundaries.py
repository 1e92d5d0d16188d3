"""Tests of the operations that pin boundaries: CoS bytes, queue states, ranges, claimed floors."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from vdlt_spec import serial
from vdlt_spec.allocation import FLOAT_RANGE
from vdlt_spec.allocation.bundled import bundled_instances
from vdlt_spec.conformance.operations import call
from vdlt_spec.conformance.ops.allocation import TINY_ALLOCATION
from vdlt_spec.errors import Reason, SpecError


def reason_of(op: str, payload: Any) -> Reason:
    with pytest.raises(SpecError) as caught:
        call(op, payload)
    return caught.value.reason


def test_cos_encode_inverts_classify_on_every_byte() -> None:
    for byte in range(256):
        fields = call("cos.classify", {"cos_byte": byte})
        encoded = call(
            "cos.encode", {"class_bits": fields["class_bits"], "reserved": fields["reserved"]}
        )
        assert encoded == {"cos_byte": byte}


@pytest.mark.parametrize(
    ("reserved", "accepted"), [(-1, False), (0, True), (31, True), (32, False)]
)
def test_cos_encode_takes_reserved_bits_0_to_31_only(reserved: int, accepted: bool) -> None:
    payload = {"class_bits": 7, "reserved": reserved}
    if accepted:
        assert call("cos.encode", payload) == {"cos_byte": 0xE0 | reserved}
    else:
        assert reason_of("cos.encode", payload) is Reason.COS_BYTE_OUT_OF_RANGE


def test_cos_encode_without_reserved_bits_carries_zero() -> None:
    assert call("cos.encode", {"class_bits": 1}) == {"cos_byte": 0x20}


def test_queuing_state_backlog_counts_waiting_and_in_service() -> None:
    burst = [
        {"id": i, "sender": "node-0", "cos": 0xE0, "size": 2, "arrival": "0"} for i in range(3)
    ]
    fifo = {"rate": 1, "classes": []}
    at_start = call("queuing.state", {"config": fifo, "transactions": burst, "at": "0"})
    assert at_start["backlog"] == 3  # two waiting, one in service
    assert [w["id"] for w in at_start["queues"][0]["waiting"]] == [1, 2]
    at_three = call("queuing.state", {"config": fifo, "transactions": burst, "at": "3"})
    assert at_three["backlog"] == 2 and len(at_three["departures"]) == 1
    drained = call("queuing.state", {"config": fifo, "transactions": burst, "at": "6"})
    assert drained["backlog"] == 0 and drained["in_service"] is None


def test_queuing_queues_scale_class_default_with_the_listed_classes() -> None:
    config = {"classes": [{"service_class": 7, "share": "1/4"}]}
    plain = serial.encode(call("queuing.queues", {"config": config}))["queues"]
    assert {q["queue"]: q["share"] for q in plain} == {7: "1/4", "class-default": "3/4"}
    scaled = serial.encode(call("queuing.queues", {"config": config, "scale": "1/2"}))["queues"]
    assert {q["queue"]: q["share"] for q in scaled} == {7: "1/8", "class-default": "3/8"}


def _tiny_with_price(price: Fraction) -> dict[str, Any]:
    instance: dict[str, Any] = serial.encode(bundled_instances()["tiny-exhaustive"])
    instance["nodes"][0]["compute_price"] = serial.encode(price)
    return instance


@pytest.mark.parametrize(
    ("price", "accepted"),
    [
        (Fraction(FLOAT_RANGE), True),
        (Fraction(FLOAT_RANGE + 1), False),
        (Fraction(1, FLOAT_RANGE), True),
        (Fraction(1, FLOAT_RANGE + 1), False),
        (Fraction(0), True),
    ],
)
def test_float_range_is_1e_minus_100_to_1e100_inclusive(price: Fraction, accepted: bool) -> None:
    payload = {"instance": _tiny_with_price(price)}
    if accepted:
        assert call("allocation.float_range", payload) == {"accepted": True}
    else:
        assert reason_of("allocation.float_range", payload) is Reason.PARAMETER_OUT_OF_RANGE


def test_tightest_refuses_a_negative_count() -> None:
    tiny = serial.encode(bundled_instances()["tiny-exhaustive"])
    payload = {"instance": tiny, "allocation": TINY_ALLOCATION}
    assert call("allocation.tightest", payload | {"k": 0}) == {"tightest": []}
    assert reason_of("allocation.tightest", payload | {"k": -1}) is Reason.PARAMETER_OUT_OF_RANGE


@pytest.mark.parametrize(("delta", "valid"), [(-1, False), (0, True), (1, False)])
def test_check_issuance_accepts_exactly_the_floor(delta: int, valid: bool) -> None:
    params = {"conforming": False, "epochs_per_year": 1, "inflation_rate": "1/25"}
    supply = 25 * 7  # r·S = 7 exactly: the floor is 7 and 6 is one too few
    answer = call(
        "economy.check_issuance",
        {"issued": 7 + delta, "year_start_supply": supply, "params": params},
    )
    assert answer["valid"] is valid


def test_check_slash_refuses_one_token_too_many() -> None:
    params = {"slash_fraction": "1/2", "denouncer_reward": "1/5"}
    base = {"slashable": 999, "params": params}
    assert call("economy.check_slash", base | {"slashed": 499, "reward": 99})["slashed"]["valid"]
    too_many = call("economy.check_slash", base | {"slashed": 500, "reward": 100})
    assert too_many["slashed"] == {"not_above": False, "not_below": True, "valid": False}


@pytest.mark.parametrize(("balance", "problems"), [(4, 1), (5, 0), (6, 1)])
def test_check_ledger_counts_a_supply_off_genesis_either_way(balance: int, problems: int) -> None:
    snapshot = {"accounts": {"a": {"balance": balance}}, "genesis": 5}
    assert call("economy.check_ledger", {"ledger": snapshot}) == {"problems": problems}


@pytest.mark.parametrize(
    ("rate", "flags"),
    [
        ("-1/100", (False, True)),
        ("0", (True, True)),
        ("1/25", (True, True)),
        ("1/20", (True, False)),
    ],
)
def test_check_issuance_tells_whether_the_voted_rate_lies_in_0_to_cap(
    rate: str, flags: tuple[bool, bool]
) -> None:
    params = {"conforming": False, "inflation_rate": rate, "max_inflation_rate": "1/25"}
    answer = call("economy.check_issuance", {"issued": 0, "year_start_supply": 0, "params": params})
    assert (answer["voted_rate"]["at_least_zero"], answer["voted_rate"]["at_most_cap"]) == flags
