"""Write docs/cli.md, the reference of every visible ``vdlt`` command, from the Typer app.

Run ``python -m vdlt_spec.cli.reference > docs/cli.md``. The text depends only on the commands'
declarations (usage, arguments, options with their defaults, help), never on the terminal or
the environment, and lists the commands in the order the app registers them.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperArgument, TyperGroup, TyperOption

from vdlt_spec.cli.common import DEPRECATED_OPTION

__all__ = ["render"]

#: A node of the command tree: Typer builds it on its own vendored Click, whose classes it does
#: not export, so it is typed loosely and recognised by ``isinstance(..., TyperGroup)``.
Command = Any

INTRO = """\
# The `vdlt` command

<!-- Generated from the Typer app by `python -m vdlt_spec.cli.reference > docs/cli.md`:
     edit the commands' help in vdlt_spec/cli/, then regenerate. -->

The grammar is `vdlt <component> <verb>`: `vdlt consensus simulate`, `vdlt allocation solve`.
`vdlt verify`, `vdlt prove` and `vdlt audit` span every component and stand at the top.
`vdlt --help` lists the commands; `vdlt COMMAND --help` explains one. Every command that
reports a result accepts `--json` and then prints exactly one JSON document on stdout
(encoding: docs/decisions.md D-gen-2).

Exit codes: 0 valid, 1 invalid, 2 unknown, bad usage or bad input (one line on stderr:
`vdlt: error [REASON]: detail`, the reason being a stable name from `vdlt_spec.errors.Reason`).

Tables adapt to the terminal: from 120 columns the long columns (details, events) sit in the
table; on a narrower one (CI logs are 80 columns) they are printed below it, one line per
row. Exact amounts fold rather than being elided. `vdlt prove` always prints its
decoded counterexamples below its table.

What the figures mean is explained with each component: [queuing.md](queuing.md),
[consensus.md](consensus.md), [governance.md](governance.md), [allocation.md](allocation.md),
[virtualization.md](virtualization.md), [hierarchy.md](hierarchy.md),
[conformance.md](conformance.md), [audit.md](audit.md), [proofs.md](proofs.md).
"""


def _cell(text: str, *, code: bool = False) -> str:
    """Put text on one table line; outside a code span, escape ``<`` so it is not HTML."""
    text = " ".join(text.split()).replace("|", "\\|")
    return text if code else text.replace("<", "\\<")


def _help(command: Command) -> str:
    return inspect.cleandoc(command.help or "").replace("\b\n", "")


#: The placeholder a value of each annotated type is shown with, unless the option names one.
PLACEHOLDERS: dict[object, str] = {Path: "FILE", int: "N", float: "NUMBER", str: "TEXT"}


def _placeholder(param: Any) -> str:
    """Return what a parameter's value is called: its metavar, or a word for its type."""
    if param.metavar:
        return str(param.metavar)
    if isinstance(param, TyperArgument):
        return str(param.name).upper()
    annotation = param.type_descriptor.annotation
    if getattr(param, "multiple", False):
        return "NAME"  # a repeatable option names one item per use
    for kind in getattr(annotation, "__args__", (annotation,)):
        if kind in PLACEHOLDERS:
            return PLACEHOLDERS[kind]
    return "VALUE"


def _name(param: Any, record_name: str) -> str:
    """Return a parameter as a user types it: ``--time-limit NUMBER``, ``INSTANCE``."""
    if isinstance(param, TyperArgument):
        return _placeholder(param)
    if getattr(param, "is_flag", False) or param.type_descriptor.annotation is bool:
        return record_name
    return f"{', '.join(param.opts)} {_placeholder(param)}"


def _usage(command: Command, ctx: typer.Context) -> str:
    """Return the usage line: the command path, [OPTIONS] and the arguments by placeholder."""
    if isinstance(command, TyperGroup):
        return " ".join(command.collect_usage_pieces(ctx))
    arguments = [_placeholder(p) for p in command.get_params(ctx) if isinstance(p, TyperArgument)]
    return " ".join(["[OPTIONS]", *arguments])


