"""Adversarial view changes: differing prepared blocks, partial delivery, Byzantine new primaries.

* the scripted schedule puts two prepare certificates with different blocks on one sequence
  number (view 0 and view 1) into one new view: the highest-view block must be re-proposed
  and agreement must hold, in both modes;
* a seeded adversarial scheduler (and a Hypothesis state machine over the same actions) checks
  agreement after every step and counts the situations of PBFT's safety argument; the key ones
  must be reached;
* every new view an honest replica accepts is checked against the Z3 model's new-view rule
  (:mod:`vdlt_spec.models.pbft`).

``pytest -m campaign -s tests/test_consensus_explore.py`` runs the long exploration.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from vdlt_spec.checks.consensus import new_view_model_mismatches, view_change_rule
from vdlt_spec.consensus.block import NULL_BLOCK, block_digest
from vdlt_spec.consensus.config import Mode
from vdlt_spec.consensus.messages import CertMsg, ClassicVote, ViewChange
from vdlt_spec.consensus.sim.byzantine import Behaviour
from vdlt_spec.consensus.sim.explore import (
    KEY_SITUATIONS,
    SITUATIONS,
    Explorer,
    explore,
    explore_config,
    plan_entries,
)
from vdlt_spec.consensus.sim.view_change_script import differing_prepared_run
from vdlt_spec.verdict import Verdict

DEFAULT_SEEDS = range(24)
DEFAULT_STEPS = 1_500
CAMPAIGN_SEEDS = int(os.environ.get("VDLT_EXPLORE_SEEDS", "400"))
CAMPAIGN_STEPS = 3_000


@pytest.mark.parametrize("mode", list(Mode))
def test_highest_view_certificate_is_adopted_when_prepared_blocks_differ(mode: Mode) -> None:
    cluster = differing_prepared_run(mode)
    view2 = [nv for _, nv in cluster.accepted if nv.view == 2]
    assert view2, "the schedule reaches view 2"
    nv = view2[0]
    entries = plan_entries(nv)[1]
    # seq 1: block A prepared in view 0 (reported first), the null block in view 1
    assert entries[0].view == 0 and entries[0].block != NULL_BLOCK
    assert {e.view for e in entries[1:]} == {1}
    assert {e.block for e in entries[1:]} == {NULL_BLOCK}
    assert nv.pre_prepares[0].seq == 1 and nv.pre_prepares[0].block == NULL_BLOCK
    assert new_view_model_mismatches(nv) == []
    assert cluster.conflicts() == [] and cluster.unproven() == []
    committed = {d.digest for d in cluster.decisions if d.seq == 1}
    assert committed == {block_digest(NULL_BLOCK)}


def test_seeded_exploration_keeps_agreement_and_reaches_every_key_situation() -> None:
    coverage: Counter[str] = Counter()
    checked = 0
    for seed in DEFAULT_SEEDS:
        report = explore(seed, DEFAULT_STEPS)
        assert report.violation == "", f"seed {seed}: {report.violation}"
        coverage.update(report.coverage)
        for nv in report.new_views:
            assert new_view_model_mismatches(nv) == [], f"seed {seed}"
            checked += 1
    print(f"\nexploration coverage ({len(DEFAULT_SEEDS)} seeds x {DEFAULT_STEPS} steps):")
    for name in SITUATIONS:
        print(f"  {name}: {coverage[name]}")
    print(f"  new views checked against the Z3 model: {checked}")
    assert coverage["byzantine-forged-new-view-accepted"] == 0
    missing = [name for name in KEY_SITUATIONS if not coverage[name]]
    assert missing == []
    assert checked > 0


class ViewChangeExploration(RuleBasedStateMachine):
    """Hypothesis picks every action; agreement and the model's rule hold after each."""

    def __init__(self) -> None:
        super().__init__()
        self.explorer = Explorer(explore_config(Mode.IPBFT), {3: Behaviour.DOUBLE_VOTE}, seed=5)
        self.checked = 0

    @rule(burst=st.integers(1, 3))
    def submit_to_primary(self, burst: int) -> None:
        self.explorer.act(lambda: self.explorer.submit_to_primary(burst))

    @rule()
    def submit_to_all(self) -> None:
        self.explorer.act(self.explorer.submit)

    @rule(k=st.integers(0, 1 << 16), times=st.integers(1, 12))
    def deliver(self, k: int, times: int) -> None:
        for i in range(times):
            self.explorer.act(lambda: self.explorer.deliver(k + i))  # noqa: B023

    @rule(k=st.integers(0, 1 << 16))
    def drop_certificate(self, k: int) -> None:
        self.explorer.act(lambda: self.explorer.drop_kind(CertMsg | ClassicVote, k))

    @rule(k=st.integers(0, 1 << 16))
    def drop_view_change(self, k: int) -> None:
        self.explorer.act(lambda: self.explorer.drop_kind(ViewChange, k))

    @rule(k=st.integers(0, 1 << 16))
    def strand_certificate(self, k: int) -> None:
        self.explorer.act(lambda: self.explorer.strand_certificate(k))

    @rule(k=st.integers(0, 1 << 16))
    def hold(self, k: int) -> None:
        self.explorer.act(lambda: self.explorer.hold(k))

    @rule(k=st.integers(0, 1 << 16))
    def release(self, k: int) -> None:
        self.explorer.act(lambda: self.explorer.release(k))

    @rule(k=st.integers(0, 1 << 16))
    def duplicate(self, k: int) -> None:
        self.explorer.act(lambda: self.explorer.duplicate(k))

    @rule(k=st.integers(0, 1 << 16))
    def fire(self, k: int) -> None:
        self.explorer.act(lambda: self.explorer.fire(k))

    @rule()
    def timeout_storm(self) -> None:
        self.explorer.act(self.explorer.timeout_storm)

    @rule(replica=st.integers(0, 3))
    def crash(self, replica: int) -> None:
        self.explorer.act(lambda: self.explorer.crash(replica))

    @rule(k=st.integers(0, 3))
    def recover(self, k: int) -> None:
        self.explorer.act(lambda: self.explorer.recover(k))

    @rule(forge=st.booleans())
    def byzantine_new_view(self, forge: bool) -> None:
        self.explorer.act(lambda: self.explorer.byzantine_new_view(forge))

    @invariant()
    def agreement_and_the_model_rule_hold(self) -> None:
        assert self.explorer.violation == ""
        assert self.explorer.coverage["byzantine-forged-new-view-accepted"] == 0
        accepted = list(dict.fromkeys(nv for _, nv in self.explorer.cluster.accepted))
        for nv in accepted[self.checked :]:
            assert new_view_model_mismatches(nv) == []
        self.checked = len(accepted)


