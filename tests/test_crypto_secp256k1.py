"""Readable secp256k1 arithmetic: group law, the Jacobian ladder, and point encodings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec.crypto import secp256k1 as ec
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.strategies import scalars

SMALL = st.integers(min_value=0, max_value=40)


def test_curve_constants() -> None:
    assert ec.is_on_curve(ec.G)
    assert ec.point_mul(ec.G, ec.N) is None
    assert ec.point_mul(ec.G, ec.N - 1) == ec.point_negate(ec.G)
    assert ec.P % 4 == 3  # lift_x takes square roots as c^((p+1)/4)


@given(SMALL)
def test_ladder_equals_repeated_affine_addition(k: int) -> None:
    total: ec.Point = None
    for _ in range(k):
        total = ec.point_add(total, ec.G)
    assert ec.mul_base(k) == total


@settings(max_examples=30, deadline=None)
@given(scalars, scalars)
def test_jacobian_add_equals_affine_add(a: int, b: int) -> None:
    p1, p2 = ec.mul_base(a), ec.mul_base(b)
    for q1, q2 in ((p1, p2), (p1, p1), (p1, ec.point_negate(p1)), (None, p2), (p1, None)):
        got = ec.from_jacobian(ec.jacobian_add(ec.to_jacobian(q1), ec.to_jacobian(q2)))
        assert got == ec.point_add(q1, q2)
        assert ec.is_on_curve(got)


@settings(max_examples=30, deadline=None)
@given(scalars, scalars)
def test_scalar_multiplication_is_linear(a: int, b: int) -> None:
    assert ec.point_add(ec.mul_base(a), ec.mul_base(b)) == ec.mul_base(a + b)
    assert ec.point_mul(ec.mul_base(a), b) == ec.mul_base(a * b)
    assert ec.lincomb([(ec.G, a), (ec.G, b)]) == ec.mul_base(a + b)


@settings(max_examples=30, deadline=None)
@given(scalars)
def test_encodings_round_trip(k: int) -> None:
    point = ec.mul_base(k)
    assert ec.cpoint(ec.cbytes(point)) == point
    assert ec.cpoint_ext(ec.cbytes_ext(point)) == point
    lifted = ec.xonly_point(ec.xbytes(point))
    assert lifted in (point, ec.point_negate(point)) and ec.has_even_y(lifted)


def test_infinity_encoding_and_rejections() -> None:
    assert ec.cbytes_ext(None) == bytes(33)
    assert ec.cpoint_ext(bytes(33)) is None
    cases = {
        b"\x04" + ec.xbytes(ec.G): Reason.INVALID_POINT,  # wrong prefix
        b"\x02" + ec.bytes_from_int(ec.P): Reason.INVALID_POINT,  # x >= p
        b"\x02" + ec.bytes_from_int(7): Reason.INVALID_POINT,  # 7^3 + 7 is not a square
        ec.cbytes(ec.G)[:32]: Reason.BAD_LENGTH,
        bytes(33): Reason.INVALID_POINT,  # infinity is not a plain compressed point
    }
    for data, reason in cases.items():
        with pytest.raises(SpecError) as info:
            ec.cpoint(data)
        assert info.value.reason is reason, data.hex()
    with pytest.raises(SpecError):
        ec.xonly_point(ec.bytes_from_int(ec.P + 1)[:32])
    with pytest.raises(SpecError):
        ec.x_of(None)
    assert ec.lift_x(ec.P) is None
