"""Tests of `vdlt allocation`: schema, generate, solve, evaluate, baseline."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from vdlt_spec.allocation.bundled import bundled_instances
from vdlt_spec.allocation.schema import loads_instance
from vdlt_spec.cli import main

INSTANCES = Path(__file__).resolve().parents[1] / "vdlt_spec" / "allocation" / "instances"


def test_instance_schema_prints_a_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["allocation", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "instance" and "TransactionStream" in schema["$defs"]
    assert main(["allocation", "schema", "--allocation"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "allocation"


def test_instance_generate_writes_a_loadable_instance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "i.json"
    args = ["allocation", "generate", "--tx", "12", "--nodes", "4", "--seed", "3"]
    assert main([*args, "--utility", "welfare", "--out", str(out)]) == 0
    instance = loads_instance(out.read_text())
    assert len(instance.transactions) == 12 and instance.utility.value == "welfare"
    assert main(args) == 0
    assert loads_instance(capsys.readouterr().out).utility.value == "throughput"


def test_solve_then_evaluate_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    instance = INSTANCES / "small-throughput.json"
    allocation = tmp_path / "a.json"
    lp, mps = tmp_path / "m.lp", tmp_path / "m.mps"
    code = main(
        [
            "allocation",
            "solve",
            str(instance),
            "--threads",
            "1",
            "--json",
            "--out",
            str(allocation),
            "--lp",
            str(lp),
            "--mps",
            str(mps),
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)  # stdout is pure JSON (no solver banner)
    assert report["status"] == "optimal" and report["proven_optimal"] is True
    # every utility is an exact rational in the codec's form ("p/q" strings)
    relaxation = float(Fraction(report["relaxation_bound"]))
    bound = float(Fraction(report["bound"]))
    # the LP relaxation's bound travels with the report and never cuts off the optimum
    assert relaxation >= bound - 1e-6
    # and so does the Lagrangian knapsack bound (D-alloc-23), never above the LP's
    lagrangian = float(Fraction(report["lagrangian_bound"]))
    assert bound - 1e-6 <= lagrangian <= relaxation + 1e-3
    assert bound >= float(Fraction(report["objective"])) - 1e-6
    assert lp.exists() and mps.exists()
    assert main(["allocation", "evaluate", str(instance), str(allocation), "--json"]) == 0
    ev = json.loads(capsys.readouterr().out)
    assert ev["feasible"] is True and ev["objective"] == report["objective"]
    assert main(["allocation", "evaluate", str(instance), str(allocation)]) == 0
    assert "feasible" in capsys.readouterr().out


def test_solve_reports_infeasibility_with_a_diagnosis(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["allocation", "solve", str(INSTANCES / "infeasible-latency.json"), "--threads", "1"]
    )
    assert code == 1
    out = capsys.readouterr().out
    assert "infeasible" in out and "C2-latency" in out and "t00" in out


def test_solve_with_cbc(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "allocation",
            "solve",
            str(INSTANCES / "tiny-exhaustive.json"),
            "--solver",
            "cbc",
            "--json",
        ]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["objective"] == "25"


def test_evaluate_exits_1_on_a_violation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    allocation = tmp_path / "bad.json"
    allocation.write_text(
        json.dumps(
            {
                "assignments": [
                    {
                        "transaction": "t0",
                        "control_ghz": "1",
                        "replicas": [{"node": "n1", "rate_ghz": "2"}],
                    }
                ]
            }
        )
    )
    tiny = str(INSTANCES / "tiny-exhaustive.json")
    assert main(["allocation", "evaluate", tiny, str(allocation), "--json"]) == 1
    ev = json.loads(capsys.readouterr().out)
    violated = {
        (r["constraint"], r["subject"]) for r in ev["reports"] if r["slack"].startswith("-")
    }
    assert ("replicas-min", "t0") in violated
    assert main(["allocation", "evaluate", tiny, str(allocation)]) == 1
    assert "infeasible" in capsys.readouterr().out


def test_solve_starts_from_a_given_allocation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    small = str(INSTANCES / "small-welfare.json")
    start = tmp_path / "start.json"
    assert (
        main(["allocation", "baseline", small, "--name", "density-greedy", "--out", str(start)])
        == 0
    )
    capsys.readouterr()
    assert main(["allocation", "evaluate", small, str(start), "--json"]) == 0
    given = json.loads(capsys.readouterr().out)["objective"]
    assert (
        main(["allocation", "solve", small, "--threads", "1", "--start", str(start), "--json"]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["warm_start"] == given  # the start handed in, not the heuristics' best
    assert report["proven_optimal"] is True
    assert Fraction(report["objective"]) >= Fraction(given)


@pytest.mark.parametrize(
    ("assignments", "reason"),
    [
        # one replica where four are needed: the evaluator rejects it
        (
            [
                {
                    "transaction": "t0",
                    "control_ghz": "1",
                    "replicas": [{"node": "n1", "rate_ghz": "2"}],
                }
            ],
            "INFEASIBLE_START",
        ),
        ([{"transaction": "t9", "control_ghz": "1", "replicas": []}], "UNKNOWN_TRANSACTION"),
    ],
)
def test_solve_rejects_a_bad_start_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], assignments: object, reason: str
) -> None:
    start = tmp_path / "start.json"
    start.write_text(json.dumps({"assignments": assignments}))
    out = tmp_path / "never.json"
    tiny = str(INSTANCES / "tiny-exhaustive.json")
    assert main(["allocation", "solve", tiny, "--start", str(start), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and reason in err and str(start) in err
    assert not out.exists()


def test_baseline_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "b.json"
    code = main(
        [
            "allocation",
            "baseline",
            str(INSTANCES / "small-welfare.json"),
            "--name",
            "density-greedy",
            "--out",
            str(out),
        ]
    )
    assert code == 0 and out.exists()
    assert "feasible" in capsys.readouterr().out
    assert (
        main(["allocation", "baseline", str(INSTANCES / "small-welfare.json"), "--name", "magic"])
        == 2
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "MALFORMED_JSON"),
        ('{"name": "x"}', "SCHEMA_VIOLATION"),
        ("[]", "SCHEMA_VIOLATION"),
    ],
)
def test_malformed_instance_files_get_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, reason: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    for argv in (
        ["allocation", "solve", str(bad)],
        ["allocation", "evaluate", str(bad), str(bad)],
        ["allocation", "baseline", str(bad)],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, err
        assert reason in err and str(bad) in err


def test_out_of_range_instance_gets_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads((INSTANCES / "tiny-exhaustive.json").read_text())
    data["nodes"][0]["trust"] = "2"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    assert main(["allocation", "solve", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "TRUST_OUT_OF_RANGE" in err


def test_missing_file_and_bad_options_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["allocation", "solve", "/nonexistent/instance.json"]) == 2
    err = capsys.readouterr().err
    assert "BAD_INPUT_FILE" in err and err.count("/nonexistent/instance.json") == 1
    tiny = str(INSTANCES / "tiny-exhaustive.json")
    assert main(["allocation", "solve", tiny, "--solver", "gurobi"]) == 2
    assert "UNKNOWN_SOLVER" in capsys.readouterr().err
    assert (
        main(
            [
                "allocation",
                "generate",
                "--tx",
                "3",
                "--nodes",
                "2",
                "--seed",
                "1",
                "--utility",
                "speed",
            ]
        )
        == 2
    )


def test_bundled_files_are_what_the_package_loads() -> None:
    stems = {p.stem for p in INSTANCES.glob("*.json")} - {"expected"}
    assert stems == set(bundled_instances())


def test_solves_with_other_thread_counts_in_one_process(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """HiGHS keeps one scheduler per process; a solve asking for another count still runs."""
    instance = str(INSTANCES / "small-throughput.json")
    for threads in ([], ["--threads", "1"], ["--threads", "2"], ["--threads", "1"]):
        assert main(["allocation", "solve", instance, "--json", *threads]) == 0
        assert json.loads(capsys.readouterr().out)["status"] == "optimal"


def test_solve_stops_at_its_time_limit_while_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The limit bounds the whole command: a limit shorter than reading the instance ends the
    command at the limit, exit 2, and says that neither the allocation nor the model was
    written. (A limit that comes while the model is built: tests/test_allocation_milp.py.)"""
    instance, out, lp = tmp_path / "i.json", tmp_path / "a.json", tmp_path / "m.lp"
    args = ["allocation", "generate", "--count", "200", "--nodes", "40", "--seed", "1"]
    assert main([*args, "--out", str(instance)]) == 0
    capsys.readouterr()
    solve = ["allocation", "solve", str(instance), "--time-limit", "0.001", "--threads", "1"]
    assert main([*solve, "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "time_limit" and report["allocation"] is None
    assert report["summary"] == "the time limit came before the instance was read"
    assert list(report["phase_seconds"]) == ["reading"]
    assert main([*solve, "--out", str(out), "--lp", str(lp)]) == 2
    text = "".join(capsys.readouterr().out.split())  # the console wraps long paths
    assert "-(theinstancewasnotread)" in text and "notbuilt:thetimelimitcamefirst" in text
    assert f"noallocation,notwritten:{out}" in text and f"notwritten:{lp}" in text
    assert not out.exists() and not lp.exists()
    # the timer is gone once the command ends: a later command runs unlimited
    assert main(["allocation", "solve", str(INSTANCES / "tiny-exhaustive.json"), "--json"]) == 0
