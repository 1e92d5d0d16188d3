"""Conformance operations of quorum certificates: make, verify, verify in batches (§IV-D).

An implementation answers these to show it accepts or refuses certificates exactly as the
spec does, alone and in a stream that revisits rosters (as a replica's aggregate-key cache
does), and that its MuSig2 session, given each signer's NonceGen randomness, produces the
same certificate bytes. The vectors belong to the ``crypto`` suite.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from vdlt_spec.conformance.operations import field, operation
from vdlt_spec.conformance.suite import VectorInput
from vdlt_spec.crypto import (
    AggregateKeyCache,
    Certificate,
    deterministic_roster,
    encode_bitmap,
    make_certificate,
    quorum_size,
    secp256k1,
    verify_certificate,
)
from vdlt_spec.crypto.musig2 import individual_pk
from vdlt_spec.errors import Reason, SpecError

VECTOR_SEED = 340327
ROSTER_SIZES = (1, 4, 7, 10)


def both_engines(readable: Callable[[], Any], fast: Callable[[], Any]) -> Any:
    """Answer with the readable engine after checking that libsecp256k1's answer is the same.

    The spec computes signatures on two engines, the readable arithmetic and libsecp256k1
    (D-crypto-11); the reference answers an operation that has both with both, so the vectors
    check each. A disagreement is a bug of the reference, not an answer: it raises
    ``RuntimeError``. Refusals agree when their reasons do.
    """
    answers: list[tuple[Any, SpecError | None]] = []
    for compute in (readable, fast):
        try:
            answers.append((compute(), None))
        except SpecError as exc:
            answers.append((None, exc))
    (value, error), (other, other_error) = answers
    reasons = [None if e is None else e.reason for e in (error, other_error)]
    if value != other or reasons[0] != reasons[1]:
        raise RuntimeError(f"the two engines disagree: {value!r} / {other!r}, {reasons}")
    if error is not None:
        raise error
    return value


def certificate_inputs() -> Iterator[VectorInput]:
    """Yield the certificate vectors: verification, two thirds, sessions, batches."""
    yield from _certificate_inputs()
    yield from _two_thirds_inputs()
    yield from _make_inputs()
    yield from _batch_inputs()


def _verified_signers(
    roster: tuple[bytes, ...],
    message: bytes,
    data: bytes,
    cache: AggregateKeyCache | None,
    *,
    fast: bool = True,
) -> list[int]:
    cert = Certificate.decode(data, len(roster)) if roster else Certificate(b"", data)
    verify_certificate(roster, message, cert, cache=cache, fast=fast)
    return list(cert.signers(len(roster)))


@operation(
    "crypto.certificate_verify",
    "§IV-D",
    input_schema='{"roster": [hex33], "message": hex, "certificate": hex}',
    output_schema='{"signers": [int]}',
)
def certificate_verify(payload: Any) -> Any:
    """Accept a certificate (bitmap || signature, hex) on a message by a roster, or refuse it."""
    roster = field(payload, "roster", tuple[bytes, ...])
    message = field(payload, "message", bytes)
    data = field(payload, "certificate", bytes)
    return {
        "signers": both_engines(
            lambda: _verified_signers(roster, message, data, None, fast=False),
            lambda: _verified_signers(roster, message, data, None, fast=True),
        )
    }


@dataclass(frozen=True)
class _Claim:
    """One certificate of a batch: the roster, the message and bitmap || signature."""

    roster: tuple[bytes, ...]
    message: bytes
    certificate: bytes


BATCH_CACHE_ENTRIES = 2
"""Aggregate keys the batch verifier keeps: few, so that short batches evict and come back."""


@operation(
    "crypto.certificate_verify_batch",
    "§IV-D",
    input_schema='{"certificates": [{"roster": [hex33], "message": hex, "certificate": hex}]}',
    output_schema='{"verdicts": [{"signers": [int]} or {"error": reason}]}',
)
def certificate_verify_batch(payload: Any) -> Any:
    """Verify certificates in turn, each verdict that of verifying it alone (§IV-D).

    The reference verifies through one aggregate-key cache of ``BATCH_CACHE_ENTRIES``
    entries, as a replica does, so that a roster met again after others were evicted is
    aggregated and validated afresh; the verdicts must not depend on any cache.
    """
    claims = field(payload, "certificates", tuple[_Claim, ...])
    cache = AggregateKeyCache(BATCH_CACHE_ENTRIES)
    verdicts: list[dict[str, Any]] = []
    for claim in claims:
        try:
            signers = _verified_signers(claim.roster, claim.message, claim.certificate, cache)
        except SpecError as exc:
            verdicts.append({"error": exc.reason.value})
        else:
            verdicts.append({"signers": signers})
    return {"verdicts": verdicts}


@dataclass(frozen=True)
class _Signer:
    """One signer of a certificate: its roster index, secret key and NonceGen's rand'."""

    index: int
    secret_key: bytes
    rand: bytes


class _GivenRandomness(random.Random):
    """Hand out the given byte strings in turn, one per call of ``randbytes``."""

    def __init__(self, values: list[bytes]) -> None:
        super().__init__(0)
        self._values = values

    def randbytes(self, n: int) -> bytes:
        """Return the next given string (``n`` is what the caller asked for)."""
        return self._values.pop(0)


@operation(
    "crypto.certificate_make",
    "§IV-D",
    input_schema=(
        '{"roster": [hex33], "message": hex, '
        '"signers": [{"index": int, "secret_key": hex32, "rand": hex32}]}'
    ),
    output_schema='{"certificate": hex}',
)
def certificate_make(payload: Any) -> Any:
    """Certify a message by the listed signers in one MuSig2 session: bitmap || signature.

    Signer i's BIP327 NonceGen uses ``rand`` as rand', its secret key, its roster key, the
    aggregate key of the signers and the message (no extra input), so the certificate is a
    function of the input. No quorum is required. Checks: a signer listed twice
    (``DUPLICATE_SIGNER``), the roster (``ROSTER_*``), no signer (``NO_SIGNERS``), an index
    outside the roster (``SIGNER_OUTSIDE_ROSTER``), a secret key that is not its roster key
    (``ROSTER_KEY_MISMATCH``, ``BAD_SECRET_KEY``, ``BAD_LENGTH``), a rand' of other than 32 bytes
    (``BAD_LENGTH``).
    """
    roster = field(payload, "roster", tuple[bytes, ...])
    message = field(payload, "message", bytes)
    signers = sorted(field(payload, "signers", tuple[_Signer, ...]), key=lambda s: s.index)
    for first, second in itertools.pairwise(signers):
        if first.index == second.index:
            raise SpecError(Reason.DUPLICATE_SIGNER, f"signer {first.index} listed twice")
    rng = _GivenRandomness([signer.rand for signer in signers])
    seckeys = {signer.index: signer.secret_key for signer in signers}
    return {"certificate": make_certificate(roster, seckeys, message, rng).encode().hex()}


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


def _small_keys_roster() -> tuple[tuple[bytes, ...], dict[int, bytes]]:
    """Return the roster of the secret keys 1, 2, 3 and n - 1: G, 2G, 3G and -G."""
    seckeys = {i: k.to_bytes(32, "big") for i, k in enumerate((1, 2, 3, secp256k1.N - 1))}
    return tuple(individual_pk(sk) for sk in seckeys.values()), seckeys


def _make_inputs() -> Iterator[VectorInput]:
    """Yield MuSig2 certification sessions: quorums, single signers, every refusal."""
    rng = random.Random(VECTOR_SEED + 5)

    def signer_list(seckeys: dict[int, bytes], chosen: list[int]) -> list[dict[str, Any]]:
        return [
            {"index": i, "secret_key": seckeys[i].hex(), "rand": rng.randbytes(32).hex()}
            for i in chosen
        ]

    rosters = {f"n{n}": deterministic_roster(n, seed=VECTOR_SEED + 200 + n) for n in (1, 4, 7)}
    rosters["small-keys"] = _small_keys_roster()
    for name, (roster, seckeys) in rosters.items():
        n = len(roster)
        base = {"roster": [key.hex() for key in roster], "message": f"make {name}".encode().hex()}
        for label, chosen in (
            ("all", list(range(n))),
            ("quorum", list(range(n - quorum_size(n), n))),
            ("first", [0]),
        ):
            yield VectorInput(
                f"cert-make-{name}-{label}",
                "crypto.certificate_make",
                base | {"signers": signer_list(seckeys, chosen)},
                f"{len(chosen)} of {n} sign",
            )
    roster, seckeys = rosters["small-keys"]
    base = {"roster": [key.hex() for key in roster], "message": b"refused".hex()}
    good = signer_list(seckeys, [0, 1, 2])
    refusals: dict[str, tuple[list[dict[str, Any]], str]] = {
        "unordered": ([good[2], good[0], good[1]], "signers listed out of index order"),
        "duplicate": ([good[0], good[1], good[1]], "refused: signer 1 listed twice"),
        "none": ([], "refused: no signer"),
        "outside": ([*good, good[0] | {"index": 4}], "refused: index 4 of 4 members"),
        "wrong-key": ([good[0], good[1] | {"secret_key": seckeys[2].hex()}], "refused: key 2"),
        "zero-key": ([good[0] | {"secret_key": "00" * 32}], "refused: secret key 0"),
        "short-rand": ([good[0] | {"rand": "00" * 31}], "refused: a 31-byte rand'"),
    }
    for label, (signers, why) in refusals.items():
        yield VectorInput(
            f"cert-make-{label}", "crypto.certificate_make", base | {"signers": signers}, why
        )
    bad = [key.hex() for key in roster[:3]] + [roster[0].hex()]
    yield VectorInput(
        "cert-make-duplicate-key",
        "crypto.certificate_make",
        base | {"roster": bad, "signers": good},
        "refused: roster key 0 twice",
    )


def _batch_inputs() -> Iterator[VectorInput]:
    """Yield batches over more rosters than the verifier's cache holds, rosters met again."""
    rng = random.Random(VECTOR_SEED + 6)
    claims: dict[str, dict[str, Any]] = {}
    for n in (3, 4, 5):
        roster, seckeys = deterministic_roster(n, seed=VECTOR_SEED + 300 + n)
        message = f"batch n={n}".encode()
        hex_roster = [key.hex() for key in roster]
        for label, chosen in (("all", range(n)), ("quorum", range(quorum_size(n)))):
            cert = make_certificate(roster, {i: seckeys[i] for i in chosen}, message, rng)
            claims[f"n{n}-{label}"] = {
                "roster": hex_roster,
                "message": message.hex(),
                "certificate": cert.encode().hex(),
            }
        claims[f"n{n}-other-message"] = claims[f"n{n}-all"] | {"message": b"other".hex()}
        swapped = [hex_roster[1], hex_roster[0], *hex_roster[2:]]
        claims[f"n{n}-swapped-roster"] = claims[f"n{n}-quorum"] | {"roster": swapped}
        claims[f"n{n}-duplicate-key"] = claims[f"n{n}-all"] | {
            "roster": [hex_roster[0], *hex_roster[:-1]]
        }
    batches = {
        "rosters-evicted": [
            "n3-all", "n4-all", "n5-all", "n3-all", "n4-quorum", "n3-quorum", "n5-all",
        ],
        "repeats": ["n4-all", "n4-all", "n4-other-message", "n4-all", "n4-quorum", "n4-quorum"],
        "refusals": [
            "n3-duplicate-key", "n3-all", "n3-duplicate-key", "n4-swapped-roster",
            "n4-quorum", "n5-duplicate-key", "n4-swapped-roster", "n5-other-message",
            "n3-duplicate-key",
        ],
    }  # fmt: skip
    for label, names in batches.items():
        yield VectorInput(
            f"cert-batch-{label}",
            "crypto.certificate_verify_batch",
            {"certificates": [claims[name] for name in names]},
            f"{len(names)} certificates over {len({name[:2] for name in names})} roster sizes",
        )
    yield VectorInput(
        "cert-batch-empty", "crypto.certificate_verify_batch", {"certificates": []}, "no work"
    )
