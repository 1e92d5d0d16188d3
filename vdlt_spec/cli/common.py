"""Share what every ``vdlt`` command needs: input files, one-line errors, JSON and Rich output.

Bad usage or bad input is one line on stderr, ``vdlt: error [REASON]: detail``, and exit 2, the
reason being a stable name from ``vdlt_spec.errors.Reason``. ``--json`` prints exactly one JSON
document on stdout.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sys
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from vdlt_spec import serial
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict

__all__ = [
    "FAILURES_SHOWN",
    "VERDICT_STYLE",
    "WIDE_TABLE",
    "JsonFlag",
    "Steps",
    "check_outputs",
    "console",
    "deprecated_option",
    "emit_json",
    "err_console",
    "fail",
    "fitted_tables",
    "given",
    "only_option",
    "progress_bar",
    "read_as",
    "read_json_file",
    "read_text_file",
    "run_app",
    "shown",
    "staged_outputs",
    "verdict_text",
    "visible",
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


def only_option(what: str) -> Any:
    """Return the repeatable ``--only NAME`` filter of a command, saying what it selects."""
    return typer.Option("--only", metavar="NAME", help=f"Only this {what} (repeatable).")


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


class DeadlinePassed(BaseException):
    """Say that a command's time limit came in a phase that cannot stop by itself.

    A ``BaseException``, like ``KeyboardInterrupt``, so that no ``except Exception`` in a
    library the phase calls swallows it.
    """


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raise :class:`DeadlinePassed` in the block once ``seconds`` have passed.

    A real-time timer interrupts the main thread wherever it is (parsing, schema validation).
    Without ``seconds``, off the main thread, or where the platform has no such timer, the
    block runs unlimited.
    """
    if (
        seconds is None
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def ring(signum: int, frame: object) -> None:
        raise DeadlinePassed

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_app(app: typer.Typer, argv: list[str] | None) -> int:
    """Run ``app`` on ``argv``; turn usage errors and ``SpecError`` into one line and exit 2."""
    try:
        result = app(args=argv, prog_name="vdlt", standalone_mode=False)
        sys.stdout.flush()
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRORS:
            raise
        _drop_stdout()
        if exc.errno == errno.EPIPE:
            return 128 + 13  # as a shell reports a reader that went away (SIGPIPE)
        _error_line(Reason.BAD_USAGE, f"cannot write the output: {exc.strerror or exc}")
        return 2
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


#: The errors of writing to stdout that end a run with one line: a full or failing device,
#: a file too large, a reader that went away.
_OUTPUT_ERRORS = frozenset({errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EPIPE})


def _drop_stdout() -> None:
    """Point stdout at the null device, so the unwritten rest is not retried at exit."""
    with suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


def _error_line(reason: Reason, detail: str) -> None:
    err_console.print(
        f"vdlt: error [{reason.value}]: {visible(detail)}", markup=False, highlight=False
    )


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


def write_output(path: Path, text: str | bytes) -> None:
    """Write an output file atomically (a temporary file in its folder, then a rename).

    A run stopped mid-write leaves the previous file whole; an unwritable path is rejected in
    one line. ``text`` is written as UTF-8; ``bytes`` (an archive) as they are.
    """
    if _is_special(path):
        _write_through(path, text)
        return
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=_folder(path)
        )
        os.chmod(temporary, _new_file_mode(path))
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    finally:
        if temporary is not None:
            with suppress(OSError):
                os.unlink(temporary)


def _folder(path: Path) -> Path:
    """Return the folder an output file lives in (``.`` for a bare name)."""
    return path.parent if str(path.parent) else Path(".")


def _is_special(path: Path) -> bool:
    """Tell whether ``path`` is an existing file that is not a regular one (a device, a pipe).

    Such a target (``/dev/stdout``, a named pipe) is written in place: renaming a temporary
    over it would replace the device with a plain file.
    """
    try:
        return path.exists() and not path.is_file() and not path.is_dir()
    except OSError:
        return False


