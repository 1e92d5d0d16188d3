"""Unit tests of the iPBFT replica, the classic mode, the simulator and accountability."""

from __future__ import annotations

import dataclasses
import random
from fractions import Fraction

import pytest

from vdlt_spec import serial
from vdlt_spec.consensus.block import (
    GENESIS_STATE,
    NULL_BLOCK,
    Block,
    Request,
    block_digest,
    execute,
    state_digest,
)
from vdlt_spec.consensus.config import ConsensusConfig, Mode, primary_of
from vdlt_spec.consensus.messages import ClientRequest, ViewChange, wire_size
from vdlt_spec.consensus.payloads import SigningDomain, VoteKind, vote_payload
from vdlt_spec.consensus.quorum import SignedVote, VoteSet, proof_signers, verify_proof
from vdlt_spec.consensus.replica.state import CLIENT, Deliver, ReplicaState
from vdlt_spec.consensus.replica.transition import initial_state, step
from vdlt_spec.consensus.schemes import IdealScheme, RealScheme, SignatureScheme, certify
from vdlt_spec.consensus.sim.byzantine import Behaviour
from vdlt_spec.consensus.sim.cluster import Cluster
from vdlt_spec.consensus.sim.network import Crash, FaultPlan, NetworkParams, Partition
from vdlt_spec.consensus.sim.scenario import (
    RunResult,
    Scenario,
    Signatures,
    simulate,
)
from vdlt_spec.crypto import Certificate, encode_bitmap, quorum_size
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict

MODES = list(Mode)


@pytest.fixture(params=["ideal", "real"])
def scheme(request: pytest.FixtureRequest) -> SignatureScheme:
    n = 7
    return IdealScheme(n, 3) if request.param == "ideal" else RealScheme(n, 3)


# --- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "f", "q"), [(1, 0, 1), (3, 0, 3), (4, 1, 3), (7, 2, 5), (10, 3, 7), (100, 33, 67)]
)
def test_fault_bound_and_quorum(n: int, f: int, q: int) -> None:
    config = ConsensusConfig(n)
    assert (config.f, config.quorum) == (f, q)
    assert 3 * q > 2 * n and 3 * (q - 1) <= 2 * n
    assert 2 * q - n >= f + 1  # two quorums share an honest replica


@pytest.mark.parametrize(
    "changes",
    [{"n": 0}, {"n": -3}, {"window": 6}, {"checkpoint_interval": 0}, {"view_timeout": 0}],
)
def test_bad_configuration_is_rejected(changes: dict[str, int]) -> None:
    fields = {"n": 4, **changes}
    with pytest.raises(SpecError) as caught:
        ConsensusConfig(**fields)  # type: ignore[arg-type]
    assert caught.value.reason == Reason.BAD_CONSENSUS_PARAMETER


def test_primary_rotates_round_robin() -> None:
    assert [primary_of(v, 4) for v in range(6)] == [0, 1, 2, 3, 0, 1]


# --- blocks and execution --------------------------------------------------------------------


def test_block_digest_depends_on_content_and_order() -> None:
    a, b = Request(0, 1, b"x"), Request(0, 2, b"y")
    digests = {block_digest(Block(x)) for x in [(a, b), (b, a), (a,), ()]}
    assert len(digests) == 4
    assert block_digest(NULL_BLOCK) == block_digest(Block())


def test_execution_skips_repeated_requests_and_chains_state() -> None:
    r = Request(1, 1, b"p")
    s1 = execute(GENESIS_STATE, 1, Block((r,)))
    s2 = execute(s1, 2, Block((r,)))
    assert s1.executed == s2.executed == ((1, 1),)
    assert s1.chain != s2.chain and state_digest(s1) != state_digest(s2)
    with pytest.raises(SpecError):
        execute(s2, 4, NULL_BLOCK)


# --- signature schemes and proofs ------------------------------------------------------------


def test_certificates_verify_only_for_quorums(scheme: SignatureScheme) -> None:
    n = len(scheme.roster)
    message = vote_payload(SigningDomain.of(scheme.roster), VoteKind.COMMIT, 2, 5, bytes(32))
    q = quorum_size(n)
    good = certify(scheme, tuple(range(q)), message, b"test-session")
    assert verify_proof(
        scheme, SigningDomain.of(scheme.roster), VoteKind.COMMIT, 2, 5, bytes(32), good
    )
    # a sub-quorum certificate is a valid multisignature but not a quorum proof
    small = certify(scheme, tuple(range(q - 1)), message, b"test-session")
    assert not verify_proof(
        scheme, SigningDomain.of(scheme.roster), VoteKind.COMMIT, 2, 5, bytes(32), small
    )
    # forged bitmap: claim one more signer than signed
    forged = Certificate(encode_bitmap(range(q + 1), n), good.signature)
    assert not verify_proof(
        scheme, SigningDomain.of(scheme.roster), VoteKind.COMMIT, 2, 5, bytes(32), forged
    )
    # a padding bit names a signer outside the roster
    outside = Certificate(bytes([good.bitmap[0] | 0x80]), good.signature)
    assert not verify_proof(
        scheme, SigningDomain.of(scheme.roster), VoteKind.COMMIT, 2, 5, bytes(32), outside
    )
    # another statement
    assert not verify_proof(
        scheme, SigningDomain.of(scheme.roster), VoteKind.PREPARE, 2, 5, bytes(32), good
    )


