"""Aggregate a roster's keys: the roster, MuSig2 aggregate keys and their cache (§IV-D).

A roster is the consensus group's list of 33-byte compressed MuSig2 individual keys; a signer
is its index. A certificate's signature verifies under the BIP327 aggregate of the keys its
bitmap selects, taken in roster order without sorting (D-crypto-3); the aggregate depends only
on (roster, bitmap), so :class:`AggregateKeyCache` keeps it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coincurve import PublicKeyXOnly

from vdlt_spec.crypto import fast as fastpath
from vdlt_spec.crypto import musig2
from vdlt_spec.crypto.bitmap import bitmap_bits, encode_bitmap
from vdlt_spec.crypto.fast import FAST
from vdlt_spec.crypto.group import READABLE, Group
from vdlt_spec.errors import Reason, SpecError

__all__ = [
    "DEFAULT_CACHE_ENTRIES",
    "ROSTER_KEY_BYTES",
    "AggregateKey",
    "AggregateKeyCache",
    "Roster",
    "aggregate_key",
    "cached_aggregate_key",
    "engine",
    "validate_roster",
]

Roster = tuple[bytes, ...]
"""The consensus group: 33-byte compressed MuSig2 individual keys; a signer is its index."""

ROSTER_KEY_BYTES = musig2.PLAIN_PK_BYTES
DEFAULT_CACHE_ENTRIES = 4096


def engine(use_fast: bool) -> Group:
    """Return the group arithmetic: libsecp256k1 (``FAST``) or the readable one (§IV-D)."""
    return FAST if use_fast else READABLE


def validate_roster(roster: Sequence[bytes], *, fast: bool = True) -> Roster:
    """Return the roster as a tuple after checking it is non-empty, valid and distinct (§IV-D).

    Each entry must be a 33-byte compressed point (``ROSTER_BAD_KEY``); a key may appear once
    only (``ROSTER_DUPLICATE_KEY``), so that no member counts twice toward a quorum.
    """
    keys = tuple(roster)
    if not keys:
        raise SpecError(Reason.ROSTER_EMPTY, "a roster needs at least one key")
    group = engine(fast)
    seen: dict[bytes, int] = {}
    for i, key in enumerate(keys):
        if not isinstance(key, bytes):
            raise SpecError(Reason.ROSTER_BAD_KEY, f"roster key {i} is not bytes")
        try:
            group.cpoint(key)
        except SpecError as exc:
            raise SpecError(Reason.ROSTER_BAD_KEY, f"roster key {i}: {exc.detail}") from None
        if key in seen:
            raise SpecError(
                Reason.ROSTER_DUPLICATE_KEY, f"roster keys {seen[key]} and {i} are equal"
            )
        seen[key] = i
    return keys


@dataclass(frozen=True)
class AggregateKey:
    """Hold the x-only MuSig2 aggregate key of a signer set, parsed once for verification."""

    xonly: bytes
    verifier: PublicKeyXOnly


def _aggregate(roster: Roster, bits: int, use_fast: bool) -> bytes:
    selected = [key for i, key in enumerate(roster) if bits >> i & 1]
    if use_fast:
        return fastpath.key_agg_xonly(selected)
    return musig2.get_xonly_pk(musig2.key_agg(selected, group=READABLE))


def aggregate_key(roster: Sequence[bytes], signers: Iterable[int], *, fast: bool = True) -> bytes:
    """Return the 32-byte x-only MuSig2 aggregate of the signers' keys, in roster order (§IV-D)."""
    keys = validate_roster(roster, fast=fast)
    bitmap = encode_bitmap(signers, len(keys))
    bits = bitmap_bits(bitmap, len(keys))
    if bits == 0:
        raise SpecError(Reason.NO_SIGNERS, "an aggregate key needs at least one signer")
    return _aggregate(keys, bits, fast)


class AggregateKeyCache:
    """Remember aggregate keys per (roster, bitmap), least recently used out first (§IV-D).

    A hit skips roster validation and key aggregation, leaving one BIP340 verification. Entries
    depend only on (roster, bitmap), and both engines compute the same key, so one cache
    serves both. ``hits`` and ``misses`` count lookups.
    """

    def __init__(self, max_entries: int = DEFAULT_CACHE_ENTRIES) -> None:
        if max_entries < 1:
            raise SpecError(Reason.BAD_USAGE, f"cache needs room for one entry, got {max_entries}")
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._keys: OrderedDict[tuple[Roster, bytes], AggregateKey] = OrderedDict()
        self._rosters: OrderedDict[Roster, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, roster: Roster, bitmap: bytes) -> AggregateKey | None:
        """Return the cached aggregate key of (roster, bitmap), or ``None``."""
        entry = self._keys.get((roster, bitmap))
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self._keys.move_to_end((roster, bitmap))
        return entry

    def put(self, roster: Roster, bitmap: bytes, key: AggregateKey) -> None:
        """Store the aggregate key of (roster, bitmap), evicting the oldest entry if full."""
        self._keys[(roster, bitmap)] = key
        self._keys.move_to_end((roster, bitmap))
        while len(self._keys) > self.max_entries:
            self._keys.popitem(last=False)

    def roster_known(self, roster: Roster) -> bool:
        """Tell whether ``roster`` was validated before (so validation can be skipped)."""
        return roster in self._rosters

    def remember_roster(self, roster: Roster) -> None:
        """Record that ``roster`` passed validation."""
        self._rosters[roster] = None
        while len(self._rosters) > self.max_entries:
            self._rosters.popitem(last=False)


def cached_aggregate_key(
    roster: Roster, bitmap: bytes, bits: int, cache: AggregateKeyCache | None, use_fast: bool
) -> AggregateKey:
    """Return the aggregate key of the signers ``bits`` selects, through ``cache`` (§IV-D).

    ``bitmap`` is the certificate's bitmap whose bits are ``bits``; a cache miss validates the
    roster once per cache and aggregates the selected keys in roster order.
    """
    if cache is not None:
        entry = cache.get(roster, bitmap)
        if entry is not None:
            return entry
    if cache is None or not cache.roster_known(roster):
        validate_roster(roster, fast=use_fast)
        if cache is not None:
            cache.remember_roster(roster)
    xonly = _aggregate(roster, bits, use_fast)
    verifier = fastpath.xonly_verifier(xonly)
    if verifier is None:  # pragma: no cover - the x of a curve point always lifts
        raise SpecError(Reason.INVALID_POINT, "aggregate key does not parse")
    entry = AggregateKey(xonly, verifier)
    if cache is not None:
        cache.put(roster, bitmap, entry)
    return entry
