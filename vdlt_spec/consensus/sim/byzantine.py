"""Model Byzantine replicas as the honest protocol with guards dropped and outputs rewritten.

Each behaviour wraps :func:`vdlt_spec.consensus.replica.transition.step` (§III-D fault model):

* ``silent`` — never answers (a crash that never recovers, but counted as Byzantine);
* ``equivocate`` — as primary, proposes two different blocks for each sequence number, one to
  each half of the honest replicas (both to its colluders), and keeps each certificate away from
  the other half; otherwise behaves as ``double-vote``;
* ``double-vote`` — accepts every pre-prepare and signs every statement it is asked to, and
  in classic mode also broadcasts a signed vote for a second, fabricated digest;
* ``forge`` — corrupts signatures, partial signatures and certificate bitmaps it sends;
* ``stale-future`` — replays its statements re-signed for past and future views and far
  sequence numbers, and asks for view changes to views far ahead;
* ``withhold`` — as primary, gives certificates (classic: pre-prepares) to a random few only.

Byzantine replicas know each other (they may collude); randomness comes from a seeded
``random.Random`` so runs stay reproducible.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from enum import StrEnum

from vdlt_spec.consensus.block import Block, Request, block_digest
from vdlt_spec.consensus.config import ConsensusConfig, Mode, primary_of
from vdlt_spec.consensus.messages import (
    CertMsg,
    ClassicVote,
    Message,
    NewView,
    PartialSig,
    PrePrepare,
    ViewChange,
    view_change_digest,
)
from vdlt_spec.consensus.payloads import VoteKind, tagged_hash, vote_payload
from vdlt_spec.consensus.replica.context import HONEST, Policy
from vdlt_spec.consensus.replica.state import Broadcast, Output, ReplicaEvent, ReplicaState, Send
from vdlt_spec.consensus.replica.transition import step
from vdlt_spec.consensus.schemes import SignatureScheme
from vdlt_spec.crypto import Certificate, bitmap_length
from vdlt_spec.errors import Reason, SpecError

TWIN_TAG = b"vDLT/twin"
EQUIVOCATION_CLIENT = 2**32
FUTURE_VIEW_JUMP = 5
STALE_VIEW_STEP = -1
NEXT_VIEW_STEP = 1
TWIN_VIEW_STRIDE = 2**20  # twin request numbers: view * stride + seq, unique per (view, seq)
MISBEHAVE_ONE_IN = 2  # forge / replay about one output in this many
WITHHOLD_MAX_FRACTION_DEN = 2


class Behaviour(StrEnum):
    """Name the Byzantine behaviours of the simulator (§III-D)."""

    SILENT = "silent"
    EQUIVOCATE = "equivocate"
    DOUBLE_VOTE = "double-vote"
    FORGE = "forge"
    STALE_FUTURE = "stale-future"
    WITHHOLD = "withhold"


MIXED = "mixed"
COLLUDE = "collude"
BEHAVIOUR_CHOICES: tuple[str, ...] = (MIXED, COLLUDE, *(b.value for b in Behaviour))
"""What a run may ask its Byzantine replicas to do: a mix, a collusion, or one behaviour."""


def parse_behaviour(text: str, where: str = "behaviour") -> str:
    """Return ``text`` if it is one of :data:`BEHAVIOUR_CHOICES` (§III-D), else ``BAD_USAGE``.

    ``where`` names the input in the message, e.g. a command-line option.
    """
    if text not in BEHAVIOUR_CHOICES:
        raise SpecError(
            Reason.BAD_USAGE,
            f"{where} must be one of {', '.join(BEHAVIOUR_CHOICES)}, got {text!r}",
        )
    return text


COLLUDING = Policy(accept_conflicting=True)


def _corrupt(data: bytes) -> bytes:
    if not data:
        return b"\x00"
    return bytes([data[0] ^ 0x01]) + data[1:]


def _targets(output: Output, n: int) -> list[tuple[int, Message]]:
    if isinstance(output, Send):
        return [(output.target, output.message)]
    if isinstance(output, Broadcast):
        return [(t, output.message) for t in range(n)]
    return []


class Adversary:
    """Run the colluding Byzantine replicas of one simulation, seeded (§III-D)."""

    def __init__(
        self,
        config: ConsensusConfig,
        scheme: SignatureScheme,
        behaviours: Mapping[int, Behaviour],
        rng: random.Random,
    ) -> None:
        """Set up the colluding replicas ``behaviours`` (index -> behaviour)."""
        self.config = config
        self.scheme = scheme
        self.domain = config.signing_domain(scheme.roster)
        self.behaviours = dict(behaviours)
        self.rng = rng
        self.colluders = frozenset(behaviours)
        honest = [i for i in range(config.n) if i not in self.colluders]
        half = (len(honest) + 1) // 2
        self.group_a = frozenset(honest[:half])
        self.group_b = frozenset(honest[half:])
        self.twins: dict[bytes, bytes] = {}

    def step(
        self, state: ReplicaState, event: ReplicaEvent
    ) -> tuple[ReplicaState, tuple[Output, ...]]:
        """Step Byzantine replica ``state.index`` according to its behaviour (§III-D)."""
        behaviour = self.behaviours[state.index]
        if behaviour == Behaviour.SILENT:
            return state, ()
        policy = COLLUDING if behaviour in (Behaviour.EQUIVOCATE, Behaviour.DOUBLE_VOTE) else HONEST
        new_state, outputs = step(self.config, self.scheme, state, event, policy)
        rewrite = {
            Behaviour.EQUIVOCATE: self._equivocate,
            Behaviour.DOUBLE_VOTE: self._double_vote,
            Behaviour.FORGE: self._forge,
            Behaviour.STALE_FUTURE: self._stale_future,
            Behaviour.WITHHOLD: self._withhold,
        }[behaviour]
        return new_state, tuple(rewrite(new_state, outputs))

    # --- equivocation --------------------------------------------------------------------

    def _twin_block(self, block: Block, view: int, seq: int) -> Block:
        marker = Request(EQUIVOCATION_CLIENT, view * TWIN_VIEW_STRIDE + seq, b"twin")
        return Block((marker, *block.requests[: self.config.max_batch - 1]))

    def _equivocate(self, state: ReplicaState, outputs: tuple[Output, ...]) -> list[Output]:
        me = state.index
        if primary_of(state.view, self.config.n) != me:
            return self._double_vote(state, outputs)
        result: list[Output] = []
        for output in outputs:
            if isinstance(output, Broadcast) and isinstance(output.message, PrePrepare):
                pp = output.message
                if pp.seq <= state.stable.seq or block_digest(pp.block) in self.twins.values():
                    result.append(output)
                    continue
                twin = self._twin_block(pp.block, pp.view, pp.seq)
                digest_a, digest_b = block_digest(pp.block), block_digest(twin)
                self.twins[digest_a] = digest_b
                payload = vote_payload(self.domain, VoteKind.PRE_PREPARE, pp.view, pp.seq, digest_b)
                pp_b = PrePrepare(pp.view, pp.seq, twin, self.scheme.sign(me, payload))
                for target in range(self.config.n):
                    if target in self.group_a or target in self.colluders:
                        result.append(Send(target, pp))
                    if target in self.group_b or target in self.colluders:
                        result.append(Send(target, pp_b))
                continue
            result.extend(self._split_certificates(output))
        return result

    def _split_certificates(self, output: Output) -> list[Output]:
        """Keep each block's certificates away from the half that received the other block."""
        sends = _targets(output, self.config.n)
        if not sends or not isinstance(sends[0][1], CertMsg):
            return [output]
        twins_b = set(self.twins.values())
        kept: list[Output] = []
        for target, message in sends:
            assert isinstance(message, CertMsg)
            if message.digest in self.twins and target in self.group_b:
                continue
            if message.digest in twins_b and target in self.group_a:
                continue
            kept.append(Send(target, message))
        return kept

    # --- double voting ---------------------------------------------------------------------

    def _double_vote(self, state: ReplicaState, outputs: tuple[Output, ...]) -> list[Output]:
        result = list(outputs)
        if self.config.mode != Mode.CLASSIC:
            return result
        for output in outputs:
            if isinstance(output, Broadcast) and isinstance(output.message, ClassicVote):
                vote = output.message
                if vote.kind not in (VoteKind.PREPARE, VoteKind.COMMIT):
                    continue
                twin = tagged_hash(TWIN_TAG, vote.digest)
                payload = vote_payload(self.domain, vote.kind, vote.view, vote.seq, twin)
                signature = self.scheme.sign(state.index, payload)
                result.append(
                    Broadcast(dataclasses.replace(vote, digest=twin, signature=signature))
                )
        return result

    # --- forged signatures -----------------------------------------------------------------

    def _forge_message(self, message: Message) -> Message:
        if isinstance(message, PrePrepare | ClassicVote | ViewChange | NewView):
            return dataclasses.replace(message, signature=_corrupt(message.signature))
        if isinstance(message, PartialSig):
            return dataclasses.replace(message, psig=_corrupt(message.psig))
        if isinstance(message, CertMsg):
            cert = message.certificate
            if self.rng.randrange(MISBEHAVE_ONE_IN) == 0:
                forged = Certificate(b"\xff" * bitmap_length(self.config.n), cert.signature)
            else:
                forged = Certificate(cert.bitmap, _corrupt(cert.signature))
            return dataclasses.replace(message, certificate=forged)
        return message

    def _forge(self, state: ReplicaState, outputs: tuple[Output, ...]) -> list[Output]:
        result: list[Output] = []
        for output in outputs:
            if isinstance(output, Send | Broadcast) and self.rng.randrange(MISBEHAVE_ONE_IN) == 0:
                forged = self._forge_message(output.message)
                if isinstance(output, Send):
                    result.append(Send(output.target, forged))
                else:
                    result.append(Broadcast(forged))
            else:
                result.append(output)
        return result

    # --- stale and future messages ---------------------------------------------------------

    def _shifted(self, me: int, message: Message) -> Message | None:
        delta_view = self.rng.choice((STALE_VIEW_STEP, NEXT_VIEW_STEP, FUTURE_VIEW_JUMP))
        delta_seq = self.rng.choice((0, self.config.window, STALE_VIEW_STEP))
        if isinstance(message, PrePrepare):
            view, seq = max(0, message.view + delta_view), max(1, message.seq + delta_seq)
            digest = block_digest(message.block)
            signature = self.scheme.sign(
                me, vote_payload(self.domain, VoteKind.PRE_PREPARE, view, seq, digest)
            )
            return PrePrepare(view, seq, message.block, signature)
        if isinstance(message, ClassicVote):
            view, seq = max(0, message.view + delta_view), max(1, message.seq + delta_seq)
            payload = vote_payload(self.domain, message.kind, view, seq, message.digest)
            return ClassicVote(
                message.kind, view, seq, message.digest, self.scheme.sign(me, payload)
            )
        if isinstance(message, CertMsg | PartialSig):
            view = max(0, message.view + delta_view)
            return dataclasses.replace(message, view=view, seq=max(1, message.seq + delta_seq))
        if isinstance(message, ViewChange):
            unsigned = dataclasses.replace(
                message, new_view=message.new_view + FUTURE_VIEW_JUMP, signature=b""
            )
            payload = vote_payload(
                self.domain,
                VoteKind.VIEW_CHANGE,
                unsigned.new_view,
                unsigned.stable_seq,
                view_change_digest(unsigned),
            )
            return dataclasses.replace(unsigned, signature=self.scheme.sign(me, payload))
        return None

    def _stale_future(self, state: ReplicaState, outputs: tuple[Output, ...]) -> list[Output]:
        result = list(outputs)
        for output in outputs:
            if isinstance(output, Send | Broadcast) and self.rng.randrange(MISBEHAVE_ONE_IN) == 0:
                shifted = self._shifted(state.index, output.message)
                if shifted is not None:
                    result.append(Broadcast(shifted))
        return result

    # --- withheld certificates -------------------------------------------------------------

    def _withhold(self, state: ReplicaState, outputs: tuple[Output, ...]) -> list[Output]:
        if primary_of(state.view, self.config.n) != state.index:
            return list(outputs)
        held = CertMsg if self.config.mode == Mode.IPBFT else PrePrepare
        result: list[Output] = []
        for output in outputs:
            sends = _targets(output, self.config.n)
            if not sends or not isinstance(sends[0][1], held):
                result.append(output)
                continue
            keep = self.rng.randint(0, self.config.n // WITHHOLD_MAX_FRACTION_DEN)
            chosen = set(self.rng.sample(range(self.config.n), keep)) | {state.index}
            result.extend(Send(t, m) for t, m in sends if t in chosen)
        return result


def assign_behaviours(n: int, count: int, choice: str, seed: int) -> dict[int, Behaviour]:
    """Choose ``count`` of ``n`` replicas to be Byzantine and give each a behaviour (§III-D).

    ``choice`` is one of :data:`BEHAVIOUR_CHOICES`. ``collude``: replicas 0 .. count-1, the
    first (primary of view 0) equivocates and the others vote for both of its proposals.
    Otherwise the replicas are a sample drawn from ``seed``, taking the behaviours of
    ``mixed`` (all of them, in turn) or the one named.
    """
    if not 0 <= count <= n:
        raise SpecError(Reason.BAD_CONSENSUS_PARAMETER, f"Byzantine count {count} is not in 0..{n}")
    if choice not in BEHAVIOUR_CHOICES:
        raise SpecError(
            Reason.BAD_CONSENSUS_PARAMETER,
            f"behaviour {choice!r} is not one of {', '.join(BEHAVIOUR_CHOICES)}",
        )
    if count == 0:
        return {}
    if choice == COLLUDE:
        kinds = [Behaviour.EQUIVOCATE] + [Behaviour.DOUBLE_VOTE] * (count - 1)
        chosen = list(range(count))
    else:
        every = list(Behaviour) if choice == MIXED else [Behaviour(choice)]
        kinds = [every[i % len(every)] for i in range(count)]
        chosen = sorted(random.Random(f"{seed}/cli").sample(range(n), count))
    return dict(zip(chosen, kinds, strict=True))
