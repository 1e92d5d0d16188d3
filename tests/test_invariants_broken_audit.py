"""Every auditor rule, handed a minimal trace that breaks it, reports exactly that finding.

The consensus auditor (commit-proof, agreement, commit-once; §III-D, §IV-D), the queuing
auditor (one rule per queuing invariant; §IV-A) and the virtualization auditor (placement
rules, isolation, admission, release, rejection; §III-C) each get small recorded traces that a
faulty implementation could produce, and must name the rule, the line and the cause.
"""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from vdlt_spec import serial, virtualization
from vdlt_spec.audit.auditor import AuditReport, Finding, audit
from vdlt_spec.audit.rules import queuing as queuing_rules
from vdlt_spec.audit.rules.virtualization import reference_trace
from vdlt_spec.audit.trace import parse
from vdlt_spec.cos import ServiceClass, Transaction, cos_byte
from vdlt_spec.queuing import CbwfqConfig, ClassPolicy, Departure, Drop, Schedule, run
from vdlt_spec.verdict import Verdict

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CONSENSUS = (EXAMPLES / "consensus-trace.jsonl").read_text().splitlines()
DIGEST_A = "aa" * 32
DIGEST_B = "bb" * 32


def _audit(lines: list[str]) -> AuditReport:
    return audit(parse(lines))


# --- consensus -------------------------------------------------------------------------------


def _commit(replica: int, seq: int, digest: str, view: int = 0) -> str:
    """Return a commit event of a trace without a roster (ideal signatures: any proof)."""
    proof = json.loads(CONSENSUS[1])["proof"]
    event = {"type": "commit", "replica": replica, "seq": seq, "view": view, "digest": digest}
    return json.dumps({**event, "proof": proof})


IDEAL_HEADER = json.dumps({"trace": "consensus", "version": 1})


def test_agreeing_commits_have_no_finding() -> None:
    """Two replicas committing the same block at one sequence number: valid."""
    report = _audit([IDEAL_HEADER, _commit(0, 1, DIGEST_A), _commit(1, 1, DIGEST_A)])
    assert report.findings == () and report.verdict is Verdict.VALID


def test_two_blocks_at_one_sequence_number_break_agreement() -> None:
    """A second block at seq 1 is an agreement finding naming both lines and digests."""
    report = _audit([IDEAL_HEADER, _commit(0, 1, DIGEST_A), _commit(1, 1, DIGEST_B)])
    assert report.findings == (
        Finding(
            "agreement",
            3,
            f"seq 1: replica 1 commits {DIGEST_B[:16]} but line 2 committed {DIGEST_A[:16]}; "
            "signed both proofs: unknown (no roster)",
        ),
    )
    assert report.verdict is Verdict.INVALID


def test_a_replica_committing_a_sequence_number_twice_breaks_commit_once() -> None:
    """The same replica committing seq 1 twice (even the same block) is commit-once."""
    report = _audit([IDEAL_HEADER, _commit(2, 1, DIGEST_A), _commit(2, 1, DIGEST_A, view=1)])
    assert report.findings == (Finding("commit-once", 3, "replica 2 recommits 1"),)


def test_a_commit_without_a_valid_quorum_proof_breaks_commit_proof() -> None:
    """With a roster, a commit whose digest its certificate does not sign is commit-proof."""
    event = json.loads(CONSENSUS[1])
    tampered = json.dumps({**event, "digest": DIGEST_A})
    report = _audit([CONSENSUS[0], tampered, *CONSENSUS[2:]])
    assert [(f.rule, f.line) for f in report.findings] == [("commit-proof", 2)]
    assert report.findings[0].message.startswith(
        f"replica {event['replica']}'s commit of seq {event['seq']} is not proven by a quorum "
        "of valid signatures in "
    )
    assert _audit(CONSENSUS).findings == ()


def test_a_bitmap_below_a_quorum_breaks_commit_proof() -> None:
    """A certificate naming one signer of four is not a quorum: commit-proof."""
    event = json.loads(CONSENSUS[1])
    thin = json.dumps({**event, "proof": {**event["proof"], "bitmap": "01"}})
    report = _audit([CONSENSUS[0], thin])
    assert [(f.rule, f.line) for f in report.findings] == [("commit-proof", 2)]


# --- queuing ---------------------------------------------------------------------------------

SC = ServiceClass
CONFIG = CbwfqConfig(
    classes=(
        ClassPolicy(SC.BEST_EFFORT, Fraction(1, 4), limit=1),
        ClassPolicy(SC.FAST_CONFIRMATION, Fraction(1, 4), limit=1),
    )
)
ARRIVALS = tuple(
    Transaction(i, "alice", cos_byte(SC.BEST_EFFORT), size, Fraction(0))
    for i, size in enumerate((2, 1, 1))
)
GOOD = run(CONFIG, ARRIVALS)


def _d(i: int, start: int, finish: int, cls: ServiceClass = SC.BEST_EFFORT) -> Departure:
    return Departure(i, cls, Fraction(start), Fraction(finish))


BROKEN_SCHEDULES = {
    "conservation": replace(GOOD, departures=GOOD.departures[:1]),
    "single-server": replace(GOOD, departures=(_d(0, 0, 2), _d(1, 1, 2))),
    "work-conserving": replace(GOOD, departures=(_d(0, 0, 2), _d(1, 3, 4))),
    "fifo-per-queue": replace(GOOD, departures=(_d(1, 0, 1), _d(0, 1, 3))),
    "tail-drop": Schedule((_d(0, 0, 2), _d(1, 2, 3), _d(2, 3, 4)), ()),
    "gps-bound": replace(GOOD, departures=(_d(0, 0, 2), _d(1, 10, 11))),
}


