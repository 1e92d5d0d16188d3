"""Self-checks of the CBWFQ scheduler (§I, §IV-A, Fig. 7)."""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction

from vdlt_spec.checks import Outcome, check
from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.queuing import (
    DEFAULT_QUEUE_LIMIT,
    CbwfqConfig,
    ClassPolicy,
    DefaultPolicy,
    WorkloadSpec,
    default_config,
    delays,
    fifo_run,
    mixed_workload,
    overload_workload,
    run,
    run_fast,
)
from vdlt_spec.queuing import invariants as audit
from vdlt_spec.queuing.workload import OVERLOAD_FAST_SIZE, OVERLOAD_FLOOD_SIZE
from vdlt_spec.verdict import Verdict

SEED = 7
GPS_WORKLOAD = WorkloadSpec(count=1200, load=Fraction(3, 2), max_size=8, granularity=2)
FAST_PATH_WORKLOAD = WorkloadSpec(count=3000, load=Fraction(6, 5), max_size=6, granularity=3)
OVERLOAD_HORIZON = 4000


@check("cbwfq-gps-bound", "queuing", "§IV-A")
def cbwfq_gps_bound() -> Outcome:
    """Audit a seeded overload: GPS + Lmax/r, conservation, FIFO, tail drops, work conservation."""
    config = default_config()
    arrivals = mixed_workload(GPS_WORKLOAD, random.Random(SEED), config.rate)
    schedule = run(config, arrivals)
    problems = audit.all_violations(config, arrivals, schedule)
    worst, bound = audit.gps_lateness(config, arrivals, schedule)
    figures = {
        "transactions": len(arrivals),
        "departures": len(schedule.departures),
        "drops": len(schedule.drops),
        "worst_lateness_vs_gps": worst,
        "bound_lmax_over_r": bound,
        "problems": list(problems[:5]),
    }
    if problems:
        return Outcome(Verdict.INVALID, f"{len(problems)} violations: {problems[0]}", figures)
    if not schedule.drops:
        return Outcome(
            Verdict.UNKNOWN, "the workload caused no drop: tail drop not exercised", figures
        )
    detail = (
        f"{len(arrivals)} transactions, {len(schedule.drops)} tail drops; worst departure "
        f"{float(worst):.2f} after GPS <= Lmax/r = {bound}"
    )
    return Outcome(Verdict.VALID, detail, figures)


@check("cbwfq-fast-confirmation-isolation", "queuing", "§I, §IV-A")
def cbwfq_fast_confirmation_isolation() -> Outcome:
    """Show fast confirmation keeps a bounded delay under a best-effort flood; one FIFO does not."""
    config = default_config()
    arrivals = overload_workload(OVERLOAD_HORIZON)
    cbwfq = run(config, arrivals)
    fifo = fifo_run(config.rate, arrivals, limit=DEFAULT_QUEUE_LIMIT * len(ServiceClass))
    fast = ServiceClass.FAST_CONFIRMATION
    share = config.shares[fast]
    bound = OVERLOAD_FAST_SIZE / (share * config.rate) + OVERLOAD_FLOOD_SIZE / config.rate
    cbwfq_fast = max(delays(arrivals, cbwfq, fast))
    cbwfq_best = max(delays(arrivals, cbwfq, ServiceClass.BEST_EFFORT))
    fifo_fast = max(delays(arrivals, fifo, fast))
    cbwfq_fast_drops = sum(1 for d in cbwfq.drops if d.service_class is fast)
    fifo_fast_drops = sum(1 for d in fifo.drops if d.service_class is fast)
    figures = {
        "fast_max_delay_cbwfq": cbwfq_fast,
        "fast_delay_bound": bound,
        "fast_max_delay_fifo": fifo_fast,
        "best_effort_max_delay_cbwfq": cbwfq_best,
        "fast_drops_cbwfq": cbwfq_fast_drops,
        "fast_drops_fifo": fifo_fast_drops,
    }
    detail = (
        f"fast confirmation max delay {cbwfq_fast} (bound {bound}) under CBWFQ vs {fifo_fast} "
        f"in one FIFO; best effort {cbwfq_best}; fast drops {cbwfq_fast_drops} vs {fifo_fast_drops}"
    )
    isolated = cbwfq_fast <= bound and cbwfq_fast_drops == 0 and cbwfq_best > cbwfq_fast
    if not isolated:
        return Outcome(Verdict.INVALID, detail, figures)
    if fifo_fast <= bound:
        return Outcome(
            Verdict.UNKNOWN, "the load did not congest the FIFO baseline: " + detail, figures
        )
    return Outcome(Verdict.VALID, detail, figures)


