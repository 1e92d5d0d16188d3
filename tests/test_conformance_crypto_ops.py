"""The point, quorum-rule and certificate-session operations of the crypto suite answer rightly.

The point operations run the readable arithmetic; here they are held to libsecp256k1 (through
coincurve), an independent implementation. The quorum rule is held to the sizes, and the
certificate sessions and batches to single verification.
"""

from __future__ import annotations

from typing import Any

import pytest
from coincurve import PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec.conformance import suite
from vdlt_spec.conformance.operations import call
from vdlt_spec.conformance.ops.certificate import both_engines
from vdlt_spec.crypto import max_faulty, quorum_size, secp256k1
from vdlt_spec.crypto.secp256k1 import INFINITY_ENCODING, N, P
from vdlt_spec.errors import Reason, SpecError

SCALARS = st.integers(min_value=1, max_value=N - 1)
CURVE = settings(max_examples=40, deadline=None)
"""The readable arithmetic costs milliseconds per scalar multiplication."""


def _key(k: int) -> PublicKey:
    return PublicKey.from_valid_secret(k.to_bytes(32, "big"))


def _encoded(k: int) -> str:
    return "00" * 33 if k % N == 0 else _key(k % N).format(compressed=True).hex()


def _vectors(op: str) -> list[Any]:
    return [v for v in suite.bundled()["crypto"].vectors if v.op == op]


def _reason(op: str, payload: dict[str, Any]) -> Reason:
    with pytest.raises(SpecError) as caught:
        call(op, payload)
    return caught.value.reason


@CURVE
@given(SCALARS, SCALARS)
def test_point_add_matches_libsecp256k1(a: int, b: int) -> None:
    sum_ = call("crypto.point_add", {"a": _encoded(a), "b": _encoded(b)})["sum"]
    assert sum_ == _encoded(a + b)


@CURVE
@given(SCALARS)
def test_point_add_doubles_and_cancels(a: int) -> None:
    assert call("crypto.point_add", {"a": _encoded(a), "b": _encoded(a)})["sum"] == _encoded(2 * a)
    minus = {"a": _encoded(a), "b": _encoded(N - a)}
    assert call("crypto.point_add", minus)["sum"] == INFINITY_ENCODING.hex()
    for pair in ({"a": _encoded(a), "b": "00" * 33}, {"a": "00" * 33, "b": _encoded(a)}):
        assert call("crypto.point_add", pair)["sum"] == _encoded(a)


@CURVE
@given(SCALARS, st.integers(min_value=0, max_value=2**256 - 1))
def test_point_multiply_matches_libsecp256k1(a: int, k: int) -> None:
    payload = {"scalar": k.to_bytes(32, "big").hex(), "point": _encoded(a)}
    assert call("crypto.point_multiply", payload)["product"] == _encoded(a * k)


@pytest.mark.parametrize("k", [0, 1, N - 1, N, N + 1])
def test_point_multiply_at_the_group_order(k: int) -> None:
    payload = {"scalar": k.to_bytes(32, "big").hex(), "point": _encoded(7)}
    assert call("crypto.point_multiply", payload)["product"] == _encoded(7 * k)


@CURVE
@given(SCALARS)
def test_point_decode_gives_the_coordinates_libsecp256k1_gives(a: int) -> None:
    x, y = _key(a).point()
    point = call("crypto.point_decode", {"point": _encoded(a)})["point"]
    assert point == {"x": x.to_bytes(32, "big").hex(), "y": y.to_bytes(32, "big").hex()}


def test_point_decode_reads_33_zero_bytes_as_infinity_and_takes_33_or_65_bytes() -> None:
    assert call("crypto.point_decode", {"point": "00" * 33}) == {"point": None}
    for length in (0, 1, 32, 34, 64, 66):
        assert _reason("crypto.point_decode", {"point": "00" * length}) is Reason.BAD_LENGTH
    assert _reason("crypto.point_decode", {"point": "00" * 65}) is Reason.INVALID_POINT


@pytest.mark.parametrize("x", [P, P + 1, 2**256 - 1, 0, 5])
def test_point_decode_refuses_an_x_that_is_no_curve_point(x: int) -> None:
    encoding = "02" + x.to_bytes(32, "big").hex()
    assert _reason("crypto.point_decode", {"point": encoding}) is Reason.INVALID_POINT


