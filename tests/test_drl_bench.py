"""The DRL benchmark runs end to end on one instance per table (the full run is long)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_drl_benchmark_prints_its_tables(
    load_benchmark: Callable[[str], ModuleType],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench = load_benchmark("bench_drl")
    monkeypatch.chdir(ROOT)
    assert bench.main(["--counts", "1,0,0", "--micro", "1"]) == 0
    out = capsys.readouterr().out
    assert "| 30x8 | 1 | 1/1 | agent |" in out and "micro 3x4" in out
    assert bench.main(["--counts", "0,0,0", "--micro", "1", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["micro"][0]["proven"] is True
