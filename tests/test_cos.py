"""Tests of the CoS byte, the transaction model and reclassification (§III-A, §IV-A)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings

from vdlt_spec import serial
from vdlt_spec.cos import (
    CLASS_RANKING,
    DEFAULT_DEMOTION_FLOOR,
    DEFAULT_MIN_TRUST,
    DEFAULT_POLICY,
    Classification,
    ReclassificationPolicy,
    ReclassificationReason,
    RestrictedClass,
    Sender,
    ServiceClass,
    Transaction,
    class_of,
    class_rank,
    cos_byte,
    reclassify,
    reclassify_from,
    reclassify_transaction,
    reserved_bits,
)
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole
from vdlt_spec.strategies import (
    banned_flags,
    cos_bytes,
    reclassification_policies,
    role_sets,
    service_classes,
    transactions,
    trusts,
)

TABLE_II = {
    "111": "Fast confirmation",
    "110": "Computation-intensive",
    "101": "Storage-intensive",
    "100": "Low cost",
    "011": "Management/Control",
    "010": "Private",
    "001": "Best effort",
    "000": "Scavenger",
}

SC = ServiceClass
R = ReclassificationReason
MC = NodeRole.MANAGEMENT_CONTROL
EX = NodeRole.EXECUTION


def tx_of(service_class: ServiceClass) -> Transaction:
    return Transaction(1, "sender", cos_byte(service_class), 1, Fraction(0))


def _table_name(service_class: ServiceClass) -> str:
    return service_class.name.replace("_", " ").lower()


# --- the CoS byte (Table II) ------------------------------------------------------------------


def test_class_is_the_three_most_significant_bits_for_all_256_bytes() -> None:
    for byte in range(256):
        assert class_of(byte) == byte >> 5
        assert class_of(byte).value == int(f"{byte:08b}"[:3], 2)
        assert reserved_bits(byte) == byte & 0b11111
        assert cos_byte(class_of(byte), reserved_bits(byte)) == byte


def test_class_names_follow_table_ii() -> None:
    assert len(ServiceClass) == 8
    for bits, name in TABLE_II.items():
        normalised = name.replace("-", " ").replace("/", " ").lower()
        assert _table_name(ServiceClass(int(bits, 2))).replace("_", " ") == normalised


@pytest.mark.parametrize("bad", [-1, 256, 1000, True, "0x20", 1.0, None])
def test_bad_cos_bytes_are_rejected(bad: object) -> None:
    with pytest.raises(SpecError) as err:
        class_of(bad)  # type: ignore[arg-type]
    assert err.value.reason is Reason.COS_BYTE_OUT_OF_RANGE


# --- transactions -----------------------------------------------------------------------------


def test_transaction_normalises_arrival_to_a_fraction() -> None:
    tx = Transaction(3, "alice", 0xE5, 4, 2)
    assert tx.arrival == Fraction(2) and isinstance(tx.arrival, Fraction)
    assert tx.service_class is SC.FAST_CONFIRMATION


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"id": -1}, Reason.BAD_TRANSACTION_ID),
        ({"id": True}, Reason.BAD_TRANSACTION_ID),
        ({"id": "7"}, Reason.BAD_TRANSACTION_ID),
        ({"sender": ""}, Reason.BAD_SENDER),
        ({"sender": 5}, Reason.BAD_SENDER),
        ({"cos": 256}, Reason.COS_BYTE_OUT_OF_RANGE),
        ({"cos": -3}, Reason.COS_BYTE_OUT_OF_RANGE),
        ({"size": 0}, Reason.NON_POSITIVE_SIZE),
        ({"size": -2}, Reason.NON_POSITIVE_SIZE),
        ({"size": 1.5}, Reason.INEXACT_NUMBER),
        ({"size": Fraction(3, 2)}, Reason.NOT_AN_INTEGER),
        ({"arrival": -1}, Reason.NEGATIVE_TIME),
        ({"arrival": Fraction(-1, 3)}, Reason.NEGATIVE_TIME),
        ({"arrival": 0.5}, Reason.INEXACT_NUMBER),
        ({"arrival": "1"}, Reason.INEXACT_NUMBER),
    ],
)
def test_invalid_transactions_are_rejected_with_their_reason(
    fields: dict[str, object], reason: Reason
) -> None:
    valid: dict[str, object] = {"id": 1, "sender": "alice", "cos": 0x20, "size": 1, "arrival": 0}
    with pytest.raises(SpecError) as err:
        Transaction(**{**valid, **fields})  # type: ignore[arg-type]
    assert err.value.reason is reason


@given(transactions())
def test_transactions_round_trip_through_json(tx: Transaction) -> None:
    assert serial.loads(Transaction, serial.dumps(tx)) == tx


def test_the_class_ranking_is_table_ii_order() -> None:
    bits = [f"{c.value:03b}" for c in CLASS_RANKING]
    assert bits == list(TABLE_II) and [class_rank(c) for c in CLASS_RANKING] == list(range(8))
    assert DEFAULT_DEMOTION_FLOOR == (SC.SCAVENGER, SC.BEST_EFFORT)


# --- reclassification (§III-A) ----------------------------------------------------------------

LOW = DEFAULT_MIN_TRUST - Fraction(1, 100)
HIGH = DEFAULT_MIN_TRUST


@pytest.mark.parametrize(
    ("declared", "trust", "roles", "banned", "effective", "reason"),
    [
        # an honest, trusted sender keeps its class
        (SC.FAST_CONFIRMATION, HIGH, set(), False, SC.FAST_CONFIRMATION, R.DECLARED),
        (SC.PRIVATE, Fraction(1), {EX}, False, SC.PRIVATE, R.DECLARED),
        # 011 is reserved to registered management/control nodes
        (SC.MANAGEMENT_CONTROL, Fraction(1), set(), False, SC.BEST_EFFORT, R.UNAUTHORISED_CLASS),
        (SC.MANAGEMENT_CONTROL, 1, {EX}, False, SC.BEST_EFFORT, R.UNAUTHORISED_CLASS),
        (SC.MANAGEMENT_CONTROL, Fraction(1), {MC}, False, SC.MANAGEMENT_CONTROL, R.DECLARED),
        # a management/control node may send other classes too
        (SC.FAST_CONFIRMATION, Fraction(1), {MC}, False, SC.FAST_CONFIRMATION, R.DECLARED),
        # below the trust threshold: best effort, whatever was declared
        (SC.FAST_CONFIRMATION, LOW, set(), False, SC.BEST_EFFORT, R.LOW_TRUST),
        (SC.STORAGE_INTENSIVE, Fraction(0), set(), False, SC.BEST_EFFORT, R.LOW_TRUST),
        (SC.MANAGEMENT_CONTROL, LOW, {MC}, False, SC.BEST_EFFORT, R.LOW_TRUST),
        # ... but never promoted: best effort and scavenger stay where they are
        (SC.BEST_EFFORT, LOW, set(), False, SC.BEST_EFFORT, R.DECLARED),
        (SC.SCAVENGER, LOW, set(), False, SC.SCAVENGER, R.DECLARED),
        # banned senders go to scavenger, whatever their trust or roles
        (SC.FAST_CONFIRMATION, Fraction(1), set(), True, SC.SCAVENGER, R.BANNED_SENDER),
        (SC.MANAGEMENT_CONTROL, Fraction(1), {MC}, True, SC.SCAVENGER, R.BANNED_SENDER),
        (SC.BEST_EFFORT, Fraction(0), set(), True, SC.SCAVENGER, R.BANNED_SENDER),
        (SC.SCAVENGER, Fraction(1), set(), True, SC.SCAVENGER, R.DECLARED),
    ],
)
def test_default_reclassification_policy_cases(
    declared: ServiceClass,
    trust: Fraction,
    roles: set[NodeRole],
    banned: bool,
    effective: ServiceClass,
    reason: ReclassificationReason,
) -> None:
    result = reclassify(declared, trust, roles, banned=banned)
    assert result == Classification(declared, effective, reason)
    assert reclassify_from(tx_of(declared), Sender(trust, frozenset(roles), banned))[1] == result


def test_a_configured_policy_changes_the_targets() -> None:
    strict = ReclassificationPolicy(
        min_trust=Fraction(9, 10),
        low_trust_class=SC.SCAVENGER,
        restricted=(
            RestrictedClass(SC.MANAGEMENT_CONTROL, MC),
            RestrictedClass(SC.PRIVATE, NodeRole.EXECUTION),
        ),
    )
    assert reclassify(SC.FAST_CONFIRMATION, Fraction(8, 10), set(), strict).effective is (
        SC.SCAVENGER
    )
    assert reclassify(SC.PRIVATE, Fraction(1), set(), strict) == Classification(
        SC.PRIVATE, SC.BEST_EFFORT, R.UNAUTHORISED_CLASS
    )
    assert reclassify(SC.PRIVATE, Fraction(1), {NodeRole.EXECUTION}, strict).effective is SC.PRIVATE


@given(service_classes, trusts, role_sets, banned_flags, reclassification_policies())
def test_reclassification_never_promotes_and_explains_itself(
    declared: ServiceClass,
    trust: Fraction,
    held: frozenset[NodeRole],
    banned: bool,
    policy: ReclassificationPolicy,
) -> None:
    result = reclassify(declared, trust, held, policy, banned=banned)
    assert result.declared is declared
    assert policy.rank(result.effective) <= policy.rank(declared)
    assert (result.reason is R.DECLARED) == (result.effective is declared)
    targets = {
        R.BANNED_SENDER: policy.banned_class,
        R.UNAUTHORISED_CLASS: policy.unauthorised_class,
        R.LOW_TRUST: policy.low_trust_class,
    }
    if result.reason is not R.DECLARED:
        assert result.effective is targets[result.reason]
    if result.reason is R.BANNED_SENDER:
        assert banned
    if result.reason is R.LOW_TRUST:
        assert trust < policy.min_trust
    if not banned and trust >= policy.min_trust and not policy.restricted:
        assert result.effective is declared


@given(service_classes, trusts, role_sets, banned_flags)
def test_trusted_unbanned_senders_keep_unrestricted_classes(
    declared: ServiceClass, trust: Fraction, held: frozenset[NodeRole], banned: bool
) -> None:
    result = reclassify(declared, trust, held, banned=banned)
    if banned:
        assert result.effective in (SC.SCAVENGER, declared)
    elif trust >= DEFAULT_MIN_TRUST and declared is not SC.MANAGEMENT_CONTROL:
        assert result.effective is declared


@given(transactions(), trusts, role_sets, banned_flags)
@settings(max_examples=200)
def test_reclassifying_a_transaction_rewrites_only_the_class_bits(
    tx: Transaction, trust: Fraction, held: frozenset[NodeRole], banned: bool
) -> None:
    rewritten, result = reclassify_transaction(tx, trust, held, banned=banned)
    assert rewritten.service_class is result.effective
    assert reserved_bits(rewritten.cos) == reserved_bits(tx.cos)
    assert replace(rewritten, cos=tx.cos) == tx


@given(cos_bytes)
def test_reserved_bits_do_not_change_the_effective_class(byte: int) -> None:
    base = cos_byte(class_of(byte))
    for trust in (Fraction(0), Fraction(1)):
        assert (
            reclassify(class_of(byte), trust).effective
            is reclassify(class_of(base), trust).effective
        )


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda: reclassify(SC.BEST_EFFORT, Fraction(3, 2)), Reason.TRUST_OUT_OF_RANGE),
        (lambda: reclassify(SC.BEST_EFFORT, Fraction(-1, 2)), Reason.TRUST_OUT_OF_RANGE),
        (lambda: reclassify(SC.BEST_EFFORT, 0.5), Reason.INEXACT_NUMBER),
        (lambda: reclassify(8, Fraction(1)), Reason.UNKNOWN_CLASS),  # type: ignore[arg-type]
        (lambda: reclassify(SC.BEST_EFFORT, 1, {"admin"}), Reason.UNKNOWN_ROLE),  # type: ignore[arg-type]
        (lambda: ReclassificationPolicy(min_trust=Fraction(2)), Reason.TRUST_OUT_OF_RANGE),
        (lambda: ReclassificationPolicy(banned_class=9), Reason.UNKNOWN_CLASS),  # type: ignore[arg-type]
        (
            lambda: ReclassificationPolicy(
                restricted=(RestrictedClass(SC.PRIVATE, MC), RestrictedClass(SC.PRIVATE, MC))
            ),
            Reason.DUPLICATE_CLASS,
        ),
        (lambda: RestrictedClass(SC.PRIVATE, "root"), Reason.UNKNOWN_ROLE),  # type: ignore[arg-type]
        (
            lambda: ReclassificationPolicy(demotion_floor=(SC.SCAVENGER, SC.SCAVENGER)),
            Reason.DUPLICATE_CLASS,
        ),
    ],
)
def test_invalid_reclassification_inputs_are_rejected(call: object, reason: Reason) -> None:
    assert callable(call)
    with pytest.raises(SpecError) as err:
        call()
    assert err.value.reason is reason


def test_default_policy_round_trips_through_json() -> None:
    text = serial.dumps(DEFAULT_POLICY)
    assert serial.loads(ReclassificationPolicy, text) == DEFAULT_POLICY


def test_node_roles_of_the_virtualization_model_are_accepted() -> None:
    from vdlt_spec.roles import NodeRole

    manager = {NodeRole.MANAGEMENT_CONTROL}
    assert reclassify(SC.MANAGEMENT_CONTROL, Fraction(1), manager).reason is R.DECLARED  # type: ignore[arg-type]
