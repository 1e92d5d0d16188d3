"""Share what every benchmark script does alike: its options, progress, strict JSON, pictures.

* ``--json`` is a flag: one strict JSON document (RFC 8259, no NaN or Infinity) on stdout and
  nothing else there; a figure that is not a finite number is ``null``, and the document's own
  fields (a status, ``proven``) say why;
* ``--plot FILE`` writes a picture to that path only (PNG or SVG, through
  ``vdlt_spec.cli.plots``); no run writes a picture or any other file unless asked;
* progress is a transient Rich bar on stderr, shown only on a terminal and never with
  ``--json`` (``vdlt_spec.cli.common.with_progress``);
* a bad option or a missing extra is one line, ``NAME: error [REASON]: detail``, and exit 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from vdlt_spec.cli.common import err_console, with_progress
from vdlt_spec.cli.plots import check_plot_path
from vdlt_spec.errors import SpecError

__all__ = [
    "Step",
    "add_json_flag",
    "add_plot_option",
    "add_solve_options",
    "deprecated",
    "dumps",
    "log_line",
    "run_main",
    "run_steps",
    "strict",
]

Done = TypeVar("Done")


@dataclass(frozen=True)
class Step(Generic[Done]):
    """One named piece of a benchmark's work, for the progress display."""

    name: str
    call: Callable[[], Done]


def run_steps(verb: str, steps: Sequence[Step[Done]], *, quiet: bool) -> list[Done]:
    """Run each step in order, with a progress bar on a terminal unless ``quiet``."""
    return with_progress(verb, steps, lambda step: step.call(), quiet=quiet)


def log_line(text: str, *, quiet: bool) -> None:
    """Print a line of running commentary on stderr (above the bar), only on a terminal."""
    if not quiet and err_console.is_terminal:
        err_console.print(text, markup=False, highlight=False)


def strict(value: Any) -> Any:
    """Return ``value`` with every non-finite float as ``None`` and tuples as lists."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict(v) for v in value]
    return value


def dumps(document: Any) -> str:
    """Return ``document`` as strict JSON (RFC 8259), indented, in its own key order."""
    return json.dumps(strict(document), indent=2, allow_nan=False)


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Add ``--json``: print one strict JSON document on stdout instead of the tables."""
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document on stdout instead of the table"
    )


def add_solve_options(parser: argparse.ArgumentParser, time_limit: float) -> None:
    """Add ``--quick`` (small sizes, a smoke run) and ``--time-limit SECONDS`` per solve."""
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=time_limit,
        metavar="SECONDS",
        help="time limit per solve",
    )


def add_plot_option(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--plot FILE``: draw ``what`` to FILE (PNG or SVG); no picture without it."""
    parser.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help=f"draw {what} to FILE (.png or .svg; needs the plot extra)",
    )


def deprecated(parser: argparse.ArgumentParser, old: str, dest: str, **kwargs: Any) -> None:
    """Add ``old`` as a hidden spelling of the option stored in ``dest``, for one release."""
    parser.add_argument(old, dest=dest, default=argparse.SUPPRESS, help=argparse.SUPPRESS, **kwargs)


def run_main(name: str, body: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Check ``--plot`` before the work, run ``body``; a ``SpecError`` is one line and exit 2."""
    try:
        plot = getattr(args, "plot", None)
        if plot is not None:
            check_plot_path(plot)
        return body(args)
    except SpecError as exc:
        print(f"{name}: error [{exc.reason.value}]: {exc.detail}", file=sys.stderr)
        return 2
