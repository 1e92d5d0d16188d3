"""Hypothesis profiles: random exploration by default, a fixed derandomized run in CI.

``HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``) makes every property test draw the same examples
on every machine, so CI's verdict depends on the commit alone; developers' runs keep exploring
new examples and report any failure with the blob that reproduces it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import settings

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"

settings.register_profile("dev", print_blob=True)
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def load_benchmark() -> Callable[[str], ModuleType]:
    """Return a loader of a script of ``benchmarks/`` (by its stem) as a module."""

    if str(BENCHMARKS) not in sys.path:  # the scripts share benchmarks/harness.py and known.py
        sys.path.insert(0, str(BENCHMARKS))

    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
        spec.loader.exec_module(module)
        return module

    return load


@pytest.fixture
def without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import matplotlib`` fail for the test, as on an install without the plot extra."""
    import builtins

    real_import = builtins.__import__

    def refuse(name: str, *args: object, **kwargs: object) -> object:
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", refuse)
