"""Show why plain key sums are unsafe: the rogue-key forgery that MuSig2 defeats (§IV-D).

CoSi (ByzCoin, ref. [29]) and Zilliqa (ref. [9]), the whitepaper's inspirations for iPBFT,
aggregate public keys by plain addition, Q = P_1 + ... + P_m. An attacker who announces its
key last can choose P_rogue = x·G - (P_1 + ... + P_{m-1}); the "aggregate" is then x·G, whose
secret the attacker knows alone, so it signs for the whole group and every honest member
appears as a signer. BIP327 weights each key by a coefficient hashed from the whole key list,
which the attacker cannot cancel (D-crypto-4). This module builds the attack so that tests and
``vdlt verify`` (check ``rogue-key-regression``) can show the naive scheme accepts it and the
certificate scheme does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vdlt_spec.crypto import bip340, musig2
from vdlt_spec.crypto.group import READABLE, Group
from vdlt_spec.crypto.secp256k1 import bytes_from_int, cbytes, int_from_bytes, point_negate, xbytes
from vdlt_spec.errors import Reason, SpecError


@dataclass(frozen=True)
class RogueKeyForgery:
    """Hold a forged group signature: the roster with the rogue key last, message, signature."""

    roster: tuple[bytes, ...]
    message: bytes
    signature: bytes


def naive_aggregate_key(pubkeys: Sequence[bytes], *, group: Group = READABLE) -> bytes:
    """Return the x-only plain sum of the keys, as CoSi and Zilliqa aggregate them (§IV-D)."""
    total = group.lincomb([(group.cpoint(pk), 1) for pk in pubkeys])
    if total is None:
        raise SpecError(Reason.AGGREGATE_KEY_INFINITE, "the keys sum to the point at infinity")
    return xbytes(total)


def rogue_pubkey(
    honest_pubkeys: Sequence[bytes], attacker_seckey: bytes, *, group: Group = READABLE
) -> bytes:
    """Return P_rogue = x·G - sum(honest keys) as a compressed key (§IV-D)."""
    x = int_from_bytes(attacker_seckey)
    terms = [(group.cpoint(pk), 1) for pk in honest_pubkeys]
    honest_sum = group.lincomb(terms)
    rogue = group.lincomb([(group.mul_base(x), 1), (point_negate(honest_sum), 1)])
    if rogue is None:
        raise SpecError(Reason.INVALID_POINT, "the rogue key would be the point at infinity")
    return cbytes(rogue)


def forge(
    honest_pubkeys: Sequence[bytes],
    attacker_seckey: bytes,
    message: bytes,
    *,
    group: Group = READABLE,
) -> RogueKeyForgery:
    """Build the rogue key and sign ``message`` alone with the attacker's secret x (§IV-D)."""
    rogue = rogue_pubkey(honest_pubkeys, attacker_seckey, group=group)
    aux = bytes_from_int(0)
    signature = bip340.schnorr_sign(message, attacker_seckey, aux, group=group)
    return RogueKeyForgery((*honest_pubkeys, rogue), message, signature)


def naive_accepts(forgery: RogueKeyForgery, *, group: Group = READABLE) -> bool:
    """Tell whether plain-sum aggregation accepts the forged group signature (§IV-D)."""
    key = naive_aggregate_key(forgery.roster, group=group)
    return bip340.schnorr_verify(forgery.message, key, forgery.signature, group=group)


def musig2_accepts(forgery: RogueKeyForgery, *, group: Group = READABLE) -> bool:
    """Tell whether the BIP327 aggregate of the same keys accepts the forgery (§IV-D)."""
    key = musig2.get_xonly_pk(musig2.key_agg(forgery.roster, group=group))
    return bip340.schnorr_verify(forgery.message, key, forgery.signature, group=group)
