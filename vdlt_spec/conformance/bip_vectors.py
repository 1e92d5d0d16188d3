"""Load and run the published BIP340 and BIP327 test vectors shipped in the package (§IV-D).

The files are byte-for-byte copies of bitcoin/bips (see ``vectors/SOURCES.md``), installed as
package data so that ``vdlt verify`` runs them without the source tree. The runners check each
case against :mod:`vdlt_spec.crypto.bip340` and :mod:`vdlt_spec.crypto.musig2` on either
arithmetic engine and return one :class:`CaseResult` per case. Error cases must match exactly:
an ``invalid_contribution`` must raise ``InvalidContributionError`` blaming the same signer
index and contribution; a ``value`` error must raise the reason that the BIP's message names.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from vdlt_spec.crypto import bip340, musig2
from vdlt_spec.crypto.group import READABLE, Group
from vdlt_spec.crypto.musig2 import InvalidContributionError
from vdlt_spec.errors import Reason, SpecError

VECTOR_PACKAGE = "vdlt_spec.conformance"
VECTOR_DIR = "vectors"
BIP340_FILE = "bip340-test-vectors.csv"
BIP327_FILES = (
    "key_sort",
    "key_agg",
    "nonce_gen",
    "nonce_agg",
    "sign_verify",
    "tweak",
    "sig_agg",
    "det_sign",
)


@dataclass(frozen=True)
class Bip340Row:
    """Hold one row of the BIP340 vector table; absent fields are ``None``."""

    index: int
    seckey: bytes | None
    pubkey: bytes
    aux_rand: bytes | None
    message: bytes
    signature: bytes
    result: bool
    comment: str


def read_vector_text(name: str) -> str:
    """Return the text of the packaged vector file ``name`` (§IV-D)."""
    try:
        return (resources.files(VECTOR_PACKAGE) / VECTOR_DIR / name).read_text(encoding="utf-8")
    except (OSError, FileNotFoundError) as exc:
        raise SpecError(Reason.BAD_INPUT_FILE, f"vector file {name}: {exc}") from None


def _hex_or_none(text: str) -> bytes | None:
    return bytes.fromhex(text) if text else None


def bip340_rows() -> tuple[Bip340Row, ...]:
    """Return every row of the BIP340 vector table, in file order (§IV-D)."""
    reader = csv.DictReader(io.StringIO(read_vector_text(BIP340_FILE)))
    rows = []
    for raw in reader:
        rows.append(
            Bip340Row(
                index=int(raw["index"]),
                seckey=_hex_or_none(raw["secret key"]),
                pubkey=bytes.fromhex(raw["public key"]),
                aux_rand=_hex_or_none(raw["aux_rand"]),
                message=bytes.fromhex(raw["message"]),
                signature=bytes.fromhex(raw["signature"]),
                result=raw["verification result"] == "TRUE",
                comment=raw["comment"],
            )
        )
    return tuple(rows)


def bip327_vectors(kind: str) -> dict[str, Any]:
    """Return the parsed BIP327 vector file of ``kind`` (e.g. ``"key_agg"``) (§IV-D)."""
    if kind not in BIP327_FILES:
        raise SpecError(Reason.BAD_USAGE, f"no BIP327 vector file {kind!r}; known: {BIP327_FILES}")
    document: dict[str, Any] = json.loads(read_vector_text(f"bip327-{kind}_vectors.json"))
    return document


# --- running the vectors ---------------------------------------------------------------------

BIP327_VALUE_ERRORS = {
    "The signer's pubkey must be included in the list of pubkeys.": Reason.PUBKEY_NOT_IN_SESSION,
    "The tweak must be less than n.": Reason.TWEAK_OUT_OF_RANGE,
    "The result of tweaking cannot be infinity.": Reason.TWEAK_RESULT_INFINITE,
    "first secnonce value is out of range.": Reason.SECNONCE_OUT_OF_RANGE,
}
"""The ``value`` errors of the BIP327 vectors, by message, and the reason we raise for each."""


@dataclass(frozen=True)
class CaseResult:
    """Record the outcome of one vector case: where it is, whether it passed, and why not."""

    suite: str
    section: str
    index: int
    passed: bool
    detail: str = ""


VectorCheck = Callable[[], str | None]
"""A vector case as a thunk: ``None`` if the implementation agrees, else what differed."""


def _h(text: str | None) -> bytes | None:
    return None if text is None else bytes.fromhex(text)


def _x(text: str) -> bytes:
    return bytes.fromhex(text)


def _pick(items: list[str], indices: list[int]) -> list[bytes]:
    return [_x(items[i]) for i in indices]


def _differs(name: str, got: object, expected: object) -> str | None:
    if got == expected:
        return None
    shown = [v.hex() if isinstance(v, bytes) else repr(v) for v in (got, expected)]
    return f"{name}: got {shown[0]}, expected {shown[1]}"


def _first(*findings: str | None) -> str | None:
    return next((f for f in findings if f is not None), None)


def error_mismatch(error: dict[str, Any], call: Callable[[], object]) -> str | None:
    """Run ``call`` and say how its failure differs from the vector's ``error`` (§IV-D)."""
    try:
        call()
    except SpecError as exc:
        blamed = isinstance(exc, InvalidContributionError)
        if error["type"] == "invalid_contribution":
            if not isinstance(exc, InvalidContributionError):
                return f"expected blame of signer {error['signer']}, got {exc.reason.value}"
            got = (exc.signer, exc.contrib)
            return _differs("blame (signer, contrib)", got, (error["signer"], error["contrib"]))
        expected = BIP327_VALUE_ERRORS.get(error["message"])
        if expected is None:
            return f"no reason is mapped to the BIP message {error['message']!r}"
        if blamed:
            return f"expected {expected.value} without blame, got {exc}"
        return _differs("reason", exc.reason, expected)
    return f"expected an error ({error}), got success"


