"""Tests of the queuing auditor and the queuing conformance operations (§IV-A)."""

from __future__ import annotations

import dataclasses
import json
import random
from fractions import Fraction

import pytest

from vdlt_spec import queuing
from vdlt_spec.audit import trace
from vdlt_spec.audit.auditor import audit
from vdlt_spec.audit.rules.queuing import schedule_trace
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.queuing import workload
from vdlt_spec.verdict import Verdict

CONFIG = queuing.default_config()


@pytest.fixture(scope="module")
def run() -> tuple[tuple[object, ...], queuing.Schedule]:
    arrivals = workload.mixed_workload(
        workload.WorkloadSpec(count=300, load=Fraction(6, 5)), random.Random(3)
    )
    return arrivals, queuing.run(CONFIG, arrivals)


def _audit(text: str) -> object:
    return audit(trace.parse(text.splitlines()))


def test_the_reference_run_is_valid(run: tuple) -> None:
    arrivals, schedule = run
    report = _audit(schedule_trace(CONFIG, arrivals, schedule))
    assert report.verdict is Verdict.VALID and report.checked == len(arrivals)


def test_a_lost_transaction_breaks_conservation(run: tuple) -> None:
    arrivals, schedule = run
    broken = dataclasses.replace(schedule, departures=schedule.departures[:-1])
    report = _audit(schedule_trace(CONFIG, arrivals, broken))
    assert report.verdict is Verdict.INVALID
    assert {f.rule for f in report.findings} >= {"conservation"}


def test_reordering_within_a_class_breaks_fifo(run: tuple) -> None:
    arrivals, schedule = run
    deps = list(schedule.departures)
    i, j = next(
        (i, j)
        for i in range(len(deps))
        for j in range(i + 1, len(deps))
        if deps[i].service_class == deps[j].service_class
        and deps[i].finish - deps[i].start == deps[j].finish - deps[j].start
    )
    deps[i], deps[j] = (
        dataclasses.replace(deps[i], id=deps[j].id),
        dataclasses.replace(deps[j], id=deps[i].id),
    )
    report = _audit(
        schedule_trace(CONFIG, arrivals, dataclasses.replace(schedule, departures=tuple(deps)))
    )
    assert report.verdict is Verdict.INVALID
    assert "fifo-per-queue" in {f.rule for f in report.findings}


def test_an_idle_link_breaks_work_conservation(run: tuple) -> None:
    arrivals, schedule = run
    shift = Fraction(1000)
    late = tuple(
        dataclasses.replace(d, start=d.start + shift, finish=d.finish + shift)
        for d in schedule.departures
    )
    report = _audit(
        schedule_trace(CONFIG, arrivals, dataclasses.replace(schedule, departures=late))
    )
    assert {"work-conserving", "gps-bound"} <= {f.rule for f in report.findings}


def test_empty_run_is_unknown_and_bad_events_rejected() -> None:
    empty = trace.render("queuing", {}, [])
    assert _audit(empty).verdict is Verdict.UNKNOWN
    for event in ({"type": "teleport"}, {"type": "arrival", "tx": {"id": -1}}):
        with pytest.raises(SpecError) as info:
            _audit(trace.render("queuing", {}, [event]))
        assert info.value.reason is Reason.BAD_TRACE


def test_trace_is_plain_json_lines(run: tuple) -> None:
    arrivals, schedule = run
    lines = schedule_trace(CONFIG, arrivals, schedule).splitlines()
    assert json.loads(lines[0])["trace"] == "queuing"
    assert all(isinstance(json.loads(line), dict) for line in lines)
