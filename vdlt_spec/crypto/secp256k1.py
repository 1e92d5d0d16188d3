"""Compute in the group of the secp256k1 curve with plain Python integers (§IV-D).

This is the readable path: affine points with the point at infinity as ``None``, exactly as
the BIP340 and BIP327 specifications write them, and the chord-and-tangent group law
(:func:`point_add`). Scalar multiplication runs the same double-and-add in Jacobian coordinates
to avoid a modular inverse per step. It is slow (milliseconds per scalar multiplication) and
meant to be read and to check the fast path (:mod:`vdlt_spec.crypto.fast`, libsecp256k1
through coincurve) against.

Encodings: x-only points are 32 bytes (BIP340 ``bytes(P)``), compressed points 33 bytes
(``0x02``/``0x03`` for even/odd y, then x), and BIP327's extended compressed encoding writes
the point at infinity as 33 zero bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

from vdlt_spec.errors import Reason, SpecError

# Curve y^2 = x^3 + 7 over GF(p); the group of points has prime order n; G is the generator.
P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
CURVE_B = 7
G = (
    0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
    0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8,
)

SCALAR_BYTES = 32
XONLY_BYTES = 32
COMPRESSED_BYTES = 33
EVEN_PREFIX = 0x02
ODD_PREFIX = 0x03
INFINITY_ENCODING = bytes(COMPRESSED_BYTES)

Point = tuple[int, int] | None
"""An affine point (x, y), or ``None`` for the point at infinity."""


def is_infinite(point: Point) -> bool:
    """Tell whether ``point`` is the point at infinity (§IV-D)."""
    return point is None


def x_of(point: Point) -> int:
    """Return the x coordinate of a finite point (§IV-D)."""
    if point is None:
        raise SpecError(Reason.INVALID_POINT, "the point at infinity has no coordinates")
    return point[0]


def y_of(point: Point) -> int:
    """Return the y coordinate of a finite point (§IV-D)."""
    if point is None:
        raise SpecError(Reason.INVALID_POINT, "the point at infinity has no coordinates")
    return point[1]


def is_on_curve(point: Point) -> bool:
    """Tell whether ``point`` is infinity or a finite point satisfying y^2 = x^3 + 7 (§IV-D)."""
    if point is None:
        return True
    x, y = point
    return 0 <= x < P and 0 <= y < P and (y * y - x * x * x - CURVE_B) % P == 0


def point_negate(point: Point) -> Point:
    """Return -point (§IV-D)."""
    if point is None:
        return None
    x, y = point
    return (x, (P - y) % P)


def point_add(p1: Point, p2: Point) -> Point:
    """Return p1 + p2 by the affine chord-and-tangent rule (§IV-D)."""
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    x1, y1 = p1
    x2, y2 = p2
    if x1 == x2 and (y1 + y2) % P == 0:
        return None  # P + (-P), including doubling a point with y = 0
    if p1 == p2:
        slope = (3 * x1 * x1 * pow(2 * y1, -1, P)) % P
    else:
        slope = ((y2 - y1) * pow(x2 - x1, -1, P)) % P
    x3 = (slope * slope - x1 - x2) % P
    return (x3, (slope * (x1 - x3) - y1) % P)


def point_double(point: Point) -> Point:
    """Return 2·point (§IV-D)."""
    return point_add(point, point)


JacobianPoint = tuple[int, int, int]
"""(X, Y, Z) standing for the affine point (X/Z^2, Y/Z^3); Z = 0 is the point at infinity."""

JACOBIAN_INFINITY: JacobianPoint = (1, 1, 0)


def to_jacobian(point: Point) -> JacobianPoint:
    """Return the Jacobian form (x, y, 1) of an affine point (§IV-D)."""
    if point is None:
        return JACOBIAN_INFINITY
    return (point[0], point[1], 1)


def from_jacobian(point: JacobianPoint) -> Point:
    """Return the affine point of a Jacobian triple, with one modular inverse (§IV-D)."""
    x, y, z = point
    if z % P == 0:
        return None
    z_inv = pow(z, -1, P)
    return (x * z_inv * z_inv % P, y * z_inv * z_inv * z_inv % P)


def jacobian_double(point: JacobianPoint) -> JacobianPoint:
    """Return 2·point in Jacobian coordinates (curve a = 0: dbl-2009-l) (§IV-D)."""
    x, y, z = point
    if z == 0 or y == 0:
        return JACOBIAN_INFINITY
    s = 4 * x * y * y % P
    m = 3 * x * x % P
    x3 = (m * m - 2 * s) % P
    y3 = (m * (s - x3) - 8 * pow(y, 4, P)) % P
    return (x3, y3, 2 * y * z % P)


def jacobian_add(p1: JacobianPoint, p2: JacobianPoint) -> JacobianPoint:
    """Return p1 + p2 in Jacobian coordinates (add-2007-bl without the 2s) (§IV-D)."""
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    if z1 == 0:
        return p2
    if z2 == 0:
        return p1
    z1z1, z2z2 = z1 * z1 % P, z2 * z2 % P
    u1, u2 = x1 * z2z2 % P, x2 * z1z1 % P
    s1, s2 = y1 * z2 * z2z2 % P, y2 * z1 * z1z1 % P
    if u1 == u2:
        return jacobian_double(p1) if s1 == s2 else JACOBIAN_INFINITY
    h, r = (u2 - u1) % P, (s2 - s1) % P
    hh = h * h % P
    hhh = h * hh % P
    x3 = (r * r - hhh - 2 * u1 * hh) % P
    y3 = (r * (u1 * hh - x3) - s1 * hhh) % P
    return (x3, y3, h * z1 * z2 % P)


def point_mul(point: Point, scalar: int) -> Point:
    """Return scalar·point by double-and-add over the bits of scalar mod n (§IV-D).

    The ladder runs in Jacobian coordinates so that it needs one modular inverse in all
    instead of one per step; :func:`point_add` stays the definition of the group law, and
    tests check the two agree.
    """
    result = JACOBIAN_INFINITY
    addend = to_jacobian(point)
    k = scalar % N
    while k:
        if k & 1:
            result = jacobian_add(result, addend)
        addend = jacobian_double(addend)
        k >>= 1
    return from_jacobian(result)


def point_sum(points: Iterable[Point]) -> Point:
    """Return the sum of ``points`` (infinity for none) (§IV-D)."""
    total: Point = None
    for point in points:
        total = point_add(total, point)
    return total


def lincomb(terms: Iterable[tuple[Point, int]]) -> Point:
    """Return the sum of k·P over the (P, k) pairs of ``terms`` (§IV-D)."""
    return point_sum(point_mul(point, k) for point, k in terms)


def mul_base(scalar: int) -> Point:
    """Return scalar·G (§IV-D)."""
    return point_mul(G, scalar)


def has_even_y(point: Point) -> bool:
    """Tell whether a finite point has an even y coordinate (BIP340 ``has_even_y``) (§IV-D)."""
    return y_of(point) % 2 == 0


def int_from_bytes(data: bytes) -> int:
    """Read a big-endian unsigned integer (§IV-D)."""
    return int.from_bytes(data, "big")


def bytes_from_int(value: int) -> bytes:
    """Write a 32-byte big-endian unsigned integer (§IV-D)."""
    return value.to_bytes(SCALAR_BYTES, "big")


def lift_x(x: int) -> Point:
    """Return the point with x coordinate ``x`` and even y, or ``None`` if there is none (§IV-D).

    BIP340 ``lift_x``: fails (here: returns ``None``) when x >= p or x^3 + 7 is not a square.
    Since p = 3 (mod 4), a square root of c is c^((p+1)/4).
    """
    if not 0 <= x < P:
        return None
    c = (pow(x, 3, P) + CURVE_B) % P
    y = pow(c, (P + 1) // 4, P)
    if (y * y) % P != c:
        return None
    return (x, y if y % 2 == 0 else P - y)


def xbytes(point: Point) -> bytes:
    """Encode a finite point as its 32-byte x coordinate (BIP340 ``bytes(P)``) (§IV-D)."""
    return bytes_from_int(x_of(point))


def cbytes(point: Point) -> bytes:
    """Encode a finite point in 33-byte compressed form (§IV-D)."""
    prefix = EVEN_PREFIX if has_even_y(point) else ODD_PREFIX
    return bytes([prefix]) + xbytes(point)


def cbytes_ext(point: Point) -> bytes:
    """Encode a point compressed, infinity as 33 zero bytes (BIP327 ``cbytes_ext``) (§IV-D)."""
    if point is None:
        return INFINITY_ENCODING
    return cbytes(point)


def xonly_point(data: bytes) -> Point:
    """Decode a 32-byte x-only key to its even-y point; raise ``INVALID_POINT`` if none (§IV-D)."""
    if len(data) != XONLY_BYTES:
        raise SpecError(Reason.BAD_LENGTH, f"x-only key must be 32 bytes, got {len(data)}")
    point = lift_x(int_from_bytes(data))
    if point is None:
        raise SpecError(Reason.INVALID_POINT, f"{data.hex()} is not the x of a curve point")
    return point


def cpoint(data: bytes) -> Point:
    """Decode a 33-byte compressed point; raise ``INVALID_POINT`` if it is not one (§IV-D)."""
    if len(data) != COMPRESSED_BYTES:
        raise SpecError(Reason.BAD_LENGTH, f"compressed point must be 33 bytes, got {len(data)}")
    prefix = data[0]
    if prefix not in (EVEN_PREFIX, ODD_PREFIX):
        raise SpecError(Reason.INVALID_POINT, f"compressed point prefix {prefix:#04x} is not 2/3")
    point = lift_x(int_from_bytes(data[1:]))
    if point is None:
        raise SpecError(Reason.INVALID_POINT, f"{data.hex()} is not a compressed curve point")
    return point if prefix == EVEN_PREFIX else point_negate(point)


def cpoint_ext(data: bytes) -> Point:
    """Decode a compressed point, 33 zero bytes as infinity (BIP327 ``cpoint_ext``) (§IV-D)."""
    if data == INFINITY_ENCODING:
        return None
    return cpoint(data)
