"""The DRL benchmark runs end to end on one instance per table (the full run is long)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench(*args: str) -> str:
    """Run the benchmark script in a fresh process, as a user would; return its stdout."""
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_drl.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_drl_benchmark_prints_its_tables() -> None:
    out = _bench("--counts", "1,0,0", "--micro", "1")
    assert "| 30x8 | 1 | 1/1 | agent |" in out and "micro 3x4" in out


def test_the_drl_benchmark_prints_one_json_document() -> None:
    document = json.loads(_bench("--counts", "0,0,0", "--micro", "1", "--json"))
    assert document["micro"][0]["proven"] is True
