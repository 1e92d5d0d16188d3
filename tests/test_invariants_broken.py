"""Every invariant checker, handed a minimal state that breaks it, names exactly that break.

A checker that returns "something is wrong" passes weaker tests too; here each check of the
ledger (§IV-I), the queuing invariants (§IV-A) and the CoS byte's validation (§IV-A, Fig. 6)
gets one small broken input and the exact finding or reason it must give. Sound inputs give
no finding, so the checkers are shown to look at the right thing, not at everything.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from vdlt_spec import ledger as L
from vdlt_spec.cos import ServiceClass, Transaction, as_service_class, class_of, cos_byte
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.ledger import Account, Ledger, Lock, Unbonding
from vdlt_spec.queuing import CbwfqConfig, ClassPolicy, Departure, Drop, Schedule, run
from vdlt_spec.queuing import invariants as Q

SC = ServiceClass

# --- the ledger (§IV-I) --------------------------------------------------------------------------


def _ledger(**accounts: Account) -> Ledger:
    """Return a ledger of these accounts whose supply counters agree with their balances."""
    return Ledger(accounts=dict(accounts), genesis=sum(a.balance for a in accounts.values()))


def _lock(lock_id: int, owner: str = "alice", amount: int = 5, unlock_at: int = 4) -> Lock:
    return Lock(lock_id, owner, "b1", amount, 1, 0, unlock_at)


def test_a_sound_ledger_has_no_finding() -> None:
    """Balances, encumbrances, supply and one live lock that all agree: no finding."""
    ledger = replace(
        _ledger(alice=Account(balance=100, staked=10, collateral=20, locked=5)),
        locks={0: _lock(0)},
        next_lock_id=1,
    )
    assert L.invariant_violations(ledger) == ()


@pytest.mark.parametrize(
    ("account", "finding"),
    [
        (Account(balance=5, collateral=-1), "alice: negative amount in {a}"),
        (Account(balance=10, staked=-1), "alice: negative amount in {a}"),
        (Account(balance=10, unbonding=(Unbonding(-3, 2),)), "alice: negative amount in {a}"),
        (
            Account(balance=600, staked=700),
            "alice: staked + collateral + locked = 700 > balance 600",
        ),
        (
            Account(balance=10, collateral=5, unbonding=(Unbonding(6, 3),)),
            "alice: staked + collateral + locked = 11 > balance 10",
        ),
    ],
)
def test_a_broken_account_is_named(account: Account, finding: str) -> None:
    """A negative part, or more encumbered than held, is the finding that says so."""
    assert L.invariant_violations(_ledger(alice=account)) == (finding.format(a=account),)


@pytest.mark.parametrize(
    ("changes", "finding"),
    [
        ({"genesis": 99}, "supply 100 != genesis 99 + minted 0 - burned 0"),
        ({"minted": 1}, "supply 100 != genesis 100 + minted 1 - burned 0"),
        ({"burned": 1}, "supply 100 != genesis 100 + minted 0 - burned 1"),
    ],
)
def test_supply_that_does_not_add_up_is_named(changes: dict[str, int], finding: str) -> None:
    """Supply must equal genesis + minted - burned: each counter off by one is named."""
    ledger = replace(_ledger(alice=Account(balance=100)), **changes)
    assert L.invariant_violations(ledger) == (finding,)


def test_broken_locks_are_named() -> None:
    """A lock filed under another id or not yet issued, an expired one still held, a locked
    amount that no live lock backs: each is its own finding."""
    holder = Account(balance=100, locked=5)
    misfiled = replace(_ledger(alice=holder), locks={1: _lock(0)}, next_lock_id=2)
    assert L.invariant_violations(misfiled) == ("lock 1: bad identifier",)
    unissued = replace(_ledger(alice=holder), locks={3: _lock(3)}, next_lock_id=3)
    assert L.invariant_violations(unissued) == ("lock 3: bad identifier",)
    expired = replace(_ledger(alice=holder), locks={0: _lock(0)}, next_lock_id=1, now=4)
    assert L.invariant_violations(expired) == ("lock 0: expired at 4 but still held",)
    unbacked = _ledger(alice=holder)
    assert L.invariant_violations(unbacked) == ("alice: locked 5 != live locks None",)
    overbacked = replace(
        _ledger(alice=holder), locks={0: _lock(0), 1: _lock(1, amount=2)}, next_lock_id=2
    )
    assert L.invariant_violations(overbacked) == ("alice: locked 5 != live locks 7",)


def test_check_invariants_raises_with_the_findings() -> None:
    """``check_invariants`` turns findings into INVARIANT_VIOLATED and passes a sound ledger."""
    sound = _ledger(alice=Account(balance=1))
    assert L.check_invariants(sound) is sound
    with pytest.raises(SpecError) as caught:
        L.check_invariants(replace(sound, genesis=2))
    assert caught.value.reason is Reason.INVARIANT_VIOLATED
    assert "supply 1 != genesis 2 + minted 0 - burned 0" in caught.value.detail


# --- queuing (§IV-A) -----------------------------------------------------------------------------

CONFIG = CbwfqConfig(
    classes=(
        ClassPolicy(SC.BEST_EFFORT, Fraction(1, 4), limit=1),
        ClassPolicy(SC.FAST_CONFIRMATION, Fraction(1, 4), limit=1),
    )
)
#: Three best-effort transactions at time 0: sizes 2, 1, 1; the third finds its queue full.
ARRIVALS = tuple(
    Transaction(i, "alice", cos_byte(SC.BEST_EFFORT), size, Fraction(0))
    for i, size in enumerate((2, 1, 1))
)
GOOD = run(CONFIG, ARRIVALS)
BE = SC.BEST_EFFORT


def _d(i: int, start: int, finish: int, cls: ServiceClass = BE) -> Departure:
    return Departure(i, cls, Fraction(start), Fraction(finish))


def test_the_reference_schedule_is_what_the_broken_ones_change() -> None:
    """The reference serves 0 on [0, 2), 1 on [2, 3) and drops 2 (its queue holds 1)."""
    assert Schedule((_d(0, 0, 2), _d(1, 2, 3)), (Drop(2, BE, Fraction(0)),)) == GOOD
    assert Q.all_violations(CONFIG, ARRIVALS, GOOD) == ()


def _with(departures: tuple[Departure, ...], drops: tuple[Drop, ...] = GOOD.drops) -> Schedule:
    return Schedule(departures, drops)


@pytest.mark.parametrize(
    ("schedule", "findings"),
    [
        (_with((_d(0, 0, 2),)), ("transaction 1 neither departs nor is dropped",)),
        (_with((_d(0, 0, 2), _d(1, 2, 3), _d(0, 3, 5))), ("transaction 0 leaves twice",)),
        (_with((_d(0, 0, 2), _d(1, 2, 3), _d(9, 3, 4))), ("transaction 9 was never offered",)),
    ],
)
def test_conservation_names_the_lost_the_doubled_and_the_unknown(
    schedule: Schedule, findings: tuple[str, ...]
) -> None:
    """Every offered transaction departs or is dropped exactly once."""
    assert Q.conservation(ARRIVALS, schedule) == findings


@pytest.mark.parametrize(
    ("schedule", "findings"),
    [
        (_with((_d(0, -1, 1), _d(1, 2, 3))), ("transaction 0 starts at -1 before it arrives",)),
        (_with((_d(0, 0, 2), _d(1, 2, 4))), ("transaction 1 is served for 2",)),
        (
            _with((_d(0, 0, 2), _d(1, 2, 3, SC.FAST_CONFIRMATION))),
            ("transaction 1 departs as FAST_CONFIRMATION",),
        ),
        (_with((_d(0, 0, 2), _d(1, 1, 2))), ("transaction 1 starts at 1 while the link is busy",)),
    ],
)
def test_single_server_names_each_break(schedule: Schedule, findings: tuple[str, ...]) -> None:
    """One transmission at a time, size/rate long, never before arrival, in its own class."""
    assert Q.single_server(CONFIG, ARRIVALS, schedule) == findings


def test_work_conservation_names_an_idle_link() -> None:
    """Starting transaction 1 at 3 although the link is free at 2 is named."""
    idle = _with((_d(0, 0, 2), _d(1, 3, 4)))
    assert Q.work_conserving(ARRIVALS, idle) == ("transaction 1 starts at 3, link free at 2",)
    late_first = _with((_d(0, 1, 3), _d(1, 3, 4)))
    assert Q.work_conserving(ARRIVALS, late_first) == ("transaction 0 starts at 1, link free at 0",)


def test_fifo_names_the_queue_served_out_of_order() -> None:
    """Serving 1 before 0 from one queue is named with both orders."""
    swapped = _with((_d(1, 0, 1), _d(0, 1, 3)))
    assert Q.fifo_per_queue(CONFIG, ARRIVALS, swapped) == (
        "queue BEST_EFFORT serves [1, 0] but admitted [0, 1]",
    )


def test_tail_drop_names_a_drop_too_few_and_too_many() -> None:
    """Admitting into a full queue, or dropping from one with room, is named per transaction."""
    undropped = _with((_d(0, 0, 2), _d(1, 2, 3), _d(2, 3, 4)), ())
    assert Q.tail_drops(CONFIG, ARRIVALS, undropped) == (
        "transaction 2 admitted with 1 waiting of limit 1",
    )
    overdropped = _with((_d(0, 0, 2),), (Drop(1, BE, Fraction(0)), Drop(2, BE, Fraction(0))))
    assert Q.tail_drops(CONFIG, ARRIVALS, overdropped) == (
        "transaction 1 dropped with 0 waiting of limit 1",
        "transaction 2 dropped with 0 waiting of limit 1",
    )


def test_the_gps_bound_names_a_departure_too_late() -> None:
    """A departure later than L_max/r after its GPS finish is named with both figures."""
    worst, bound = Q.gps_lateness(CONFIG, ARRIVALS, GOOD)
    assert worst <= bound == 2
    late = _with((_d(0, 0, 2), _d(1, 10, 11)))
    worst_late, _ = Q.gps_lateness(CONFIG, ARRIVALS, late)
    assert worst_late == worst + 8
    assert Q.gps_bound(CONFIG, ARRIVALS, late) == (
        f"a departure is {worst_late} after its GPS finish, more than L_max/r = 2",
    )


# --- the CoS byte (§IV-A, Fig. 6) ----------------------------------------------------------------


@pytest.mark.parametrize("reserved", [-1, 32, 1.0, 0.5, True, False, "1", None])
def test_reserved_bits_are_an_integer_in_range(reserved: object) -> None:
    """Negative, too large, boolean, float or text reserved bits are COS_BYTE_OUT_OF_RANGE."""
    with pytest.raises(SpecError) as caught:
        cos_byte(SC.BEST_EFFORT, reserved)  # type: ignore[arg-type]
    assert caught.value.reason is Reason.COS_BYTE_OUT_OF_RANGE
    assert caught.value.detail == f"reserved bits must be an integer in 0..31, got {reserved!r}"


@pytest.mark.parametrize("value", [True, False, 1.0, 2.5, "BEST_EFFORT", None])
def test_booleans_floats_and_names_are_not_classes(value: object) -> None:
    """A class is an integer of Table II: ``True``, ``1.0`` or a name is UNKNOWN_CLASS."""
    with pytest.raises(SpecError) as caught:
        as_service_class(value)
    assert (caught.value.reason, caught.value.detail) == (
        Reason.UNKNOWN_CLASS,
        f"not a service class: {value!r}",
    )
    with pytest.raises(SpecError) as built:
        cos_byte(value, 0)  # type: ignore[arg-type]
    assert built.value.reason is Reason.UNKNOWN_CLASS


@pytest.mark.parametrize("value", [8, -1])
def test_a_number_outside_table_ii_is_not_a_class(value: int) -> None:
    """An integer outside 0..7 is UNKNOWN_CLASS naming it."""
    with pytest.raises(SpecError) as caught:
        as_service_class(value)
    assert (caught.value.reason, caught.value.detail) == (
        Reason.UNKNOWN_CLASS,
        f"no service class {value}",
    )


@pytest.mark.parametrize("byte", [True, 1.0, -1, 256])
def test_a_cos_byte_is_an_integer_byte(byte: object) -> None:
    """``class_of`` refuses booleans, floats and values outside 0..255."""
    with pytest.raises(SpecError) as caught:
        class_of(byte)  # type: ignore[arg-type]
    assert (caught.value.reason, caught.value.detail) == (
        Reason.COS_BYTE_OUT_OF_RANGE,
        f"CoS byte must be 0..255, got {byte!r}",
    )


def test_the_edges_of_the_byte_still_build() -> None:
    """Reserved bits 0 and 31 with the lowest and highest class build the bytes 0 and 255."""
    assert cos_byte(SC(0), 0) == 0 and cos_byte(SC(7), 31) == 255
