"""Conformance operations of signatures, bitmaps, the quorum rule and roster keys (§IV-D).

An implementation answers these to show it signs and verifies BIP340, encodes bitmaps, counts
quorums and aggregates roster keys exactly as the spec does; the ``crypto`` suite also holds the
vectors of the certificate operations (:mod:`.certificate`) and of the secp256k1 group
(:mod:`.curve`). The published BIP340 and BIP327 vectors are run as published by
``vdlt verify`` (docs/crypto.md); the BIP340 rows are also offered here as
``crypto.bip340_verify`` vectors, so an adapter can be checked on them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from vdlt_spec.conformance.bip_vectors import bip340_rows
from vdlt_spec.conformance.operations import field, operation
from vdlt_spec.conformance.ops.certificate import VECTOR_SEED, both_engines, certificate_inputs
from vdlt_spec.conformance.ops.curve import curve_inputs
from vdlt_spec.conformance.suite import VectorInput, inputs
from vdlt_spec.crypto import (
    aggregate_key,
    bip340,
    decode_bitmap,
    encode_bitmap,
    fast,
    is_quorum,
    max_faulty,
    max_faulty_bounds,
    quorum_size,
    quorum_size_bounds,
    require_members,
    secp256k1,
    within_fault_bound,
)


@operation(
    "crypto.bip340_verify",
    "§IV-D",
    input_schema='{"pubkey": hex32, "message": hex, "signature": hex64}',
    output_schema='{"valid": bool}',
)
def bip340_verify(payload: Any) -> Any:
    """Tell whether a BIP340 signature verifies: {pubkey, message, signature} hex (§IV-D).

    A public key of other than 32 bytes or a signature of other than 64 is ``BAD_LENGTH``.
    """
    message = field(payload, "message", bytes)
    pubkey = field(payload, "pubkey", bytes)
    signature = field(payload, "signature", bytes)
    valid = both_engines(
        lambda: bip340.schnorr_verify(message, pubkey, signature),
        lambda: fast.schnorr_verify(message, pubkey, signature),
    )
    return {"valid": valid}


@operation(
    "crypto.bip340_sign",
    "§IV-D",
    input_schema='{"secret_key": hex32, "message": hex, "aux_rand": hex32}',
    output_schema='{"pubkey": hex32, "signature": hex64}',
)
def bip340_sign(payload: Any) -> Any:
    """Sign a message with BIP340: the x-only public key and the 64-byte signature (§IV-D).

    The signature is a deterministic function of (message, secret key, aux_rand). A secret key
    of 0 or at least the group order is ``BAD_SECRET_KEY``; a key or aux_rand that is not 32
    bytes is ``BAD_LENGTH``.
    """
    secret = field(payload, "secret_key", bytes)
    message = field(payload, "message", bytes)
    aux_rand = field(payload, "aux_rand", bytes)
    signature = both_engines(
        lambda: bip340.schnorr_sign(message, secret, aux_rand),
        lambda: fast.schnorr_sign(message, secret, aux_rand),
    )
    pubkey = both_engines(lambda: bip340.pubkey_gen(secret), lambda: fast.pubkey_gen(secret))
    return {"pubkey": pubkey.hex(), "signature": signature.hex()}


@operation(
    "crypto.quorum_size",
    "§IV-D",
    input_schema='{"n": int}',
    output_schema='{"quorum": int, "max_faulty": int}',
)
def quorum(payload: Any) -> Any:
    """Return the least quorum of n members (2n//3 + 1) and f = (n-1)//3 (§III-D, §IV-D).

    A roster has at least one member: n < 1 is ``ROSTER_EMPTY``.
    """
    n = field(payload, "n", int)
    return {"quorum": quorum_size(n), "max_faulty": max_faulty(n)}


@operation(
    "crypto.bitmap_encode",
    "§IV-D",
    input_schema='{"signers": [int], "n": int}',
    output_schema='{"bitmap": hex}',
)
def bitmap_encode(payload: Any) -> Any:
    """Encode signer indices of a roster of n as a bitmap, LSB first (§IV-D)."""
    signers = field(payload, "signers", tuple[int, ...])
    return {"bitmap": encode_bitmap(signers, field(payload, "n", int)).hex()}


@operation(
    "crypto.bitmap_decode",
    "§IV-D",
    input_schema='{"bitmap": hex, "n": int}',
    output_schema='{"signers": [int]}',
)
def bitmap_decode(payload: Any) -> Any:
    """Decode a bitmap of a roster of n into signer indices; refuse bad length or padding."""
    return {
        "signers": list(decode_bitmap(field(payload, "bitmap", bytes), field(payload, "n", int)))
    }


@operation(
    "crypto.aggregate_key",
    "§IV-D",
    input_schema='{"roster": [hex33], "signers": [int]}',
    output_schema='{"aggregate_key": hex32}',
)
def aggregate(payload: Any) -> Any:
    """Return the x-only MuSig2 aggregate of the signers' roster keys, in roster order."""
    roster = field(payload, "roster", tuple[bytes, ...])
    signers = field(payload, "signers", tuple[int, ...])
    key = both_engines(
        lambda: aggregate_key(roster, signers, fast=False),
        lambda: aggregate_key(roster, signers, fast=True),
    )
    return {"aggregate_key": key.hex()}


@operation(
    "crypto.quorum_rule",
    "§IV-D",
    input_schema='{"count": int, "n": int}',
    output_schema=(
        '{"quorum": bool, "least_quorum": bool, "tolerated": bool, "most_tolerated": bool}'
    ),
)
def quorum_rule(payload: Any) -> Any:
    """Judge a count against a roster of n by the quorum rule and the fault bound (§III-D).

    ``quorum``: 3·count > 2n; ``least_quorum``: also 3·(count - 1) <= 2n; ``tolerated``:
    3·count < n faulty members are tolerated; ``most_tolerated``: also 3·(count + 1) >= n.
    A roster has at least one member: n < 1 is ``ROSTER_EMPTY``.
    """
    count = field(payload, "count", int)
    n = field(payload, "n", int)
    require_members(n)
    return {
        "quorum": is_quorum(count, n),
        "least_quorum": all(quorum_size_bounds(count, n)),
        "tolerated": within_fault_bound(count, n),
        "most_tolerated": all(max_faulty_bounds(count, n)),
    }


@inputs("crypto")
def _crypto_inputs() -> Iterator[VectorInput]:
    for row in bip340_rows():
        yield VectorInput(
            f"bip340-row{row.index}",
            "crypto.bip340_verify",
            {
                "pubkey": row.pubkey.hex(),
                "message": row.message.hex(),
                "signature": row.signature.hex(),
            },
            row.comment or "BIP340 vector row",
        )
    yield from _sign_inputs()
    row = bip340_rows()[0]
    for label, pubkey in (("short", row.pubkey[:31]), ("long", row.pubkey + b"\x00")):
        yield VectorInput(
            f"bip340-{label}-pubkey",
            "crypto.bip340_verify",
            {
                "pubkey": pubkey.hex(),
                "message": row.message.hex(),
                "signature": row.signature.hex(),
            },
            f"a {len(pubkey)}-byte public key",
        )
    yield VectorInput(
        "bip340-short-signature",
        "crypto.bip340_verify",
        {"pubkey": row.pubkey.hex(), "message": "", "signature": row.signature[:63].hex()},
        "63-byte signature",
    )
    for n in (1, 2, 3, 4, 7, 10, 100, 1000):
        yield VectorInput(f"quorum-n{n}", "crypto.quorum_size", {"n": n})
    for n in (5, 6, 8, 9, 11, 12, 21, 22, 23):
        yield VectorInput(
            f"quorum-n{n}", "crypto.quorum_size", {"n": n}, f"n = {n} is {n % 3} mod 3: 3q > 2n"
        )
    for n in (0, -1, -5):
        yield VectorInput(f"quorum-n{n}", "crypto.quorum_size", {"n": n}, "no roster")
    bitmap_cases = {
        "n9-first-last": ([0, 8], 9),
        "n8-all": (list(range(8)), 8),
        "n10-odd": ([1, 3, 5, 7, 9], 10),
        "n1-none": ([], 1),
    }
    for label, (signers, n) in bitmap_cases.items():
        yield VectorInput(
            f"bitmap-encode-{label}", "crypto.bitmap_encode", {"signers": signers, "n": n}
        )
        bitmap = encode_bitmap(signers, n).hex()
        yield VectorInput(
            f"bitmap-decode-{label}", "crypto.bitmap_decode", {"bitmap": bitmap, "n": n}
        )
    for label, (signers, n) in {
        "outside": ([4], 4),
        "outside-padding": ([6], 4),
        "outside-next-byte": ([9], 4),
        "outside-far": ([100], 9),
        "negative": ([-1], 4),
        "duplicate": ([1, 1], 4),
    }.items():
        yield VectorInput(
            f"bitmap-encode-{label}", "crypto.bitmap_encode", {"signers": signers, "n": n}
        )
    for label, (bitmap, n) in {
        "padding": ("10", 4),
        "length": ("0100", 4),
        "empty": ("", 1),
    }.items():
        yield VectorInput(
            f"bitmap-decode-{label}", "crypto.bitmap_decode", {"bitmap": bitmap, "n": n}
        )
    yield from _quorum_rule_inputs()
    yield from certificate_inputs()
    yield from curve_inputs()


def _sign_inputs() -> Iterator[VectorInput]:
    """Yield signing vectors: the BIP340 rows with a secret key, seeded keys, bad keys."""
    for row in bip340_rows():
        if row.seckey is not None and row.aux_rand is not None:
            yield VectorInput(
                f"bip340-sign-row{row.index}",
                "crypto.bip340_sign",
                {
                    "secret_key": row.seckey.hex(),
                    "message": row.message.hex(),
                    "aux_rand": row.aux_rand.hex(),
                },
                f"BIP340 row {row.index}: the published signature",
            )
    rng = random.Random(VECTOR_SEED)
    order = secp256k1.N
    # keys near the ends of the range and keys whose public point has an odd y (negated d)
    for name, key in (("one", 1), ("two", 2), ("order-1", order - 1), ("order-2", order - 2)):
        yield VectorInput(
            f"bip340-sign-key-{name}",
            "crypto.bip340_sign",
            {
                "secret_key": key.to_bytes(32, "big").hex(),
                "message": rng.randbytes(32).hex(),
                "aux_rand": rng.randbytes(32).hex(),
            },
            "a secret key at an end of [1, n-1]",
        )
    for k in range(6):
        yield VectorInput(
            f"bip340-sign-seeded{k}",
            "crypto.bip340_sign",
            {
                "secret_key": rng.randbytes(32).hex(),
                "message": rng.randbytes(rng.choice((0, 1, 32, 100))).hex(),
                "aux_rand": rng.randbytes(32).hex(),
            },
            "a seeded key, message and aux_rand",
        )
    good = {"message": "", "aux_rand": "00" * 32}
    for name, secret, why in (
        ("zero", "00" * 32, "secret key 0"),
        ("order", order.to_bytes(32, "big").hex(), "secret key n"),
        ("max", "ff" * 32, "secret key 2^256 - 1"),
        ("short", "01" * 31, "a 31-byte secret key"),
    ):
        yield VectorInput(
            f"bip340-sign-bad-{name}",
            "crypto.bip340_sign",
            {**good, "secret_key": secret},
            f"refused: {why}",
        )
    yield VectorInput(
        "bip340-sign-bad-aux",
        "crypto.bip340_sign",
        {"secret_key": "01" * 32, "message": "", "aux_rand": "00" * 31},
        "refused: a 31-byte aux_rand",
    )


def _quorum_rule_inputs() -> Iterator[VectorInput]:
    """Yield counts at and beside the least quorum and the largest tolerated fault count."""
    for n in (1, 2, 3, 4, 5, 6, 7, 10, 100):
        counts = {0, n, n + 1}
        for size in (quorum_size(n), max_faulty(n)):
            counts |= {c for c in (size - 1, size, size + 1) if c >= 0}
        for count in sorted(counts):
            yield VectorInput(
                f"quorum-rule-n{n}-count{count}",
                "crypto.quorum_rule",
                {"count": count, "n": n},
                f"q = {quorum_size(n)}, f = {max_faulty(n)}",
            )
    yield VectorInput("quorum-rule-n0", "crypto.quorum_rule", {"count": 0, "n": 0}, "no roster")
