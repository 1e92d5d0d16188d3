"""Tie the PBFT models to the executable replica: thresholds and every honest step (§III-D, §IV-D).

A proof about a model is only as good as the model. These tests check that

* the models' quorum and fault thresholds are the spec's own functions
  (:mod:`vdlt_spec.crypto.quorum`) and evaluate alike on ints and on Z3 terms;
* the Python mirror of the model's honest guards equals the Z3 guard formulas on small
  concrete structures;
* random runs of the spec's replicas (honest ones through ``replica.step``, Byzantine ones
  through the simulator's adversary) only take honest steps the model allows: every prepare
  and commit endorsement and every view-change report passes the model's guard, evaluated on
  what the run has produced so far.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec.consensus.block import block_digest
from vdlt_spec.consensus.config import ConsensusConfig, Mode
from vdlt_spec.consensus.messages import (
    ClassicVote,
    NewView,
    PartialSig,
    PrePrepare,
    ViewChange,
    Vote,
)
from vdlt_spec.consensus.payloads import VoteKind
from vdlt_spec.consensus.replica.state import Broadcast, ReplicaState, Send
from vdlt_spec.consensus.replica.viewchange import valid_prepare_proof
from vdlt_spec.consensus.schemes import IdealScheme
from vdlt_spec.consensus.sim import cluster as cluster_module
from vdlt_spec.consensus.sim.byzantine import Behaviour
from vdlt_spec.consensus.sim.cluster import Cluster
from vdlt_spec.crypto import is_quorum, max_faulty, quorum_size, within_fault_bound
from vdlt_spec.models import domain, pbft
from vdlt_spec.models import quorum as quorum_model
from vdlt_spec.models.pbft_guards import (
    NO_VIEW,
    SlotTrace,
    after_view_change,
    may_commit,
    may_prepare,
    may_view_change,
)

# --- thresholds --------------------------------------------------------------------------------


def _z3_true(formula: z3.BoolRef) -> bool:
    return z3.is_true(z3.simplify(formula))


@pytest.mark.parametrize("n", [*range(1, 40), 100, 255, 256, 1024])
def test_quorum_thresholds_match_the_model(n: int) -> None:
    q = quorum_size(n)
    f = max_faulty(n)
    config = ConsensusConfig(n)
    assert (config.quorum, config.f) == (q, f)
    assert quorum_model.is_quorum is is_quorum
    assert quorum_model.within_fault_bound is within_fault_bound
    for count in range(n + 1):
        model_says = _z3_true(quorum_model.is_quorum(z3.IntVal(count), z3.IntVal(n)))
        assert is_quorum(count, n) == model_says == (count >= q)
    assert _z3_true(quorum_model.within_fault_bound(z3.IntVal(f), z3.IntVal(n)))
    assert not _z3_true(quorum_model.within_fault_bound(z3.IntVal(f + 1), z3.IntVal(n)))
    assert _z3_true(z3.And(*quorum_model.fault_bound_term(z3.IntVal(n), z3.IntVal(f))))
    for other in (f - 1, f + 1):
        assert not _z3_true(z3.And(*quorum_model.fault_bound_term(z3.IntVal(n), z3.IntVal(other))))


# --- the mirror of the guards equals the Z3 guards ---------------------------------------------

REPLICAS = 2
VIEWS = (NO_VIEW, 0, 1, 2)
DIGESTS = (b"\x00", b"\x01")


@dataclass
class Structure:
    """A finite interpretation of the model's sorts and relations, as ground Z3 facts."""

    replicas: list[z3.ExprRef] = field(default_factory=list)
    views: dict[int, z3.ExprRef] = field(default_factory=dict)
    digests: dict[bytes, z3.ExprRef] = field(default_factory=dict)
    facts: list[z3.BoolRef] = field(default_factory=list)