def _run(suite: str, section: str, index: int, check: VectorCheck) -> CaseResult:
    try:
        finding = check()
    except SpecError as exc:
        finding = f"unexpected error {exc}"
    return CaseResult(suite, section, index, finding is None, finding or "")


def run_bip340(
    *, group: Group = READABLE, rows: Sequence[Bip340Row] | None = None
) -> tuple[CaseResult, ...]:
    """Check every BIP340 row: verification result, and key and signature where given (§IV-D)."""
    results = []
    for row in bip340_rows() if rows is None else rows:

        def check(row: Bip340Row = row) -> str | None:
            verified = bip340.schnorr_verify(row.message, row.pubkey, row.signature, group=group)
            finding = _differs("verification", verified, row.result)
            if finding is None and row.seckey is not None and row.aux_rand is not None:
                finding = _first(
                    _differs("pubkey", bip340.pubkey_gen(row.seckey, group=group), row.pubkey),
                    _differs(
                        "signature",
                        bip340.schnorr_sign(row.message, row.seckey, row.aux_rand, group=group),
                        row.signature,
                    ),
                )
            return finding

        results.append(_run("bip340", "rows", row.index, check))
    return tuple(results)


def _tweaked(
    pubkeys: list[bytes], tweaks: list[bytes], is_xonly: list[bool], group: Group
) -> musig2.KeyAggContext:
    ctx = musig2.key_agg(pubkeys, group=group)
    for tweak, xonly in zip(tweaks, is_xonly, strict=True):
        ctx = musig2.apply_tweak(ctx, tweak, xonly, group=group)
    return ctx


