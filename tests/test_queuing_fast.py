"""The integer fast path gives exactly the readable scheduler's schedule (§IV-A)."""

from __future__ import annotations

import random
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec.cos import ServiceClass, Transaction
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.queuing import (
    CbwfqConfig,
    ClassPolicy,
    WorkloadSpec,
    default_config,
    mixed_workload,
    run,
    run_fast,
)
from vdlt_spec.strategies import cbwfq_configs, exact_times, workloads


@given(cbwfq_configs(), workloads(times=exact_times(max_value=15, max_denominator=5)))
@settings(max_examples=150, deadline=None)
def test_fast_path_equals_readable_path(
    config: CbwfqConfig, arrivals: tuple[Transaction, ...]
) -> None:
    assert run_fast(config, arrivals) == run(config, arrivals)


@given(
    cbwfq_configs(max_limit=30),
    workloads(max_count=60, max_size=9, times=st.integers(0, 40).map(Fraction)),
)
@settings(max_examples=100, deadline=None)
def test_fast_path_equals_readable_path_on_integer_times(
    config: CbwfqConfig, arrivals: tuple[Transaction, ...]
) -> None:
    assert run_fast(config, arrivals) == run(config, arrivals)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_path_equals_readable_path_on_long_overloaded_runs(seed: int) -> None:
    rng = random.Random(seed)
    shares = [Fraction(rng.randint(1, 9), 97) for _ in ServiceClass]
    config = CbwfqConfig(
        rate=Fraction(rng.randint(1, 5), rng.randint(1, 3)),
        classes=tuple(ClassPolicy(c, s, 1000) for c, s in zip(ServiceClass, shares, strict=True)),
    )
    arrivals = mixed_workload(WorkloadSpec(count=1500, load=Fraction(6, 5)), rng, config.rate)
    assert run_fast(config, arrivals) == run(config, arrivals)


def test_fast_path_rejects_what_the_readable_path_rejects() -> None:
    tx = Transaction(1, "a", 0, 1, 0)
    for scheduler in (run, run_fast):
        with pytest.raises(SpecError) as err:
            scheduler(default_config(), [tx, replace(tx, arrival=Fraction(1))])
        assert err.value.reason is Reason.DUPLICATE_TRANSACTION
        with pytest.raises(SpecError) as err:
            scheduler(default_config(), ["tx"])  # type: ignore[list-item]
        assert err.value.reason is Reason.SCHEMA_VIOLATION