def _structure(t: SlotTrace) -> tuple[Structure, domain.State]:
    s = Structure()
    s.replicas = [z3.Const(f"replica{i}", domain.Replica) for i in range(REPLICAS)]
    s.views = {
        v: (domain.no_view if v == NO_VIEW else z3.Const(f"view{v}", domain.View)) for v in VIEWS
    }
    s.views[0] = domain.first_view
    s.digests = {d: z3.Const(f"dig{d.hex()}", domain.Digest) for d in DIGESTS}
    state = domain.symbols(pbft.RELATIONS, "_m")
    x = z3.Const("x", domain.Replica)
    y = z3.Const("y", domain.View)
    e = z3.Const("e", domain.Digest)
    s.facts += [
        z3.Distinct(*s.replicas),
        z3.Distinct(*s.views.values()),
        z3.Distinct(*s.digests.values()),
        z3.ForAll([x], z3.Or(*[x == r for r in s.replicas])),
        z3.ForAll([y], z3.Or(*[y == v for v in s.views.values()])),
        z3.ForAll([e], z3.Or(*[e == d for d in s.digests.values()])),
        *[domain.honest(r) for r in s.replicas],
    ]
    for a, b in itertools.product(VIEWS, repeat=2):
        fact = domain.view_le(s.views[a], s.views[b])
        s.facts.append(fact if a <= b else z3.Not(fact))
    rows: dict[str, tuple[list[Any], set[Any]]] = {
        "prep": ([range(REPLICAS), VIEWS, DIGESTS], set(t.prep)),
        "comm": ([range(REPLICAS), VIEWS, DIGESTS], set(t.comm)),
        "vc": ([range(REPLICAS), VIEWS, VIEWS, DIGESTS], set(t.vc)),
        "prop": ([VIEWS, DIGESTS], set(t.prop)),
        "pcert": ([VIEWS, DIGESTS], set(t.pcert)),
        "left": ([range(REPLICAS), VIEWS], set(t.left)),
        "ccert": ([VIEWS, DIGESTS], set()),
    }
    for name, (axes, true_rows) in rows.items():
        for row in itertools.product(*axes):
            args = [_term(s, name, i, value) for i, value in enumerate(row)]
            atom = state[name](*args)
            s.facts.append(atom if row in true_rows else z3.Not(atom))
    return s, state


def _term(s: Structure, relation: str, position: int, value: Any) -> z3.ExprRef:
    kinds = {
        "prep": "rvd",
        "comm": "rvd",
        "vc": "rvvd",
        "prop": "vd",
        "pcert": "vd",
        "left": "rv",
        "ccert": "vd",
    }[relation]
    kind = kinds[position]
    if kind == "r":
        return s.replicas[value]
    if kind == "v":
        return s.views[value]
    return s.digests[value]


def _holds(s: Structure, binding: list[z3.BoolRef], guard: list[z3.BoolRef]) -> bool:
    """Tell whether the guard is true in the structure under the parameter binding."""
    solver = z3.Solver()
    solver.set("timeout", 10_000)
    solver.add(*s.facts, *binding)
    solver.add(z3.Not(z3.And(*guard)))
    answer = solver.check()
    assert answer != z3.unknown
    return answer == z3.unsat


def _guard(name: str) -> pbft.Action:
    return next(a for a in pbft.ACTIONS if a.name == name)


rows_rvd = st.tuples(
    st.integers(0, REPLICAS - 1), st.sampled_from(VIEWS[1:]), st.sampled_from(DIGESTS)
)
rows_vd = st.tuples(st.sampled_from(VIEWS[1:]), st.sampled_from(DIGESTS))
traces = st.builds(
    SlotTrace,
    prep=st.frozensets(rows_rvd, max_size=4),
    comm=st.frozensets(rows_rvd, max_size=3),
    vc=st.just(frozenset()),
    prop=st.frozensets(rows_vd, max_size=3),
    pcert=st.frozensets(rows_vd, max_size=2),
    left=st.frozensets(
        st.tuples(st.integers(0, REPLICAS - 1), st.sampled_from(VIEWS[1:])), max_size=2
    ),
)


@settings(max_examples=40, deadline=None)
@given(
    t=traces,
    r=st.integers(0, REPLICAS - 1),
    v=st.sampled_from(VIEWS[1:]),
    w=st.sampled_from(VIEWS[1:]),
    vp=st.sampled_from(VIEWS),
    d=st.sampled_from(DIGESTS),
)
def test_guard_mirror_equals_the_z3_guards(
    t: SlotTrace, r: int, v: int, w: int, vp: int, d: bytes
) -> None:
    s, state = _structure(t)
    bind = [pbft.ra == s.replicas[r], pbft.va == s.views[v], pbft.da == s.digests[d]]
    prepare = _guard("honest-prepare").guard(state)
    assert _holds(s, bind, prepare) == may_prepare(t, r, v, d)
    commit = _guard("honest-commit").guard(state)
    assert _holds(s, bind, commit) == may_commit(t, r, v, d)
    bind_vc = [
        pbft.ra == s.replicas[r],
        pbft.wa == s.views[w],
        pbft.vpa == s.views[vp],
        pbft.dpa == s.digests[d],
    ]
    change = _guard("honest-view-change").guard(state)
    assert _holds(s, bind_vc, change) == may_view_change(t, r, w, vp, d)


