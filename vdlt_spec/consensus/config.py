"""Hold the parameters of one iPBFT (or classic PBFT) group as data (§III-D, §IV-D).

The whitepaper fixes only the quorum ("over 2n/3 nodes", §IV-D); everything else is a named
default here, chosen as recorded in docs/decisions.md (D-cons-n), and overridable per instance.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from vdlt_spec.consensus.payloads import DEFAULT_CHAIN_ID, DIGEST_BYTES, SigningDomain
from vdlt_spec.crypto import max_faulty, quorum_size
from vdlt_spec.errors import Reason, SpecError

DEFAULT_CHECKPOINT_INTERVAL = 4
WINDOW_CHECKPOINTS = 2
DEFAULT_WINDOW = DEFAULT_CHECKPOINT_INTERVAL * WINDOW_CHECKPOINTS
DEFAULT_MAX_BATCH = 8
DEFAULT_MAX_INFLIGHT = DEFAULT_WINDOW
DEFAULT_TICK_DELAY = 10
DEFAULT_VIEW_TIMEOUT = 40 * DEFAULT_TICK_DELAY
DEFAULT_SIGN_TIMEOUT = 8 * DEFAULT_TICK_DELAY
MAX_VIEW_TIMEOUT_DOUBLINGS = 6


class Mode(StrEnum):
    """Name the two protocols the simulator runs side by side (§IV-D)."""

    IPBFT = "ipbft"
    CLASSIC = "classic"

    @classmethod
    def parse(cls, text: str, where: str = "mode") -> Mode:
        """Return the protocol named ``text`` (§IV-D); any other name is ``BAD_USAGE``.

        ``where`` names the input in the message, e.g. a command-line option.
        """
        for mode in cls:
            if mode.value == text:
                return mode
        names = " or ".join(mode.value for mode in cls)
        raise SpecError(Reason.BAD_USAGE, f"{where} must be {names}, got {text!r}")


def primary_of(view: int, n: int) -> int:
    """Return the primary of ``view``: replica view mod n, as in classic PBFT (§III-D)."""
    return view % n


@dataclass(frozen=True)
class ConsensusConfig:
    """Fix the size, mode, checkpoint interval, watermark window and timeouts of a group (§IV-D).

    Times are integer ticks of the simulated clock. ``window`` is the distance between the low
    and high watermarks; it must be a multiple of ``checkpoint_interval`` (D-cons-5).
    ``chain_id`` and ``epoch`` name the group's signing domain (§III-C, §IV-C); with the roster's
    keys they make :meth:`signing_domain`, which every signed payload of the group binds.
    ``retransmit_interval`` (None: off) makes a replica re-send its part of every unfinished
    slot, or its view change, every that many ticks (D-cons-27).
    """

    n: int
    mode: Mode = Mode.IPBFT
    checkpoint_interval: int = DEFAULT_CHECKPOINT_INTERVAL
    window: int = DEFAULT_WINDOW
    max_batch: int = DEFAULT_MAX_BATCH
    max_inflight: int = DEFAULT_MAX_INFLIGHT
    view_timeout: int = DEFAULT_VIEW_TIMEOUT
    sign_timeout: int = DEFAULT_SIGN_TIMEOUT
    chain_id: str = DEFAULT_CHAIN_ID
    epoch: int = 0
    retransmit_interval: int | None = None

    def __post_init__(self) -> None:
        positive = {
            "n": self.n,
            "checkpoint_interval": self.checkpoint_interval,
            "window": self.window,
            "max_batch": self.max_batch,
            "max_inflight": self.max_inflight,
            "view_timeout": self.view_timeout,
            "sign_timeout": self.sign_timeout,
        }
        if self.retransmit_interval is not None:
            positive["retransmit_interval"] = self.retransmit_interval
        for name, value in positive.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SpecError(
                    Reason.BAD_CONSENSUS_PARAMETER, f"{name} must be a positive integer: {value!r}"
                )
        if self.window % self.checkpoint_interval:
            raise SpecError(
                Reason.BAD_CONSENSUS_PARAMETER,
                f"window {self.window} must be a multiple of the checkpoint interval "
                f"{self.checkpoint_interval}",
            )
        Mode(self.mode)
        try:
            SigningDomain(self.chain_id, self.epoch, bytes(DIGEST_BYTES))
        except SpecError as exc:
            raise SpecError(Reason.BAD_CONSENSUS_PARAMETER, exc.detail) from None

    def signing_domain(self, roster: Sequence[bytes]) -> SigningDomain:
        """Return the domain the group signs in: its chain, its epoch, its roster (§IV-C)."""
        return _domain(tuple(roster), self.chain_id, self.epoch)

    @property
    def f(self) -> int:
        """Return f = floor((n - 1) / 3), the Byzantine replicas the group tolerates (§III-D)."""
        return max_faulty(self.n)

    @property
    def quorum(self) -> int:
        """Return the least q with 3q > 2n: "over 2n/3 nodes" must sign (§IV-D)."""
        return quorum_size(self.n)


@functools.lru_cache(maxsize=64)
def _domain(roster: tuple[bytes, ...], chain_id: str, epoch: int) -> SigningDomain:
    return SigningDomain.of(roster, chain_id, epoch)
