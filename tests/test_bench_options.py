"""The benchmarks' one option scheme: --json prints strict JSON, --plot writes only where named.

Every run here is tiny (a few group sizes, one obligation, a few hundred transactions, or a
faked solver), so these tests stay in the default run.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from vdlt_spec.allocation.instance import Utility
from vdlt_spec.cli import common

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
if str(BENCHMARKS) not in sys.path:  # the scripts share benchmarks/harness.py and known.py
    sys.path.insert(0, str(BENCHMARKS))

TINY_CONSENSUS = ["--nodes", "4,7", "--speed-nodes", "4", "--speed-count", "2"]
TINY_QUEUING = ["--count", "300", "--readable-count", "50"]
TINY_PROOFS = ["--only", "quorum-honest-intersection", "--no-cvc5", "--no-peer"]


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def _strict_json(text: str) -> Any:
    """Parse ``text`` as one RFC 8259 document: NaN and Infinity are refused."""

    def refuse(constant: str) -> Any:
        raise AssertionError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def _committed_files() -> dict[str, str]:
    """Return a digest of every file under docs/ and benchmarks/ (what a run must not touch)."""
    return {
        str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in ("docs", "benchmarks")
        for p in sorted((ROOT / folder).rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def in_empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty working directory; return it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _fake_measure(bench: Any) -> Any:
    """Return a stand-in for bench_allocation.measure: fixed figures, one unbounded gap."""

    def fake(
        n: int, j: int, seed: int, utility: Utility, time_limit: float, log: Any = None
    ) -> Any:
        proven = bench.SolverRun("optimal", True, 10.0, 10.0, 0.0, 1.0, 1.5, 3, 9.0)
        zero = bench.SolverRun("time_limit", False, 0.0, 4.0, float("inf"), 60.0, 61.0, 0, None)
        row = bench.Row(n, j, seed, utility.value, 7, 5, runs={"highs": proven, "cbc": zero})
        row.heuristics = {"per-class-greedy": 6.0, "density-greedy": None}
        row.heuristic_seconds = {"warm-start": 0.1, "per-class-greedy": 0.0, "density-greedy": 0.0}
        return row

    return fake


# --- a default run writes no file ----------------------------------------------------------------


def test_a_default_consensus_run_writes_no_file(
    in_empty_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """bench_consensus draws no picture, in docs/img/ or anywhere, unless --plot names one."""
    before = _committed_files()
    assert _load("bench_consensus").main(TINY_CONSENSUS) == 0
    assert "| 7 |" in capsys.readouterr().out
    assert list(in_empty_dir.iterdir()) == []
    assert _committed_files() == before


def test_default_runs_of_the_other_benchmarks_write_no_file(
    in_empty_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _committed_files()
    _load("bench_queuing").main(TINY_QUEUING)
    assert _load("bench_proofs").main(TINY_PROOFS) == 0
    allocation = _load("bench_allocation")
    monkeypatch.setattr(allocation, "measure", _fake_measure(allocation))
    assert allocation.main(["--quick", "--skip-scale"]) == 0
    assert "Fixed set" in capsys.readouterr().out
    assert list(in_empty_dir.iterdir()) == []
    assert _committed_files() == before


# --- --plot FILE writes that file and nothing else ----------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_writes_the_picture_to_the_path_given_only(
    in_empty_dir: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    pytest.importorskip("matplotlib")
    before = _committed_files()
    (in_empty_dir / "pictures").mkdir()
    target = in_empty_dir / "pictures" / f"messages{suffix}"
    assert _load("bench_consensus").main([*TINY_CONSENSUS, "--plot", str(target)]) == 0
    assert target.stat().st_size > 0
    assert sorted(p.name for p in in_empty_dir.rglob("*")) == ["messages" + suffix, "pictures"]
    assert _committed_files() == before
    assert "| 4 |" in capsys.readouterr().out  # the table is printed as without --plot


def test_every_benchmark_plot_draws_to_its_path(
    in_empty_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib")
    _load("bench_queuing").main([*TINY_QUEUING, "--plot", "queuing.png"])
    assert _load("bench_proofs").main([*TINY_PROOFS, "--plot", "proofs.svg"]) == 0
    allocation = _load("bench_allocation")
    monkeypatch.setattr(allocation, "measure", _fake_measure(allocation))
    assert allocation.main(["--quick", "--skip-scale", "--plot", "share.png"]) == 0
    split = _load("bench_allocation_proof")
    splits = [split.Split("welfare", 1, 1.0, float("inf"), 2.0, "7", "| row |")]
    splits[0].shares = {"per-class-greedy": 0.5, "density-greedy": None, split.ORACLE: 1.0}
    split.plot(Path("split.png"), splits)
    names = sorted(p.name for p in in_empty_dir.iterdir())
    assert names == ["proofs.svg", "queuing.png", "share.png", "split.png"]
    assert all(p.stat().st_size > 0 for p in in_empty_dir.iterdir())


def test_a_bad_plot_path_fails_at_once_in_one_line(
    in_empty_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong extension or a missing folder is exit 2 before any measurement runs."""
    bench = _load("bench_consensus")
    monkeypatch.setattr(bench, "run", lambda *a, **k: pytest.fail("measured before checking"))
    assert bench.main(["--plot", "messages.txt"]) == 2
    assert bench.main(["--plot", "missing/messages.png"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("bench_consensus: error [BAD_USAGE]: --plot messages.txt")
    assert err[1].startswith("bench_consensus: error [BAD_USAGE]: cannot write")
    assert list(in_empty_dir.iterdir()) == []


# --- --json is a flag: one strict JSON document on stdout ---------------------------------------


def test_consensus_json_is_one_strict_document(
    in_empty_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _load("bench_consensus").main([*TINY_CONSENSUS, "--json"]) == 0
    captured = capsys.readouterr()
    report = _strict_json(captured.out)
    assert {r["n"] for r in report["rows"]} == {4, 7}
    assert captured.err == ""  # no progress when stderr is not a terminal or with --json
    assert list(in_empty_dir.iterdir()) == []


def test_queuing_proofs_and_certificates_json_are_strict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _load("bench_queuing").main([*TINY_QUEUING, "--json"])
    queuing = _strict_json(capsys.readouterr().out)
    assert all(r["departures"] == 300 for r in queuing["rows"] if r["transactions"] == 300)
    assert _load("bench_proofs").main([*TINY_PROOFS, "--json"]) == 0
    proofs = _strict_json(capsys.readouterr().out)
    assert [o["name"] for o in proofs["obligations"]] == ["quorum-honest-intersection"]
    assert proofs["obligations"][0]["cvc5_s"] is None and proofs["qf_fd_peer"] == []
    certificates = _load("bench_certificates")
    assert certificates.main(["--nodes", "4", "--repeat", "1", "--no-readable", "--json"]) == 0
    assert _strict_json(capsys.readouterr().out)["n"] == 4


def test_allocation_json_is_a_flag_and_out_writes_the_file(
    in_empty_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--json prints the document (an unbounded gap as null); --out FILE writes it instead."""
    bench = _load("bench_allocation")
    monkeypatch.setattr(bench, "measure", _fake_measure(bench))
    assert bench.main(["--quick", "--skip-scale", "--json"]) == 0
    captured = capsys.readouterr()
    document = _strict_json(captured.out)
    assert len(document["fixed"]) == 4 and document["scale"] == []
    assert document["fixed"][0]["runs"]["cbc"]["gap"] is None
    assert document["fixed"][0]["runs"]["cbc"]["status"] == "time_limit"
    assert list(in_empty_dir.iterdir()) == []
    assert bench.main(["--quick", "--skip-scale", "--out", "out.json"]) == 0
    assert "Fixed set" in capsys.readouterr().out
    assert _strict_json((in_empty_dir / "out.json").read_text()) == document


def test_the_old_json_file_spelling_still_writes_the_file(
    in_empty_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = _load("bench_allocation")
    monkeypatch.setattr(bench, "measure", _fake_measure(bench))
    assert bench.main(["--quick", "--skip-scale", "--json", "old.json"]) == 0
    captured = capsys.readouterr()
    assert "Fixed set" in captured.out and "use --out FILE" in captured.err
    assert len(_strict_json((in_empty_dir / "old.json").read_text())["fixed"]) == 4


def test_an_unproven_split_is_null_with_a_field_saying_why() -> None:
    split = _load("bench_allocation_proof")
    record = split.Split("throughput", 1, float("inf"), 0.5, float("inf"), None, "").record()
    text = _load("harness").dumps(record)
    parsed = _strict_json(text)
    assert parsed["solve_s"] is None and parsed["solve_proven"] is False
    assert parsed["proof_s"] == 0.5 and parsed["proof_proven"] is True


# --- deprecated spellings and progress -----------------------------------------------------------


def test_old_spellings_still_work_and_are_hidden(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _load("bench_consensus")
    old = ["--sizes", "4,7", "--speed-n", "4", "--speed-decisions", "2", "--no-plot", "--json"]
    assert bench.main(old) == 0
    assert {r["n"] for r in _strict_json(capsys.readouterr().out)["rows"]} == {4, 7}
    with pytest.raises(SystemExit):
        bench.main(["--help"])
    shown = capsys.readouterr().out
    assert "--nodes" in shown and "--plot FILE" in shown
    assert "--sizes" not in shown and "--speed-n " not in shown and "--no-plot" not in shown


def test_progress_shows_on_a_terminal_and_never_with_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common.err_console, "_force_terminal", True)
    bench = _load("bench_consensus")
    assert bench.main(TINY_CONSENSUS) == 0
    assert "\x1b[?25l" in capsys.readouterr().err  # a live display ran (it hides the cursor)
    assert bench.main([*TINY_CONSENSUS, "--json"]) == 0
    assert capsys.readouterr().err == ""


def test_table_rows_go_to_stdout_under_a_progress_bar(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a bar on a terminal, the split's rows still reach stdout (a redirected file)."""
    monkeypatch.setattr(common.err_console, "_force_terminal", True)
    split = _load("bench_allocation_proof")

    def fake(n: int, j: int, seed: int, utility: Utility, limit: float) -> Any:
        return split.Split(utility.value, seed, 1.0, 0.5, 2.0, "7", f"| {utility.value} | {seed} |")

    monkeypatch.setattr(split, "measure", fake)
    assert split.main(["--quick", "--only", "welfare", "--seeds", "1", "2"]) == 0
    captured = capsys.readouterr()
    assert "| welfare | 1 |" in captured.out and "| welfare | 2 |" in captured.out
    assert "| welfare |" not in captured.err


def test_a_missing_matplotlib_is_one_line_before_the_work(
    in_empty_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    without_matplotlib: None,
) -> None:
    bench = _load("bench_proofs")
    monkeypatch.setattr(bench, "time_obligations", lambda *a, **k: pytest.fail("ran the work"))
    assert bench.main([*TINY_PROOFS, "--plot", "proofs.png"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bench_proofs: error [MISSING_EXTRA]: ") and err.count("\n") == 1
    assert list(in_empty_dir.iterdir()) == []
