"""Conformance operations of the secp256k1 group: decode, add and multiply points (§IV-D).

Every signature of vDLT rests on the group law of secp256k1; an implementation that writes its
own point arithmetic checks it here against the readable arithmetic of
:mod:`vdlt_spec.crypto.secp256k1` (the chord-and-tangent rule and the double-and-add ladder),
at the edges where such code breaks: doubling, a point plus its negation, the point at
infinity on either side, scalars 0, 1, n - 1, n and above n, and encodings that are not points.
Points travel in BIP327's extended compressed form: 33 bytes, ``0x02``/``0x03`` (even/odd y)
then x, and 33 zero bytes for the point at infinity. The vectors belong to the ``crypto`` suite.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from vdlt_spec import serial
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.suite import VectorInput
from vdlt_spec.crypto import secp256k1
from vdlt_spec.crypto.secp256k1 import (
    INFINITY_ENCODING,
    SCALAR_BYTES,
    G,
    N,
    P,
    Point,
    bytes_from_int,
    cbytes_ext,
    cpoint_ext,
    int_from_bytes,
    mul_base,
    point_negate,
)
from vdlt_spec.errors import Reason, SpecError

VECTOR_SEED = 256


def _point(payload: Any, name: str) -> Point:
    return cpoint_ext(serial.decode(bytes, payload.get(name), f"$.{name}"))


def _scalar(payload: Any) -> int:
    data = serial.decode(bytes, payload.get("scalar"), "$.scalar")
    if len(data) != SCALAR_BYTES:
        raise SpecError(Reason.BAD_LENGTH, f"a scalar is 32 bytes, got {len(data)}")
    return int_from_bytes(data)


@operation(
    "crypto.point_decode",
    "§IV-D",
    input_schema='{"point": hex33}',
    output_schema='{"point": {"x": hex32, "y": hex32} | null}',
)
def point_decode(payload: Any) -> Any:
    """Decode an extended compressed point into its coordinates, null for infinity (§IV-D).

    33 zero bytes are the point at infinity; otherwise the prefix is ``0x02`` or ``0x03`` and
    x < p has a y with y^2 = x^3 + 7: a wrong length is ``BAD_LENGTH``, anything else that is
    not a point ``INVALID_POINT``.
    """
    point = _point(payload, "point")
    if point is None:
        return {"point": None}
    x, y = point
    return {"point": {"x": bytes_from_int(x).hex(), "y": bytes_from_int(y).hex()}}


@operation(
    "crypto.point_add",
    "§IV-D",
    input_schema='{"a": hex33, "b": hex33}',
    output_schema='{"sum": hex33}',
)
def point_add(payload: Any) -> Any:
    """Add two extended compressed points by the chord-and-tangent rule (§IV-D)."""
    total = secp256k1.point_add(_point(payload, "a"), _point(payload, "b"))
    return {"sum": cbytes_ext(total).hex()}


@operation(
    "crypto.point_multiply",
    "§IV-D",
    input_schema='{"scalar": hex32, "point": hex33}',
    output_schema='{"product": hex33}',
)
def point_multiply(payload: Any) -> Any:
    """Multiply an extended compressed point by a 32-byte big-endian scalar, taken mod n (§IV-D).

    Every scalar of 32 bytes is allowed: 0 and n give the point at infinity, n + 1 the point.
    """
    product = secp256k1.point_mul(_point(payload, "point"), _scalar(payload))
    return {"product": cbytes_ext(product).hex()}


def _hex(point: Point) -> str:
    return cbytes_ext(point).hex()


def _x_encoding(prefix: int, x: int) -> str:
    return (bytes([prefix]) + x.to_bytes(32, "big")).hex()


def curve_inputs() -> Iterator[VectorInput]:
    """Yield the point vectors: decoding, sums at the group law's edges, scalar multiples."""
    yield from _decode_inputs()
    yield from _add_inputs()
    yield from _multiply_inputs()