# --- random runs of the spec take only steps the model allows ------------------------------------


@dataclass
class ModelChecker:
    """Replay the honest steps of a run into per-sequence model traces and check each guard."""

    config: ConsensusConfig
    scheme: IdealScheme
    honest: set[int]
    traces: dict[int, SlotTrace] = field(default_factory=dict)
    checked: Counter[str] = field(default_factory=Counter)
    max_view: int = 0

    def real(self, view: int, seq: int, digest: bytes, proof: Any) -> bool:
        """Tell whether a prepare proof verifies (the model's "certificate exists")."""
        return valid_prepare_proof(self.config, self.scheme, view, seq, digest, proof)

    def trace(self, seq: int) -> SlotTrace:
        return self.traces.get(seq, SlotTrace())

    def learn(self, state: ReplicaState) -> None:
        """Record what the replica's state shows exists: accepted pre-prepares, prepare proofs."""
        self.max_view = max(self.max_view, state.view)
        for seq, slots in state.slots.items():
            t = self.trace(seq)
            props = {(slot.pre_prepare.view, slot.digest) for slot in slots}
            certs = {(slot.pre_prepare.view, slot.digest) for slot in slots if slot.prepared}
            self.traces[seq] = SlotTrace(
                t.prep, t.comm, t.vc, t.prop | props, t.pcert | certs, t.left
            )
        for seq, record in state.prepared.items():
            t = self.trace(seq)
            if self.real(record.view, seq, record.digest, record.proof):
                self.traces[seq] = SlotTrace(
                    t.prep, t.comm, t.vc, t.prop, t.pcert | {(record.view, record.digest)}, t.left
                )

    def endorse(self, r: int, kind: VoteKind, view: int, seq: int, digest: bytes) -> None:
        t = self.trace(seq)
        if kind == VoteKind.PREPARE:
            assert may_prepare(t, r, view, digest), (r, view, seq, digest.hex(), t)
            self.traces[seq] = SlotTrace(
                t.prep | {(r, view, digest)}, t.comm, t.vc, t.prop, t.pcert, t.left
            )
            self.checked["prepare"] += 1
        elif kind == VoteKind.COMMIT:
            assert may_commit(t, r, view, digest), (r, view, seq, digest.hex(), t)
            self.traces[seq] = SlotTrace(
                t.prep, t.comm | {(r, view, digest)}, t.vc, t.prop, t.pcert, t.left
            )
            self.checked["commit"] += 1

    def view_change(self, vc: ViewChange) -> None:
        reported = {entry.seq: entry for entry in vc.prepared}
        views = range(0, max(self.max_view, vc.new_view) + 1)
        for seq in set(self.traces) | set(reported):
            if seq <= vc.stable_seq:
                continue  # decided and covered by the reported stable checkpoint certificate
            t = self.trace(seq)
            entry = reported.get(seq)
            vp, dp = (entry.view, entry.digest) if entry else (NO_VIEW, b"")
            if entry is not None:
                assert self.real(vp, seq, dp, entry.proof)
                t = SlotTrace(t.prep, t.comm, t.vc, t.prop, t.pcert | {(vp, dp)}, t.left)
            assert may_view_change(t, vc.replica, vc.new_view, vp, dp), (vc.replica, seq, vp, t)
            self.traces[seq] = after_view_change(t, vc.replica, vc.new_view, vp, dp, views)
            self.checked["view-change report"] += 1

    def observe(self, before: ReplicaState, after: ReplicaState, outputs: tuple[Any, ...]) -> None:
        r = after.index
        if r not in self.honest:
            return
        self.learn(after)
        for out in outputs:
            if not isinstance(out, Send | Broadcast):
                continue
            msg = out.message
            if isinstance(msg, Vote | PartialSig | ClassicVote):
                self.endorse(r, msg.kind, msg.view, msg.seq, msg.digest)
            elif isinstance(msg, PrePrepare):  # the primary's proposal is its own prepare
                self.propose(r, msg)
            elif isinstance(msg, NewView):  # so are the pre-prepares of a new view it sends
                for pre_prepare in msg.pre_prepares:
                    self.propose(r, pre_prepare)
            elif isinstance(msg, ViewChange) and msg.replica == r:
                self.view_change(msg)

    def propose(self, r: int, msg: PrePrepare) -> None:
        t = self.trace(msg.seq)
        digest = block_digest(msg.block)
        self.traces[msg.seq] = SlotTrace(
            t.prep, t.comm, t.vc, t.prop | {(msg.view, digest)}, t.pcert, t.left
        )
        self.endorse(r, VoteKind.PREPARE, msg.view, msg.seq, digest)


