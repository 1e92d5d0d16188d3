"""Tests of the CBWFQ scheduler, its configuration and its GPS reference (§IV-A, Fig. 7)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec import serial
from vdlt_spec.cos import ServiceClass, Transaction, class_of, cos_byte
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.queuing import (
    CLASS_DEFAULT,
    DEFAULT_QUEUE_LIMIT,
    VDLT_DEFAULT_SHARES,
    CbwfqConfig,
    ClassPolicy,
    DefaultPolicy,
    Departure,
    Drop,
    Schedule,
    advance,
    cbwfq_gps_finish_times,
    class_delays,
    default_config,
    delays,
    fifo_config,
    fifo_run,
    gps_finish_times,
    initial_state,
    offer,
    offered_load,
    overload_workload,
    run,
    scale_shares,
)
from vdlt_spec.queuing import invariants as audit
from vdlt_spec.queuing.workload import OVERLOAD_FAST_SIZE, OVERLOAD_FLOOD_SIZE
from vdlt_spec.strategies import cbwfq_configs, exact_times, service_classes, workloads

SC = ServiceClass
P = Fraction(1, 100)
BURSTY = exact_times(max_value=12, max_denominator=3)


def tx(i: int, cls: ServiceClass, size: int, arrival: Fraction | int) -> Transaction:
    return Transaction(i, "alice", cos_byte(cls), size, Fraction(arrival))


# --- configuration ----------------------------------------------------------------------------


def test_vdlt_default_configuration() -> None:
    config = default_config()
    assert {p.service_class for p in config.classes} == set(ServiceClass)
    assert sum(VDLT_DEFAULT_SHARES.values()) == 1
    assert all(p.limit == DEFAULT_QUEUE_LIMIT == 64 for p in config.classes)
    shares = config.shares
    bulk = (SC.COMPUTATION_INTENSIVE, SC.STORAGE_INTENSIVE, SC.LOW_COST, SC.PRIVATE)
    assert all(shares[SC.FAST_CONFIRMATION] > shares[c] for c in bulk)
    assert all(shares[SC.MANAGEMENT_CONTROL] >= shares[c] for c in bulk)
    assert shares[SC.SCAVENGER] == min(shares.values())
    assert CLASS_DEFAULT not in config.queue_keys  # all 8 listed: class-default is unused


def test_unlisted_classes_share_class_default() -> None:
    config = CbwfqConfig(classes=(ClassPolicy(SC.FAST_CONFIRMATION, 30 * P),))
    assert config.queue_keys == (SC.FAST_CONFIRMATION, CLASS_DEFAULT)
    assert config.shares[CLASS_DEFAULT] == 70 * P  # what the listed classes leave
    assert config.queue_of(SC.BEST_EFFORT) is CLASS_DEFAULT
    assert config.queue_of(SC.FAST_CONFIRMATION) is SC.FAST_CONFIRMATION
    explicit = replace(config, class_default=DefaultPolicy(share=10 * P, limit=5))
    assert explicit.shares[CLASS_DEFAULT] == 10 * P and explicit.limits[CLASS_DEFAULT] == 5


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: CbwfqConfig(rate=Fraction(0)), Reason.NON_POSITIVE_RATE),
        (lambda: CbwfqConfig(rate=-1), Reason.NON_POSITIVE_RATE),
        (lambda: CbwfqConfig(rate=1.5), Reason.INEXACT_NUMBER),
        (lambda: ClassPolicy(SC.PRIVATE, Fraction(0)), Reason.NON_POSITIVE_WEIGHT),
        (lambda: ClassPolicy(SC.PRIVATE, -P), Reason.NON_POSITIVE_WEIGHT),
        (lambda: ClassPolicy(SC.PRIVATE, 0.25), Reason.INEXACT_NUMBER),
        (lambda: ClassPolicy(SC.PRIVATE, P, 0), Reason.NON_POSITIVE_LIMIT),
        (lambda: ClassPolicy(SC.PRIVATE, P, -5), Reason.NON_POSITIVE_LIMIT),
        (lambda: ClassPolicy(SC.PRIVATE, P, 2.0), Reason.INEXACT_NUMBER),
        (lambda: ClassPolicy(SC.PRIVATE, P, Fraction(3, 2)), Reason.NOT_AN_INTEGER),
        (lambda: ClassPolicy(8, P), Reason.UNKNOWN_CLASS),
        (lambda: ClassPolicy(-1, P), Reason.UNKNOWN_CLASS),
        (lambda: ClassPolicy("PRIVATE", P), Reason.UNKNOWN_CLASS),
        (lambda: DefaultPolicy(share=Fraction(0)), Reason.NON_POSITIVE_WEIGHT),
        (lambda: DefaultPolicy(limit=0), Reason.NON_POSITIVE_LIMIT),
        (lambda: CbwfqConfig(classes=("PRIVATE",)), Reason.UNKNOWN_CLASS),
        (
            lambda: CbwfqConfig(classes=(ClassPolicy(SC.PRIVATE, P), ClassPolicy(SC.PRIVATE, P))),
            Reason.DUPLICATE_CLASS,
        ),
        (
            lambda: CbwfqConfig(
                classes=(ClassPolicy(SC.PRIVATE, 60 * P), ClassPolicy(SC.LOW_COST, 41 * P))
            ),
            Reason.SHARES_EXCEED_CAPACITY,
        ),
        (  # the listed classes leave nothing for class-default, which carries 6 classes
            lambda: CbwfqConfig(
                classes=(ClassPolicy(SC.PRIVATE, 60 * P), ClassPolicy(SC.LOW_COST, 40 * P))
            ),
            Reason.SHARES_EXCEED_CAPACITY,
        ),
        (
            lambda: CbwfqConfig(
                classes=(ClassPolicy(SC.PRIVATE, 60 * P),),
                class_default=DefaultPolicy(share=41 * P),
            ),
            Reason.SHARES_EXCEED_CAPACITY,
        ),
        (
            lambda: CbwfqConfig(classes=tuple(ClassPolicy(c, 13 * P) for c in ServiceClass)),
            Reason.SHARES_EXCEED_CAPACITY,
        ),
    ],
)
def test_every_invalid_configuration_is_rejected_with_its_reason(
    make: object, reason: Reason
) -> None:
    assert callable(make)
    with pytest.raises(SpecError) as err:
        make()
    assert err.value.reason is reason


def test_all_classes_listed_may_fill_the_link_and_ignore_class_default() -> None:
    config = CbwfqConfig(
        classes=tuple(ClassPolicy(c, Fraction(1, 8)) for c in ServiceClass),
        class_default=DefaultPolicy(share=Fraction(1)),
    )
    assert CLASS_DEFAULT not in config.shares


@given(cbwfq_configs())
def test_configurations_round_trip_through_json(config: CbwfqConfig) -> None:
    assert serial.loads(CbwfqConfig, serial.dumps(config)) == config


def test_invalid_configuration_in_json_is_rejected_with_its_reason() -> None:
    text = '{"rate": "1", "classes": [{"service_class": 7, "share": "0", "limit": 3}]}'
    with pytest.raises(SpecError) as err:
        serial.loads(CbwfqConfig, text)
    assert err.value.reason is Reason.NON_POSITIVE_WEIGHT


# --- scheduling inputs ------------------------------------------------------------------------


def test_duplicate_ids_and_backwards_time_are_rejected() -> None:
    config = default_config()
    with pytest.raises(SpecError) as err:
        run(config, [tx(1, SC.PRIVATE, 1, 0), tx(1, SC.LOW_COST, 1, 2)])
    assert err.value.reason is Reason.DUPLICATE_TRANSACTION
    state = offer(config, initial_state(config), tx(1, SC.PRIVATE, 1, 5)).state
    with pytest.raises(SpecError) as err:
        offer(config, state, tx(2, SC.PRIVATE, 1, 4))
    assert err.value.reason is Reason.TIME_NOT_MONOTONE
    with pytest.raises(SpecError) as err:
        run(config, [(1, 2, 3)])  # type: ignore[list-item]
    assert err.value.reason is Reason.SCHEMA_VIOLATION


# --- properties of every schedule -------------------------------------------------------------


@given(cbwfq_configs(), workloads(times=BURSTY))
@settings(max_examples=100, deadline=None)
def test_schedules_satisfy_every_invariant(
    config: CbwfqConfig, arrivals: tuple[Transaction, ...]
) -> None:
    schedule = run(config, arrivals)
    assert len(schedule.departures) + len(schedule.drops) == len(arrivals)
    assert audit.conservation(arrivals, schedule) == ()
    assert audit.single_server(config, arrivals, schedule) == ()
    assert audit.work_conserving(arrivals, schedule) == ()
    assert audit.fifo_per_queue(config, arrivals, schedule) == ()
    assert audit.tail_drops(config, arrivals, schedule) == ()


@given(cbwfq_configs(max_limit=40), workloads(times=BURSTY))
@settings(max_examples=100, deadline=None)
def test_every_departure_is_within_lmax_over_r_of_its_gps_finish(
    config: CbwfqConfig, arrivals: tuple[Transaction, ...]
) -> None:
    schedule = run(config, arrivals)
    worst, bound = audit.gps_lateness(config, arrivals, schedule)
    assert worst <= bound


def test_gps_bound_is_reached_exactly_on_a_known_case() -> None:
    # Parekh-Gallager is tight: a large packet of class A starts just before a small packet of
    # class B arrives; under GPS B would have finished long before A.
    config = CbwfqConfig(
        classes=(ClassPolicy(SC.BEST_EFFORT, 40 * P), ClassPolicy(SC.FAST_CONFIRMATION, 40 * P))
    )
    arrivals = (tx(0, SC.BEST_EFFORT, 10, 0), tx(1, SC.FAST_CONFIRMATION, 1, 0))
    schedule = run(config, arrivals)
    assert schedule.departures[0] == Departure(0, SC.BEST_EFFORT, Fraction(0), Fraction(10))
    gps = cbwfq_gps_finish_times(config, arrivals, schedule)
    assert gps == {1: Fraction(2), 0: Fraction(11)}
    worst, bound = audit.gps_lateness(config, arrivals, schedule)
    assert (worst, bound) == (Fraction(9), Fraction(10))


def test_gps_reference_on_a_hand_computed_case() -> None:
    # Two flows of weights 1 and 3 on a link of rate 4, both backlogged from time 0: rates 1 and 3.
    finish = gps_finish_times(
        Fraction(4), {"a": Fraction(1), "b": Fraction(3)}, [(0, "a", 2, 0), (1, "b", 3, 0)]
    )
    # b finishes at 1 (3 units at rate 3); a has 1 left and then runs alone at rate 4.
    assert finish == {1: Fraction(1), 0: Fraction(1) + Fraction(1, 4)}


@given(cbwfq_configs(), workloads(times=BURSTY), st.data())
@settings(max_examples=100, deadline=None)
def test_reserved_bits_never_change_a_schedule(
    config: CbwfqConfig, arrivals: tuple[Transaction, ...], data: st.DataObject
) -> None:
    rewritten = tuple(
        replace(t, cos=cos_byte(class_of(t.cos), data.draw(st.integers(0, 31)))) for t in arrivals
    )
    assert run(config, rewritten) == run(config, arrivals)


@given(cbwfq_configs(), workloads(times=BURSTY), st.fractions(0, 1).filter(lambda f: f > 0))
@settings(max_examples=100, deadline=None)
def test_scaling_all_shares_by_a_constant_changes_nothing(
    config: CbwfqConfig, arrivals: tuple[Transaction, ...], factor: Fraction
) -> None:
    used = sum(config.shares.values())
    for f in (factor, 1 / used):  # shrink, and grow to fill the whole link
        scaled = scale_shares(config, f)
        assert run(scaled, arrivals) == run(config, arrivals)


@given(workloads(times=BURSTY), st.fractions(Fraction(1, 4), 4).filter(lambda f: f > 0))
@settings(max_examples=100, deadline=None)
def test_one_class_is_exactly_fifo(arrivals: tuple[Transaction, ...], rate: Fraction) -> None:
    config = fifo_config(rate, limit=max(1, len(arrivals)))
    schedule = run(config, arrivals)
    assert schedule.drops == ()
    previous = Fraction(0)
    expected = []
    for t in sorted(arrivals, key=lambda t: t.arrival):
        start = max(t.arrival, previous)
        previous = start + t.size / rate
        expected.append(Departure(t.id, t.service_class, start, previous))
    assert schedule.departures == tuple(expected)


@given(workloads(times=BURSTY), st.integers(1, 4), service_classes)
@settings(max_examples=100, deadline=None)
def test_a_single_listed_class_behaves_like_the_fifo_baseline(
    arrivals: tuple[Transaction, ...], limit: int, only: ServiceClass
) -> None:
    one_class = tuple(replace(t, cos=cos_byte(only, t.cos & 31)) for t in arrivals)
    config = CbwfqConfig(classes=(ClassPolicy(only, Fraction(1, 2), limit),))
    assert run(config, one_class) == fifo_run(config.rate, one_class, limit)
    assert run(fifo_config(limit=limit), arrivals) == fifo_run(Fraction(1), arrivals, limit)


def test_tail_drop_only_touches_the_full_class() -> None:
    config = CbwfqConfig(
        classes=(
            ClassPolicy(SC.FAST_CONFIRMATION, 40 * P, limit=5),
            ClassPolicy(SC.BEST_EFFORT, 40 * P, limit=2),
        )
    )
    burst = [tx(i, SC.BEST_EFFORT, 1, 0) for i in range(6)]
    fast = [tx(10 + i, SC.FAST_CONFIRMATION, 1, 0) for i in range(4)]
    schedule = run(config, burst + fast)
    # best effort: one in service, two waiting, three dropped; fast confirmation: none dropped
    assert schedule.drops == tuple(Drop(i, SC.BEST_EFFORT, Fraction(0)) for i in (3, 4, 5))
    assert {d.id for d in schedule.departures} == {0, 1, 2, 10, 11, 12, 13}


def test_schedules_round_trip_through_json() -> None:
    schedule = run(default_config(), [tx(0, SC.PRIVATE, 3, Fraction(1, 3))])
    assert serial.loads(Schedule, serial.dumps(schedule)) == schedule


# --- the audits can fail ----------------------------------------------------------------------


def test_audits_catch_broken_schedules() -> None:
    config = CbwfqConfig(
        classes=(ClassPolicy(SC.BEST_EFFORT, 40 * P, 1), ClassPolicy(SC.PRIVATE, 40 * P))
    )
    arrivals = (
        tx(0, SC.BEST_EFFORT, 2, 0),
        tx(1, SC.BEST_EFFORT, 2, 0),
        tx(2, SC.BEST_EFFORT, 2, 0),
        tx(3, SC.PRIVATE, 1, 1),
    )
    good = run(config, arrivals)
    assert audit.all_violations(config, arrivals, good) == ()
    assert len(good.drops) == 1
    d = good.departures
    lost = replace(good, departures=d[:-1])
    assert audit.conservation(arrivals, lost)
    twice = replace(good, departures=(*d, d[0]))
    assert audit.conservation(arrivals, twice)
    late = replace(good, departures=(replace(d[0], start=d[0].start + 1), *d[1:]))
    assert audit.single_server(config, arrivals, late)
    assert audit.work_conserving(arrivals, late)
    idle = replace(
        good,
        departures=(d[0], *(replace(x, start=x.start + 5, finish=x.finish + 5) for x in d[1:])),
    )
    assert audit.work_conserving(arrivals, idle)
    assert audit.gps_bound(config, arrivals, idle)
    be = [x for x in d if x.service_class is SC.BEST_EFFORT]
    swapped_starts = (
        replace(be[1], start=be[0].start, finish=be[0].start + 2),
        replace(be[0], start=be[1].start, finish=be[1].start + 2),
    )
    swapped = replace(good, departures=swapped_starts + tuple(x for x in d if x not in be))
    assert audit.fifo_per_queue(config, arrivals, swapped)
    undropped = replace(good, drops=())
    assert audit.tail_drops(config, arrivals, undropped) or audit.conservation(arrivals, undropped)
    overdropped = replace(
        good, departures=d[1:], drops=(*good.drops, Drop(d[0].id, d[0].service_class, Fraction(0)))
    )
    assert audit.tail_drops(config, arrivals, overdropped)


# --- the paper's claim (§I): classes, not throughput, fix congestion --------------------------


def test_fast_confirmation_keeps_a_bounded_delay_under_overload() -> None:
    """Under overload, CBWFQ bounds fast-confirmation delay; one FIFO queue does not (§I, §IV-A).

    Best effort floods the link at 1.5 times its rate; fast confirmation sends one transaction
    of size 2 every 10 time units (20 % of the link, below its 25 % share). With the vDLT
    defaults the fast-confirmation delay stays within the Parekh-Gallager bound
    sigma / (share * r) + L_max / r; the same load through one FIFO queue with the same total
    buffer (8 x 64) makes fast confirmation wait behind the flood, and drops some of it.
    """
    config = default_config()
    arrivals = overload_workload(horizon=4000)
    load = offered_load(arrivals, config.rate)
    assert load is not None and load > Fraction(3, 2)  # 1.5 of the link by best effort alone

    cbwfq = run(config, arrivals)
    fifo = fifo_run(config.rate, arrivals, limit=DEFAULT_QUEUE_LIMIT * len(ServiceClass))

    sigma, lmax = Fraction(OVERLOAD_FAST_SIZE), Fraction(OVERLOAD_FLOOD_SIZE)
    bound = sigma / (config.shares[SC.FAST_CONFIRMATION] * config.rate) + lmax / config.rate
    cbwfq_fast = max(delays(arrivals, cbwfq, SC.FAST_CONFIRMATION))
    cbwfq_best = max(delays(arrivals, cbwfq, SC.BEST_EFFORT))
    fifo_fast = max(delays(arrivals, fifo, SC.FAST_CONFIRMATION))
    fast_drops = {
        name: sum(1 for d in s.drops if d.service_class is SC.FAST_CONFIRMATION)
        for name, s in (("cbwfq", cbwfq), ("fifo", fifo))
    }
    print(
        f"\nfast-confirmation max delay: CBWFQ {cbwfq_fast} (bound {bound}), "
        f"single FIFO {fifo_fast}; best-effort max delay under CBWFQ {cbwfq_best}; "
        f"fast-confirmation drops {fast_drops}"
    )
    assert cbwfq_fast <= bound
    assert fast_drops["cbwfq"] == 0
    assert len(cbwfq.drops) > 0  # the overload is real: best effort is tail-dropped
    assert all(d.service_class is SC.BEST_EFFORT for d in cbwfq.drops)
    assert cbwfq_best > 10 * cbwfq_fast  # best effort absorbs the queueing
    assert fifo_fast > 10 * bound  # without classes, fast confirmation waits behind the flood
    assert fast_drops["fifo"] > 0
    stats = {s.service_class: s for s in class_delays(arrivals, cbwfq)}
    assert stats[SC.FAST_CONFIRMATION].max_delay == cbwfq_fast
    assert stats[SC.BEST_EFFORT].dropped == len(cbwfq.drops)


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=20, deadline=None)
def test_gps_tags_match_the_fluid_reference(seed: int) -> None:
    """The virtual finish tag of a packet is V at its GPS finish time (independent cross-check)."""
    import random

    rng = random.Random(seed)
    config = CbwfqConfig(
        classes=(
            ClassPolicy(SC.FAST_CONFIRMATION, Fraction(rng.randint(1, 9), 30), 10**3),
            ClassPolicy(SC.PRIVATE, Fraction(rng.randint(1, 9), 30), 10**3),
        ),
        class_default=DefaultPolicy(share=Fraction(rng.randint(1, 9), 30), limit=10**3),
    )
    arrivals = [
        tx(i, SC(rng.randrange(8)), rng.randint(1, 4), Fraction(rng.randint(0, 40), 2))
        for i in range(25)
    ]
    arrivals.sort(key=lambda t: t.arrival)
    state = initial_state(config)
    tags: dict[int, Fraction] = {}
    for t in arrivals:
        state = offer(config, state, t).state
        tags[t.id] = state.last_tag[config.queue_of(t.service_class)]
    gps = cbwfq_gps_finish_times(config, arrivals, run(config, arrivals))
    for t in arrivals:
        finish = gps[t.id]
        replay = initial_state(config)
        for earlier in arrivals:
            if earlier.arrival <= finish:
                replay = offer(config, replay, earlier).state
        assert advance(config, replay, finish).state.vtime == tags[t.id]


def test_compare_with_fifo_runs_both_disciplines_on_the_same_buffer() -> None:
    import random

    from vdlt_spec.queuing import (
        DEFAULT_QUEUE_LIMIT,
        FIFO_COMPARISON_LIMIT,
        WorkloadSpec,
        admit,
        class_delays,
        compare_with_fifo,
        default_config,
        fifo_run,
        mixed_workload,
        run,
        workload_senders,
    )

    config = default_config()
    spec = WorkloadSpec(count=300, load=Fraction(3, 2))
    arrivals = admit(mixed_workload(spec, random.Random(3), config.rate), workload_senders(spec))
    assert DEFAULT_QUEUE_LIMIT * len(ServiceClass) == FIFO_COMPARISON_LIMIT
    runs = compare_with_fifo(config, arrivals)
    assert list(runs) == ["cbwfq", "fifo"]
    assert runs["cbwfq"] == class_delays(arrivals, run(config, arrivals))
    fifo = fifo_run(config.rate, arrivals, FIFO_COMPARISON_LIMIT)
    assert runs["fifo"] == class_delays(arrivals, fifo)
    assert list(compare_with_fifo(config, arrivals, fifo=False)) == ["cbwfq"]
