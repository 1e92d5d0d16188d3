"""Load the published BIP340 and BIP327 test vectors shipped inside the package (§IV-D).

The files are byte-for-byte copies of bitcoin/bips (see ``vectors/SOURCES.md``), installed as
package data so that ``vdlt verify`` runs them without the source tree.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

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
