"""Accept the deprecated spellings of the ``vdlt`` commands as hidden aliases.

Each alias runs the very function of its new spelling, so its options and behaviour are the
same; none shows in ``--help`` or in docs/cli.md. Removing this module removes them all.
"""

from __future__ import annotations

import typer

from vdlt_spec.cli.allocation import (
    baseline_command,
    evaluate_command,
    instance_generate,
    instance_schema,
    solve_command,
)
from vdlt_spec.cli.consensus import consensus_simulate
from vdlt_spec.cli.queuing import queuing_simulate

__all__ = ["ALIASES", "register"]

#: Deprecated spelling -> the spelling that replaces it.
ALIASES: dict[str, str] = {
    "simulate pbft": "consensus simulate",
    "queue simulate": "queuing simulate",
    "solve": "allocation solve",
    "evaluate": "allocation evaluate",
    "baseline": "allocation baseline",
    "instance generate": "allocation generate",
    "instance schema": "allocation schema",
}


def _deprecated(old: str) -> str:
    return f"Deprecated spelling of `vdlt {ALIASES[old]}`."


def register(app: typer.Typer) -> None:
    """Add every deprecated spelling to ``app`` as a hidden command or group."""
    simulate = typer.Typer(hidden=True, no_args_is_help=True, help=_deprecated("simulate pbft"))
    simulate.command("pbft", help=_deprecated("simulate pbft"))(consensus_simulate)
    app.add_typer(simulate, name="simulate", hidden=True)

    queue = typer.Typer(hidden=True, no_args_is_help=True, help=_deprecated("queue simulate"))
    queue.command("simulate", help=_deprecated("queue simulate"))(queuing_simulate)
    app.add_typer(queue, name="queue", hidden=True)

    for name, command in (
        ("solve", solve_command),
        ("evaluate", evaluate_command),
        ("baseline", baseline_command),
    ):
        app.command(name, hidden=True, help=_deprecated(name))(command)

    instance = typer.Typer(hidden=True, no_args_is_help=True, help="Deprecated: `vdlt allocation`.")
    instance.command("generate", help=_deprecated("instance generate"))(instance_generate)
    instance.command("schema", help=_deprecated("instance schema"))(instance_schema)
    app.add_typer(instance, name="instance", hidden=True)
