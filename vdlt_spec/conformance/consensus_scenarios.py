"""Drive a replica group through scripted scenarios and record every step (§III-D, §IV-D).

The consensus vectors are cut from these recordings: each :class:`RecordedStep` is one call of
:func:`vdlt_spec.consensus.replica.step` with its ``pre`` state, its event, its ``post`` state
and its outputs. :func:`main_scenario` runs, in either mode, the path the safety argument of a
view change is about: a block prepared at one replica in view 0, a different block prepared at
another replica in view 1, and a new view 2 whose primary must re-propose the block of the
highest view; then checkpoints and a state transfer to a replica that was down. Byzantine
messages (a forged pre-prepare, an equivocating one, a replayed vote, a certificate from another
chain) are delivered to the observed replica along the way.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from vdlt_spec.consensus.block import Block, Request, block_digest
from vdlt_spec.consensus.config import ConsensusConfig, Mode, primary_of
from vdlt_spec.consensus.messages import (
    CertMsg,
    ClassicVote,
    ClientRequest,
    Message,
    PartialSig,
    PrePrepare,
    Vote,
)
from vdlt_spec.consensus.payloads import VoteKind, vote_payload
from vdlt_spec.consensus.replica import (
    CLIENT,
    Broadcast,
    Deliver,
    Fire,
    Output,
    Recover,
    ReplicaEvent,
    ReplicaState,
    Send,
    initial_state,
    step,
)
from vdlt_spec.consensus.replica.state import ProgressTimer, SignTimer
from vdlt_spec.consensus.schemes import RealScheme, SignatureScheme, certify

SCHEME_SEED = 0
"""The seed of the deterministic roster every consensus vector signs with."""
OBSERVED = 2
"""The replica whose whole trace is a sanity vector: the primary of view 2."""
LAGGING = 3
"""The replica that is down during the last phase and catches up by state transfer."""


def group(n: int, mode: Mode) -> ConsensusConfig:
    """Return the small group the vectors use: checkpoints every 2 blocks, a window of 4."""
    return ConsensusConfig(
        n=n, mode=mode, checkpoint_interval=1, window=2, max_batch=2, max_inflight=2
    )


def make_scheme(n: int, seed: int = SCHEME_SEED) -> SignatureScheme:
    """Return the real BIP340/MuSig2 scheme over the deterministic roster of ``seed``."""
    return RealScheme(n, seed)


@dataclass(frozen=True)
class RecordedStep:
    """Hold one replica step: index, pre state, event, post state, outputs, and a phase label."""

    replica: int
    pre: ReplicaState
    event: ReplicaEvent
    post: ReplicaState
    outputs: tuple[Output, ...]
    phase: str
    probe: bool = False


Filter = Callable[[int, int, Message], bool]


def _everything(source: int, target: int, message: Message) -> bool:
    return True


class Recorder:
    """Run n replicas with a scripted schedule; record every step (§III-D)."""

    def __init__(self, config: ConsensusConfig, scheme: SignatureScheme) -> None:
        """Start n replicas at genesis."""
        self.config = config
        self.scheme = scheme
        self.states = [initial_state(i) for i in range(config.n)]
        self.inflight: list[tuple[int, int, Message]] = []
        self.steps: list[RecordedStep] = []
        self.phase = "genesis"
        self.requests = 0

    def run(self, replica: int, event: ReplicaEvent) -> tuple[Output, ...]:
        """Step ``replica`` on ``event``, record it, route its outputs (loopback at once)."""
        pre = self.states[replica]
        post, outputs = step(self.config, self.scheme, pre, event)
        self.states[replica] = post
        self.steps.append(RecordedStep(replica, pre, event, post, outputs, self.phase))
        local: list[tuple[int, int, Message]] = []
        for output in outputs:
            if isinstance(output, Send):
                targets: Iterable[int] = (output.target,)
            elif isinstance(output, Broadcast):
                targets = range(self.config.n)
            else:
                continue
            for target in targets:
                item = (replica, target, output.message)
                (local if target == replica else self.inflight).append(item)
        for source, target, message in local:
            self.run(target, Deliver(source, message))
        return outputs

    def probe(self, replica: int, event: ReplicaEvent) -> None:
        """Record what ``replica`` would do on ``event`` without applying it."""
        pre = self.states[replica]
        post, outputs = step(self.config, self.scheme, pre, event)
        self.steps.append(RecordedStep(replica, pre, event, post, outputs, self.phase, True))

    def request(self, targets: Iterable[int] | None = None, payload: bytes = b"") -> Request:
        """Have a client send a new request to ``targets`` (all replicas by default)."""
        request = Request(7, self.requests, payload or self.requests.to_bytes(2, "big"))
        self.requests += 1
        for i in range(self.config.n) if targets is None else targets:
            self.run(i, Deliver(CLIENT, ClientRequest(request)))
        return request

    def flush(self, allow: Filter = _everything, limit: int = 5000) -> None:
        """Deliver in-flight messages in FIFO order till none is left; drop what ``allow`` bars."""
        for _ in range(limit):
            if not self.inflight:
                return
            source, target, message = self.inflight.pop(0)
            if allow(source, target, message):
                self.run(target, Deliver(source, message))
        raise AssertionError("the scenario does not quiesce")

    def hold(self, keep: Filter) -> list[tuple[int, int, Message]]:
        """Take the in-flight messages ``keep`` selects out of the queue and return them."""
        held = [item for item in self.inflight if keep(*item)]
        self.inflight = [item for item in self.inflight if not keep(*item)]
        return held

    def progress_timeout(self, replica: int) -> None:
        """Fire the running progress timer of ``replica`` (a view timeout, or half of one)."""
        self.run(replica, Fire(ProgressTimer(self.states[replica].timer_epoch)))


CONTESTED = 3
"""The sequence number prepared with different blocks in views 0 and 1."""


def _hidden(source: int, target: int, message: Message) -> bool:
    """Tell whether a prepare proof of the contested slot must not reach ``target``.

    In views 0 and 1 only the primary of the view learns that the contested slot prepared, so
    the block prepared in view 0 differs from the one prepared in view 1.
    """
    if not isinstance(message, CertMsg | ClassicVote) or message.kind != VoteKind.PREPARE:
        return False
    return message.seq == CONTESTED and message.view in (0, 1) and target != message.view


def _without(*cut: int) -> Filter:
    """Cut replicas ``cut`` off (their messages are lost) and hide the contested prepares."""

    def allow(source: int, target: int, message: Message) -> bool:
        cut_off = source in cut or target in cut
        return not cut_off and not _hidden(source, target, message)

    return allow


def _byzantine_messages(rec: Recorder, target: int, done: int) -> None:
    """Deliver a forged pre-prepare, an equivocating one, a replayed vote and a foreign cert.

    ``done`` is a sequence number ``target`` executed; ``done + 1`` is not proposed yet.
    """
    config, scheme = rec.config, rec.scheme
    s = rec.states[target]
    view = s.view
    primary = primary_of(view, config.n)
    domain = config.signing_domain(scheme.roster)
    twin = Block((Request(66, done, b"twin"),))
    digest = block_digest(twin)
    rec.phase = "byzantine"
    ahead = done + 1
    signed = scheme.sign(primary, vote_payload(domain, VoteKind.PRE_PREPARE, view, ahead, digest))
    rec.run(target, Deliver(primary, PrePrepare(view, ahead, twin, bytes(reversed(signed)))))
    signed = scheme.sign(primary, vote_payload(domain, VoteKind.PRE_PREPARE, view, done, digest))
    rec.run(target, Deliver(primary, PrePrepare(view, done, twin, signed)))
    delivered = [
        step.event
        for step in rec.steps
        if step.replica == target
        and isinstance(step.event, Deliver)
        and step.event.source != target
        and isinstance(step.event.message, ClassicVote | Vote)
    ]
    if delivered:
        rec.run(target, delivered[-1])
    foreign = dataclasses.replace(config, chain_id="another-chain").signing_domain(scheme.roster)
    payload = vote_payload(foreign, VoteKind.COMMIT, view, ahead, digest)
    cert = certify(scheme, tuple(range(config.n)), payload, b"foreign")
    rec.run(target, Deliver(primary, CertMsg(VoteKind.COMMIT, view, ahead, digest, cert, twin)))


def _drop_one_partial(rec: Recorder, seq: int) -> None:
    """Lose signer 1's prepare partial signatures at ``seq``: the sign timer resends, retries."""

    def allow(source: int, target: int, message: Message) -> bool:
        if not isinstance(message, PartialSig) or message.kind != VoteKind.PREPARE:
            return True
        return not (message.seq == seq and source == 1)

    rec.flush(allow)
    for _ in range(2):
        key, session = next(
            (k, v) for k, v in rec.states[0].sessions.items() if v.seq == seq and not v.done
        )
        rec.run(0, Fire(SignTimer(key, session.attempt)))
        rec.flush(allow)