def _decode_inputs() -> Iterator[VectorInput]:
    rng = random.Random(VECTOR_SEED)
    cases = {
        "generator": (_hex(G), "G: even y, prefix 02"),
        "minus-generator": (_hex(point_negate(G)), "-G: odd y, prefix 03"),
        "infinity": (INFINITY_ENCODING.hex(), "33 zero bytes: the point at infinity"),
        "x1-even": (_x_encoding(2, 1), "x = 1, the even root"),
        "x1-odd": (_x_encoding(3, 1), "x = 1, the odd root"),
        "random": (_hex(mul_base(rng.randrange(1, N))), "a seeded multiple of G"),
        "x-not-on-curve": (_x_encoding(2, 5), "refused: 5^3 + 7 is not a square mod p"),
        "x-zero": (_x_encoding(2, 0), "refused: 7 is not a square mod p"),
        "x-p": (_x_encoding(2, P), "refused: x = p"),
        "x-p-plus-1": (_x_encoding(2, P + 1), "refused: x = p + 1 >= p (1 is on the curve)"),
        "x-max": (_x_encoding(3, 2**256 - 1), "refused: x = 2^256 - 1 >= p"),
        "prefix-00": (_x_encoding(0, 1), "refused: prefix 00 before a valid x"),
        "prefix-04": (_x_encoding(4, G[0]), "refused: prefix 04 (uncompressed) in 33 bytes"),
        "infinity-odd-prefix": (
            "01" + "00" * 32,
            "refused: prefix 01 then zeros is not the infinity encoding",
        ),
        "uncompressed": (
            ("04" + G[0].to_bytes(32, "big").hex() + G[1].to_bytes(32, "big").hex()),
            "refused: the 65-byte uncompressed form of G",
        ),
        "zeros-32": ("00" * 32, "refused: 32 zero bytes is one byte short of infinity"),
        "zeros-34": ("00" * 34, "refused: 34 zero bytes"),
        "empty": ("", "refused: no bytes"),
        "short": (_hex(G)[:-2], "refused: G one byte short"),
    }
    for label, (encoding, why) in cases.items():
        yield VectorInput(f"point-decode-{label}", "crypto.point_decode", {"point": encoding}, why)


def _add_inputs() -> Iterator[VectorInput]:
    rng = random.Random(VECTOR_SEED + 1)
    p1 = mul_base(rng.randrange(1, N))
    p2 = mul_base(rng.randrange(1, N))
    two_g = mul_base(2)
    inf = None
    cases: dict[str, tuple[Point, Point, str]] = {
        "g-plus-g": (G, G, "doubling G: the tangent rule"),
        "minus-g-doubled": (point_negate(G), point_negate(G), "doubling -G"),
        "random-doubled": (p1, p1, "doubling a seeded point"),
        "g-plus-2g": (G, two_g, "the chord rule: 3G"),
        "2g-plus-g": (two_g, G, "the chord rule, operands swapped"),
        "random-sum": (p1, p2, "two seeded points"),
        "g-plus-minus-g": (G, point_negate(G), "P + (-P) is infinity"),
        "random-plus-negation": (p1, point_negate(p1), "P + (-P) is infinity"),
        "infinity-plus-g": (inf, G, "infinity is the identity, on the left"),
        "g-plus-infinity": (G, inf, "infinity is the identity, on the right"),
        "infinity-plus-infinity": (inf, inf, "infinity + infinity"),
        "random-plus-minus-2g": (p1, point_negate(two_g), "a point with odd y"),
    }
    for label, (a, b, why) in cases.items():
        yield VectorInput(
            f"point-add-{label}", "crypto.point_add", {"a": _hex(a), "b": _hex(b)}, why
        )
    bad = {
        "bad-a": ({"a": _x_encoding(2, 5), "b": _hex(G)}, "refused: a is not a point"),
        "bad-b": ({"a": _hex(G), "b": "00" * 32}, "refused: b is 32 bytes"),
    }
    for label, (payload, why) in bad.items():
        yield VectorInput(f"point-add-{label}", "crypto.point_add", payload, why)


def _multiply_inputs() -> Iterator[VectorInput]:
    rng = random.Random(VECTOR_SEED + 2)
    p1 = mul_base(rng.randrange(1, N))
    scalars = {
        "0": (0, "0·P is infinity"),
        "1": (1, "1·P is P"),
        "2": (2, "doubling"),
        "3": (3, "a double and an add"),
        "n-1": (N - 1, "(n - 1)·P is -P"),
        "n": (N, "n·P is infinity"),
        "n+1": (N + 1, "taken mod n: P"),
        "max": (2**256 - 1, "2^256 - 1, taken mod n"),
        "random": (rng.randrange(N), "a seeded scalar"),
    }
    for name, point in (("g", G), ("random", p1)):
        for label, (k, why) in scalars.items():
            yield VectorInput(
                f"point-multiply-{name}-{label}",
                "crypto.point_multiply",
                {"scalar": bytes_from_int(k).hex(), "point": _hex(point)},
                why,
            )
    others = {
        "infinity": ({"scalar": bytes_from_int(5).hex(), "point": _hex(None)}, "k·infinity"),
        "minus-g": (
            {"scalar": bytes_from_int(rng.randrange(N)).hex(), "point": _hex(point_negate(G))},
            "a point with odd y",
        ),
        "short-scalar": (
            {"scalar": "01" * 31, "point": _hex(G)},
            "refused: a 31-byte scalar",
        ),
        "bad-point": (
            {"scalar": bytes_from_int(2).hex(), "point": _x_encoding(3, P + 2)},
            "refused: x >= p",
        ),
    }
    for label, (payload, why) in others.items():
        yield VectorInput(f"point-multiply-{label}", "crypto.point_multiply", payload, why)
