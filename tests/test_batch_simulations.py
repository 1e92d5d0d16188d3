"""Economy and system campaigns on Dask: clean runs, the first broken rule, the shortest walk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from vdlt_spec.batch import BatchCluster, connect
from vdlt_spec.batch import simulations as sims
from vdlt_spec.batch.simulations import SimulationPlan, run_simulations, system_config
from vdlt_spec.cli import main
from vdlt_spec.crypto import max_faulty
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict


@pytest.fixture(scope="module")
def cluster() -> Iterator[BatchCluster]:
    with connect(workers=1) as running:
        yield running


def test_economy_walks_keep_every_invariant(cluster: BatchCluster) -> None:
    report = run_simulations(cluster, SimulationPlan(steps=60), range(5), chunk=2)
    assert report["runs"] == 5 and report["violations"] == 0 and report["violation"] is None
    totals = report["totals"]
    assert totals["steps"] == 5 * 60 and totals["accepted"] > 0 and totals["rejected"] > 0


def test_system_runs_under_drawn_faults_audit_clean(cluster: BatchCluster) -> None:
    plan = SimulationPlan(kind="system", transactions=40)
    report = run_simulations(cluster, plan, [0, 1], chunk=1)
    assert report["runs"] == 2 and report["violations"] == 0
    assert report["totals"]["submitted"] == 80 and report["totals"]["events_audited"] > 0


def test_drawn_system_faults_stay_within_every_bound() -> None:
    plan = SimulationPlan(kind="system")
    drawn = [system_config(seed, plan).faults for seed in range(200)]
    management = system_config(0, plan).management
    assert all(f.byzantine_management <= max_faulty(management) for f in drawn)
    assert all(f.byzantine_execution <= 1 and f.crashed_execution <= 1 for f in drawn)
    assert {f.byzantine_management for f in drawn} == set(range(max_faulty(management) + 1))
    assert len({f.behaviour for f in drawn}) > 3 and {f.partition_ms for f in drawn} == {
        0,
        100,
        300,
    }
    assert system_config(0, SimulationPlan(kind="system", faults=False)).faults.loss == 0


class _Walk:
    """Stand in for an economy walk that breaks a rule from step ``breaks_at`` of seed 3."""

    def __init__(self, breaks_at: int) -> None:
        self.breaks_at = breaks_at

    def __call__(self, seed: int, steps: int) -> Any:
        broken = seed == 3 and steps >= self.breaks_at
        return type(
            "Walk",
            (),
            {
                "steps": steps,
                "accepted": steps,
                "rejected": {},
                "slashes": 0,
                "amendments_live": 0,
                "violations": ("ledger: supply changed",) if broken else (),
                "verdict": Verdict.INVALID if broken else Verdict.VALID,
            },
        )()


def test_the_first_broken_walk_stops_the_campaign_with_its_shortest_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run in-process (the stand-in walk cannot travel to worker processes)."""

    def local(cluster: Any, task: Any, items: Any) -> Iterator[tuple[int, Any]]:
        for i, item in enumerate(items):
            yield i, task(item)

    monkeypatch.setattr(sims, "economy_walk", _Walk(breaks_at=37))
    monkeypatch.setattr(sims, "stream", local)
    report = run_simulations(None, SimulationPlan(steps=100), range(10), chunk=2)  # type: ignore[arg-type]
    violation = report["violation"]
    assert report["violations"] == 1 and violation["seed"] == 3
    assert report["runs"] == 4  # chunks [0, 1] and [2, 3], stopped there
    assert violation["shortest_steps"] == 37
    assert violation["findings"] == ["ledger: supply changed"]


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"kind": "weather"}, "campaign kind"),
        ({"steps": 0}, "steps must be an integer in 1..100000"),
        ({"steps": 10**9}, "steps must be an integer in 1..100000"),
        ({"transactions": True}, "transactions must be an integer in 1..1000000"),
    ],
)
def test_a_bad_plan_is_refused(changes: dict[str, Any], detail: str) -> None:
    with pytest.raises(SpecError) as error:
        SimulationPlan(**changes)
    assert error.value.reason is Reason.BAD_USAGE and detail in str(error.value)


def test_the_commands_print_and_write_their_reports(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "economy.json"
    args = ["governance", "campaign", "--runs", "2", "--steps", "30", "--workers", "1"]
    assert main([*args, "--out", str(out)]) == 0
    assert "2 economy runs: 60 steps" in " ".join(capsys.readouterr().out.split())
    assert json.loads(out.read_text())["runs"] == 2
    system = ["system", "campaign", "--runs", "1", "--transactions", "20", "--workers", "1"]
    assert main([*system, "--no-faults", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["plan"]["faults"] is False and report["totals"]["submitted"] == 20
