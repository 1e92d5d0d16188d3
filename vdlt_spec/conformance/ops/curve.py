"""Conformance operations of the secp256k1 group: decode, add and multiply points (§IV-D).

Every signature of vDLT rests on the group law of secp256k1; an implementation that writes its
own point arithmetic checks it here against the readable arithmetic of
:mod:`vdlt_spec.crypto.secp256k1` (the chord-and-tangent rule and the double-and-add ladder),
at the edges where such code breaks: doubling, a point plus its negation, the point at
infinity on either side, scalars 0, 1, n - 1, n and above n, and encodings that are not points.
Points travel in BIP327's extended compressed form: 33 bytes, ``0x02``/``0x03`` (even/odd y)
then x, and 33 zero bytes for the point at infinity; an input point may also be SEC1's
uncompressed form, 65 bytes ``0x04 || x || y``, which is a point only if it is on the curve.
Results are written compressed. ``crypto.point_lincomb`` runs on libsecp256k1
(:mod:`vdlt_spec.crypto.fast`), the engine that signatures run on; the two engines agree on
every input. The vectors belong to the ``crypto`` suite.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from vdlt_spec import serial
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.suite import VectorInput
from vdlt_spec.crypto import secp256k1
from vdlt_spec.crypto.fast import FAST
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
    from_jacobian,
    int_from_bytes,
    is_on_curve,
    jacobian_add,
    mul_base,
    point_negate,
    to_jacobian,
    x_of,
    y_of,
)
from vdlt_spec.errors import Reason, SpecError

VECTOR_SEED = 256
UNCOMPRESSED_BYTES = 65
UNCOMPRESSED_PREFIX = 0x04


def _decode(data: bytes) -> Point:
    """Decode an extended compressed point, or an uncompressed one that is on the curve."""
    if len(data) != UNCOMPRESSED_BYTES:
        return cpoint_ext(data)
    if data[0] != UNCOMPRESSED_PREFIX:
        raise SpecError(Reason.INVALID_POINT, f"uncompressed prefix {data[0]:#04x} is not 04")
    point = (int_from_bytes(data[1:33]), int_from_bytes(data[33:]))
    if not is_on_curve(point):
        raise SpecError(Reason.INVALID_POINT, f"{data.hex()} is not a curve point")
    return point


def _point(payload: Any, name: str) -> Point:
    return _decode(serial.decode(bytes, payload.get(name), f"$.{name}"))


def _to_scalar(data: bytes) -> int:
    if len(data) != SCALAR_BYTES:
        raise SpecError(Reason.BAD_LENGTH, f"a scalar is 32 bytes, got {len(data)}")
    return int_from_bytes(data)


def _scalar(payload: Any) -> int:
    return _to_scalar(serial.decode(bytes, payload.get("scalar"), "$.scalar"))


@operation(
    "crypto.point_decode",
    "§IV-D",
    input_schema='{"point": hex33 or hex65}',
    output_schema='{"point": {"x": hex32, "y": hex32} or null}',
)
def point_decode(payload: Any) -> Any:
    """Decode an extended compressed point into its coordinates, null for infinity (§IV-D).

    33 zero bytes are the point at infinity; otherwise the prefix is ``0x02`` or ``0x03`` and
    x < p has a y with y^2 = x^3 + 7. 65 bytes are ``0x04 || x || y`` with x, y < p on the
    curve. A length other than 33 and 65 is ``BAD_LENGTH``, anything else that is not a point
    ``INVALID_POINT``.
    """
    point = _point(payload, "point")
    if point is None:
        return {"point": None}
    x, y = point
    return {"point": {"x": bytes_from_int(x).hex(), "y": bytes_from_int(y).hex()}}


@operation(
    "crypto.point_add",
    "§IV-D",
    input_schema='{"a": hex33 or hex65, "b": hex33 or hex65}',
    output_schema='{"sum": hex33}',
)
def point_add(payload: Any) -> Any:
    """Add two points by the chord-and-tangent rule (§IV-D).

    The reference also adds them in Jacobian coordinates, as its scalar multiplication does,
    and fails (a bug of the reference, not an answer) if the two formulas disagree.
    """
    a, b = _point(payload, "a"), _point(payload, "b")
    total = secp256k1.point_add(a, b)
    if from_jacobian(jacobian_add(to_jacobian(a), to_jacobian(b))) != total:
        raise RuntimeError("the affine and the Jacobian group laws disagree")
    return {"sum": cbytes_ext(total).hex()}


@operation(
    "crypto.point_multiply",
    "§IV-D",
    input_schema='{"scalar": hex32, "point": hex33 or hex65}',
    output_schema='{"product": hex33}',
)
def point_multiply(payload: Any) -> Any:
    """Multiply an extended compressed point by a 32-byte big-endian scalar, taken mod n (§IV-D).

    Every scalar of 32 bytes is allowed: 0 and n give the point at infinity, n + 1 the point.
    """
    product = secp256k1.point_mul(_point(payload, "point"), _scalar(payload))
    return {"product": cbytes_ext(product).hex()}


@dataclass(frozen=True)
class _Term:
    """One term k·P of a linear combination: a point (encoded) and a 32-byte scalar."""

    point: bytes
    scalar: bytes


@operation(
    "crypto.point_lincomb",
    "§IV-D",
    input_schema='{"terms": [{"point": hex33 or hex65, "scalar": hex32}]}',
    output_schema='{"sum": hex33}',
)
def point_lincomb(payload: Any) -> Any:
    """Return the sum of k·P over the terms, infinity for none, on libsecp256k1 (§IV-D).

    BIP340 verification computes s·G - e·P this way and MuSig2 its aggregate key and nonce.
    Scalars are taken mod n; zero terms and the point at infinity add nothing.
    """
    terms = serial.decode(tuple[_Term, ...], payload.get("terms"), "$.terms")
    decoded = [(_decode(term.point), _to_scalar(term.scalar)) for term in terms]
    return {"sum": cbytes_ext(FAST.lincomb(decoded)).hex()}


def _hex(point: Point) -> str:
    return cbytes_ext(point).hex()


def _x_encoding(prefix: int, x: int) -> str:
    return (bytes([prefix]) + x.to_bytes(32, "big")).hex()


def curve_inputs() -> Iterator[VectorInput]:
    """Yield the point vectors: decoding, sums at the group law's edges, scalar multiples."""
    yield from _decode_inputs()
    yield from _add_inputs()
    yield from _multiply_inputs()
    yield from _lincomb_inputs()


