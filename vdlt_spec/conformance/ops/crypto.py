"""Conformance operations of signatures, bitmaps and quorum certificates (§IV-D).

An implementation answers these to show it encodes bitmaps, counts quorums, aggregates roster
keys and accepts or refuses certificates exactly as the spec does. The published BIP340 and
BIP327 vectors are run as published by ``vdlt verify`` (docs/crypto.md); the BIP340 rows are
also offered here as ``crypto.bip340_verify`` vectors, so an adapter can be checked on them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from vdlt_spec import serial
from vdlt_spec.conformance.bip_vectors import bip340_rows
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.suite import VectorInput, inputs
from vdlt_spec.crypto import (
    Certificate,
    aggregate_key,
    bip340,
    decode_bitmap,
    deterministic_roster,
    encode_bitmap,
    make_certificate,
    max_faulty,
    quorum_size,
    secp256k1,
    verify_certificate,
)

VECTOR_SEED = 340327
ROSTER_SIZES = (1, 4, 7, 10)


def _field(payload: Any, name: str, tp: Any) -> Any:
    return serial.decode(tp, payload.get(name), f"$.{name}")


@operation(
    "crypto.bip340_verify",
    "§IV-D",
    input_schema='{"pubkey": hex32, "message": hex, "signature": hex64}',
    output_schema='{"valid": bool}',
)
def bip340_verify(payload: Any) -> Any:
    """Tell whether a BIP340 signature verifies: {pubkey, message, signature} hex (§IV-D)."""
    valid = bip340.schnorr_verify(
        _field(payload, "message", bytes),
        _field(payload, "pubkey", bytes),
        _field(payload, "signature", bytes),
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
    secret = _field(payload, "secret_key", bytes)
    message = _field(payload, "message", bytes)
    aux_rand = _field(payload, "aux_rand", bytes)
    signature = bip340.schnorr_sign(message, secret, aux_rand)
    return {"pubkey": bip340.pubkey_gen(secret).hex(), "signature": signature.hex()}


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
    n = _field(payload, "n", int)
    return {"quorum": quorum_size(n), "max_faulty": max_faulty(n)}


@operation(
    "crypto.bitmap_encode",
    "§IV-D",
    input_schema='{"signers": [int], "n": int}',
    output_schema='{"bitmap": hex}',
)
def bitmap_encode(payload: Any) -> Any:
    """Encode signer indices of a roster of n as a bitmap, LSB first (§IV-D)."""
    signers = _field(payload, "signers", tuple[int, ...])
    return {"bitmap": encode_bitmap(signers, _field(payload, "n", int)).hex()}


@operation(
    "crypto.bitmap_decode",
    "§IV-D",
    input_schema='{"bitmap": hex, "n": int}',
    output_schema='{"signers": [int]}',
)
def bitmap_decode(payload: Any) -> Any:
    """Decode a bitmap of a roster of n into signer indices; refuse bad length or padding."""
    return {
        "signers": list(decode_bitmap(_field(payload, "bitmap", bytes), _field(payload, "n", int)))
    }


@operation(
    "crypto.aggregate_key",
    "§IV-D",
    input_schema='{"roster": [hex33], "signers": [int]}',
    output_schema='{"aggregate_key": hex32}',
)
def aggregate(payload: Any) -> Any:
    """Return the x-only MuSig2 aggregate of the signers' roster keys, in roster order."""
    roster = _field(payload, "roster", tuple[bytes, ...])
    signers = _field(payload, "signers", tuple[int, ...])
    return {"aggregate_key": aggregate_key(roster, signers).hex()}


@operation(
    "crypto.certificate_verify",
    "§IV-D",
    input_schema='{"roster": [hex33], "message": hex, "certificate": hex}',
    output_schema='{"signers": [int]}',
)
def certificate_verify(payload: Any) -> Any:
    """Accept a certificate (bitmap || signature, hex) on a message by a roster, or refuse it."""
    roster = _field(payload, "roster", tuple[bytes, ...])
    message = _field(payload, "message", bytes)
    data = _field(payload, "certificate", bytes)
    cert = Certificate.decode(data, len(roster)) if roster else Certificate(b"", data)
    verify_certificate(roster, message, cert)
    return {"signers": list(cert.signers(len(roster)))}