def test_the_reference_queuing_trace_is_valid() -> None:
    """The scheduler's own run, recorded and audited, has no finding."""
    lines = queuing_rules.schedule_trace(CONFIG, ARRIVALS, GOOD).splitlines()
    assert _audit(lines).findings == ()


@pytest.mark.parametrize("rule", sorted(BROKEN_SCHEDULES))
def test_each_queuing_rule_reports_its_own_finding(rule: str) -> None:
    """A schedule broken for one rule reports that rule's exact messages under its name.

    Every finding is the message of the invariant its rule names (no rule reports another's),
    and the targeted rule is among them.
    """
    schedule = BROKEN_SCHEDULES[rule]
    lines = queuing_rules.schedule_trace(CONFIG, ARRIVALS, schedule).splitlines()
    findings = _audit(lines).findings
    expected = tuple(
        Finding(name, 1, message)
        for name, check in queuing_rules.RULES.items()
        for message in check(CONFIG, ARRIVALS, schedule)
    )
    assert findings == expected
    assert rule in {f.rule for f in findings}


def test_a_drop_of_a_transaction_with_room_is_a_tail_drop_finding() -> None:
    """Dropping the second transaction while its queue is empty: exactly that finding (the
    third then finds room, since the first started when it arrived)."""
    schedule = Schedule((_d(0, 0, 2), _d(2, 2, 3)), (Drop(1, SC.BEST_EFFORT, Fraction(0)),))
    lines = queuing_rules.schedule_trace(CONFIG, ARRIVALS, schedule).splitlines()
    tail = [f for f in _audit(lines).findings if f.rule == "tail-drop"]
    assert tail == [Finding("tail-drop", 1, "transaction 1 dropped with 0 waiting of limit 1")]


# --- virtualization --------------------------------------------------------------------------

SUBSTRATE = serial.decode(
    virtualization.Substrate, json.loads((EXAMPLES / "substrate.json").read_text())
)
SYSTEMS = serial.decode(
    tuple[virtualization.VirtualSystem, ...], json.loads((EXAMPLES / "systems.json").read_text())
)
A, B = SYSTEMS


def _events(steps: list[virtualization.VirtualSystem | str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in reference_trace(SUBSTRATE, steps).splitlines()]


def _virt(events: list[dict[str, Any]]) -> AuditReport:
    return _audit([json.dumps(e) for e in events])


def test_the_reference_admissions_and_releases_are_valid() -> None:
    """Admit a, admit b, release a, as the reference does it: no finding."""
    assert _virt(_events([A, B, A.id])).findings == ()


def test_a_rejection_for_a_reason_that_is_not_a_rejection_is_named() -> None:
    """Rejecting a system for BAD_USAGE (not a capacity or placement reason) is a finding."""
    header, admit_a = _events([A])
    rejected = {"type": "reject", "system": serial.encode(B), "reason": "BAD_USAGE"}
    assert _virt([header, admit_a, rejected]).findings == (
        Finding("rejection", 3, "system b rejected for 'BAD_USAGE'"),
    )


def test_admitting_a_system_twice_is_named() -> None:
    """A second admit of an admitted system is an admission finding."""
    header, admit_a = _events([A])
    assert _virt([header, admit_a, admit_a]).findings == (
        Finding("admission", 3, "system a admitted twice"),
    )


def test_an_admit_that_does_not_place_the_system_is_named() -> None:
    """An admit whose resulting placement lacks the system is an admission finding."""
    header, admit_a, admit_b = _events([A, B])
    unplaced = {**admit_b, "placement": admit_a["placement"]}
    assert _virt([header, admit_a, unplaced]).findings == (
        Finding("admission", 3, "system b missing or altered after admit"),
    )


def test_releasing_a_system_never_admitted_or_leaving_it_placed_is_named() -> None:
    """Release of an unknown id, and a release after which the system stays, are findings."""
    header, admit_a, admit_b = _events([A, B])
    ghost = {"type": "release", "system": "ghost", "placement": admit_b["placement"]}
    assert _virt([header, admit_a, admit_b, ghost]).findings == (
        Finding("release", 4, "system ghost was not admitted"),
    )
    kept = {"type": "release", "system": "a", "placement": admit_b["placement"]}
    assert _virt([header, admit_a, admit_b, kept]).findings == (
        Finding("release", 4, "system a still placed"),
    )


def test_an_admission_that_moves_another_system_breaks_isolation() -> None:
    """Admitting b while a's nodes move, or a disappears, is an isolation finding."""
    header, admit_a, admit_b = _events([A, B])
    placement = admit_b["placement"]
    without_a = {
        "systems": [s for s in placement["systems"] if s["id"] != "a"],
        "assignments": [x for x in placement["assignments"] if x["system"] != "a"],
    }
    dropped = {**admit_b, "placement": without_a}
    assert _virt([header, admit_a, dropped]).findings == (
        Finding("isolation", 3, "system a disappeared"),
    )


def test_a_placement_over_a_host_capacity_is_a_capacity_finding() -> None:
    """On a substrate whose hosts shrank to 1 compute unit, every used host is over capacity.

    (The management hosts then also fall below the management minimum: management-hosts.)
    """
    header, admit_a = _events([A])
    shrunk = json.loads(json.dumps(header))
    for node in shrunk["substrate"]["nodes"]:
        node["capacity"]["compute"] = 1
    findings = [f for f in _virt([shrunk, admit_a]).findings if f.rule == "capacity"]
    hosts = sorted({x["host"] for x in admit_a["placement"]["assignments"]})
    assert [f.line for f in findings] == [2] * len(hosts)
    assert sorted(f.message.split(":")[0] for f in findings) == [
        f"CAPACITY_EXCEEDED at {h}" for h in hosts
    ]