def _params(command: Command, ctx: typer.Context) -> list[str]:
    lines: list[str] = []
    for kind, heading in ((TyperArgument, "Argument"), (TyperOption, "Option")):
        records = [
            (_name(param, record[0]), record[1])
            for param in command.get_params(ctx)
            if isinstance(param, kind)
            and "--help" not in getattr(param, "opts", ())
            and (record := param.get_help_record(ctx)) is not None
        ]
        if records:
            lines += ["", f"| {heading} | Description |", "| --- | --- |"]
            lines += [f"| `{_cell(name, code=True)}` | {_cell(text)} |" for name, text in records]
    return lines


def _section(command: Command, ctx: typer.Context, depth: int) -> list[str]:
    pieces = _usage(command, ctx)
    lines = [f"{'#' * depth} `{ctx.command_path}`", "", f"Usage: `{ctx.command_path} {pieces}`"]
    described = _help(command)
    if described:
        lines += ["", described]
    lines += _params(command, ctx)
    if isinstance(command, TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                sub_ctx = typer.Context(sub, info_name=name, parent=ctx)
                lines += ["", *_section(sub, sub_ctx, depth + 1)]
    return lines


def _contents(root: TyperGroup, ctx: typer.Context) -> list[str]:
    lines = ["## Commands", ""]
    for name in root.list_commands(ctx):
        command = root.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        verbs = []
        if isinstance(command, TyperGroup):
            verbs = [
                verb
                for verb in command.list_commands(ctx)
                if not getattr(command.get_command(ctx, verb), "hidden", True)
            ]
        listed = f" ({', '.join(verbs)})" if verbs else ""
        lines.append(f"- [`vdlt {name}`](#vdlt-{name}){listed}: {_cell(_first_line(command))}")
    return lines


def _first_line(command: Command) -> str:
    return _help(command).split("\n\n")[0]


def _deprecated(root: TyperGroup) -> list[str]:
    from vdlt_spec.cli.aliases import ALIASES

    lines = [
        "## Deprecated spellings",
        "",
        "These spellings still work, with the same options and output, and are hidden from",
        "`--help`; they will be removed in a later release.",
        "",
        "| Deprecated | Use |",
        "| --- | --- |",
    ]
    lines += [f"| `vdlt {old}` | `vdlt {new}` |" for old, new in ALIASES.items()]
    lines += [f"| `vdlt {path} {old}` | `{new}` |" for path, old, new in _deprecated_options(root)]
    return lines


def _deprecated_options(root: TyperGroup) -> list[tuple[str, str, str]]:
    """Return (command, old option, new option) for every hidden deprecated option spelling."""
    found: list[tuple[str, str, str]] = []
    marker = DEPRECATED_OPTION.split("{new}")[0]

    def walk(command: Command, path: str, ctx: typer.Context) -> None:
        if command.hidden:
            return
        for param in command.params:
            param_help = getattr(param, "help", None) or ""
            if getattr(param, "hidden", False) and param_help.startswith(marker):
                new = param_help[len(marker) :].rstrip(".")
                found.extend((path, opt, new) for opt in param.opts)
        if isinstance(command, TyperGroup):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None:
                    inner = typer.Context(sub, info_name=name, parent=ctx)
                    walk(sub, f"{path} {name}".strip(), inner)

    walk(root, "", typer.Context(root, info_name="vdlt"))
    return found


def render(app: typer.Typer | None = None) -> str:
    """Render the Markdown reference of every visible command of ``app`` (the ``vdlt`` app)."""
    if app is None:
        from vdlt_spec.cli import app as vdlt_app

        app = vdlt_app
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    ctx = typer.Context(root, info_name="vdlt")
    lines = [INTRO.rstrip("\n"), "", *_contents(root, ctx), ""]
    lines += ["## Global options", *_params(root, ctx)]
    for name in root.list_commands(ctx):
        command = root.get_command(ctx, name)
        if command is not None and not command.hidden:
            lines += ["", *_section(command, typer.Context(command, info_name=name, parent=ctx), 2)]
    lines += ["", *_deprecated(root)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render())