def _bip327_check(
    kind: str, section: str, case: dict[str, Any], vec: dict[str, Any], group: Group
) -> VectorCheck:
    g = group
    if kind == "key_sort":
        return lambda: _differs(
            "sorted",
            musig2.key_sort([_x(k) for k in vec["pubkeys"]]),
            [_x(k) for k in vec["sorted_pubkeys"]],
        )
    if kind == "key_agg":
        pubkeys = _pick(vec["pubkeys"], case["key_indices"])
        if section == "valid_test_cases":
            return lambda: _differs(
                "aggregate key",
                musig2.get_xonly_pk(musig2.key_agg(pubkeys, group=g)),
                _x(case["expected"]),
            )
        tweaks = _pick(vec["tweaks"], case["tweak_indices"])
        return lambda: error_mismatch(
            case["error"], lambda: _tweaked(pubkeys, tweaks, case["is_xonly"], g)
        )
    if kind == "nonce_gen":

        def nonce_gen() -> str | None:
            pair = musig2.nonce_gen_internal(
                _x(case["rand_"]),
                _h(case["sk"]),
                _x(case["pk"]),
                _h(case["aggpk"]),
                _h(case["msg"]),
                _h(case["extra_in"]),
                group=g,
            )
            return _first(
                _differs("secnonce", bytes(pair.secnonce), _x(case["expected_secnonce"])),
                _differs("pubnonce", pair.pubnonce, _x(case["expected_pubnonce"])),
            )

        return nonce_gen
    if kind == "nonce_agg":
        pubnonces = _pick(vec["pnonces"], case["pnonce_indices"])
        if section == "valid_test_cases":
            return lambda: _differs(
                "aggnonce", musig2.nonce_agg(pubnonces, group=g), _x(case["expected"])
            )
        return lambda: error_mismatch(case["error"], lambda: musig2.nonce_agg(pubnonces, group=g))
    if kind == "sign_verify":
        return _sign_verify_check(section, case, vec, g)
    if kind == "tweak":
        return _tweak_check(section, case, vec, g)
    if kind == "sig_agg":
        return _sig_agg_check(section, case, vec, g)
    if kind == "det_sign":
        return _det_sign_check(section, case, vec, g)
    raise SpecError(Reason.BAD_USAGE, f"no BIP327 vector file {kind!r}")


def _session(
    aggnonce: bytes, pubkeys: list[bytes], tweaks: list[bytes], is_xonly: list[bool], msg: bytes
) -> musig2.SessionContext:
    return musig2.SessionContext(aggnonce, tuple(pubkeys), tuple(tweaks), tuple(is_xonly), msg)


def _signed_as_expected(
    psig: bytes,
    pubnonces: list[bytes],
    session: musig2.SessionContext,
    case: dict[str, Any],
    g: Group,
) -> str | None:
    """Compare a signing case: NonceAgg, the partial signature, PartialSigVerify (BIP327)."""
    return _first(
        _differs("aggnonce", musig2.nonce_agg(pubnonces, group=g), session.aggnonce),
        _differs("psig", psig, _x(case["expected"])),
        _differs(
            "partial_sig_verify",
            musig2.partial_sig_verify(
                psig,
                pubnonces,
                session.pubkeys,
                session.tweaks,
                session.is_xonly,
                session.msg,
                case["signer_index"],
                group=g,
            ),
            True,
        ),
    )


def _sign_verify_check(
    section: str, case: dict[str, Any], vec: dict[str, Any], g: Group
) -> VectorCheck:
    sk = _x(vec["sk"])
    pubkeys = _pick(vec["pubkeys"], case["key_indices"])
    msg = _x(vec["msgs"][case["msg_index"]])
    signing = section in ("valid_test_cases", "sign_error_test_cases")
    aggnonce = _x(vec["aggnonces"][case["aggnonce_index"]]) if signing else b""
    session = _session(aggnonce, pubkeys, [], [], msg)
    if section == "valid_test_cases":
        pubnonces = _pick(vec["pnonces"], case["nonce_indices"])

        def valid() -> str | None:
            psig = musig2.sign(bytearray(_x(vec["secnonces"][0])), sk, session, group=g)
            return _signed_as_expected(psig, pubnonces, session, case, g)

        return valid
    if section == "sign_error_test_cases":
        secnonce = _x(vec["secnonces"][case["secnonce_index"]])
        return lambda: error_mismatch(
            case["error"], lambda: musig2.sign(bytearray(secnonce), sk, session, group=g)
        )
    pubnonces = _pick(vec["pnonces"], case["nonce_indices"])

    def verify() -> bool:
        return musig2.partial_sig_verify(
            _x(case["sig"]), pubnonces, pubkeys, [], [], msg, case["signer_index"], group=g
        )

    if section == "verify_fail_test_cases":
        return lambda: _differs("partial_sig_verify", verify(), False)
    return lambda: error_mismatch(case["error"], verify)


def _tweak_check(section: str, case: dict[str, Any], vec: dict[str, Any], g: Group) -> VectorCheck:
    pubkeys = _pick(vec["pubkeys"], case["key_indices"])
    pubnonces = _pick(vec["pnonces"], case["nonce_indices"])
    tweaks = _pick(vec["tweaks"], case["tweak_indices"])
    msg, aggnonce = _x(vec["msg"]), _x(vec["aggnonce"])
    session = _session(aggnonce, pubkeys, tweaks, case["is_xonly"], msg)

    def sign() -> bytes:
        return musig2.sign(bytearray(_x(vec["secnonce"])), _x(vec["sk"]), session, group=g)

    if section == "error_test_cases":
        return lambda: error_mismatch(case["error"], sign)

    def valid() -> str | None:
        return _signed_as_expected(sign(), pubnonces, session, case, g)

    return valid


