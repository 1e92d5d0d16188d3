"""Allocation datasets and leaderboards on a local Dask cluster: build, resume, hashes, scores."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from vdlt_spec.allocation.baselines import density_greedy
from vdlt_spec.allocation.decision import Allocation
from vdlt_spec.allocation.instance import Instance
from vdlt_spec.batch import (
    BatchCluster,
    build,
    connect,
    leaderboard,
    load_dataset,
    parse_spec,
    plan,
    score_dataset,
    verify,
)
from vdlt_spec.cli import main
from vdlt_spec.cli.batch import BUNDLED
from vdlt_spec.errors import Reason, SpecError

SPEC = {
    "name": "tiny",
    "sizes": [[8, 3]],
    "utilities": ["throughput"],
    "seeds": {"start": 0, "count": 3},
    "solver": {"time_limit": 30},
}
SMALL = BUNDLED / "small"


def density_factory() -> Callable[[Instance], Allocation]:
    """Return the density baseline, as a ``module:factory`` allocator for the tests."""
    return density_greedy


@pytest.fixture(scope="module")
def cluster() -> Iterator[BatchCluster]:
    with connect(workers=1) as running:
        yield running


def _reports(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.parent.name: (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.glob("cases/*/report.json"))
    }


def test_a_stopped_build_resumes_without_solving_finished_cases(
    cluster: BatchCluster, tmp_path: Path
) -> None:
    spec = parse_spec(SPEC)
    out = tmp_path / "ds"
    first = build(spec, out, cluster, limit=2)
    assert first["counts"] == {"planned": 3, "finished": 2, "missing": 1, "proven_optimal": 2}
    before = _reports(out)
    assert len(before) == 2
    seen: list[tuple[int, int]] = []
    done = build(spec, out, cluster, on_progress=lambda d, t: seen.append((d, t)))
    assert done["counts"]["finished"] == 3 and done["counts"]["missing"] == 0
    assert seen[0] == (2, 3) and seen[-1] == (3, 3)
    after = _reports(out)
    assert all(after[name] == before[name] for name in before)  # never solved again
    assert [c["name"] for c in done["cases"]] == [c.name for c in plan(spec)]
    assert verify(out)["problems"] == []


def test_an_interrupted_build_leaves_a_consistent_store(
    cluster: BatchCluster, tmp_path: Path
) -> None:
    spec = parse_spec(SPEC)
    out = tmp_path / "ds"

    def interrupt(done: int, total: int) -> None:
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build(spec, out, cluster, on_progress=interrupt)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["finished"] == 1 and verify(out)["problems"] == []
    assert not list(out.rglob("*.tmp"))
    assert build(spec, out, cluster)["counts"]["missing"] == 0


def test_a_tampered_case_is_flagged_and_solved_again(cluster: BatchCluster, tmp_path: Path) -> None:
    spec = parse_spec(SPEC)
    out = tmp_path / "ds"
    build(spec, out, cluster)
    victim = out / "cases" / plan(spec)[0].name / "allocation.json"
    victim.write_text('{"assignments": []}\n', encoding="utf-8")
    assert verify(out)["problems"] == [
        f"{victim.parent.name}: allocation.json sha256 differs from the manifest"
    ]
    with pytest.raises(SpecError) as info:
        load_dataset(out)
    assert info.value.reason is Reason.BAD_DATASET
    build(spec, out, cluster)
    assert verify(out)["problems"] == []


def test_the_manifest_holds_hashes_counts_and_versions(tmp_path: Path) -> None:
    manifest = json.loads((SMALL / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["finished"] == manifest["counts"]["planned"] == 12
    assert manifest["status_counts"] == {"optimal": 12}
    assert {"pulp", "highspy", "dask", "vdlt-spec"} <= set(manifest["versions"])
    assert verify(SMALL) == {"cases": 12, "checked_files": 36, "problems": []}


def test_a_folder_of_another_spec_and_bad_specs_are_refused(
    cluster: BatchCluster, tmp_path: Path
) -> None:
    (tmp_path / "spec.json").write_text(json.dumps({**SPEC, "name": "other"}), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        build(parse_spec(SPEC), tmp_path, cluster)
    assert info.value.reason is Reason.BAD_DATASET
    for bad in ({**SPEC, "sizes": []}, {**SPEC, "seeds": {"count": 0}}, {**SPEC, "extra": 1}):
        with pytest.raises(SpecError):
            parse_spec(bad)


def test_the_oracle_scores_exactly_one_and_baselines_at_most_one(cluster: BatchCluster) -> None:
    cases = load_dataset(SMALL)
    names = ["oracle", "density-greedy", "test_batch_dataset:density_factory"]
    rows = score_dataset(cluster, cases, names)
    assert len(rows) == 3 * len(cases)
    oracle = [r for r in rows if r["allocator"] == "oracle"]
    assert all(r["proven"] and r["share_low"] == r["share_high"] == "1" for r in oracle)
    board = leaderboard(rows, 1.0, cluster.workers)
    table = {a["allocator"]: a for a in board["allocators"]}
    assert table["oracle"]["mean_share"] == 1.0 and table["oracle"]["half_width"] == 0.0
    density = table["density-greedy"]
    assert density["feasible"] == 12 and 0 < density["mean_share"] <= 1
    assert table["test_batch_dataset:density_factory"]["mean_share"] == density["mean_share"]
    shares = [Fraction(r["share_high"]) for r in rows if r["allocator"] == "density-greedy"]
    assert density["mean_share"] == pytest.approx(float(sum(shares) / len(shares)))
    assert board["paired_wins"]["density-greedy"]["oracle"] == 0


def test_the_score_command_prints_json_and_csv(
    cluster: BatchCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "rows.csv"
    argv = ["allocation", "score", "small", "--allocator", "oracle", "--allocator", "per-class"]
    code = main([*argv, "--csv", str(table), "--scheduler", cluster.address, "--json"])
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert code == 0 and [a["allocator"] for a in document["allocators"]] == argv[4::2]
    lines = table.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("allocator,instance,feasible") and len(lines) == 1 + 24


def test_bad_allocators_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for name, reason in (("nonsense", "BAD_ALLOCATOR"), ("no_such_module:f", "BAD_ALLOCATOR")):
        code = main(["allocation", "score", "small", "--allocator", name, "--workers", "1"])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith(f"vdlt: error [{reason}]") and err.count("\n") == 1
    agent = tmp_path / "agent.json"
    agent.write_text("{}", encoding="utf-8")
    code = main(["allocation", "score", "small", "--allocator", str(agent), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("vdlt: error [") and err.count("\n") == 1


def test_an_agent_file_is_an_allocator(
    cluster: BatchCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    agent = Path(__file__).resolve().parents[1] / "examples" / "agent.json"
    argv = ["allocation", "score", "small", "--allocator", str(agent), "--allocator", "oracle"]
    code = main([*argv, "--scheduler", cluster.address, "--json"])
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert code == 0
    learned, oracle = document["allocators"]
    assert learned["allocator"] == str(agent) and oracle["allocator"] == "oracle"
    assert learned["feasible"] == 12 and 0 < learned["mean_share"] <= 1


def test_the_build_command_reports_missing_cases(
    cluster: BatchCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    out = tmp_path / "ds"
    base = ["allocation", "dataset", "build", str(spec), "--out", str(out)]
    code = main([*base, "--limit", "1", "--scheduler", cluster.address, "--json"])
    assert code == 2 and json.loads(capsys.readouterr().out)["counts"]["missing"] == 2
    assert main([*base, "--scheduler", cluster.address]) == 0
    assert "3 of 3 cases finished" in " ".join(capsys.readouterr().out.split())
    assert main(["allocation", "dataset", "verify", str(out), "--json"]) == 0
