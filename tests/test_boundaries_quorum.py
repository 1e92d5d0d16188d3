"""Boundary values of the quorum rule and the fault bound for n = 1..24 (§III-D, §IV-D).

A quorum is k signers with 3k > 2n and n replicas tolerate f faults with 3f < n. The expected
sizes below are written out, not computed by the rule under test, for every residue of n mod
3: at n divisible by 3, 3k = 2n is exactly the bound, so a non-strict rule (3k >= 2n) accepts
2n/3 signers and fails here; a non-strict fault bound (3f <= n) accepts n/3 faults and fails.
The same boundaries are checked through the bitmap quorum test, certificate verification
and the consensus configuration.

:data:`BOUNDARY_CASES` lists the cases as (operation, input, expected) data for conformance
vectors (``crypto.quorum_size`` is an existing conformance operation).
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from vdlt_spec.consensus.config import ConsensusConfig
from vdlt_spec.crypto import (
    bits_form_quorum,
    deterministic_roster,
    encode_bitmap,
    is_quorum,
    make_certificate,
    max_faulty,
    quorum_size,
    verify_certificate,
    within_fault_bound,
)
from vdlt_spec.errors import Reason, SpecError

#: n -> (least quorum, largest tolerated f), written out for n = 1..24.
SIZES: dict[int, tuple[int, int]] = {
    1: (1, 0),
    2: (2, 0),
    3: (3, 0),
    4: (3, 1),
    5: (4, 1),
    6: (5, 1),
    7: (5, 2),
    8: (6, 2),
    9: (7, 2),
    10: (7, 3),
    11: (8, 3),
    12: (9, 3),
    13: (9, 4),
    14: (10, 4),
    15: (11, 4),
    16: (11, 5),
    17: (12, 5),
    18: (13, 5),
    19: (13, 6),
    20: (14, 6),
    21: (15, 6),
    22: (15, 7),
    23: (16, 7),
    24: (17, 7),
}

BOUNDARY_CASES: tuple[tuple[str, dict[str, Any], Any], ...] = (
    *(
        ("crypto.quorum_size", {"n": n}, {"quorum": q, "max_faulty": f})
        for n, (q, f) in SIZES.items()
    ),
    *(("crypto.is_quorum", {"count": q, "n": n}, True) for n, (q, _) in SIZES.items()),
    *(("crypto.is_quorum", {"count": q - 1, "n": n}, False) for n, (q, _) in SIZES.items()),
    *(("crypto.within_fault_bound", {"f": f, "n": n}, True) for n, (_, f) in SIZES.items()),
    *(("crypto.within_fault_bound", {"f": f + 1, "n": n}, False) for n, (_, f) in SIZES.items()),
)


def test_every_residue_mod_three_is_covered() -> None:
    assert {n % 3 for n in SIZES if n >= 3} == {0, 1, 2}
    assert set(range(3, 13)) <= set(SIZES)


@pytest.mark.parametrize(("n", "sizes"), sorted(SIZES.items()))
def test_quorum_size_and_max_faulty_are_the_written_values(n: int, sizes: tuple[int, int]) -> None:
    assert (quorum_size(n), max_faulty(n)) == sizes


@pytest.mark.parametrize(("n", "sizes"), sorted(SIZES.items()))
def test_the_quorum_rule_at_and_around_its_bound(n: int, sizes: tuple[int, int]) -> None:
    q, _ = sizes
    assert is_quorum(q, n)
    assert not is_quorum(q - 1, n)
    assert is_quorum(min(q + 1, n + 1), n)
    if n % 3 == 0:  # 3k = 2n exactly: two thirds is not over two thirds
        assert not is_quorum(2 * n // 3, n)


@pytest.mark.parametrize(("n", "sizes"), sorted(SIZES.items()))
def test_the_fault_bound_at_and_around_its_bound(n: int, sizes: tuple[int, int]) -> None:
    _, f = sizes
    assert within_fault_bound(f, n)
    assert not within_fault_bound(f + 1, n)
    if f:
        assert within_fault_bound(f - 1, n)
    if n % 3 == 0:  # 3f = n exactly: a third is not below a third
        assert not within_fault_bound(n // 3, n)


@pytest.mark.parametrize(("n", "sizes"), sorted(SIZES.items()))
def test_the_bitmap_quorum_test_at_and_around_its_bound(n: int, sizes: tuple[int, int]) -> None:
    q, _ = sizes
    for count, expected in ((q - 1, False), (q, True), (min(q + 1, n), True)):
        bits = [1] * count + [0] * (n - count)
        assert bits_form_quorum(bits, n) is expected


@pytest.mark.parametrize(("n", "sizes"), sorted(SIZES.items())[:12])
def test_the_consensus_configuration_uses_these_sizes(n: int, sizes: tuple[int, int]) -> None:
    config = ConsensusConfig(n=n)
    assert (config.quorum, config.f) == sizes


@pytest.mark.parametrize("n", [3, 4, 5, 6, 7, 8])
def test_a_certificate_with_exactly_a_quorum_verifies_and_one_signer_fewer_does_not(
    n: int,
) -> None:
    q, _ = SIZES[n]
    roster, seckeys = deterministic_roster(n, seed=n)
    message = f"boundary n={n}".encode()
    rng = random.Random(n)
    exact = make_certificate(roster, {i: seckeys[i] for i in range(q)}, message, rng)
    assert exact.bitmap == encode_bitmap(range(q), n)
    verify_certificate(roster, message, exact)
    short = make_certificate(roster, {i: seckeys[i] for i in range(q - 1)}, message, rng)
    with pytest.raises(SpecError) as caught:
        verify_certificate(roster, message, short)
    assert caught.value.reason is Reason.QUORUM_TOO_SMALL