@dataclass(frozen=True)
class Run:
    n: int
    mode: Mode
    byzantine: dict[int, Behaviour]
    seed: int
    steps: int


def _drive(run: Run, monkeypatch: pytest.MonkeyPatch) -> ModelChecker:
    config = ConsensusConfig(run.n, mode=run.mode, checkpoint_interval=2, window=4, max_batch=2)
    scheme = IdealScheme(run.n)
    checker = ModelChecker(config, scheme, {i for i in range(run.n) if i not in run.byzantine})
    original = cluster_module.step

    def observed(cfg: ConsensusConfig, sch: Any, state: ReplicaState, event: Any) -> Any:
        new_state, outputs = original(cfg, sch, state, event)
        checker.observe(state, new_state, tuple(outputs))
        return new_state, outputs

    monkeypatch.setattr(cluster_module, "step", observed)
    group = Cluster(config, scheme, run.byzantine, seed=run.seed)
    rng = random.Random(run.seed)
    group.submit()
    for _ in range(run.steps):
        roll = rng.random()
        if roll < 0.06 and group.requests < 6:
            group.submit()
        elif roll < 0.12:
            group.drop(rng.randrange(10**6))
        elif roll < 0.15:
            group.duplicate(rng.randrange(10**6))
        elif roll < 0.30 or not group.inflight:
            group.fire(rng.randrange(10**6))
        else:
            group.deliver(rng.randrange(10**6))
    assert not group.conflicts()
    return checker


def _runs(count: int, seed: int) -> Iterator[Run]:
    rng = random.Random(seed)
    for _ in range(count):
        n = rng.choice([4, 5, 7])
        f = max_faulty(n)
        who = rng.sample(range(n), rng.randint(0, f))
        behaviours = {i: rng.choice(list(Behaviour)) for i in who}
        yield Run(n, rng.choice(list(Mode)), behaviours, rng.randrange(2**32), 500)


def test_spec_runs_take_only_model_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    total: Counter[str] = Counter()
    for run in _runs(12, seed=2024):
        with monkeypatch.context() as patch:
            total += _drive(run, patch).checked
    # the campaign must exercise every kind of step, or it proves nothing
    assert total["prepare"] > 0 and total["commit"] > 0 and total["view-change report"] > 0, total


@settings(max_examples=15, deadline=None)
@given(
    n=st.sampled_from([4, 5, 7]),
    mode=st.sampled_from(list(Mode)),
    seed=st.integers(0, 2**32),
    data=st.data(),
)
def test_random_schedules_take_only_model_steps(
    n: int, mode: Mode, seed: int, data: st.DataObject
) -> None:
    f = max_faulty(n)
    who = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=f))
    kinds = data.draw(
        st.lists(st.sampled_from(list(Behaviour)), min_size=len(who), max_size=len(who))
    )
    run = Run(n, mode, dict(zip(who, kinds, strict=True)), seed, 300)
    with pytest.MonkeyPatch.context() as patch:
        _drive(run, patch)


def test_checker_has_teeth() -> None:
    """The checker rejects steps the model forbids: an uncertified commit, a hidden commit."""
    config = ConsensusConfig(4)
    checker = ModelChecker(config, IdealScheme(4), {0, 1, 2, 3})
    d = b"\x11" * 32
    checker.traces[1] = SlotTrace(prop=frozenset({(0, d)}))
    checker.endorse(0, VoteKind.PREPARE, 0, 1, d)
    with pytest.raises(AssertionError):
        checker.endorse(0, VoteKind.PREPARE, 0, 1, b"\x22" * 32)  # a second digest in view 0
    with pytest.raises(AssertionError):
        checker.endorse(0, VoteKind.COMMIT, 0, 1, d)  # no prepare certificate yet
    t = checker.traces[1]
    checker.traces[1] = SlotTrace(t.prep, t.comm, t.vc, t.prop, t.pcert | {(0, d)}, t.left)
    checker.endorse(0, VoteKind.COMMIT, 0, 1, d)
    hiding = ViewChange(
        replica=0, new_view=1, stable_seq=0, stable_digest=b"", stable_proof=None, prepared=()
    )
    with pytest.raises(AssertionError):
        checker.view_change(hiding)  # reports no certificate although it committed in view 0
