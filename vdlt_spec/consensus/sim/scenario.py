"""Run a group of replicas over the simulated network and judge the run (§III-D, §IV-D).

:func:`simulate` drives honest replicas (:func:`vdlt_spec.consensus.replica.step`) and the
Byzantine ones (:class:`.byzantine.Adversary`) through a seeded :class:`.network.Network`,
records every commit, and returns the decisions,
the traffic and the safety verdict: invalid if two honest replicas committed different blocks
at one sequence number or a commit lacks a valid commit proof, valid if something committed and
nothing is wrong, unknown if nothing committed (D-gen-1). Liveness
is reported two ways: ``requests_complete`` (every request executed by f + 1 honest replicas, so
its client gets f + 1 matching replies: PBFT's guarantee) and ``all_requests_executed`` (by every
honest replica that is up; a replica that missed the last blocks catches up only when more work
arrives).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from vdlt_spec.consensus.accountability import (
    Evidence,
    Statement,
    Verifier,
    find_culprits,
    statements_in,
)
from vdlt_spec.consensus.block import Request
from vdlt_spec.consensus.config import DEFAULT_TICK_DELAY, ConsensusConfig, Mode
from vdlt_spec.consensus.messages import ClientRequest, Message, NewView, ViewChange
from vdlt_spec.consensus.payloads import SigningDomain, VoteKind
from vdlt_spec.consensus.quorum import QuorumProof, verify_proof
from vdlt_spec.consensus.replica.state import (
    CLIENT,
    Broadcast,
    Decide,
    Deliver,
    Fire,
    Output,
    Recover,
    ReplicaEvent,
    ReplicaState,
    Send,
    StartTimer,
)
from vdlt_spec.consensus.replica.transition import initial_state, step
from vdlt_spec.consensus.schemes import IdealScheme, SignatureScheme
from vdlt_spec.consensus.sim.byzantine import Adversary, Behaviour, assign_behaviours
from vdlt_spec.consensus.sim.network import (
    CrashEvent,
    Delivery,
    FaultPlan,
    Network,
    NetworkParams,
    RecoverEvent,
    TimerEvent,
)
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict

DEFAULT_REQUESTS = 16
DEFAULT_REQUEST_INTERVAL = DEFAULT_TICK_DELAY
DEFAULT_MAX_TIME = 200_000
DEFAULT_MAX_EVENTS = 5_000_000
PAYLOAD_BYTES = 16
RUN_TIMEOUTS_BASE = 50
"""A run built by :func:`build_scenario` stops after this many view timeouts, plus"""
RUN_TIMEOUTS_PER_DECISION = 2
"""this many per requested decision."""


class Signatures(StrEnum):
    """Choose the signature model: symbolic (fast) or BIP340/MuSig2 (real) (§III-D)."""

    IDEAL = "ideal"
    REAL = "real"

    @classmethod
    def parse(cls, text: str, where: str = "signatures") -> Signatures:
        """Return the signature model named ``text`` (§III-D); any other is ``BAD_USAGE``.

        ``where`` names the input in the message, e.g. a command-line option.
        """
        for signatures in (cls.REAL, cls.IDEAL):
            if signatures.value == text:
                return signatures
        raise SpecError(Reason.BAD_USAGE, f"{where} must be real or ideal, got {text!r}")


@dataclass(frozen=True)
class Scenario:
    """Describe one run: group, seed, network, faults, Byzantine set, workload (§III-D)."""

    config: ConsensusConfig
    seed: int = 0
    network: NetworkParams = field(default_factory=NetworkParams)
    faults: FaultPlan = field(default_factory=FaultPlan)
    byzantine: Mapping[int, Behaviour] = field(default_factory=dict)
    requests: int = DEFAULT_REQUESTS
    request_interval: int = DEFAULT_REQUEST_INTERVAL
    decisions: int | None = None
    max_time: int = DEFAULT_MAX_TIME
    max_events: int = DEFAULT_MAX_EVENTS
    signatures: Signatures = Signatures.IDEAL

    def __post_init__(self) -> None:
        n = self.config.n
        bad = [i for i in self.byzantine if not 0 <= i < n]
        if bad:
            raise SpecError(
                Reason.BAD_CONSENSUS_PARAMETER, f"Byzantine replicas {bad} not in 0..{n - 1}"
            )
        if self.requests < 0 or self.request_interval < 0 or self.max_time < 0:
            raise SpecError(
                Reason.BAD_CONSENSUS_PARAMETER, "requests, interval and time must be >= 0"
            )
        if self.decisions is not None and self.decisions < 1:
            raise SpecError(Reason.BAD_CONSENSUS_PARAMETER, "decisions must be >= 1")


def build_scenario(
    n: int,
    byzantine: int,
    behaviour: str,
    seed: int,
    *,
    decisions: int,
    mode: Mode = Mode.IPBFT,
    signatures: Signatures = Signatures.IDEAL,
    loss: Fraction = Fraction(0),
    batch: int = 1,
) -> Scenario:
    """Build a run from its headline figures: n, Byzantine count and behaviour, seed (§III-D).

    The Byzantine replicas come from :func:`assign_behaviours`; the workload is ``decisions``
    blocks of ``batch`` requests, and the run stops after :data:`RUN_TIMEOUTS_BASE` view
    timeouts plus :data:`RUN_TIMEOUTS_PER_DECISION` per decision.
    """
    config = ConsensusConfig(n, mode=Mode(mode), max_batch=batch)
    return Scenario(
        config,
        seed=seed,
        network=NetworkParams(loss=loss),
        byzantine=assign_behaviours(n, byzantine, behaviour, seed),
        requests=decisions * batch,
        request_interval=1,
        decisions=decisions,
        max_time=config.view_timeout * (RUN_TIMEOUTS_BASE + RUN_TIMEOUTS_PER_DECISION * decisions),
        signatures=Signatures(signatures),
    )


@dataclass(frozen=True)
class Commit:
    """Record that ``replica`` committed ``digest`` at ``seq`` with ``proof`` (§III-D)."""

    replica: int
    seq: int
    view: int
    digest: bytes
    time: int
    proof: QuorumProof


@dataclass(frozen=True)
class Conflict:
    """Hold two honest commits of different blocks at one seq: unsafe (§III-D)."""

    seq: int
    first: Commit
    second: Commit


@dataclass(frozen=True)
class Metrics:
    """Count traffic and signature work of a run (replica-to-replica messages only) (§III-D)."""

    messages: int
    bytes: int
    messages_by_type: Mapping[str, int]
    bytes_by_type: Mapping[str, int]
    client_messages: int
    dropped: int
    signatures_made: int
    signatures_verified: int
    partial_signatures: int
    partial_verified: int
    aggregations: int
    events: int


@dataclass(frozen=True)
class RunResult:
    """Hold what :func:`simulate` found: decisions, conflicts, metrics, verdict (§III-D)."""

    n: int
    mode: str
    signatures: str
    seed: int
    byzantine: tuple[int, ...]
    commits: tuple[Commit, ...]
    decided_seqs: int
    executed: Mapping[int, int]
    conflicts: tuple[Conflict, ...]
    unproven: tuple[Commit, ...]
    final_views: Mapping[int, int]
    view_changes: tuple[ViewChange, ...]
    new_views: tuple[NewView, ...]
    all_requests_executed: bool
    requests_complete: bool
    end_time: int
    metrics: Metrics
    verdict: Verdict

    def decisions_of(self, replica: int) -> dict[int, bytes]:
        """Return seq -> digest of the blocks ``replica`` committed (§III-D)."""
        return {c.seq: c.digest for c in self.commits if c.replica == replica}


def make_scheme(signatures: Signatures, n: int, seed: int) -> SignatureScheme:
    """Return a run's signature scheme: ideal, or BIP340/MuSig2 (§IV-D, D-cons-3)."""
    if Signatures(signatures) == Signatures.IDEAL:
        return IdealScheme(n, seed)
    from vdlt_spec.consensus.schemes import RealScheme

    return RealScheme(n, seed)


