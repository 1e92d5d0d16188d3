"""Share what every ``vdlt`` command needs: input files, one-line errors, JSON and Rich output.

Bad usage or bad input is one line on stderr, ``vdlt: error [REASON]: detail``, and exit 2, the
reason being a stable name from ``vdlt_spec.errors.Reason``. ``--json`` prints exactly one JSON
document on stdout.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from vdlt_spec import serial
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict

__all__ = [
    "FAILURES_SHOWN",
    "VERDICT_STYLE",
    "WIDE_TABLE",
    "JsonFlag",
    "Steps",
    "console",
    "emit_json",
    "err_console",
    "fail",
    "read_as",
    "read_json_file",
    "read_text_file",
    "run_app",
    "verdict_text",
    "with_progress",
    "work_progress",
    "write_output",
]

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

#: Rows of a failure table shown before "... and N more (see --json)".
FAILURES_SHOWN = 20
#: Terminal width from which tables carry their long detail column inline.
WIDE_TABLE = 120
VERDICT_STYLE = {Verdict.VALID: "green", Verdict.INVALID: "red", Verdict.UNKNOWN: "yellow"}

#: The ``--json`` flag every command offers.
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]

Named = TypeVar("Named")
Done = TypeVar("Done")
Parsed = TypeVar("Parsed")
Given = TypeVar("Given")

#: The help text that marks a hidden option as the deprecated spelling of another.
DEPRECATED_OPTION = "Deprecated spelling of {new}."


# --- errors ------------------------------------------------------------------------------------


def deprecated_option(old: str, new: str) -> Any:
    """Return a hidden option ``old``, kept for one release as the spelling of ``new``.

    Declare it beside the new option with a ``None`` default and merge the two with
    :func:`given`; docs/cli.md lists every such option in its deprecated-spellings table.
    """
    return typer.Option(old, hidden=True, help=DEPRECATED_OPTION.format(new=new))


def given(value: Given, deprecated: Given | None) -> Given:
    """Return the value given under an option's deprecated spelling, if any, else its own."""
    return value if deprecated is None else deprecated


def fail(message: str) -> NoReturn:
    """Reject bad usage: ``vdlt: error [BAD_USAGE]: message`` on stderr, exit 2."""
    raise SpecError(Reason.BAD_USAGE, message)


def run_app(app: typer.Typer, argv: list[str] | None) -> int:
    """Run ``app`` on ``argv``; turn usage errors and ``SpecError`` into one line and exit 2."""
    try:
        result = app(args=argv, prog_name="vdlt", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        err_console.print("vdlt: aborted", markup=False)
        return 130
    except typer.TyperException as exc:  # Typer's (vendored Click) usage errors
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            typer.echo(ctx.get_help())
            return 2
        hint = f" (try '{ctx.command_path} --help')" if ctx is not None else ""
        _error_line(Reason.BAD_USAGE, f"{exc.format_message()}{hint}")
        return 2
    except SpecError as exc:
        _error_line(exc.reason, exc.detail)
        return 2
    # Without standalone mode, Typer returns the code of a ``typer.Exit`` instead of raising.
    return result if isinstance(result, int) else 0


def _error_line(reason: Reason, detail: str) -> None:
    err_console.print(f"vdlt: error [{reason.value}]: {detail}", markup=False, highlight=False)


# --- input and output files --------------------------------------------------------------------


def read_text_file(path: Path) -> str:
    """Read a UTF-8 input file or raise ``BAD_INPUT_FILE`` naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SpecError(Reason.BAD_INPUT_FILE, f"{path}: {reason}") from None


def read_json_file(path: Path) -> Any:
    """Read and parse a JSON input file; a syntax error is ``MALFORMED_JSON`` with its place."""
    text = read_text_file(path)
    try:
        return serial.load_json(text)
    except SpecError as exc:
        raise SpecError(exc.reason, f"{path}: {exc.detail}") from None


def read_as(path: Path, parse: Callable[[Any], Parsed]) -> Parsed:
    """Read a JSON file and parse it, naming the file in any rejection."""
    document = read_json_file(path)
    try:
        return parse(document)
    except SpecError as exc:
        raise SpecError(exc.reason, f"{path}: {exc.detail}") from None


def write_output(path: Path, text: str) -> None:
    """Write an output file or reject the path in one line."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")


# --- printing ----------------------------------------------------------------------------------


def emit_json(document: Any) -> None:
    """Print one JSON document on stdout (no Rich markup, no wrapping)."""
    from vdlt_spec.serial import encode

    sys.stdout.write(json.dumps(encode(document), indent=2, sort_keys=True) + "\n")


def verdict_text(verdict: Verdict) -> str:
    """Render a verdict with its colour for Rich tables."""
    return f"[{VERDICT_STYLE[verdict]}]{verdict.value}[/]"


def with_progress(
    verb: str, items: Sequence[Named], work: Callable[[Named], Done], *, quiet: bool
) -> list[Done]:
    """Apply ``work`` to each item in order, with a transient progress bar on a terminal."""
    done: list[Done] = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=quiet or not err_console.is_terminal,
    ) as progress:
        task = progress.add_task(verb, total=len(items))
        for item in items:
            progress.update(task, description=f"{verb} {getattr(item, 'name', '')}".rstrip())
            done.append(work(item))
            progress.advance(task)
    return done


class Steps:
    """Tell a progress display what a command is doing: a phase, or a count of items done."""

    def __init__(self, progress: Progress | None, task: Any) -> None:
        self._progress, self._task = progress, task

    def phase(self, text: str) -> None:
        """Show ``text`` as the work now under way, with no count."""
        if self._progress is not None:
            self._progress.update(self._task, description=text, total=None, completed=0)

    def count(self, done: int, total: int) -> None:
        """Show ``done`` of ``total`` items of the current phase (an ``on_progress`` callback)."""
        if self._progress is not None:
            self._progress.update(self._task, total=total, completed=done)


@contextmanager
def work_progress(first: str, *, quiet: bool) -> Iterator[Steps]:
    """Show a transient phase-and-count display on stderr, on a terminal and unless ``quiet``.

    The sibling of :func:`with_progress` for work that is not a list of items: the command
    names its phases through :meth:`Steps.phase` and passes :meth:`Steps.count` as a library
    ``on_progress`` callback. Off a terminal, or with ``quiet`` (``--json``), nothing shows.
    """
    if quiet or not err_console.is_terminal:
        yield Steps(None, None)
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        yield Steps(progress, progress.add_task(first, total=None))
