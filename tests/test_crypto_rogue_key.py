"""Naive key sums (CoSi, Zilliqa) admit a rogue-key forgery; MuSig2 certificates refuse it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec.crypto import Certificate, bip340, encode_bitmap, rogue_key, verify_certificate
from vdlt_spec.crypto.fast import FAST
from vdlt_spec.crypto.group import READABLE
from vdlt_spec.crypto.testkeys import deterministic_roster
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.strategies import secret_keys, signed_messages


def test_forgery_fools_naive_sum_but_not_musig2_readable() -> None:
    honest, _ = deterministic_roster(3, seed=11)
    forgery = rogue_key.forge(honest, (424242).to_bytes(32, "big"), b"steal", group=READABLE)
    # Under plain sums the "group key" is the attacker's own x·G ...
    assert rogue_key.naive_aggregate_key(forgery.roster) == bip340.pubkey_gen(
        (424242).to_bytes(32, "big")
    )
    assert rogue_key.naive_accepts(forgery, group=READABLE)
    # ... while the key-aggregation coefficients of BIP327 make the same signature worthless.
    assert not rogue_key.musig2_accepts(forgery, group=READABLE)


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=1, max_value=8), secret_keys, signed_messages, st.integers(0, 99))
def test_forgery_as_certificate_is_refused(
    honest_count: int, attacker: bytes, message: bytes, seed: int
) -> None:
    honest, _ = deterministic_roster(honest_count, seed=seed)
    forgery = rogue_key.forge(honest, attacker, message, group=FAST)
    assert rogue_key.naive_accepts(forgery, group=FAST)
    assert not rogue_key.musig2_accepts(forgery, group=FAST)
    n = len(forgery.roster)
    # The attacker claims every member signed: a full quorum, honest keys included.
    cert = Certificate(encode_bitmap(range(n), n), forgery.signature)
    with pytest.raises(SpecError) as info:
        verify_certificate(forgery.roster, message, cert)
    assert info.value.reason is Reason.BAD_SIGNATURE
