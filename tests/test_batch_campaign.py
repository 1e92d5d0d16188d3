"""Consensus campaigns on Dask: safe runs, a shrunk violation, and the scheduler's address."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from vdlt_spec import serial
from vdlt_spec.batch import (
    BatchCluster,
    CampaignPlan,
    CampaignRun,
    connect,
    draw_run,
    replay,
    run_campaign,
    stream,
)
from vdlt_spec.batch import cluster as engine
from vdlt_spec.cli import main
from vdlt_spec.errors import Reason, SpecError


@pytest.fixture(scope="module")
def cluster() -> Iterator[BatchCluster]:
    with connect(workers=1) as running:
        yield running


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_a_campaign_within_the_fault_bound_is_safe(cluster: BatchCluster) -> None:
    report = run_campaign(cluster, CampaignPlan(sizes=(4, 5, 7)), range(12), chunk=4)
    assert report["runs"] == 12 and report["violations"] == 0 and report["violation"] is None
    assert report["decisions"] > 0
    assert report["faults_exercised"]["crash"] == 12
    assert report["faults_exercised"]["byzantine_replicas"] == 4 * 1 + 4 * 1 + 4 * 2


def test_runs_left_undecided_are_listed_and_said(
    cluster: BatchCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run that ends with requests undecided (two silent replicas of four: no quorum ever)
    is a liveness observation, listed apart from safety."""
    from vdlt_spec.cli.batch import _print_campaign

    silent = CampaignPlan(sizes=(4,), extra=1, behaviour="silent", faults=(), max_time=3000)
    report = run_campaign(cluster, silent, [7, 8], chunk=2)
    assert report["violations"] == 0 and report["incomplete_seeds"] == [7, 8]
    _print_campaign({**report, "wall_seconds": 1.0, "workers": 1})  # as the command adds
    text = " ".join(capsys.readouterr().out.split())
    assert "0 safety violations" in text
    assert "2 runs ended with requests undecided (liveness, not safety): seeds 7, 8;" in text


def test_every_drawn_crash_recovers_after_it_starts() -> None:
    """Within the fault bound every drawn run heals: a crash drawn after the partition heals
    still recovers (just after it starts), so no run loses a replica for good."""
    plan = CampaignPlan()
    for seed in range(3000):
        crash = draw_run(seed, plan).crash
        assert crash is not None and crash[2] > crash[1]
    assert replay(draw_run(570, plan))["requests_complete"]  # a late crash that stalled before


def test_f_plus_one_byzantine_break_safety_and_the_run_shrinks(cluster: BatchCluster) -> None:
    campaign = CampaignPlan(sizes=(7,), extra=1, behaviour="collude")
    report = run_campaign(cluster, campaign, range(40), chunk=5)
    violation = report["violation"]
    assert report["violations"] == 1 and violation is not None
    assert report["runs"] < 40  # stopped at the first violation's chunk
    found = serial.decode(CampaignRun, violation["run"])
    assert found == draw_run(violation["seed"], campaign)
    small = serial.decode(CampaignRun, violation["shrunk"])
    assert replay(small)["unsafe"] and replay(small) == violation["shrunk_outcome"]
    assert small.n <= found.n and small.requests <= found.requests
    assert small.partition is None and small.crash is None and small.loss == 0
    assert len(small.byzantine) <= len(found.byzantine)


def test_a_task_that_fails_on_every_try_is_task_failed(cluster: BatchCluster) -> None:
    with pytest.raises(SpecError) as info:
        list(stream(cluster, int, ["not a number"]))
    assert info.value.reason is Reason.TASK_FAILED and "ValueError" in info.value.detail


def test_an_unreachable_scheduler_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", 1.0)
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(SpecError) as info, connect(address):
        pass
    assert info.value.reason is Reason.SCHEDULER_UNREACHABLE
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", address)
    assert main(["consensus", "campaign", "--runs", "2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vdlt: error [SCHEDULER_UNREACHABLE]: no Dask scheduler at ")
    assert err.count("\n") == 1


def _listening(port: int, seconds: float) -> bool:
    """Wait until something accepts connections on ``port`` (a process starting up)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def test_the_same_command_runs_on_a_scheduler_and_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", 60.0)  # a loaded machine starts slowly
    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": tmp_path}
    scheduler = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            port,
            "--dashboard-address",
            ":0",
        ],
        **quiet,  # type: ignore[call-overload]
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_worker",
            address,
            "--nthreads",
            "1",
            "--nworkers",
            "1",
            "--no-dashboard",
        ],
        **quiet,  # type: ignore[call-overload]
    )
    try:
        assert _listening(int(port), 60.0), "the scheduler did not start"
        argv = ["consensus", "campaign", "--runs", "6", "--sizes", "4", "--chunk", "3"]
        code = main([*argv, "--scheduler", address, "--json"])
        report = json.loads(capsys.readouterr().out)
        assert code == 0 and report["runs"] == 6 and report["violations"] == 0
        assert report["workers"] >= 0
    finally:
        for process in (worker, scheduler):
            process.terminate()
        for process in (worker, scheduler):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
