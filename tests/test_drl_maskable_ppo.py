"""The environment works with sb3-contrib's MaskablePPO (an optional extra; skipped without it)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "maskable_ppo.py"


def test_maskable_ppo_trains_on_the_environment_and_allocates_feasibly() -> None:
    pytest.importorskip("sb3_contrib")
    spec = importlib.util.spec_from_file_location("maskable_ppo", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    evaluation = module.main(steps=256, size=(10, 3))
    assert all(v.constraint.value == "mandatory" for v in evaluation.violations)