@check("cbwfq-fast-path", "queuing", "§IV-A")
def cbwfq_fast_path() -> Outcome:
    """Check the integer fast path gives exactly the readable scheduler's schedule."""
    rng = random.Random(SEED)
    shares = [Fraction(rng.randint(1, 9), 101) for _ in ServiceClass]
    listed = [c for c in ServiceClass if rng.random() < 3 / 4]
    config = CbwfqConfig(
        rate=Fraction(3, 2),
        classes=tuple(ClassPolicy(c, shares[c], rng.randint(4, 64)) for c in listed),
        class_default=DefaultPolicy(share=Fraction(5, 101), limit=16),
    )
    arrivals = mixed_workload(FAST_PATH_WORKLOAD, rng, config.rate)
    readable = run(config, arrivals)
    fast = run_fast(config, arrivals)
    figures = {
        "transactions": len(arrivals),
        "departures": len(readable.departures),
        "drops": len(readable.drops),
    }
    if fast != readable:
        first = next(
            (
                i
                for i, (a, b) in enumerate(zip(fast.departures, readable.departures, strict=False))
                if a != b
            ),
            min(len(fast.departures), len(readable.departures)),
        )
        figures["first_difference"] = first
        return Outcome(Verdict.INVALID, f"schedules differ at departure {first}", figures)
    detail = f"{len(arrivals)} transactions: identical schedules ({len(readable.drops)} drops)"
    return Outcome(Verdict.VALID, detail, figures)


P = Fraction(1, 100)
INVALID_CONFIGS: tuple[tuple[str, Callable[[], object], Reason], ...] = (
    ("rate 0", lambda: CbwfqConfig(rate=Fraction(0)), Reason.NON_POSITIVE_RATE),
    ("share 0", lambda: ClassPolicy(ServiceClass.PRIVATE, Fraction(0)), Reason.NON_POSITIVE_WEIGHT),
    ("limit 0", lambda: ClassPolicy(ServiceClass.PRIVATE, P, 0), Reason.NON_POSITIVE_LIMIT),
    ("class 8", lambda: ClassPolicy(8, P), Reason.UNKNOWN_CLASS),  # type: ignore[arg-type]
    ("float share", lambda: ClassPolicy(ServiceClass.PRIVATE, 0.5), Reason.INEXACT_NUMBER),  # type: ignore[arg-type]
    (
        "duplicate class",
        lambda: CbwfqConfig(
            classes=(ClassPolicy(ServiceClass.PRIVATE, P), ClassPolicy(ServiceClass.PRIVATE, P))
        ),
        Reason.DUPLICATE_CLASS,
    ),
    (
        "shares over the link",
        lambda: CbwfqConfig(classes=tuple(ClassPolicy(c, 13 * P) for c in ServiceClass)),
        Reason.SHARES_EXCEED_CAPACITY,
    ),
    (
        "nothing left for class-default",
        lambda: CbwfqConfig(classes=(ClassPolicy(ServiceClass.PRIVATE, 100 * P),)),
        Reason.SHARES_EXCEED_CAPACITY,
    ),
)


@check("cbwfq-config-validation", "queuing", "§IV-A")
def cbwfq_config_validation() -> Outcome:
    """Check every kind of invalid CBWFQ configuration is rejected with its reason code."""
    problems = []
    for name, make, reason in INVALID_CONFIGS:
        try:
            make()
        except SpecError as err:
            if err.reason is not reason:
                problems.append(f"{name}: {err.reason.value} instead of {reason.value}")
        else:
            problems.append(f"{name}: accepted")
    figures = {"invalid_configurations": len(INVALID_CONFIGS), "problems": problems}
    if problems:
        return Outcome(Verdict.INVALID, "; ".join(problems), figures)
    return Outcome(
        Verdict.VALID, f"{len(INVALID_CONFIGS)} invalid configurations rejected", figures
    )