def test_partial_signatures_blame_the_bad_signer(scheme: SignatureScheme) -> None:
    signers = (0, 2, 3, 5, 6)
    message = bytes(range(32))
    nonces = [scheme.nonce_gen(i, b"blame" + bytes([i])) for i in signers]
    pubnonces = [p for _, p in nonces]
    aggnonce = scheme.nonce_agg(pubnonces)
    psigs = [
        scheme.partial_sign(i, s, aggnonce, signers, message)
        for i, (s, _) in zip(signers, nonces, strict=True)
    ]
    psigs[2] = bytes([psigs[2][0] ^ 1]) + psigs[2][1:]
    verdicts = [
        scheme.partial_verify(i, psig, pub, aggnonce, signers, message)
        for i, psig, pub in zip(signers, psigs, pubnonces, strict=True)
    ]
    assert verdicts == [True, True, False, True, True]
    signature = scheme.aggregate(psigs, pubnonces, aggnonce, signers, message)
    cert = Certificate(encode_bitmap(signers, 7), signature)
    assert not scheme.verify_certificate(message, cert)


def test_classic_vote_sets(scheme: SignatureScheme) -> None:
    digest = bytes(32)
    payload = vote_payload(SigningDomain.of(scheme.roster), VoteKind.COMMIT, 0, 1, digest)
    votes = tuple(
        SignedVote(i, VoteKind.COMMIT, scheme.sign(i, payload)) for i in range(quorum_size(7))
    )
    assert verify_proof(
        scheme, SigningDomain.of(scheme.roster), VoteKind.COMMIT, 0, 1, digest, VoteSet(votes)
    )
    assert not verify_proof(
        scheme, SigningDomain.of(scheme.roster), VoteKind.COMMIT, 0, 1, digest, VoteSet(votes[:-1])
    )
    twice = VoteSet((*votes[:-1], votes[0]))
    assert not verify_proof(
        scheme, SigningDomain.of(scheme.roster), VoteKind.COMMIT, 0, 1, digest, twice
    )
    stranger = VoteSet((*votes[:-1], SignedVote(9, VoteKind.COMMIT, votes[0].signature)))
    assert not verify_proof(
        scheme, SigningDomain.of(scheme.roster), VoteKind.COMMIT, 0, 1, digest, stranger
    )
    assert proof_signers(VoteSet(votes), 7) == tuple(range(quorum_size(7)))


# --- the replica state machine ---------------------------------------------------------------


def test_step_is_pure() -> None:
    config = ConsensusConfig(4)
    scheme = IdealScheme(4)
    state = initial_state(0)
    before = serial.dumps(state)
    event = Deliver(CLIENT, ClientRequest(Request(0, 0, b"r")))
    after, outputs = step(config, scheme, state, event)
    again, outputs_again = step(config, scheme, state, event)
    assert serial.dumps(state) == before
    assert after == again and outputs == outputs_again
    assert after.pending and outputs  # the primary proposed
    assert serial.loads(ReplicaState, serial.dumps(after)) == after


def test_final_states_and_messages_round_trip_through_json() -> None:
    result = run(ConsensusConfig(4), seed=2, byzantine={3: Behaviour.FORGE})
    for vc in result.view_changes[:3]:
        assert serial.loads(ViewChange, serial.dumps(vc)) == vc
    assert serial.loads(RunResult, serial.dumps(result)) == result


