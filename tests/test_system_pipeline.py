"""The vDLT system end to end: determinism, conservation, roles, certificates, baseline, audit."""

from __future__ import annotations

import json
from collections import Counter
from fractions import Fraction
from functools import lru_cache

import pytest

from vdlt_spec.audit.auditor import audit
from vdlt_spec.audit.trace import parse
from vdlt_spec.roles import PRODUCES_USER_BLOCKS, NodeRole
from vdlt_spec.system import (
    Faults,
    SystemConfig,
    SystemRun,
    TxStatus,
    commit_message,
    domain_of,
    group_scheme,
    group_seed,
    render_trace,
    simulate,
    summarize,
)
from vdlt_spec.verdict import Verdict

CONFIG = SystemConfig(transactions=200)


@lru_cache(maxsize=4)
def _run(baseline: bool = False) -> SystemRun:
    return simulate(CONFIG, 3, baseline=baseline)


@lru_cache(maxsize=2)
def _trace(baseline: bool = False) -> str:
    return render_trace(_run(baseline))


def test_same_seed_gives_a_byte_identical_trace() -> None:
    assert render_trace(simulate(CONFIG, 3)) == _trace()


def test_every_submitted_transaction_is_confirmed_dropped_or_pending() -> None:
    run = _run()
    counts = Counter(t.status for t in run.txs)
    assert sum(counts.values()) == CONFIG.transactions
    assert counts[TxStatus.CONFIRMED] > 0
    assert all(t.reason for t in run.txs if t.status != TxStatus.CONFIRMED)


def test_management_nodes_never_produce_user_blocks() -> None:
    run = _run()
    assert run.user_blocks
    for block in run.user_blocks:
        assert block.producer not in run.management
        assert PRODUCES_USER_BLOCKS[NodeRole(run.roles[block.producer])]


def test_high_security_groups_may_include_management_nodes_that_do_not_produce() -> None:
    run = _run()
    lent = [b for b in run.user_blocks if any(m in run.management for m in b.group)]
    assert lent
    assert all(b.stream.startswith("management-control") for b in lent)  # high security


def test_confirmed_implies_a_quorum_certificate_of_the_named_group() -> None:
    run = _run()
    named = {(a.epoch, g.stream): g.members for a in run.allocations for g in a.groups}
    for block in run.user_blocks:
        assert named[(block.epoch, block.stream)] == block.group
        scheme = group_scheme(
            run.signatures, len(block.group), group_seed(run.seed, block.chain, block.group)
        )
        message = commit_message(
            domain_of(scheme, block.chain, run.epoch), block.height, block.digest
        )
        assert block.certificate is not None and scheme.verify_certificate(
            message, block.certificate
        )
    confirmed = [t for t in run.txs if t.status == TxStatus.CONFIRMED]
    assert all(t.block is not None and t.id in run.user_blocks[t.block].txs for t in confirmed)


def test_fast_confirmation_beats_the_coupled_baseline() -> None:
    vdlt = summarize(_run())
    coupled = summarize(_run(baseline=True))
    assert vdlt.submitted == coupled.submitted
    fast = {c.architecture: c for c in (vdlt, coupled)}
    p99 = {
        name: next(c.p99_ms for c in s.classes if c.service_class == "fast_confirmation")
        for name, s in fast.items()
    }
    assert p99["vdlt"] < p99["coupled"]
    assert coupled.execution.max_load >= vdlt.execution.max_load


def test_the_auditor_finds_a_clean_run_valid() -> None:
    for baseline in (False, True):
        report = audit(parse(_trace(baseline).splitlines()))
        assert report.verdict == Verdict.VALID, report.findings[:3]


def _tampered(change: str) -> list[str]:
    lines = _trace().splitlines()
    records = [json.loads(line) for line in lines]
    index = next(i for i, r in enumerate(records) if r.get("type") == "user_block")
    block = records[index]
    if change == "tampered-block":
        block["txs"] = [*block["txs"][::-1], block["txs"][0]] if block["txs"] else [0]
    elif change == "management-producer":
        block["producer"] = records[0]["management"][0]
    elif change == "confirmed-twice":
        confirm = next(r for r in records if r.get("type") == "confirm")
        records.append(dict(confirm))
    elif change == "lost-transaction":
        records.remove(next(r for r in records if r.get("type") == "confirm"))
    elif change == "queue-jumped":
        queued = [r for r in records if r.get("type") == "queue"]
        first, last = queued[0], queued[-1]
        first["start"], last["start"] = last["start"], first["start"]
        first["finish"], last["finish"] = last["finish"], first["finish"]
    return [json.dumps(r, sort_keys=True) for r in records]


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ("tampered-block", "quorum-certificate"),
        ("management-producer", "management-never-produces"),
        ("confirmed-twice", "exactly-once"),
        ("lost-transaction", "conservation"),
        ("queue-jumped", "class-isolation"),
    ],
)
def test_the_auditor_catches_each_seeded_fault(change: str, rule: str) -> None:
    report = audit(parse(_tampered(change)))
    assert report.verdict == Verdict.INVALID
    assert rule in {f.rule for f in report.findings}


def test_byzantine_delegates_are_slashed_and_crashes_tolerated() -> None:
    config = SystemConfig(
        transactions=60,
        faults=Faults(byzantine_management=2, behaviour="equivocate", crashed_execution=2),
    )
    run = simulate(config, 1)
    assert sum(t.status == TxStatus.CONFIRMED for t in run.txs) > 0
    assert {p.offender for p in run.penalties} == {run.management[0], run.management[1]}
    report = audit(parse(render_trace(run).splitlines()))
    assert report.verdict == Verdict.VALID, report.findings[:3]


def test_loss_partitions_and_byzantine_execution_nodes_keep_the_run_valid() -> None:
    faults = Faults(loss=Fraction(1, 10), partition_ms=100, byzantine_execution=4)
    run = simulate(SystemConfig(transactions=80, execution=16, faults=faults), 4)
    assert sum(t.status == TxStatus.CONFIRMED for t in run.txs) > 0
    report = audit(parse(render_trace(run).splitlines()))
    assert report.verdict == Verdict.VALID, report.findings[:3]


def test_the_hierarchy_moves_decisions_off_the_top() -> None:
    run = simulate(SystemConfig(transactions=150, hierarchy=True), 2)
    assert run.local_decisions > 0
    assert run.top_decisions < sum(t.status == TxStatus.CONFIRMED for t in run.txs)