def _check_proof(scheme: SignatureScheme, domain: SigningDomain, commit: Commit) -> bool:
    return verify_proof(
        scheme, domain, VoteKind.COMMIT, commit.view, commit.seq, commit.digest, commit.proof
    )


def simulate(
    scenario: Scenario,
    scheme: SignatureScheme | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run ``scenario`` to its limits and judge safety (§III-D); deterministic in the seed.

    ``on_progress``, if given, is called with (blocks executed by the most advanced honest
    replica, blocks wanted) whenever that number grows; blocks wanted is ``decisions``, or the
    requests when the scenario sets no decision target.
    """
    config = scenario.config
    n = config.n
    scheme = scheme or make_scheme(scenario.signatures, n, scenario.seed)
    network = Network(
        n, scenario.network, scenario.faults, random.Random(f"{scenario.seed}/network")
    )
    adversary = Adversary(
        config, scheme, scenario.byzantine, random.Random(f"{scenario.seed}/byzantine")
    )
    honest = [i for i in range(n) if i not in scenario.byzantine]
    states: list[ReplicaState] = [initial_state(i) for i in range(n)]
    commits: list[Commit] = []
    transcript = _Transcript()
    for k in range(scenario.requests):
        request = Request(0, k, k.to_bytes(PAYLOAD_BYTES, "big"))
        for replica in range(n):
            network.inject(k * scenario.request_interval, replica, CLIENT, ClientRequest(request))
    client_messages = scenario.requests * n
    events = 0

    target: int | None = scenario.decisions
    reached: set[int] = set()
    wanted = scenario.requests if target is None else target
    advanced = [0]  # the most blocks an honest replica has executed so far

    def run(replica: int, event: ReplicaEvent) -> None:
        if replica in scenario.byzantine:
            new_state, outputs = adversary.step(states[replica], event)
        else:
            new_state, outputs = step(config, scheme, states[replica], event)
            if target is not None and new_state.app.seq >= target:
                reached.add(replica)
            if on_progress is not None and new_state.app.seq > advanced[0]:
                advanced[0] = new_state.app.seq
                on_progress(min(advanced[0], wanted), wanted)
        states[replica] = new_state
        for output in outputs:
            _emit(network, replica, output, commits, transcript, n)

    def done() -> bool:
        if target is None or not reached:
            return False
        return all(i in reached for i in honest if i not in network.down)

    while events < scenario.max_events:
        item = network.pop()
        if item is None or network.now > scenario.max_time:
            break
        events += 1
        if isinstance(item, Delivery):
            run(item.target, Deliver(item.source, item.message))
        elif isinstance(item, TimerEvent):
            run(item.replica, Fire(item.timer))
        elif isinstance(item, RecoverEvent):
            run(item.replica, Recover())
        elif isinstance(item, CrashEvent):
            pass
        if done():
            break
    return _judge(
        scenario, scheme, network, states, commits, transcript, honest, client_messages, events
    )


@dataclass
class _Transcript:
    """Keep the view changes and new views sent in a run (the forensic record)."""

    view_changes: list[ViewChange] = field(default_factory=list)
    new_views: list[NewView] = field(default_factory=list)

    def note(self, message: Message) -> None:
        if isinstance(message, ViewChange):
            self.view_changes.append(message)
        elif isinstance(message, NewView):
            self.new_views.append(message)


def _emit(
    network: Network,
    replica: int,
    output: Output,
    commits: list[Commit],
    transcript: _Transcript,
    n: int,
) -> None:
    if isinstance(output, Send | Broadcast):
        transcript.note(output.message)
    if isinstance(output, Send):
        if 0 <= output.target < n:
            network.transmit(replica, output.target, output.message)
    elif isinstance(output, Broadcast):
        for target in range(n):
            network.transmit(replica, target, output.message)
    elif isinstance(output, StartTimer):
        network.set_timer(replica, output.timer, output.delay)
    elif isinstance(output, Decide):
        commits.append(
            Commit(replica, output.seq, output.view, output.digest, network.now, output.proof)
        )


def _judge(
    scenario: Scenario,
    scheme: SignatureScheme,
    network: Network,
    states: list[ReplicaState],
    commits: list[Commit],
    transcript: _Transcript,
    honest: list[int],
    client_messages: int,
    events: int,
) -> RunResult:
    meter = scheme.meter
    metrics = Metrics(
        messages=network.traffic.messages,
        bytes=network.traffic.bytes,
        messages_by_type=dict(sorted(network.traffic.by_type.items())),
        bytes_by_type=dict(sorted(network.traffic.bytes_by_type.items())),
        client_messages=client_messages,
        dropped=network.traffic.dropped,
        signatures_made=meter.signed,
        signatures_verified=meter.verified + meter.partial_verified,
        partial_signatures=meter.partial_signed,
        partial_verified=meter.partial_verified,
        aggregations=meter.aggregated,
        events=events,
    )
    honest_set = set(honest)
    honest_commits = [c for c in commits if c.replica in honest_set]
    first: dict[int, Commit] = {}
    conflicts: list[Conflict] = []
    for c in honest_commits:
        seen = first.setdefault(c.seq, c)
        if seen.digest != c.digest and not any(x.seq == c.seq for x in conflicts):
            conflicts.append(Conflict(c.seq, seen, c))
    domain = scenario.config.signing_domain(scheme.roster)
    unproven = tuple(c for c in honest_commits if not _check_proof(scheme, domain, c))
    if conflicts or unproven:
        verdict = Verdict.INVALID
    elif honest_commits:
        verdict = Verdict.VALID
    else:
        verdict = Verdict.UNKNOWN
    wanted = {(0, k) for k in range(scenario.requests)}
    live = [i for i in honest if i not in network.down]
    done = [set(states[i].app.executed) for i in live]
    all_executed = bool(live) and all(wanted <= d for d in done)
    needed = scenario.config.f + 1
    complete = bool(live) and all(sum(rid in d for d in done) >= needed for rid in wanted)
    return RunResult(
        n=scenario.config.n,
        mode=str(scenario.config.mode),
        signatures=str(scenario.signatures),
        seed=scenario.seed,
        byzantine=tuple(sorted(scenario.byzantine)),
        commits=tuple(commits),
        decided_seqs=len(first),
        executed={i: states[i].app.seq for i in honest},
        conflicts=tuple(conflicts),
        unproven=unproven,
        final_views={i: states[i].view for i in honest},
        view_changes=tuple(dict.fromkeys(transcript.view_changes)),
        new_views=tuple(dict.fromkeys(transcript.new_views)),
        all_requests_executed=all_executed,
        requests_complete=complete,
        end_time=network.now,
        metrics=metrics,
        verdict=verdict,
    )


def culprits(
    result: RunResult, verifier: Verifier, domain: SigningDomain | None = None
) -> tuple[Evidence, ...]:
    """Name who the run's conflicting commits and view-change transcript convict (§IV-J).

    ``domain`` is the run's signing domain; by default the default chain's epoch 0 of the
    verifier's roster, the domain of a run with a default :class:`ConsensusConfig`.
    """
    if domain is None:
        domain = SigningDomain.of(verifier.roster)
    statements = [
        Statement(VoteKind.COMMIT, c.view, c.seq, c.digest, c.proof)
        for conflict in result.conflicts
        for c in (conflict.first, conflict.second)
    ]
    reported, vcs = statements_in(result.n, result.view_changes, result.new_views)
    return find_culprits(verifier, domain, statements + reported, vcs)
