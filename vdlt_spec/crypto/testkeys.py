"""Derive deterministic key pairs and rosters for tests and simulations (§IV-D).

Keys are derived from public seeds, so they are for tests, vectors and simulations only:
anyone who knows the seed knows the secret key.
"""

from __future__ import annotations

from functools import lru_cache

from vdlt_spec.crypto import musig2
from vdlt_spec.crypto.bip340 import tagged_hash
from vdlt_spec.crypto.fast import FAST
from vdlt_spec.crypto.group import READABLE
from vdlt_spec.crypto.secp256k1 import N, bytes_from_int, int_from_bytes
from vdlt_spec.errors import Reason, SpecError

TEST_KEY_TAG = b"vDLT/test-key"
KEY_CACHE_ENTRIES = 4096


@lru_cache(maxsize=KEY_CACHE_ENTRIES)
def keypair_from_seed(seed: int, index: int = 0, *, fast: bool = True) -> tuple[bytes, bytes]:
    """Return (32-byte secret key, 33-byte compressed public key) for (seed, index) (§IV-D).

    The secret is hash_{vDLT/test-key}("seed:index:counter") mod n for the first counter that
    gives a nonzero scalar (the first one, except with negligible probability).
    """
    counter = 0
    while True:
        label = f"{seed}:{index}:{counter}".encode()
        scalar = int_from_bytes(tagged_hash(TEST_KEY_TAG, label)) % N
        if scalar != 0:
            break
        counter += 1  # pragma: no cover - probability 2^-256
    seckey = bytes_from_int(scalar)
    return seckey, musig2.individual_pk(seckey, group=FAST if fast else READABLE)


def deterministic_roster(n: int, seed: int = 0) -> tuple[tuple[bytes, ...], dict[int, bytes]]:
    """Return a roster of ``n`` public keys and the secret key of each index (§IV-D)."""
    if n < 1:
        raise SpecError(Reason.ROSTER_EMPTY, f"a roster needs at least one key, got n = {n}")
    pairs = [keypair_from_seed(seed, i) for i in range(n)]
    return tuple(pk for _, pk in pairs), {i: sk for i, (sk, _) in enumerate(pairs)}