def _write_through(path: Path, text: str | bytes) -> None:
    """Write ``text`` into a device or pipe in place; a failure is one BAD_USAGE line."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        with path.open("wb") as stream:
            stream.write(data)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")


@contextmanager
def staged_outputs(paths: Sequence[Path | None]) -> Iterator[list[Path | None]]:
    """Yield a temporary path beside each output for a writer that takes a file name.

    The temporaries (in each target's folder, so the final rename is atomic) replace their
    targets when the block ends normally; on any exception they are removed and the targets
    are left as they were. An OSError inside the block (a full device) is one BAD_USAGE line.
    """
    staged: list[Path | None] = []
    try:
        for path in paths:
            if path is None or _is_special(path):
                staged.append(path)
                continue
            try:
                handle, name = tempfile.mkstemp(
                    prefix=f".{path.name}.",
                    suffix=".tmp",
                    dir=_folder(path),
                )
            except OSError as exc:
                fail(f"cannot write {path}: {exc.strerror or exc}")
            os.close(handle)
            staged.append(Path(name))
            os.chmod(name, _new_file_mode(path))
        try:
            yield staged
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"cannot write an output: {where}{exc.strerror or exc}")
        for path, temporary in zip(paths, staged, strict=True):
            if (
                path is not None
                and temporary is not None
                and temporary != path
                and temporary.stat().st_size > 0
            ):
                _sync(temporary)
                os.replace(temporary, path)
    finally:
        for path, temporary in zip(paths, staged, strict=False):
            if temporary is not None and temporary != path:
                with suppress(OSError):
                    os.unlink(temporary)


def _sync(path: Path) -> None:
    """Flush a written file to its device before it is renamed over its target."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _new_file_mode(path: Path) -> int:
    """Return the mode the written file gets: the old file's, else the umask's default."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def check_outputs(outputs: Sequence[Path | None], inputs: Sequence[Path | None]) -> None:
    """Reject, before any work, an output path that is an input or cannot be written.

    An output equal to an input (the same file, however spelled) would destroy the input; an
    output whose folder is missing or not writable would throw the run's result away.
    """
    given_inputs = [p for p in inputs if p is not None]
    given_outputs = [p for p in outputs if p is not None]
    for k, out in enumerate(given_outputs):
        for other in given_outputs[:k]:
            if _same_file(out, other):
                fail(f"two outputs are the same file: {out}")
        for source in given_inputs:
            if _same_file(out, source):
                fail(f"output {out} is the input {source}: it would be overwritten")
        if out.is_dir():
            fail(f"cannot write {out}: it is a directory")
        folder = out.parent if str(out.parent) else Path(".")
        if not folder.is_dir():
            fail(f"cannot write {out}: no folder {folder}")
        if not os.access(folder, os.W_OK | os.X_OK) or (
            out.exists() and not os.access(out, os.W_OK)
        ):
            fail(f"cannot write {out}: permission denied")


def _same_file(a: Path, b: Path) -> bool:
    """Tell whether two paths name one file (an existing one, or the same resolved path)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


# --- printing ----------------------------------------------------------------------------------


def emit_json(document: Any) -> None:
    """Print one JSON document on stdout (no Rich markup, no wrapping)."""
    from vdlt_spec.serial import encode

    sys.stdout.write(json.dumps(encode(document), indent=2, sort_keys=True) + "\n")


def shown(text: object) -> str:
    """Return user-supplied text safe to print through Rich: markup escaped, controls visible.

    Names, ids and details that come from input files or adapters pass through here before
    they reach a table or a Rich print: ``[/bold]`` shows as written instead of being parsed
    as markup, and an escape character or other control shows as ``\\x1b``-style text instead
    of reaching the terminal.
    """
    return escape(visible(text))


def visible(text: object) -> str:
    """Return ``text`` with every control character written out (``\\x1b``), for plain prints."""
    raw = str(text)
    if any(_is_control(c) for c in raw):
        raw = "".join(repr(c)[1:-1] if _is_control(c) else c for c in raw)
    return raw


def _is_control(char: str) -> bool:
    """Tell whether ``char`` is a control or format character (C0, C1, DEL, bidi marks...)."""
    return unicodedata.category(char) in ("Cc", "Cf") and char != "\n"


def verdict_text(verdict: Verdict) -> str:
    """Render a verdict with its colour for Rich tables."""
    return f"[{VERDICT_STYLE[verdict]}]{verdict.value}[/]"


def _progress(quiet: bool) -> Progress:
    """Return a transient display on stderr, drawn only on a terminal and unless ``quiet``."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=quiet or not err_console.is_terminal,
    )


def with_progress(
    verb: str, items: Sequence[Named], work: Callable[[Named], Done], *, quiet: bool
) -> list[Done]:
    """Apply ``work`` to each item in order, with a transient progress bar on a terminal."""
    done: list[Done] = []
    with _progress(quiet) as progress:
        task = progress.add_task(verb, total=len(items))
        for item in items:
            progress.update(task, description=f"{verb} {getattr(item, 'name', '')}".rstrip())
            done.append(work(item))
            progress.advance(task)
    return done


@contextmanager
def progress_bar(verb: str, total: int, *, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """Yield an ``on_progress(done, total)`` callback that drives a transient progress bar.

    The bar shows on stderr only when stderr is a terminal and ``quiet`` is false (``--json``
    passes ``quiet``); a library function takes the callback and never prints itself.
    """
    with work_progress(verb, quiet=quiet) as steps:
        steps.count(0, total)
        yield steps.count


def fitted_tables(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    caption: str | None = None,
    width: int | None = None,
) -> list[Table]:
    """Return ``rows`` as tables that fit ``width`` (the console's) with no figure ever cut.

    The first column (the row's name) folds and starts every table; the other columns are
    figures, never wrapped, and go to as few tables as fit side by side, in order. The first
    table carries the title, the last the caption.
    """
    limit = console.width if width is None else width

    def needed(indices: Sequence[int]) -> int:
        """Return the narrowest width of a table of these columns: every figure whole."""
        key = max(
            len(word) for cell in (columns[0], *(r[0] for r in rows)) for word in cell.split()
        )
        figures = sum(
            max(len(cell) for cell in (columns[i], *(r[i] for r in rows))) for i in indices
        )
        return key + figures + 3 * (len(indices) + 1) + 1  # a border and two pads per column

    def build(indices: Sequence[int], heading: str | None, note: str | None) -> Table:
        table = Table(title=heading, caption=note)
        table.add_column(columns[0], overflow="fold")
        for i in indices:
            table.add_column(columns[i], justify="right", no_wrap=True)
        for row in rows:
            table.add_row(row[0], *(row[i] for i in indices))
        return table

    groups: list[list[int]] = [[]]
    for i in range(1, len(columns)):
        trial = [*groups[-1], i]
        if groups[-1] and needed(trial) > limit:
            groups.append([i])
        else:
            groups[-1] = trial
    return [
        build(
            group,
            title if k == 0 else f"{title} (continued)",
            caption if k == len(groups) - 1 else None,
        )
        for k, group in enumerate(groups)
    ]


class Steps:
    """Tell a progress display what a command is doing: a phase, or a count of items done."""

    def __init__(self, progress: Progress, task: Any) -> None:
        self._progress, self._task = progress, task

    def phase(self, text: str) -> None:
        """Show ``text`` as the work now under way, with no count."""
        self._progress.update(self._task, description=text, total=None, completed=0)

    def count(self, done: int, total: int) -> None:
        """Show ``done`` of ``total`` items of the current phase (an ``on_progress`` callback)."""
        self._progress.update(self._task, total=total, completed=done)


@contextmanager
def work_progress(first: str, *, quiet: bool) -> Iterator[Steps]:
    """Show a transient phase-and-count display on stderr, on a terminal and unless ``quiet``.

    The sibling of :func:`with_progress` for work that is not a list of items: the command
    names its phases through :meth:`Steps.phase` and passes :meth:`Steps.count` as a library
    ``on_progress`` callback. Off a terminal, or with ``quiet`` (``--json``), nothing shows.
    """
    with _progress(quiet) as progress:
        yield Steps(progress, progress.add_task(first, total=None))
