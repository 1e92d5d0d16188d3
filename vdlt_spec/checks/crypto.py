"""Self-checks of the crypto component: BIP vectors, certificate rules, rogue-key regression."""

from __future__ import annotations

import random
from collections.abc import Sequence

from vdlt_spec.checks import Outcome, check
from vdlt_spec.conformance.bip_vectors import CaseResult, run_bip327, run_bip340
from vdlt_spec.crypto import (
    AggregateKeyCache,
    Certificate,
    certificate_is_valid,
    decode_bitmap,
    deterministic_roster,
    encode_bitmap,
    is_quorum,
    make_certificate,
    quorum_size,
    rogue_key,
    verify_certificate,
)
from vdlt_spec.crypto.fast import FAST
from vdlt_spec.crypto.group import READABLE
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict

COMPONENT = "crypto"
SECTION = "§IV-D"
RULE_ROSTER_SIZES = (1, 4, 7, 10)
QUORUM_RULE_MAX_N = 1000
CHECK_SEED = 2024


def _vector_outcome(name: str, by_engine: dict[str, Sequence[CaseResult]]) -> Outcome:
    failed = [(engine, r) for engine, results in by_engine.items() for r in results if not r.passed]
    figures = {
        f"{engine}_passed": sum(r.passed for r in results) for engine, results in by_engine.items()
    }
    figures["cases"] = max(len(results) for results in by_engine.values())
    if not figures["cases"]:
        return Outcome(Verdict.UNKNOWN, f"no {name} cases found", figures)
    if failed:
        engine, first = failed[0]
        where = f"{first.suite} {first.section}[{first.index}]"
        return Outcome(
            Verdict.INVALID,
            f"{len(failed)} failing, first: {engine} {where}: {first.detail}",
            figures,
        )
    engines = " and ".join(by_engine)
    return Outcome(Verdict.VALID, f"{figures['cases']} {name} cases pass ({engines})", figures)


@check("bip340-vectors", COMPONENT, SECTION)
def bip340_vectors() -> Outcome:
    """Run every BIP340 vector row (verification and signing) on both arithmetic engines."""
    return _vector_outcome(
        "BIP340", {"readable": run_bip340(group=READABLE), "fast": run_bip340(group=FAST)}
    )


@check("bip327-vectors", COMPONENT, SECTION)
def bip327_vectors() -> Outcome:
    """Run every case of the eight BIP327 MuSig2 vector files, error blame included."""
    return _vector_outcome(
        "BIP327", {"readable": run_bip327(group=READABLE), "fast": run_bip327(group=FAST)}
    )


def _reason(roster: Sequence[bytes], message: bytes, cert: Certificate) -> Reason | None:
    try:
        verify_certificate(roster, message, cert)
    except SpecError as exc:
        return exc.reason
    return None


def _certificate_rule_failures() -> tuple[list[str], int]:
    failures: list[str] = []
    checked = 0
    rng = random.Random(CHECK_SEED)
    for n in range(1, QUORUM_RULE_MAX_N + 1):
        q = quorum_size(n)
        if not (is_quorum(q, n) and not is_quorum(q - 1, n) and 3 * q > 2 * n >= 3 * (q - 1)):
            failures.append(f"quorum_size({n}) = {q} is not the least count above 2n/3")
    for n in RULE_ROSTER_SIZES:
        roster, seckeys = deterministic_roster(n, seed=CHECK_SEED + n)
        message = f"certificate-rules n={n}".encode()
        for count in range(1, n + 1):
            signers = rng.sample(range(n), count)
            cert = make_certificate(roster, {i: seckeys[i] for i in signers}, message, rng)
            checked += 1
            if decode_bitmap(cert.bitmap, n) != tuple(sorted(signers)):
                failures.append(f"n={n}: bitmap does not round-trip {sorted(signers)}")
            if Certificate.decode(cert.encode(), n) != cert:
                failures.append(f"n={n}: certificate does not round-trip")
            expected = None if 3 * count > 2 * n else Reason.QUORUM_TOO_SMALL
            got = _reason(roster, message, cert)
            if got is not expected:
                failures.append(f"n={n}, {count} signers: got {got}, expected {expected}")
            if expected is None and count < n:  # forge: claim an extra, absent signer
                absent = next(i for i in range(n) if i not in signers)
                forged = Certificate(encode_bitmap([*signers, absent], n), cert.signature)
                if _reason(roster, message, forged) is not Reason.BAD_SIGNATURE:
                    failures.append(f"n={n}: forged bitmap with signer {absent} was not refused")
        if n % 8:  # an outsider's bit in the padding
            bits = int.from_bytes(cert.bitmap, "little") | 1 << n
            outsider = Certificate(bits.to_bytes(len(cert.bitmap), "little"), cert.signature)
            if _reason(roster, message, outsider) is not Reason.BITMAP_PADDING_NONZERO:
                failures.append(f"n={n}: a signer outside the roster was not refused")
        cache = AggregateKeyCache()
        for _ in range(2):
            if not certificate_is_valid(roster, message, cert, cache=cache):
                failures.append(f"n={n}: full certificate not valid through the cache")
        if (cache.misses, cache.hits) != (1, 1):
            failures.append(f"n={n}: cache counted {cache.misses} misses, {cache.hits} hits")
    return failures, checked


@check("certificate-rules", COMPONENT, SECTION)
def certificate_rules() -> Outcome:
    """Check certificates verify iff 3·popcount > 2n, and forged or outside bitmaps fail."""
    failures, checked = _certificate_rule_failures()
    figures = {"certificates": checked, "roster_sizes": list(RULE_ROSTER_SIZES)}
    if failures:
        return Outcome(
            Verdict.INVALID, f"{len(failures)} violations, first: {failures[0]}", figures
        )
    if not checked:
        return Outcome(Verdict.UNKNOWN, "no certificate was checked", figures)
    return Outcome(
        Verdict.VALID,
        f"{checked} certificates over n in {RULE_ROSTER_SIZES}: quorum exact, forgeries refused",
        figures,
    )


@check("rogue-key-regression", COMPONENT, SECTION)
def rogue_key_regression() -> Outcome:
    """Show plain key sums accept a rogue-key forgery that MuSig2 certificates refuse."""
    honest, _ = deterministic_roster(3, seed=CHECK_SEED)
    attacker = random.Random(CHECK_SEED).randbytes(32)
    forgery = rogue_key.forge(honest, attacker, b"rogue-key-regression", group=READABLE)
    naive = rogue_key.naive_accepts(forgery, group=READABLE)
    musig = rogue_key.musig2_accepts(forgery, group=READABLE)
    n = len(forgery.roster)
    cert = Certificate(encode_bitmap(range(n), n), forgery.signature)
    refused = _reason(forgery.roster, forgery.message, cert)
    figures = {"naive_accepts": naive, "musig2_accepts": musig, "certificate": str(refused)}
    if musig or refused is not Reason.BAD_SIGNATURE:
        return Outcome(Verdict.INVALID, "the rogue-key forgery passes MuSig2 verification", figures)
    if not naive:
        return Outcome(Verdict.UNKNOWN, "the forgery does not fool plain sums either", figures)
    return Outcome(
        Verdict.VALID, "plain key sum accepts the forgery; MuSig2 certificate refuses it", figures
    )
