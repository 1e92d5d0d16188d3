"""Draw the pictures of ``--plot FILE``: one figure per call, written only where the user says.

matplotlib is an optional extra (``pip install 'vdlt-spec[plot]'``); without it a ``--plot`` is
``MISSING_EXTRA``, a one-line error, and nothing else of the run is lost. Pictures go to the
path given (PNG or SVG by its extension) and nowhere else. The spec itself never draws: the
commands and benchmarks hand plain figures to these functions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vdlt_spec.cli.common import check_outputs, staged_outputs
from vdlt_spec.errors import Reason, SpecError

__all__ = [
    "FORMATS",
    "Bars",
    "Panel",
    "Series",
    "bar_chart",
    "check_plot_path",
    "figure",
    "horizontal_bar_chart",
    "line_chart",
    "panel_chart",
]

#: Picture formats by file extension.
FORMATS = (".png", ".svg")

#: One line of a chart: its label and its (x, y) points.
Series = tuple[str, Sequence[tuple[float, float]]]

#: One set of bars of a bar chart: its label and one height per category (``None``: no bar).
Bars = tuple[str, Sequence[float | None]]


@dataclass(frozen=True)
class Panel:
    """Describe one panel of a :func:`panel_chart`: its title, lines and y axis."""

    title: str
    series: Sequence[Series]
    y_label: str
    log_y: bool = False


def check_plot_path(path: Path) -> None:
    """Reject a ``--plot`` path whose format is unknown or folder missing, or no matplotlib.

    Commands call it before the run, so a bad path or a missing extra costs no simulation.
    """
    check_outputs([path], [])
    _pyplot(path)


def _pyplot(path: Path) -> Any:
    if path.suffix.lower() not in FORMATS:
        raise SpecError(
            Reason.BAD_USAGE, f"--plot {path}: the picture must end in {' or '.join(FORMATS)}"
        )
    try:
        import matplotlib
    except ImportError:
        raise SpecError(
            Reason.MISSING_EXTRA,
            "--plot needs matplotlib: pip install 'vdlt-spec[plot]'",
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@contextmanager
def figure(path: Path, title: str, size: tuple[float, float] = (7.0, 4.2)) -> Iterator[Any]:
    """Yield the axes of a new figure and write it to ``path`` when the block ends."""
    plt = _pyplot(path)
    fig, axes = plt.subplots(figsize=size)
    try:
        axes.set_title(title)
        yield axes
        fig.tight_layout()
        _save(fig, path)
    finally:
        plt.close(fig)


def line_chart(
    path: Path,
    title: str,
    series: Sequence[Series],
    axis_labels: tuple[str, str],
    *,
    log_y: bool = False,
    notes: Mapping[str, str] | None = None,
) -> None:
    """Write a chart of one line per series, with a legend, to ``path``."""
    with figure(path, title) as axes:
        for label, points in series:
            xs = [x for x, _ in points]
            ys = [y for _, y in points]
            axes.plot(xs, ys, marker="o", label=label)
        axes.set_xlabel(axis_labels[0])
        axes.set_ylabel(axis_labels[1])
        if log_y:
            axes.set_yscale("log")
        axes.grid(True, alpha=0.3)
        axes.legend()
        for i, (key, text) in enumerate((notes or {}).items()):
            axes.annotate(f"{key}: {text}", (0.01, 0.02 + 0.05 * i), xycoords="axes fraction")


def _plot_lines(axes: Any, series: Sequence[Series], style: str = "-") -> None:
    for label, points in series:
        axes.plot([x for x, _ in points], [y for _, y in points], style, marker="o", label=label)


def panel_chart(
    path: Path,
    title: str,
    panels: Sequence[Panel],
    x_label: str,
    *,
    share_y: bool = False,
    integer_x: bool = False,
    size: tuple[float, float] | None = None,
) -> None:
    """Write side-by-side panels sharing one x axis label, each with its lines, to ``path``.

    Panels whose series carry the same labels get one legend, below the figure; ``share_y``
    gives every panel the same y scale, for panels of one quantity; ``integer_x`` puts the
    x ticks on whole numbers (epochs, counts). Linear y axes show plain numbers, no offset.
    """
    plt = _pyplot(path)
    width = size or (4.0 * len(panels) + 1.0, 4.2)
    fig, grid = plt.subplots(1, len(panels), figsize=width, squeeze=False, sharey=share_y)
    try:
        fig.suptitle(title)
        for axes, panel in zip(grid[0], panels, strict=True):
            _plot_lines(axes, panel.series)
            axes.set_title(panel.title, fontsize="medium")
            axes.set_xlabel(x_label)
            axes.set_ylabel(panel.y_label)
            if panel.log_y:
                axes.set_yscale("log")
            if integer_x:
                axes.xaxis.get_major_locator().set_params(integer=True)
            axes.grid(True, alpha=0.3)
        for axes in grid[0]:  # a shared y axis takes the scale its panels last set
            if axes.get_yscale() == "linear":
                axes.ticklabel_format(axis="y", useOffset=False, style="plain")
        labels = [[label for label, _ in p.series] for p in panels]
        if len(panels) > 1 and all(ls == labels[0] for ls in labels):
            handles, names = grid[0][0].get_legend_handles_labels()
            fig.legend(handles, names, loc="lower center", ncol=min(len(names), 4))
            fig.tight_layout(rect=(0, 0.06 * ((len(names) + 3) // 4) + 0.02, 1, 1))
        else:
            for axes in grid[0]:
                axes.legend(fontsize="small")
            fig.tight_layout()
        _save(fig, path)
    finally:
        plt.close(fig)


def bar_chart(
    path: Path,
    title: str,
    categories: Sequence[str],
    bars: Sequence[Bars],
    axis_labels: tuple[str, str],
    *,
    log_y: bool = False,
) -> None:
    """Write grouped bars, one group per category and one bar per set, to ``path``."""
    with figure(path, title) as axes:
        width = 0.8 / max(len(bars), 1)
        for k, (label, heights) in enumerate(bars):
            xs = [i + (k - (len(bars) - 1) / 2) * width for i in range(len(categories))]
            shown = [(x, h) for x, h in zip(xs, heights, strict=True) if h is not None]
            axes.bar([x for x, _ in shown], [h for _, h in shown], width, label=label)
        axes.set_xticks(range(len(categories)))
        axes.set_xticklabels(categories, rotation=30, ha="right")
        axes.set_xlabel(axis_labels[0])
        axes.set_ylabel(axis_labels[1])
        if log_y:
            axes.set_yscale("log")
        axes.grid(True, axis="y", alpha=0.3)
        if len(bars) > 1:
            axes.legend()


def _save(fig: Any, path: Path) -> None:
    """Write the figure atomically: into a temporary beside ``path``, then renamed over it."""
    with staged_outputs([path]) as (staged,):
        assert staged is not None
        fig.savefig(staged, dpi=120, format=path.suffix.lower().lstrip("."))


def horizontal_bar_chart(
    path: Path,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    value_label: str,
    *,
    log_scale: bool = False,
    reference: float | None = None,
) -> None:
    """Write grouped horizontal bars, one group per category and one bar per series, to ``path``.

    A ``None`` value leaves its bar out; ``reference`` draws a dashed line at that value.
    """
    height = max(3.0, 1.6 + 0.22 * len(categories) * max(1, len(series)) ** 0.5)
    with figure(path, title, size=(7.0, height)) as axes:
        width = 0.8 / max(1, len(series))
        for k, (label, values) in enumerate(series):
            places = [
                (i + (k - (len(series) - 1) / 2) * width, v)
                for i, v in enumerate(values)
                if v is not None
            ]
            axes.barh([p for p, _ in places], [v for _, v in places], height=width, label=label)
        axes.set_yticks(range(len(categories)), list(categories), fontsize=8)
        axes.invert_yaxis()
        axes.set_xlabel(value_label)
        if log_scale:
            import math

            from matplotlib.ticker import NullFormatter

            axes.set_xscale("log")
            axes.xaxis.set_minor_formatter(NullFormatter())
            smallest = min((v for _, values in series for v in values if v), default=1.0)
            axes.set_xlim(left=10 ** math.floor(math.log10(smallest)))
        if reference is not None:
            axes.axvline(reference, color="grey", linestyle="--", linewidth=1)
        axes.grid(True, axis="x", alpha=0.3)
        if len(series) > 1:  # below the bars, where it hides none of them
            axes.legend(
                fontsize=8,
                loc="upper center",
                bbox_to_anchor=(0.5, 0.0),
                borderaxespad=4.5,  # in font sizes: clear of the tick labels and the axis label
                ncol=min(len(series), 3),
            )
