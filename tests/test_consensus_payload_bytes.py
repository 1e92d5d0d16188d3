"""Pin the bytes consensus signatures sign: roster commitment, domain root, vote payload (§IV-D).

The layout is part of the conformance surface (docs/consensus.md): these golden values were
computed once and are compared byte for byte, and the payload is also rebuilt here from the
documented layout with hashlib alone, so a payload that drops or reorders a field (the view, the
sequence number, the domain) fails.
"""

from __future__ import annotations

import hashlib

import pytest

from vdlt_spec.consensus.payloads import (
    CHECKPOINT_VIEW,
    SigningDomain,
    VoteKind,
    roster_commitment,
    vote_payload,
)

ROSTER = tuple(
    bytes.fromhex(key)
    for key in (
        "02ce705eac01e2dd1f88a9dc917350b9efa8aec94a1a1ced984dfa6964f58342ca",
        "02aff3c97d76ea02a8c049d4c8625ba606811c2470db29c9428e8187c10cbddd8e",
        "02a428900c325133f24e18f60bc5b9e6bf17925f776ca295b3f5348070bcaf878e",
        "02290ac115b2ba0a63ed7dcc9ac39251a6490f7435fd325adf49d3de6dd18fe760",
    )
)
COMMITMENT = "63ee8ace47bbce60df704e00d271fc8a7f46dc898f6be9853e57c2b84642f189"
ROOT = "8f62104190c94a718c20c18c32f0b4191a99cee39ea8b5eb13d9b20c3fc5796e"
DIGEST = bytes(range(32))

GOLDEN = [
    ("vdlt", 0, VoteKind.PREPARE, 0, 1,
     "ba557d17d354ba5f9b13f2adac7ffd7e3c04b3480063a62b8b889cba0177f0ab"),
    ("vdlt", 0, VoteKind.PREPARE, 1, 1,
     "b10d9c9bda1c5723ae605efab0167e56c32a9c7417d09d10ce02df130cfbae42"),
    ("vdlt", 0, VoteKind.COMMIT, 5, 9,
     "a9cdabed3c3447439a519f21e3b8a13795d2a04c015e6beffe8be50d61eaf29a"),
    ("vdlt", 0, VoteKind.CHECKPOINT, 7, 8,
     "b0e4085f4dfafffa0885280c8042a50ed95a131a9ca515aa0b8cfb39a89f3fd8"),
    ("vdlt", 3, VoteKind.PRE_PREPARE, 2, 3,
     "88474c41197a2b3b0f764c6aa98a43bb32a24ee6c6e538d3aa29fc07da4f8596"),
    ("other", 0, VoteKind.PREPARE, 0, 1,
     "8b0330e58baf769f90e26b3264f359c0399c6e65d8025f53faf797723e29164b"),
]  # fmt: skip


def _tagged(tag: bytes, body: bytes) -> bytes:
    tag_hash = hashlib.sha256(tag).digest()
    return hashlib.sha256(tag_hash + tag_hash + body).digest()


def test_roster_commitment_and_domain_root_are_pinned() -> None:
    assert roster_commitment(ROSTER).hex() == COMMITMENT
    assert SigningDomain.of(ROSTER).root.hex() == ROOT


@pytest.mark.parametrize(("chain", "epoch", "kind", "view", "seq", "expected"), GOLDEN)
def test_vote_payload_bytes_are_pinned(
    chain: str, epoch: int, kind: VoteKind, view: int, seq: int, expected: str
) -> None:
    domain = SigningDomain.of(ROSTER, chain, epoch)
    assert vote_payload(domain, kind, view, seq, DIGEST).hex() == expected


@pytest.mark.parametrize(("chain", "epoch", "kind", "view", "seq", "expected"), GOLDEN)
def test_vote_payload_follows_the_documented_layout(
    chain: str, epoch: int, kind: VoteKind, view: int, seq: int, expected: str
) -> None:
    body = len(ROSTER).to_bytes(4, "big") + b"".join(bytes([len(k)]) + k for k in ROSTER)
    commitment = _tagged(b"vDLT/roster", body)
    name = chain.encode()
    root = _tagged(
        b"vDLT/domain", bytes([len(name)]) + name + epoch.to_bytes(8, "big") + commitment
    )
    signed_view = CHECKPOINT_VIEW if kind == VoteKind.CHECKPOINT else view
    layout = root + bytes([kind]) + signed_view.to_bytes(8, "big") + seq.to_bytes(8, "big")
    assert _tagged(b"vDLT/vote", layout + DIGEST).hex() == expected


def test_every_field_changes_the_payload() -> None:
    domain = SigningDomain.of(ROSTER)
    base = vote_payload(domain, VoteKind.PREPARE, 4, 5, DIGEST)
    assert vote_payload(domain, VoteKind.PREPARE, 5, 5, DIGEST) != base  # the view is bound
    assert vote_payload(domain, VoteKind.PREPARE, 4, 6, DIGEST) != base
    assert vote_payload(domain, VoteKind.COMMIT, 4, 5, DIGEST) != base
    assert vote_payload(domain, VoteKind.PREPARE, 4, 5, bytes(32)) != base
    assert vote_payload(SigningDomain.of(ROSTER, epoch=1), VoteKind.PREPARE, 4, 5, DIGEST) != base
    assert vote_payload(SigningDomain.of(ROSTER[::-1]), VoteKind.PREPARE, 4, 5, DIGEST) != base
