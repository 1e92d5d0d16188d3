"""Draw the pictures of ``--plot FILE``: one figure per call, written only where the user says.

matplotlib is an optional extra (``pip install 'vdlt-spec[plot]'``); without it a ``--plot`` is
``MISSING_EXTRA``, a one-line error, and nothing else of the run is lost. Pictures go to the
path given (PNG or SVG by its extension) and nowhere else. The spec itself never draws: the
commands and benchmarks hand plain figures to these functions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vdlt_spec.errors import Reason, SpecError

__all__ = ["FORMATS", "Series", "figure", "line_chart"]

#: Picture formats by file extension.
FORMATS = (".png", ".svg")

#: One line of a chart: its label and its (x, y) points.
Series = tuple[str, Sequence[tuple[float, float]]]


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
        try:
            fig.savefig(path, dpi=120)
        except OSError as exc:
            raise SpecError(
                Reason.BAD_USAGE, f"cannot write {path}: {exc.strerror or exc}"
            ) from None
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


def check_picture(path: Path) -> None:
    """Raise the error a picture at ``path`` would raise, before any long work is done."""
    _pyplot(path)
    if not path.parent.is_dir():
        raise SpecError(Reason.BAD_USAGE, f"cannot write {path}: no such directory")


def bar_chart(
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
