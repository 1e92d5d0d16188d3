"""Hypothesis strategies for vDLT data, importable by users' own property tests.

Each component adds its strategies in its own section below.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from vdlt_spec.cos import (
    RESERVED_MASK,
    ReclassificationPolicy,
    RestrictedClass,
    Role,
    ServiceClass,
    Transaction,
    cos_byte,
)
from vdlt_spec.queuing import CbwfqConfig, ClassPolicy, DefaultPolicy

# --- class of service and queuing -------------------------------------------------------------

cos_bytes = st.integers(min_value=0, max_value=0xFF)
service_classes = st.sampled_from(ServiceClass)
reserved_values = st.integers(min_value=0, max_value=RESERVED_MASK)
roles = st.sampled_from(Role)
role_sets = st.frozensets(roles)
trusts = st.fractions(min_value=0, max_value=1, max_denominator=100)
"""Sender trust: an exact probability of being honest in [0, 1]."""


def exact_times(max_value: int = 50, max_denominator: int = 4) -> st.SearchStrategy[Fraction]:
    """Draw exact non-negative times with small denominators (ties are likely)."""
    return st.fractions(min_value=0, max_value=max_value, max_denominator=max_denominator)


@st.composite
def reclassification_policies(draw: st.DrawFn) -> ReclassificationPolicy:
    """Draw a valid reclassification policy (§III-A)."""
    restricted = draw(st.lists(service_classes, unique=True, max_size=3))
    return ReclassificationPolicy(
        min_trust=draw(trusts),
        low_trust_class=draw(service_classes),
        banned_class=draw(service_classes),
        unauthorised_class=draw(service_classes),
        restricted=tuple(RestrictedClass(c, draw(roles)) for c in restricted),
        demotion_floor=tuple(draw(st.lists(service_classes, unique=True, max_size=3))),
    )


@st.composite
def transactions(
    draw: st.DrawFn,
    tx_id: int | None = None,
    classes: st.SearchStrategy[ServiceClass] = service_classes,
    max_size: int = 5,
    times: st.SearchStrategy[Fraction] | None = None,
) -> Transaction:
    """Draw one valid transaction (§III-A): any reserved bits, exact arrival time."""
    return Transaction(
        id=draw(st.integers(min_value=0, max_value=10**6)) if tx_id is None else tx_id,
        sender=draw(st.sampled_from(("alice", "bob", "carol", "mallory"))),
        cos=cos_byte(draw(classes), draw(reserved_values)),
        size=draw(st.integers(min_value=1, max_value=max_size)),
        arrival=draw(times if times is not None else exact_times()),
    )


@st.composite
def workloads(
    draw: st.DrawFn,
    max_count: int = 30,
    classes: st.SearchStrategy[ServiceClass] = service_classes,
    max_size: int = 5,
    times: st.SearchStrategy[Fraction] | None = None,
) -> tuple[Transaction, ...]:
    """Draw a workload: transactions with unique ids 0..n-1, in no particular order (§IV-A)."""
    count = draw(st.integers(min_value=0, max_value=max_count))
    return tuple(
        draw(transactions(tx_id=i, classes=classes, max_size=max_size, times=times))
        for i in range(count)
    )


@st.composite
def cbwfq_configs(draw: st.DrawFn, max_limit: int = 6, min_classes: int = 0) -> CbwfqConfig:
    """Draw a valid CBWFQ configuration: some classes listed, shares that fit (§IV-A)."""
    listed = draw(st.lists(service_classes, unique=True, min_size=min_classes, max_size=8))
    weights = [draw(st.integers(min_value=1, max_value=20)) for _ in listed]
    default_weight = draw(st.integers(min_value=1, max_value=20))
    spare = draw(st.integers(min_value=0, max_value=20))
    total = sum(weights) + default_weight + spare
    limits = st.integers(min_value=1, max_value=max_limit)
    return CbwfqConfig(
        rate=draw(st.fractions(min_value=Fraction(1, 3), max_value=4, max_denominator=3)),
        classes=tuple(
            ClassPolicy(c, Fraction(w, total), draw(limits))
            for c, w in zip(listed, weights, strict=True)
        ),
        class_default=DefaultPolicy(
            share=draw(st.none() | st.just(Fraction(default_weight, total))),
            limit=draw(limits),
        ),
    )


# --- crypto and consensus ---------------------------------------------------------------------


# --- governance and economics -----------------------------------------------------------------


# --- allocation -------------------------------------------------------------------------------