ViewChangeExploration.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestViewChangeExploration = ViewChangeExploration.TestCase


@pytest.mark.campaign
def test_exploration_campaign() -> None:
    coverage: Counter[str] = Counter()
    reached: Counter[str] = Counter()
    checked = 0
    for seed in range(CAMPAIGN_SEEDS):
        report = explore(seed, CAMPAIGN_STEPS)
        assert report.violation == "", f"seed {seed}: {report.violation}"
        coverage.update(report.coverage)
        reached.update(name for name, count in report.coverage.items() if count)
        for nv in report.new_views:
            assert new_view_model_mismatches(nv) == [], f"seed {seed}"
            checked += 1
    print(f"\nexploration campaign ({CAMPAIGN_SEEDS} seeds x {CAMPAIGN_STEPS} steps):")
    for name in SITUATIONS:
        print(f"  {name}: {coverage[name]} (in {reached[name]} runs)")
    print(f"  new views checked against the Z3 model: {checked}")
    assert coverage["byzantine-forged-new-view-accepted"] == 0
    assert all(coverage[name] for name in KEY_SITUATIONS)


def test_view_change_rule_check_passes_on_the_reference() -> None:
    outcome = view_change_rule()
    assert outcome.verdict == Verdict.VALID, outcome.detail
    assert outcome.figures["exploration"]["prepared-differing-blocks"] > 0
