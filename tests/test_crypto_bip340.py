"""BIP340 Schnorr signatures: every published vector row, plus rejections of malformed input."""

from __future__ import annotations

from dataclasses import replace

import pytest

from vdlt_spec.conformance.bip_vectors import Bip340Row, bip340_rows, run_bip340
from vdlt_spec.consensus import payloads
from vdlt_spec.crypto import bip340
from vdlt_spec.crypto.fast import FAST
from vdlt_spec.crypto.group import READABLE, Group
from vdlt_spec.crypto.secp256k1 import N, bytes_from_int
from vdlt_spec.errors import Reason, SpecError

ROWS = bip340_rows()
SIGNING_ROWS = [row for row in ROWS if row.seckey is not None]


def test_vector_table_is_complete() -> None:
    assert len(ROWS) == 19
    assert len(SIGNING_ROWS) == 8
    assert {len(row.message) for row in SIGNING_ROWS} >= {0, 1, 17, 32, 100}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"row{r.index}")
def test_verification_matches_vector(row: Bip340Row) -> None:
    assert bip340.schnorr_verify(row.message, row.pubkey, row.signature) is row.result


@pytest.mark.parametrize("row", SIGNING_ROWS, ids=lambda r: f"row{r.index}")
def test_signing_reproduces_vector(row: Bip340Row) -> None:
    assert row.seckey is not None and row.aux_rand is not None
    assert bip340.pubkey_gen(row.seckey) == row.pubkey
    assert bip340.schnorr_sign(row.message, row.seckey, row.aux_rand) == row.signature


@pytest.mark.parametrize("scalar", [0, N, N + 1, 2**256 - 1])
def test_secret_key_out_of_range_is_rejected(scalar: int) -> None:
    seckey = scalar.to_bytes(32, "big")
    with pytest.raises(SpecError) as info:
        bip340.pubkey_gen(seckey)
    assert info.value.reason is Reason.BAD_SECRET_KEY


def test_wrong_lengths_are_usage_errors() -> None:
    row = ROWS[0]
    for call in (
        lambda: bip340.schnorr_verify(row.message, row.pubkey[:31], row.signature),
        lambda: bip340.schnorr_verify(row.message, row.pubkey, row.signature + b"\0"),
        lambda: bip340.schnorr_sign(row.message, bytes_from_int(3), b"\0" * 31),
        lambda: bip340.pubkey_gen(b"\1" * 31),
    ):
        with pytest.raises(SpecError) as info:
            call()
        assert info.value.reason is Reason.BAD_LENGTH


def test_tagged_hash_is_shared_with_consensus_messages() -> None:
    assert payloads.tagged_hash is bip340.tagged_hash
    # SHA256(SHA256(tag)||SHA256(tag)||data) for an empty tag and data, computed independently.
    import hashlib

    h = hashlib.sha256(b"").digest()
    assert bip340.tagged_hash(b"", b"") == hashlib.sha256(h + h).digest()


@pytest.mark.parametrize("group", [READABLE, FAST], ids=lambda g: g.name)
def test_runner_passes_every_row(group: Group) -> None:
    results = run_bip340(group=group)
    assert len(results) == 19
    assert all(r.passed for r in results), [r for r in results if not r.passed]


def test_runner_catches_a_wrong_row() -> None:
    wrong = replace(ROWS[1], signature=ROWS[1].signature[:-1] + b"\x00")
    (result,) = run_bip340(rows=[wrong], group=FAST)
    assert not result.passed and "verification" in result.detail