def _certificate_inputs() -> Iterator[VectorInput]:
    rng = random.Random(VECTOR_SEED)
    for n in ROSTER_SIZES:
        roster, seckeys = deterministic_roster(n, seed=VECTOR_SEED + n)
        hex_roster = [key.hex() for key in roster]
        message = f"vDLT conformance n={n}".encode()
        q = quorum_size(n)
        for label, signers in (("all", list(range(n))), ("quorum", list(range(n - q, n)))):
            cert = make_certificate(roster, {i: seckeys[i] for i in signers}, message, rng)
            base = {"roster": hex_roster, "message": message.hex()}
            yield VectorInput(
                f"cert-n{n}-{label}",
                "crypto.certificate_verify",
                base | {"certificate": cert.encode().hex()},
                f"{len(signers)} of {n} signed",
            )
            yield VectorInput(
                f"cert-n{n}-{label}-other-message",
                "crypto.certificate_verify",
                base | {"message": (message + b"!").hex(), "certificate": cert.encode().hex()},
                "signature over another message",
            )
            if len(signers) < n:
                absent = next(i for i in range(n) if i not in signers)
                forged = Certificate(encode_bitmap([*signers, absent], n), cert.signature)
                yield VectorInput(
                    f"cert-n{n}-{label}-forged-bitmap",
                    "crypto.certificate_verify",
                    base | {"certificate": forged.encode().hex()},
                    f"bitmap also claims absent signer {absent}",
                )
            if n % 8:
                bits = int.from_bytes(cert.bitmap, "little") | 1 << n
                outside = Certificate(bits.to_bytes(len(cert.bitmap), "little"), cert.signature)
                yield VectorInput(
                    f"cert-n{n}-{label}-outside-roster",
                    "crypto.certificate_verify",
                    base | {"certificate": outside.encode().hex()},
                    "a padding bit names a signer outside the roster",
                )
            yield VectorInput(
                f"cert-n{n}-{label}-truncated",
                "crypto.certificate_verify",
                base | {"certificate": cert.encode()[:-1].hex()},
                "one byte short",
            )
        if q > 1:
            short = list(range(q - 1))
            cert = make_certificate(roster, {i: seckeys[i] for i in short}, message, rng)
            yield VectorInput(
                f"cert-n{n}-below-quorum",
                "crypto.certificate_verify",
                {
                    "roster": hex_roster,
                    "message": message.hex(),
                    "certificate": cert.encode().hex(),
                },
                f"{q - 1} of {n}: 3·count <= 2n",
            )
        yield VectorInput(
            f"aggregate-n{n}",
            "crypto.aggregate_key",
            {"roster": hex_roster, "signers": list(range(n))},
        )
    roster, seckeys = deterministic_roster(4, seed=VECTOR_SEED + 4)
    cert = make_certificate(roster, seckeys, b"m", rng)
    bad_rosters = {
        "duplicate-key": [roster[0], roster[0], roster[2], roster[3]],
        "bad-key": [roster[0], roster[1], roster[2], b"\x02" + bytes(31) + b"\x07"],
    }
    for label, keys in bad_rosters.items():
        yield VectorInput(
            f"cert-roster-{label}",
            "crypto.certificate_verify",
            {
                "roster": [k.hex() for k in keys],
                "message": b"m".hex(),
                "certificate": cert.encode().hex(),
            },
            "invalid roster",
        )
    yield VectorInput(
        "cert-empty-roster",
        "crypto.certificate_verify",
        {"roster": [], "message": "", "certificate": cert.signature.hex()},
        "empty roster",
    )


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
    for label, (signers, n) in {"outside": ([4], 4), "duplicate": ([1, 1], 4)}.items():
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
    yield from _certificate_inputs()
    yield from _two_thirds_inputs()


def _two_thirds_inputs() -> Iterator[VectorInput]:
    """Yield certificates signed by exactly 2n/3 members (refused) and 2n/3 + 1 (accepted)."""
    rng = random.Random(VECTOR_SEED + 3)
    for n in (3, 6, 9):
        roster, seckeys = deterministic_roster(n, seed=VECTOR_SEED + 100 + n)
        message = f"vDLT two thirds n={n}".encode()
        for count in (quorum_size(n) - 1, quorum_size(n)):
            cert = make_certificate(roster, {i: seckeys[i] for i in range(count)}, message, rng)
            yield VectorInput(
                f"cert-n{n}-signers-{count}",
                "crypto.certificate_verify",
                {
                    "roster": [key.hex() for key in roster],
                    "message": message.hex(),
                    "certificate": cert.encode().hex(),
                },
                f"{count} of {n}: 3·{count} {'>' if 3 * count > 2 * n else '='} 2n",
            )


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
