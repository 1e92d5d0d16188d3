"""BIP327 MuSig2: every case of the eight published vector files, on both arithmetic engines.

The cases run through :mod:`vdlt_spec.conformance.bip_vectors` (also behind ``vdlt verify``).
Error cases are checked for the exact kind: an ``invalid_contribution`` must raise
``InvalidContributionError`` with the same blamed signer index and contribution; a ``value``
error must raise the ``SpecError`` reason that the BIP's message names, and must not blame.
"""

from __future__ import annotations

import copy

import pytest

from vdlt_spec.conformance.bip_vectors import (
    BIP327_FILES,
    bip327_case_ids,
    bip327_vectors,
    error_mismatch,
    run_bip327_case,
)
from vdlt_spec.crypto import musig2
from vdlt_spec.crypto.fast import FAST
from vdlt_spec.crypto.group import READABLE, Group
from vdlt_spec.crypto.musig2 import InvalidContributionError, SessionContext
from vdlt_spec.errors import Reason, SpecError

CASES = [(kind, section, i) for kind in BIP327_FILES for section, i in bip327_case_ids(kind)]


def hx(text: str) -> bytes:
    return bytes.fromhex(text)


def pick(items: list[str], indices: list[int]) -> list[bytes]:
    return [hx(items[i]) for i in indices]


def test_every_file_and_section_is_covered() -> None:
    per_file = {kind: [c for c in CASES if c[0] == kind] for kind in BIP327_FILES}
    assert all(per_file.values())
    sections = {(kind, section) for kind, section, _ in CASES}
    for kind in BIP327_FILES:
        for key, value in bip327_vectors(kind).items():
            if key.endswith("test_cases"):
                assert (kind, key) in sections and len(value) > 0
    assert len(CASES) == 56


@pytest.mark.parametrize("group", [READABLE, FAST], ids=lambda g: g.name)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_vector_case(group: Group, case: tuple[str, str, int]) -> None:
    kind, section, index = case
    result = run_bip327_case(kind, section, index, group=group)
    assert result.passed, result.detail


def test_runner_catches_a_wrong_expectation() -> None:
    document = copy.deepcopy(bip327_vectors("key_agg"))
    document["valid_test_cases"][0]["expected"] = "00" * 32
    result = run_bip327_case("key_agg", "valid_test_cases", 0, group=FAST, document=document)
    assert not result.passed and "aggregate key" in result.detail


def test_runner_catches_a_wrong_blame() -> None:
    document = copy.deepcopy(bip327_vectors("nonce_agg"))
    document["error_test_cases"][0]["error"]["signer"] = 0  # the bad nonce is signer 1's
    result = run_bip327_case("nonce_agg", "error_test_cases", 0, group=FAST, document=document)
    assert not result.passed and "blame" in result.detail


def test_error_matching_is_strict() -> None:
    def blame_none() -> None:
        raise InvalidContributionError(None, "aggnonce")

    def tweak_error() -> None:
        raise SpecError(Reason.TWEAK_OUT_OF_RANGE)

    contribution = {"type": "invalid_contribution", "signer": None, "contrib": "aggnonce"}
    value = {"type": "value", "message": "The tweak must be less than n."}
    assert error_mismatch(contribution, blame_none) is None
    assert error_mismatch(value, tweak_error) is None
    assert error_mismatch(contribution, tweak_error) is not None
    assert error_mismatch(value, blame_none) is not None
    assert error_mismatch(value, lambda: None) is not None
    assert error_mismatch({"type": "value", "message": "unmapped"}, tweak_error) is not None


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