def run(config: ConsensusConfig, seed: int = 1, **kwargs: object) -> RunResult:
    return simulate(Scenario(config, seed=seed, **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", MODES)
def test_fault_free_run_commits_everything_in_view_zero(mode: Mode) -> None:
    result = run(ConsensusConfig(7, mode=mode), requests=20)
    assert result.verdict == Verdict.VALID
    assert result.all_requests_executed
    assert set(result.final_views.values()) == {0}
    assert not result.conflicts and not result.unproven
    assert len(set(result.executed.values())) == 1


def test_ipbft_normal_case_message_counts_are_linear() -> None:
    """Per decision: pre-prepare, 2 x (votes, sign requests, partial signatures, certificate)."""
    n = 16
    q = quorum_size(n)
    config = ConsensusConfig(n, max_batch=1, max_inflight=1, checkpoint_interval=64, window=64)
    result = run(config, requests=5, request_interval=0)
    by_type = result.metrics.messages_by_type
    decisions = result.decided_seqs
    assert decisions == 5
    assert by_type["PrePrepare"] == decisions * (n - 1)
    assert by_type["Vote"] == decisions * 2 * (n - 1)
    assert by_type["SignRequest"] == by_type["PartialSig"] == decisions * 2 * (q - 1)
    assert by_type["CertMsg"] == decisions * 2 * (n - 1)
    assert result.metrics.messages == decisions * (5 * (n - 1) + 4 * (q - 1))


def test_classic_normal_case_message_counts_are_quadratic() -> None:
    n = 7
    config = ConsensusConfig(
        n, mode=Mode.CLASSIC, max_batch=1, max_inflight=1, checkpoint_interval=64, window=64
    )
    result = run(config, requests=4, request_interval=0)
    decisions = result.decided_seqs
    assert decisions == 4
    # backups broadcast prepares, everyone broadcasts commits
    assert result.metrics.messages_by_type["ClassicVote"] == decisions * (2 * n - 1) * (n - 1)
    assert result.metrics.messages_by_type["PrePrepare"] == decisions * (n - 1)


def test_wire_sizes_of_certificates_are_constant_plus_bitmap() -> None:
    small, large = IdealScheme(4), IdealScheme(200)
    for scheme in (small, large):
        n = len(scheme.roster)
        message = vote_payload(SigningDomain.of(scheme.roster), VoteKind.COMMIT, 0, 1, bytes(32))
        cert = certify(scheme, tuple(range(quorum_size(n))), message, b"test-session")
        assert len(cert.bitmap) + len(cert.signature) == (n + 7) // 8 + 64
    assert wire_size(ClientRequest(Request(0, 0, b""))) > 0


@pytest.mark.parametrize("mode", MODES)
def test_checkpoints_move_watermarks_and_collect_garbage(mode: Mode) -> None:
    config = ConsensusConfig(4, mode=mode, checkpoint_interval=2, window=4, max_batch=1)
    cluster = Cluster(config, IdealScheme(4))
    for _ in range(9):
        cluster.submit()
    cluster.run_until_quiet(random.Random(0), 20_000)
    for state in cluster.states:
        assert state.app.seq == 9
        assert state.stable.seq == 8
        assert state.stable.proof is not None
        assert all(seq > 8 for seq in state.slots)
        assert all(seq > 8 for seq in state.prepared)
        assert set(state.checkpoint_states) == {8}


@pytest.mark.parametrize("mode", MODES)
def test_silent_primary_is_replaced_by_a_view_change(mode: Mode) -> None:
    result = run(ConsensusConfig(4, mode=mode), byzantine={0: Behaviour.SILENT}, requests=6)
    assert result.verdict == Verdict.VALID
    assert result.all_requests_executed
    assert all(v >= 1 for v in result.final_views.values())
    assert result.new_views


@pytest.mark.parametrize("mode", MODES)
def test_withholding_primary_loses_nothing_that_committed(mode: Mode) -> None:
    for seed in range(4):
        result = run(
            ConsensusConfig(7, mode=mode),
            seed=seed,
            byzantine={0: Behaviour.WITHHOLD, 3: Behaviour.FORGE},
            requests=10,
        )
        assert result.verdict == Verdict.VALID, seed
        assert result.all_requests_executed, seed


def test_lagging_replica_catches_up_by_state_transfer() -> None:
    config = ConsensusConfig(4, checkpoint_interval=2, window=4, max_batch=1)
    faults = FaultPlan(crashes=(Crash(3, 5, 400),))
    result = run(config, faults=faults, requests=14, request_interval=40)
    assert result.verdict == Verdict.VALID
    assert result.all_requests_executed
    decided_by_3 = result.decisions_of(3)
    assert len(decided_by_3) < result.executed[3]  # some blocks came by state transfer


def test_partition_heals_and_requests_complete() -> None:
    faults = FaultPlan(partitions=(Partition(0, 800, ((0, 1), (2, 3))),))
    result = run(ConsensusConfig(4), faults=faults, requests=6)
    assert result.verdict == Verdict.VALID
    assert result.all_requests_executed


def test_loss_that_heals_lets_exactly_a_quorum_of_honest_replicas_finish() -> None:
    """D-cons-13: n = 7 with two silent replicas leaves exactly a quorum of honest ones; with
    10 % loss for the whole run they were still changing views at the time limit (a case
    Hypothesis found); once loss ends, every request completes."""
    silent = {1: Behaviour.SILENT, 2: Behaviour.SILENT}
    lossy = NetworkParams(1, 5, Fraction(1, 10), Fraction(0))
    kwargs = {"byzantine": silent, "requests": 8, "request_interval": 20, "max_time": 60_000}
    forever = run(ConsensusConfig(7), 0, network=lossy, **kwargs)
    assert forever.verdict == Verdict.VALID  # safe all the same
    assert not forever.requests_complete and max(forever.final_views.values()) > 10
    healed = run(
        ConsensusConfig(7), 0, network=dataclasses.replace(lossy, loss_until=1500), **kwargs
    )
    assert healed.verdict == Verdict.VALID and healed.requests_complete


def test_loss_until_must_not_be_negative() -> None:
    with pytest.raises(SpecError) as err:
        NetworkParams(loss=Fraction(1, 10), loss_until=-1)
    assert err.value.reason == Reason.BAD_CONSENSUS_PARAMETER


def test_runs_are_deterministic_in_the_seed() -> None:
    network = NetworkParams(1, 20, Fraction(1, 10), Fraction(1, 10))
    kwargs = {"network": network, "byzantine": {2: Behaviour.STALE_FUTURE}, "requests": 8}
    a = run(ConsensusConfig(4), seed=5, **kwargs)
    b = run(ConsensusConfig(4), seed=5, **kwargs)
    c = run(ConsensusConfig(4), seed=6, **kwargs)
    assert serial.dumps(a) == serial.dumps(b)
    assert serial.dumps(a) != serial.dumps(c)


@pytest.mark.parametrize("mode", MODES)
def test_ideal_and_real_signatures_give_the_same_decisions(mode: Mode) -> None:
    faults = FaultPlan(partitions=(Partition(50, 500, ((0,),)),))
    byzantine = {1: Behaviour.FORGE, 2: Behaviour.STALE_FUTURE}
    results = [
        simulate(
            Scenario(
                ConsensusConfig(7, mode=mode),
                seed=11,
                network=NetworkParams(1, 15, Fraction(0), Fraction(1, 10)),
                faults=faults,
                byzantine=byzantine,
                requests=10,
                signatures=signatures,
            )
        )
        for signatures in (Signatures.IDEAL, Signatures.REAL)
    ]
    ideal, real = results
    assert ideal.verdict == real.verdict == Verdict.VALID

    def decisions(r: RunResult) -> list[tuple[int, int, int, bytes, int]]:
        return [(c.replica, c.seq, c.view, c.digest, c.time) for c in r.commits]

    assert decisions(ideal) == decisions(real)
    assert ideal.metrics.messages == real.metrics.messages
    assert ideal.metrics.bytes == real.metrics.bytes
    assert ideal.metrics.signatures_verified == real.metrics.signatures_verified


def _drive(cluster: Cluster, rng: random.Random, skip: object = None) -> None:
    """Deliver everything (dropping what ``skip`` selects); fire sign timers when stuck."""
    from vdlt_spec.consensus.replica.state import SignTimer

    for _ in range(5_000):
        if cluster.inflight:
            k = rng.randrange(len(cluster.inflight))
            item = cluster.inflight[k]
            if callable(skip) and skip(item):
                cluster.drop(k)
            else:
                cluster.deliver(k)
            continue
        sign_timers = [i for i, (_, t) in enumerate(cluster.timers) if isinstance(t, SignTimer)]
        if not sign_timers:
            return
        cluster.fire(sign_timers[0])


def test_collector_excludes_a_signer_with_invalid_partial_signatures() -> None:
    config = ConsensusConfig(4, max_batch=1, checkpoint_interval=64, window=64)
    cluster = Cluster(config, IdealScheme(4), {3: Behaviour.FORGE}, seed=5)
    for _ in range(8):
        cluster.submit()
    _drive(cluster, random.Random(0))
    primary = cluster.states[0]
    retried = [s for s in primary.sessions.values() if s.attempt > 1]
    assert retried and all(3 in s.excluded for s in retried)
    assert all(s.done for s in primary.sessions.values() if s.kind != VoteKind.CHECKPOINT)
    assert all(cluster.states[i].app.seq == 8 for i in cluster.honest)
    assert not cluster.conflicts() and not cluster.unproven()


def test_collector_retries_without_a_signer_that_never_answers() -> None:
    from vdlt_spec.consensus.messages import PartialSig
    from vdlt_spec.consensus.sim.cluster import InFlight

    config = ConsensusConfig(4, max_batch=1)
    cluster = Cluster(config, IdealScheme(4))
    cluster.submit()

    def mute_replica_1(item: InFlight) -> bool:
        return item.source == 1 and isinstance(item.message, PartialSig)

    _drive(cluster, random.Random(1), mute_replica_1)
    commits = [d for d in cluster.decisions if d.seq == 1]
    assert len(commits) == 4
    for d in commits:
        assert isinstance(d.proof, Certificate)
        signers = proof_signers(d.proof, 4)
        assert 1 not in signers and len(signers) == 3
