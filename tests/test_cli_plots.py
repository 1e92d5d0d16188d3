"""The pictures of ``--plot``: written where the user says, clear errors otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from vdlt_spec.cli.plots import Panel, bar_chart, check_plot_path, line_chart, panel_chart
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
    tmp_path: Path, without_matplotlib: None
) -> None:
    with pytest.raises(SpecError) as info:
        line_chart(tmp_path / "chart.png", "title", SERIES, ("x", "y"))
    assert info.value.reason is Reason.MISSING_EXTRA
    assert not (tmp_path / "chart.png").exists()


def test_bars_and_panels_are_written_to_the_path_given(tmp_path: Path) -> None:
    bars = tmp_path / "bars.png"
    bar_chart(bars, "t", ["a", "b"], [("x", [1.0, None]), ("y", [2.0, 3.0])], ("c", "v"))
    panels = tmp_path / "panels.svg"
    panel = Panel("p", SERIES, "y", log_y=True)
    panel_chart(panels, "t", [panel, Panel("q", SERIES, "y")], "x", share_y=True, integer_x=True)
    single = tmp_path / "single.png"
    panel_chart(single, "t", [Panel("p", SERIES, "y")], "x")
    assert all(p.stat().st_size > 0 for p in (bars, panels, single))
    assert len(list(tmp_path.iterdir())) == 3


@pytest.mark.parametrize("name", ["chart.jpg", "missing/chart.png"])
def test_a_plot_path_is_checked_before_any_work(tmp_path: Path, name: str) -> None:
    with pytest.raises(SpecError) as info:
        check_plot_path(tmp_path / name)
    assert info.value.reason is Reason.BAD_USAGE and "\n" not in info.value.detail
    check_plot_path(tmp_path / "chart.SVG")


def test_progress_is_silent_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    from vdlt_spec.cli.common import progress_bar

    for quiet in (False, True):
        with progress_bar("working", 3, quiet=quiet) as on_progress:
            for done in range(1, 4):
                on_progress(done, 3)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_tables_fit_the_width_and_keep_every_figure_whole() -> None:
    import io

    from rich.console import Console

    from vdlt_spec.cli.common import fitted_tables

    columns = ("name", *(f"figure {i}" for i in range(8)))
    rows = [("a rather long name", *(str(10**9 + i) for i in range(8)))]
    for width in (60, 80, 200):
        tables = fitted_tables("title", columns, rows, caption="caption", width=width)
        sink = io.StringIO()
        for table in tables:
            Console(file=sink, width=width).print(table)
        text = sink.getvalue()
        assert max(len(line) for line in text.splitlines()) <= width and "…" not in text
        assert all(f" {10**9 + i} " in text for i in range(8))
    assert len(fitted_tables("t", columns, rows, width=200)) == 1
    assert len(fitted_tables("t", columns, rows, width=60)) > 1


@pytest.mark.parametrize(
    "argv",
    [
        ["queuing", "simulate", "--count", "200", "--load", "1/2,3/2", "--fifo"],
        ["consensus", "simulate", "--nodes", "4", "--count", "3"],
        ["governance", "simulate", "--epochs", "2"],
        ["virtualization", "hierarchy", "--count", "100"],
    ],
)
def test_a_simulator_shows_progress_on_a_terminal_and_never_with_json(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from rich.console import Console

    from vdlt_spec.cli import common, main

    shown = {}
    for as_json in (False, True):
        sink = io.StringIO()
        monkeypatch.setattr(common, "err_console", Console(file=sink, force_terminal=True))
        main([*argv, "--json"] if as_json else argv)
        shown[as_json] = sink.getvalue()
        capsys.readouterr()
    assert shown[False] and shown[True] == ""


def test_a_simulator_without_matplotlib_stops_before_the_run(
    tmp_path: Path, without_matplotlib: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from vdlt_spec.cli import main

    picture = tmp_path / "delays.png"
    assert main(["queuing", "simulate", "--count", "50", "--plot", str(picture)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("vdlt: error [MISSING_EXTRA]")
    assert captured.err.count("\n") == 1 and not picture.exists()


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["queuing", "simulate", "--count", "300", "--load", "11/10", "--fifo"], "delays.png"),
        (["queuing", "simulate", "--count", "300", "--load", "1/2,11/10", "--fifo"], "sweep.svg"),
        (["consensus", "simulate", "--nodes", "4", "--count", "3"], "messages.svg"),
        (["governance", "simulate", "--seed", "0", "--epochs", "3"], "economy.png"),
        (["virtualization", "hierarchy", "--count", "300"], "locality.svg"),
    ],
)
def test_plot_writes_the_picture_and_leaves_the_output_alone(
    argv: list[str], name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A simulator's --plot writes its picture and changes neither its text nor its --json."""
    from vdlt_spec.cli import main

    def run(args: list[str]) -> tuple[int, str, str]:
        code = main(args)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    picture = tmp_path / name
    assert run([*argv, "--plot", str(picture)]) == run(argv)
    assert picture.stat().st_size > 0
    picture.unlink()
    assert run([*argv, "--json", "--plot", str(picture)]) == run([*argv, "--json"])
    assert picture.exists()