def _sig_agg_check(
    section: str, case: dict[str, Any], vec: dict[str, Any], g: Group
) -> VectorCheck:
    pubkeys = _pick(vec["pubkeys"], case["key_indices"])
    tweaks = _pick(vec["tweaks"], case["tweak_indices"])
    psigs = _pick(vec["psigs"], case["psig_indices"])
    msg, aggnonce = _x(vec["msg"]), _x(case["aggnonce"])
    session = _session(aggnonce, pubkeys, tweaks, case["is_xonly"], msg)
    if section == "error_test_cases":
        return lambda: error_mismatch(
            case["error"], lambda: musig2.partial_sig_agg(psigs, session, group=g)
        )
    pubnonces = _pick(vec["pnonces"], case["nonce_indices"])

    def valid() -> str | None:
        sig = musig2.partial_sig_agg(psigs, session, group=g)
        aggpk = musig2.get_xonly_pk(_tweaked(pubkeys, tweaks, case["is_xonly"], g))
        return _first(
            _differs("aggnonce", musig2.nonce_agg(pubnonces, group=g), aggnonce),
            _differs("signature", sig, _x(case["expected"])),
            _differs("BIP340 verify", bip340.schnorr_verify(msg, aggpk, sig, group=g), True),
        )

    return valid


def _det_sign_check(
    section: str, case: dict[str, Any], vec: dict[str, Any], g: Group
) -> VectorCheck:
    pubkeys = _pick(vec["pubkeys"], case["key_indices"])
    tweaks = [_x(t) for t in case["tweaks"]]
    msg = _x(vec["msgs"][case["msg_index"]])
    aggothernonce = _x(case["aggothernonce"])

    def sign() -> tuple[bytes, bytes]:
        return musig2.deterministic_sign(
            _x(vec["sk"]),
            aggothernonce,
            pubkeys,
            tweaks,
            case["is_xonly"],
            msg,
            _h(case["rand"]),
            group=g,
        )

    if section == "error_test_cases":
        return lambda: error_mismatch(case["error"], sign)

    def valid() -> str | None:
        pubnonce, psig = sign()
        aggnonce = musig2.nonce_agg([pubnonce, aggothernonce], group=g)
        session = _session(aggnonce, pubkeys, tweaks, case["is_xonly"], msg)
        signer_pk = pubkeys[case["signer_index"]]
        return _first(
            _differs("[pubnonce, psig]", [pubnonce, psig], [_x(e) for e in case["expected"]]),
            _differs(
                "partial_sig_verify",
                musig2.partial_sig_verify_internal(psig, pubnonce, signer_pk, session, group=g),
                True,
            ),
        )

    return valid


def bip327_case_ids(kind: str) -> tuple[tuple[str, int], ...]:
    """Return the (section, index) of every case in BIP327 vector file ``kind`` (§IV-D)."""
    document = bip327_vectors(kind)
    if kind == "key_sort":
        return (("sorted_pubkeys", 0),)
    return tuple(
        (section, i)
        for section, value in document.items()
        if section.endswith("test_cases") or section == "test_cases"
        for i in range(len(value))
    )


def run_bip327_case(
    kind: str,
    section: str,
    index: int,
    *,
    group: Group = READABLE,
    document: dict[str, Any] | None = None,
) -> CaseResult:
    """Check one case of BIP327 vector file ``kind`` (``document`` overrides the file) (§IV-D)."""
    vec = bip327_vectors(kind) if document is None else document
    case: dict[str, Any] = {} if kind == "key_sort" else vec[section][index]
    return _run(f"bip327-{kind}", section, index, _bip327_check(kind, section, case, vec, group))


def run_bip327(*, group: Group = READABLE) -> tuple[CaseResult, ...]:
    """Check every case of the eight BIP327 vector files (§IV-D)."""
    return tuple(
        run_bip327_case(kind, section, index, group=group)
        for kind in BIP327_FILES
        for section, index in bip327_case_ids(kind)
    )