@functools.cache
def main_scenario(mode: Mode) -> Recorder:
    """Run the scripted scenario of the module docstring in ``mode`` with n = 4.

    The recording is computed once per mode and shared: callers read it, never step it further.
    """
    config = group(4, mode)
    rec = Recorder(config, make_scheme(config.n))
    rec.phase = "normal"
    rec.request()
    rec.flush()
    _byzantine_messages(rec, OBSERVED, 1)
    rec.phase = "normal"
    rec.request()
    if mode == Mode.IPBFT:
        _drop_one_partial(rec, 2)
    rec.flush()
    rec.phase = "prepared-in-view-0"
    rec.request()
    rec.flush(_without())
    rec.request(targets=(1, 2, 3))
    rec.phase = "view-change-1"
    for _ in range(2):
        for i in (1, 2, 3):
            rec.progress_timeout(i)
        rec.flush(_without(0))
    rec.phase = "view-change-2"
    for i in (1, 2):
        rec.progress_timeout(i)
    rec.flush(_without(0, 3))
    for i in (1, 2):
        rec.progress_timeout(i)
    rec.flush(_without())
    rec.phase = "state-transfer"
    rec.request(targets=(0, 1, 2))
    rec.request(targets=(0, 1, 2))
    rec.flush(_without(LAGGING))
    rec.run(LAGGING, Recover())
    rec.flush(_without())
    return rec


@functools.cache
def quorum_scenario(mode: Mode, n: int = 6) -> Recorder:
    """Commit one block in a group where 2n is a multiple of 3 (the quorum boundary); shared."""
    config = group(n, mode)
    rec = Recorder(config, make_scheme(n))
    rec.phase = "quorum-boundary"
    rec.request()
    rec.flush()
    return rec


def vote_messages(steps: Iterable[RecordedStep]) -> Iterable[Vote | ClassicVote]:
    """Yield the votes delivered in ``steps`` (material for validation vectors)."""
    for s in steps:
        if isinstance(s.event, Deliver) and isinstance(s.event.message, Vote | ClassicVote):
            yield s.event.message
