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
