"""The pictures of ``--plot``: written where the user says, clear errors otherwise."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import pytest

from vdlt_spec.cli.plots import line_chart
from vdlt_spec.errors import Reason, SpecError

pytest.importorskip("matplotlib")

SERIES = [("a", [(0.0, 1.0), (1.0, 2.0)]), ("b", [(0.0, 2.0), (1.0, 1.5)])]


@pytest.mark.parametrize("name", ["chart.png", "chart.svg"])
def test_a_chart_is_written_to_the_path_given(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    line_chart(path, "title", SERIES, ("x", "y"))
    assert path.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_an_unknown_picture_format_is_bad_usage(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        line_chart(tmp_path / "chart.txt", "title", SERIES, ("x", "y"))
    assert info.value.reason is Reason.BAD_USAGE


def test_an_unwritable_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        line_chart(tmp_path / "missing" / "chart.png", "title", SERIES, ("x", "y"))
    assert info.value.reason is Reason.BAD_USAGE and "cannot write" in info.value.detail


def test_without_matplotlib_a_plot_is_missing_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(SpecError) as info:
        line_chart(tmp_path / "chart.png", "title", SERIES, ("x", "y"))
    assert info.value.reason is Reason.MISSING_EXTRA
    assert not (tmp_path / "chart.png").exists()
