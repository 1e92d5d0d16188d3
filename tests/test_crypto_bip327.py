"""BIP327 MuSig2: every case of the eight published vector files, on both arithmetic engines.

Error cases are checked for the exact kind: an ``invalid_contribution`` must raise
``InvalidContributionError`` with the same blamed signer index and contribution; a ``value``
error must raise the ``SpecError`` reason that the BIP's message names, and must not blame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from vdlt_spec.conformance.bip_vectors import BIP327_FILES, bip327_vectors
from vdlt_spec.crypto import bip340, musig2
from vdlt_spec.crypto.fast import FAST
from vdlt_spec.crypto.group import READABLE, Group
from vdlt_spec.crypto.musig2 import InvalidContributionError, SessionContext
from vdlt_spec.errors import Reason, SpecError

GROUPS = pytest.mark.parametrize("group", [READABLE, FAST], ids=lambda g: g.name)

VALUE_ERRORS = {
    "The signer's pubkey must be included in the list of pubkeys.": Reason.PUBKEY_NOT_IN_SESSION,
    "The tweak must be less than n.": Reason.TWEAK_OUT_OF_RANGE,
    "The result of tweaking cannot be infinity.": Reason.TWEAK_RESULT_INFINITE,
    "first secnonce value is out of range.": Reason.SECNONCE_OUT_OF_RANGE,
}


def h(text: str | None) -> bytes | None:
    return None if text is None else bytes.fromhex(text)


def hx(text: str) -> bytes:
    return bytes.fromhex(text)


def pick(items: list[str], indices: list[int]) -> list[bytes]:
    return [hx(items[i]) for i in indices]


def expect_error(error: dict[str, Any], call: Callable[[], object]) -> None:
    with pytest.raises(SpecError) as info:
        call()
    raised = info.value
    if error["type"] == "invalid_contribution":
        assert isinstance(raised, InvalidContributionError), raised
        assert raised.signer == error["signer"]
        assert raised.contrib == error["contrib"]
    else:
        assert error["type"] == "value"
        assert not isinstance(raised, InvalidContributionError), raised
        assert raised.reason is VALUE_ERRORS[error["message"]], raised


def cases(kind: str, key: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = bip327_vectors(kind)[key]
    return found


def test_every_vector_file_loads() -> None:
    counts = {kind: sum(len(v) for v in bip327_vectors(kind).values()) for kind in BIP327_FILES}
    assert len(counts) == 8 and all(counts.values())


def test_key_sort() -> None:
    vec = bip327_vectors("key_sort")
    assert musig2.key_sort([hx(k) for k in vec["pubkeys"]]) == [
        hx(k) for k in vec["sorted_pubkeys"]
    ]


@GROUPS
@pytest.mark.parametrize("case", cases("key_agg", "valid_test_cases"))
def test_key_agg_valid(group: Group, case: dict[str, Any]) -> None:
    vec = bip327_vectors("key_agg")
    ctx = musig2.key_agg(pick(vec["pubkeys"], case["key_indices"]), group=group)
    assert musig2.get_xonly_pk(ctx) == hx(case["expected"])


@GROUPS
@pytest.mark.parametrize("case", cases("key_agg", "error_test_cases"))
def test_key_agg_errors(group: Group, case: dict[str, Any]) -> None:
    vec = bip327_vectors("key_agg")

    def run() -> None:
        ctx = musig2.key_agg(pick(vec["pubkeys"], case["key_indices"]), group=group)
        tweaks = pick(vec["tweaks"], case["tweak_indices"])
        for tweak, is_xonly in zip(tweaks, case["is_xonly"], strict=True):
            ctx = musig2.apply_tweak(ctx, tweak, is_xonly, group=group)

    expect_error(case["error"], run)


@GROUPS
@pytest.mark.parametrize("case", cases("nonce_gen", "test_cases"))
def test_nonce_gen(group: Group, case: dict[str, Any]) -> None:
    pair = musig2.nonce_gen_internal(
        hx(case["rand_"]),
        h(case["sk"]),
        hx(case["pk"]),
        h(case["aggpk"]),
        h(case["msg"]),
        h(case["extra_in"]),
        group=group,
    )
    assert bytes(pair.secnonce) == hx(case["expected_secnonce"])
    assert pair.pubnonce == hx(case["expected_pubnonce"])


@GROUPS
@pytest.mark.parametrize("case", cases("nonce_agg", "valid_test_cases"))
def test_nonce_agg_valid(group: Group, case: dict[str, Any]) -> None:
    vec = bip327_vectors("nonce_agg")
    pubnonces = pick(vec["pnonces"], case["pnonce_indices"])
    assert musig2.nonce_agg(pubnonces, group=group) == hx(case["expected"])


@GROUPS
@pytest.mark.parametrize("case", cases("nonce_agg", "error_test_cases"))
def test_nonce_agg_errors(group: Group, case: dict[str, Any]) -> None:
    vec = bip327_vectors("nonce_agg")
    pubnonces = pick(vec["pnonces"], case["pnonce_indices"])
    expect_error(case["error"], lambda: musig2.nonce_agg(pubnonces, group=group))


@GROUPS
@pytest.mark.parametrize("case", cases("sign_verify", "valid_test_cases"))
def test_sign_verify_valid(group: Group, case: dict[str, Any]) -> None:
    vec = bip327_vectors("sign_verify")
    pubkeys = pick(vec["pubkeys"], case["key_indices"])
    pubnonces = pick(vec["pnonces"], case["nonce_indices"])
    aggnonce = hx(vec["aggnonces"][case["aggnonce_index"]])
    msg = hx(vec["msgs"][case["msg_index"]])
    assert musig2.nonce_agg(pubnonces, group=group) == aggnonce
    session = SessionContext(aggnonce, tuple(pubkeys), (), (), msg)
    secnonce = bytearray(hx(vec["secnonces"][0]))
    psig = musig2.sign(secnonce, hx(vec["sk"]), session, group=group)
    assert psig == hx(case["expected"])
    assert musig2.partial_sig_verify(
        psig, pubnonces, pubkeys, [], [], msg, case["signer_index"], group=group
    )


@GROUPS
@pytest.mark.parametrize("case", cases("sign_verify", "sign_error_test_cases"))
def test_sign_errors(group: Group, case: dict[str, Any]) -> None:
    vec = bip327_vectors("sign_verify")
    pubkeys = pick(vec["pubkeys"], case["key_indices"])
    aggnonce = hx(vec["aggnonces"][case["aggnonce_index"]])
    msg = hx(vec["msgs"][case["msg_index"]])
    secnonce = bytearray(hx(vec["secnonces"][case["secnonce_index"]]))
    session = SessionContext(aggnonce, tuple(pubkeys), (), (), msg)
    expect_error(case["error"], lambda: musig2.sign(secnonce, hx(vec["sk"]), session, group=group))


@GROUPS
@pytest.mark.parametrize("case", cases("sign_verify", "verify_fail_test_cases"))
def test_verify_fail(group: Group, case: dict[str, Any]) -> None:
    vec = bip327_vectors("sign_verify")
    pubkeys = pick(vec["pubkeys"], case["key_indices"])
    pubnonces = pick(vec["pnonces"], case["nonce_indices"])
    msg = hx(vec["msgs"][case["msg_index"]])
    assert not musig2.partial_sig_verify(
        hx(case["sig"]), pubnonces, pubkeys, [], [], msg, case["signer_index"], group=group
    )


@GROUPS
@pytest.mark.parametrize("case", cases("sign_verify", "verify_error_test_cases"))
def test_verify_errors(group: Group, case: dict[str, Any]) -> None:
    vec = bip327_vectors("sign_verify")
    pubkeys = pick(vec["pubkeys"], case["key_indices"])
    pubnonces = pick(vec["pnonces"], case["nonce_indices"])
    msg = hx(vec["msgs"][case["msg_index"]])
    expect_error(
        case["error"],
        lambda: musig2.partial_sig_verify(
            hx(case["sig"]), pubnonces, pubkeys, [], [], msg, case["signer_index"], group=group
        ),
    )


@GROUPS
@pytest.mark.parametrize("case", cases("tweak", "valid_test_cases"))
def test_tweak_valid(group: Group, case: dict[str, Any]) -> None:
    vec = bip327_vectors("tweak")
    pubkeys = pick(vec["pubkeys"], case["key_indices"])
    pubnonces = pick(vec["pnonces"], case["nonce_indices"])
    tweaks = pick(vec["tweaks"], case["tweak_indices"])
    msg = hx(vec["msg"])
    aggnonce = hx(vec["aggnonce"])
    assert musig2.nonce_agg(pubnonces, group=group) == aggnonce
    session = SessionContext(aggnonce, tuple(pubkeys), tuple(tweaks), tuple(case["is_xonly"]), msg)
    psig = musig2.sign(bytearray(hx(vec["secnonce"])), hx(vec["sk"]), session, group=group)
    assert psig == hx(case["expected"])
    assert musig2.partial_sig_verify(
        psig, pubnonces, pubkeys, tweaks, case["is_xonly"], msg, case["signer_index"], group=group
    )


@GROUPS
@pytest.mark.parametrize("case", cases("tweak", "error_test_cases"))
def test_tweak_errors(group: Group, case: dict[str, Any]) -> None:
    vec = bip327_vectors("tweak")
    pubkeys = pick(vec["pubkeys"], case["key_indices"])
    tweaks = pick(vec["tweaks"], case["tweak_indices"])
    session = SessionContext(
        hx(vec["aggnonce"]), tuple(pubkeys), tuple(tweaks), tuple(case["is_xonly"]), hx(vec["msg"])
    )
    expect_error(
        case["error"],
        lambda: musig2.sign(bytearray(hx(vec["secnonce"])), hx(vec["sk"]), session, group=group),
    )


@GROUPS
@pytest.mark.parametrize("case", cases("sig_agg", "valid_test_cases"))
def test_sig_agg_valid(group: Group, case: dict[str, Any]) -> None:
    vec = bip327_vectors("sig_agg")
    pubkeys = pick(vec["pubkeys"], case["key_indices"])
    pubnonces = pick(vec["pnonces"], case["nonce_indices"])
    tweaks = pick(vec["tweaks"], case["tweak_indices"])
    psigs = pick(vec["psigs"], case["psig_indices"])
    msg = hx(vec["msg"])
    aggnonce = hx(case["aggnonce"])
    assert musig2.nonce_agg(pubnonces, group=group) == aggnonce
    session = SessionContext(aggnonce, tuple(pubkeys), tuple(tweaks), tuple(case["is_xonly"]), msg)
    sig = musig2.partial_sig_agg(psigs, session, group=group)
    assert sig == hx(case["expected"])
    ctx = musig2.key_agg(pubkeys, group=group)
    for tweak, is_xonly in zip(tweaks, case["is_xonly"], strict=True):
        ctx = musig2.apply_tweak(ctx, tweak, is_xonly, group=group)
    assert bip340.schnorr_verify(msg, musig2.get_xonly_pk(ctx), sig, group=group)


@GROUPS
@pytest.mark.parametrize("case", cases("sig_agg", "error_test_cases"))
def test_sig_agg_errors(group: Group, case: dict[str, Any]) -> None:
    vec = bip327_vectors("sig_agg")
    pubkeys = pick(vec["pubkeys"], case["key_indices"])
    tweaks = pick(vec["tweaks"], case["tweak_indices"])
    psigs = pick(vec["psigs"], case["psig_indices"])
    session = SessionContext(
        hx(case["aggnonce"]), tuple(pubkeys), tuple(tweaks), tuple(case["is_xonly"]), hx(vec["msg"])
    )
    expect_error(case["error"], lambda: musig2.partial_sig_agg(psigs, session, group=group))


@GROUPS
@pytest.mark.parametrize("case", cases("det_sign", "valid_test_cases"))
def test_det_sign_valid(group: Group, case: dict[str, Any]) -> None:
    vec = bip327_vectors("det_sign")
    pubkeys = pick(vec["pubkeys"], case["key_indices"])
    tweaks = [hx(t) for t in case["tweaks"]]
    msg = hx(vec["msgs"][case["msg_index"]])
    aggothernonce = hx(case["aggothernonce"])
    pubnonce, psig = musig2.deterministic_sign(
        hx(vec["sk"]),
        aggothernonce,
        pubkeys,
        tweaks,
        case["is_xonly"],
        msg,
        h(case["rand"]),
        group=group,
    )
    assert [pubnonce, psig] == [hx(x) for x in case["expected"]]
    aggnonce = musig2.nonce_agg([pubnonce, aggothernonce], group=group)
    session = SessionContext(aggnonce, tuple(pubkeys), tuple(tweaks), tuple(case["is_xonly"]), msg)
    signer_pk = pubkeys[case["signer_index"]]
    assert musig2.partial_sig_verify_internal(psig, pubnonce, signer_pk, session, group=group)


@GROUPS
@pytest.mark.parametrize("case", cases("det_sign", "error_test_cases"))
def test_det_sign_errors(group: Group, case: dict[str, Any]) -> None:
    vec = bip327_vectors("det_sign")
    pubkeys = pick(vec["pubkeys"], case["key_indices"])
    tweaks = [hx(t) for t in case["tweaks"]]
    msg = hx(vec["msgs"][case["msg_index"]])
    expect_error(
        case["error"],
        lambda: musig2.deterministic_sign(
            hx(vec["sk"]),
            hx(case["aggothernonce"]),
            pubkeys,
            tweaks,
            case["is_xonly"],
            msg,
            h(case["rand"]),
            group=group,
        ),
    )


def test_sign_zeroes_secnonce_so_reuse_fails() -> None:
    vec = bip327_vectors("sign_verify")
    case = vec["valid_test_cases"][0]
    pubkeys = pick(vec["pubkeys"], case["key_indices"])
    session = SessionContext(hx(vec["aggnonces"][0]), tuple(pubkeys), (), (), hx(vec["msgs"][0]))
    secnonce = bytearray(hx(vec["secnonces"][0]))
    musig2.sign(secnonce, hx(vec["sk"]), session, group=FAST)
    assert secnonce[:64] == bytes(64)
    with pytest.raises(SpecError) as info:
        musig2.sign(secnonce, hx(vec["sk"]), session, group=FAST)
    assert info.value.reason is Reason.SECNONCE_OUT_OF_RANGE


def test_secnonce_of_another_key_is_rejected() -> None:
    vec = bip327_vectors("sign_verify")
    pubkeys = pick(vec["pubkeys"], [0, 1, 2])
    session = SessionContext(hx(vec["aggnonces"][0]), tuple(pubkeys), (), (), hx(vec["msgs"][0]))
    other_sk = (3).to_bytes(32, "big")  # its key is pubkeys[1], the secnonce is for pubkeys[0]
    with pytest.raises(SpecError) as info:
        musig2.sign(bytearray(hx(vec["secnonces"][0])), other_sk, session, group=FAST)
    assert info.value.reason is Reason.SECNONCE_KEY_MISMATCH


def test_count_mismatches_are_rejected() -> None:
    with pytest.raises(SpecError) as info:
        SessionContext(bytes(66), (), (bytes(32),), (), b"")
    assert info.value.reason is Reason.COUNT_MISMATCH
    with pytest.raises(SpecError) as info:
        musig2.partial_sig_verify(bytes(32), [bytes(66)], [], [], [], b"", 0)
    assert info.value.reason is Reason.COUNT_MISMATCH
