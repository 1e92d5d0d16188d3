"""Properties of iPBFT and classic PBFT over adversarial schedules and faults (§III-D, §IV-D).

* safety: no two honest replicas commit different blocks at one sequence number, with up to
  f Byzantine replicas, under any schedule (a Hypothesis state machine picks every delivery,
  loss, duplication, timer and crash) and across view changes;
* every commit carries a verifiable commit proof; no certificate verifies without a quorum,
  with a forged bitmap, or with a signer outside the roster;
* liveness: once partitions heal (and crashed replicas recover), every request executes;
* teeth: with f + 1 Byzantine replicas the search finds a safety violation, and the evidence
  names at least f + 1 replicas, all of them Byzantine (accountability, no framing).
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, Phase, event, find, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from vdlt_spec.consensus.config import ConsensusConfig, Mode
from vdlt_spec.consensus.payloads import SigningDomain, VoteKind, vote_payload
from vdlt_spec.consensus.quorum import verify_proof
from vdlt_spec.consensus.schemes import IdealScheme, RealScheme, SignatureScheme, certify
from vdlt_spec.consensus.sim.byzantine import Behaviour
from vdlt_spec.consensus.sim.cluster import Cluster
from vdlt_spec.consensus.sim.scenario import Scenario, Signatures, culprits, make_scheme, simulate
from vdlt_spec.crypto import Certificate, encode_bitmap, max_faulty, quorum_size
from vdlt_spec.strategies import consensus_scenarios
from vdlt_spec.verdict import Verdict

MAX_REQUESTS = 6


class AdversarialSchedule(RuleBasedStateMachine):
    """Let Hypothesis schedule every event of a small group with up to f Byzantine replicas."""

    cluster: Cluster

    @initialize(
        n=st.sampled_from([4, 5, 7]),
        mode=st.sampled_from(list(Mode)),
        data=st.data(),
    )
    def start(self, n: int, mode: Mode, data: st.DataObject) -> None:
        f = max_faulty(n)
        count = data.draw(st.integers(0, f), label="byzantine")
        who = data.draw(st.permutations(range(n)), label="order")[:count]
        kinds = data.draw(
            st.lists(st.sampled_from(list(Behaviour)), min_size=count, max_size=count)
        )
        config = ConsensusConfig(n, mode=mode, checkpoint_interval=2, window=4, max_batch=2)
        self.cluster = Cluster(config, IdealScheme(n), dict(zip(who, kinds, strict=True)))
        self.cluster.submit()

    @precondition(lambda self: self.cluster.requests < MAX_REQUESTS)
    @rule()
    def submit(self) -> None:
        self.cluster.submit()

    @rule(ks=st.lists(st.integers(0, 10**6), min_size=1, max_size=30))
    def deliver(self, ks: list[int]) -> None:
        for k in ks:
            self.cluster.deliver(k)

    @rule(seed=st.integers(0, 2**16))
    def deliver_everything(self, seed: int) -> None:
        """Deliver all messages in flight (and those they cause) in a seeded random order."""
        rng = random.Random(seed)
        for _ in range(2_000):
            if not self.cluster.inflight:
                break
            self.cluster.deliver(rng.randrange(len(self.cluster.inflight)))

    @rule(duplicate=st.booleans(), k=st.integers(0, 10**6))
    def lose_or_duplicate(self, duplicate: bool, k: int) -> None:
        if duplicate:
            self.cluster.duplicate(k)
        else:
            self.cluster.drop(k)

    @rule(k=st.integers(0, 10**6))
    def fire(self, k: int) -> None:
        self.cluster.fire(k)

    @rule()
    def time_passes(self) -> None:
        """Fire every armed timer once: the view timeout elapses for everyone."""
        for _ in range(len(self.cluster.timers)):
            self.cluster.fire(0)

    @rule(replica=st.integers(0, 6))
    def crash_or_recover(self, replica: int) -> None:
        """Crash one replica at a time (any replica, the primary included), or recover it."""
        if self.cluster.down:
            for down in sorted(self.cluster.down):
                self.cluster.recover(down)
        elif replica < self.cluster.config.n:
            self.cluster.crash(replica)

    @invariant()
    def honest_replicas_agree(self) -> None:
        assert not self.cluster.conflicts()

    def teardown(self) -> None:
        c = self.cluster
        event(f"decisions: {'some' if c.decisions else 'none'}")
        event(f"view changes: {'some' if any(s.view for s in c.states) else 'none'}")

    @invariant()
    def every_commit_is_proven(self) -> None:
        assert not self.cluster.unproven()


AdversarialSchedule.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestAdversarialSchedule = AdversarialSchedule.TestCase


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consensus_scenarios(sizes=(4, 5, 7, 10)))
def test_safety_and_liveness_with_at_most_f_byzantine(scenario: Scenario) -> None:
    result = simulate(scenario)
    assert result.verdict == Verdict.VALID, (result.conflicts, result.unproven)
    assert result.requests_complete, (result.executed, result.final_views)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consensus_scenarios(sizes=(4, 7), requests=4))
def test_safety_with_real_signatures(scenario: Scenario) -> None:
    import dataclasses

    result = simulate(dataclasses.replace(scenario, signatures=Signatures.REAL))
    assert result.verdict == Verdict.VALID
    assert result.requests_complete


def _violates(scenario: Scenario) -> bool:
    return bool(simulate(scenario).conflicts)


COLLUDING = (Behaviour.EQUIVOCATE, Behaviour.DOUBLE_VOTE)
TIGHT_SIZES = (4, 7)  # n = 3f + 1: with n = 5, f + 1 = 2 liars cannot break 2q - n = 3


def test_search_finds_a_violation_with_f_plus_one_byzantine() -> None:
    scenario = find(
        consensus_scenarios(sizes=TIGHT_SIZES, extra_byzantine=1, requests=4, behaviours=COLLUDING),
        _violates,
        settings=settings(max_examples=200, deadline=None, database=None, phases=(Phase.generate,)),
    )
    scheme = make_scheme(scenario.signatures, scenario.config.n, scenario.seed)
    result = simulate(scenario, scheme)
    assert result.verdict == Verdict.INVALID
    named = {e.culprit for e in culprits(result, scheme)}
    assert len(named) >= scenario.config.f + 1
    assert named <= set(scenario.byzantine)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    consensus_scenarios(sizes=TIGHT_SIZES, extra_byzantine=1, requests=4, behaviours=COLLUDING)
    | consensus_scenarios(extra_byzantine=1, requests=4)
)
def test_violations_name_f_plus_one_culprits_and_never_an_honest_replica(
    scenario: Scenario,
) -> None:
    scheme = make_scheme(scenario.signatures, scenario.config.n, scenario.seed)
    result = simulate(scenario, scheme)
    named = {e.culprit for e in culprits(result, scheme)}
    assert named <= set(scenario.byzantine)  # no framing, violation or not
    event(f"violation: {bool(result.conflicts)}")
    if result.conflicts:
        assert len(named) >= scenario.config.f + 1


SCHEMES: dict[str, SignatureScheme] = {"ideal": IdealScheme(10, 7), "real": RealScheme(10, 7)}


@settings(max_examples=40, deadline=None)
@given(
    which=st.sampled_from(sorted(SCHEMES)),
    signers=st.sets(st.integers(0, 9), min_size=1).map(lambda s: tuple(sorted(s))),
    extra=st.integers(0, 9),
    padding=st.integers(10, 15),
)
def test_certificates_prove_exactly_quorums(
    which: str, signers: tuple[int, ...], extra: int, padding: int
) -> None:
    scheme = SCHEMES[which]
    n = len(scheme.roster)
    digest = bytes(range(32))
    message = vote_payload(SigningDomain.of(scheme.roster), VoteKind.PREPARE, 1, 2, digest)
    cert = certify(scheme, signers, message, b"prop")
    assert verify_proof(
        scheme, SigningDomain.of(scheme.roster), VoteKind.PREPARE, 1, 2, digest, cert
    ) == (3 * len(signers) > 2 * n)
    assert (len(signers) >= quorum_size(n)) == (3 * len(signers) > 2 * n)
    if extra not in signers:  # a forged bitmap claims someone who did not sign
        forged = Certificate(encode_bitmap((*signers, extra), n), cert.signature)
        assert not verify_proof(
            scheme, SigningDomain.of(scheme.roster), VoteKind.PREPARE, 1, 2, digest, forged
        )
    outside = int.from_bytes(cert.bitmap, "little") | 1 << padding  # a signer beyond the roster
    stray = Certificate(outside.to_bytes(len(cert.bitmap), "little"), cert.signature)
    assert not verify_proof(
        scheme, SigningDomain.of(scheme.roster), VoteKind.PREPARE, 1, 2, digest, stray
    )