@CURVE
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, N + 5)), max_size=4))
def test_point_lincomb_matches_the_readable_arithmetic(terms: list[tuple[int, int]]) -> None:
    points = [None, secp256k1.G, secp256k1.mul_base(2), secp256k1.mul_base(N - 1)]
    points += [secp256k1.mul_base(3**40), secp256k1.mul_base(5**60)]
    chosen = [(points[i], k) for i, k in terms]
    payload = [
        {"point": secp256k1.cbytes_ext(p).hex(), "scalar": k.to_bytes(32, "big").hex()}
        for p, k in chosen
    ]
    expected = secp256k1.cbytes_ext(secp256k1.lincomb(chosen)).hex()
    assert call("crypto.point_lincomb", {"terms": payload})["sum"] == expected


@CURVE
@given(SCALARS)
def test_an_uncompressed_point_decodes_as_its_compressed_form(a: int) -> None:
    uncompressed = _key(a).format(compressed=False).hex()
    same = call("crypto.point_decode", {"point": _encoded(a)})
    assert call("crypto.point_decode", {"point": uncompressed}) == same
    x, y = _key(a).point()
    off = "04" + x.to_bytes(32, "big").hex() + ((y + 1) % P).to_bytes(32, "big").hex()
    assert _reason("crypto.point_decode", {"point": off}) is Reason.INVALID_POINT


@CURVE
@given(st.integers(min_value=1, max_value=300), st.data())
def test_quorum_rule_agrees_with_the_sizes(n: int, data: st.DataObject) -> None:
    count = data.draw(st.integers(min_value=0, max_value=n + 2))
    answer = call("crypto.quorum_rule", {"count": count, "n": n})
    assert answer == {
        "quorum": count >= quorum_size(n),
        "least_quorum": count == quorum_size(n),
        "tolerated": count <= max_faulty(n),
        "most_tolerated": count == max_faulty(n),
    }


def test_quorum_rule_needs_a_roster() -> None:
    assert _reason("crypto.quorum_rule", {"count": 0, "n": 0}) is Reason.ROSTER_EMPTY


def test_made_certificates_verify_with_their_signers() -> None:
    made = [v for v in _vectors("crypto.certificate_make") if v.expect_error is None]
    assert len(made) >= 10
    for vector in made:
        signers = sorted(s["index"] for s in vector.input["signers"])
        n = len(vector.input["roster"])
        payload = {
            "roster": vector.input["roster"],
            "message": vector.input["message"],
            "certificate": vector.expect_output["certificate"],
        }
        if 3 * len(signers) > 2 * n:
            assert call("crypto.certificate_verify", payload) == {"signers": signers}
        else:
            assert _reason("crypto.certificate_verify", payload) is Reason.QUORUM_TOO_SMALL
        assert call("crypto.certificate_make", vector.input) == vector.expect_output


def test_batch_verdicts_are_those_of_verifying_each_certificate_alone() -> None:
    batches = _vectors("crypto.certificate_verify_batch")
    assert sum(len(v.input["certificates"]) for v in batches) >= 20
    for vector in batches:
        for claim, verdict in zip(
            vector.input["certificates"], vector.expect_output["verdicts"], strict=True
        ):
            try:
                alone: dict[str, Any] = call("crypto.certificate_verify", claim)
            except SpecError as exc:
                alone = {"error": exc.reason.value}
            assert verdict == alone


def test_the_reference_answers_only_when_both_engines_agree() -> None:
    refusal = SpecError(Reason.BAD_LENGTH, "readable")

    def refuse() -> None:
        raise refusal

    def refuse_too() -> None:
        raise SpecError(Reason.BAD_LENGTH, "libsecp256k1 words it otherwise")

    assert both_engines(lambda: 1, lambda: 1) == 1
    with pytest.raises(SpecError) as caught:
        both_engines(refuse, refuse_too)
    assert caught.value is refusal
    for other in (lambda: 2, refuse):
        with pytest.raises(RuntimeError):
            both_engines(lambda: 1, other)