def _uncompressed(x: int, y: int, prefix: int = UNCOMPRESSED_PREFIX) -> str:
    return (bytes([prefix]) + x.to_bytes(32, "big") + y.to_bytes(32, "big")).hex()


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
        "uncompressed-g": (_uncompressed(*G), "G uncompressed"),
        "uncompressed-minus-g": (_uncompressed(G[0], P - G[1]), "-G uncompressed"),
        "uncompressed-off-curve": (_uncompressed(G[0], G[1] + 1), "refused: y^2 != x^3 + 7"),
        "uncompressed-x-zero": (_uncompressed(0, G[1]), "refused: off the curve"),
        "uncompressed-y-p": (_uncompressed(G[0], P), "refused: y = p"),
        "uncompressed-x-plus-p": (
            _uncompressed(1 + P, y_of(secp256k1.lift_x(1))),
            "refused: x >= p (x - p = 1 is on the curve)",
        ),
        "uncompressed-hybrid": (_uncompressed(*G, prefix=6), "refused: SEC1 hybrid prefix 06"),
        "uncompressed-zeros": ("00" * 65, "refused: 65 zero bytes"),
        "uncompressed-short": (_uncompressed(*G)[:-2], "refused: 64 bytes"),
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
        "uncompressed": (
            {"a": _uncompressed(x_of(p1), y_of(p1)), "b": _uncompressed(*G)},
            "both points uncompressed; the sum is written compressed",
        ),
        "bad-a": ({"a": _x_encoding(2, 5), "b": _hex(G)}, "refused: a is not a point"),
        "off-curve-b": (
            {"a": _hex(G), "b": _uncompressed(G[0], G[1] + 1)},
            "refused: b is off the curve",
        ),
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


def _lincomb_inputs() -> Iterator[VectorInput]:
    rng = random.Random(VECTOR_SEED + 3)
    p1, p2 = mul_base(rng.randrange(1, N)), mul_base(rng.randrange(1, N))
    k = rng.randrange(1, N)
    inf = None
    cases: dict[str, tuple[list[tuple[Point, int]], str]] = {
        "none": ([], "no terms: infinity"),
        "g-zero": ([(G, 0)], "0·G adds nothing"),
        "point-zero": ([(p1, 0)], "0·P adds nothing"),
        "infinity": ([(inf, 5)], "k·infinity adds nothing"),
        "g-one": ([(G, 1)], "1·G"),
        "point-one": ([(p1, 1)], "1·P"),
        "g-k": ([(G, k)], "k·G"),
        "point-k": ([(p1, k)], "k·P"),
        "g-n": ([(G, N)], "n·G is infinity"),
        "point-n-plus-1": ([(p1, N + 1)], "taken mod n"),
        "schnorr": ([(G, k), (point_negate(p1), rng.randrange(N))], "s·G - e·P"),
        "cancel": ([(p1, 1), (point_negate(p1), 1)], "P + (-P) is infinity"),
        "cancel-scalars": ([(p1, k), (p1, N - k)], "k·P + (n-k)·P is infinity"),
        "same-twice": ([(G, 1), (G, 1)], "G + G"),
        "mixed": (
            [(G, 3), (p1, 5), (p2, N - 1), (inf, 9), (p1, 0), (G, 1)],
            "generator, points, infinity and zero terms",
        ),
    }
    for label, (terms, why) in cases.items():
        payload = [{"point": _hex(pt), "scalar": bytes_from_int(s).hex()} for pt, s in terms]
        yield VectorInput(f"point-lincomb-{label}", "crypto.point_lincomb", {"terms": payload}, why)
    good = {"point": _hex(G), "scalar": bytes_from_int(2).hex()}
    bad = {
        "uncompressed": (
            [{"point": _uncompressed(x_of(p1), y_of(p1)), "scalar": good["scalar"]}],
            "P as 04xy",
        ),
        "bad-point": ([good, {"point": _x_encoding(2, 5), "scalar": "00" * 32}], "refused"),
        "short-scalar": ([good, {"point": _hex(G), "scalar": "00" * 33}], "refused: 33 bytes"),
    }
    for label, (terms_payload, why) in bad.items():
        yield VectorInput(
            f"point-lincomb-{label}", "crypto.point_lincomb", {"terms": terms_payload}, why
        )
