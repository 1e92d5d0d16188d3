"""``vdlt allocation train`` and ``act``: the DRL allocator of §IV-F, trained and used."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from vdlt_spec.cli.allocation import InstanceArgument
from vdlt_spec.cli.common import (
    JsonFlag,
    check_outputs,
    console,
    emit_json,
    progress_bar,
    read_as,
    visible,
    write_output,
)
from vdlt_spec.cli.solve_report import UTILITY_UNIT, fraction_text

__all__ = ["act_command", "register", "train_command"]

#: Environment steps ``vdlt allocation train`` takes unless told otherwise.
DEFAULT_STEPS = 5000
AgentArgument = Annotated[
    Path, typer.Argument(metavar="AGENT", help="An agent file written by `vdlt allocation train`.")
]


def train_command(
    instance_files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[INSTANCE]...",
            help="Instance JSON files to train on; without them, generator instances.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option(metavar="AGENT", help="Write the agent file here (also at checkpoints).")
    ] = Path("agent.json"),
    steps: Annotated[
        int, typer.Option(metavar="N", help="Environment steps to train for.", min=1)
    ] = DEFAULT_STEPS,
    seed: Annotated[int, typer.Option(metavar="N", help="Seed of the whole run.")] = 0,
    count: Annotated[
        int, typer.Option("--count", metavar="N", help="Generator: transactions.", min=1)
    ] = 30,
    nodes: Annotated[
        int, typer.Option("--nodes", metavar="N", help="Generator: execution nodes.", min=1)
    ] = 8,
    utility: Annotated[
        str, typer.Option(metavar="NAME", help="Generator: throughput or welfare.")
    ] = "throughput",
    checkpoints: Annotated[
        int,
        typer.Option(
            metavar="N",
            help="Validate and write the agent to --out N times during training.",
            min=1,
        ),
    ] = 10,
    as_json: JsonFlag = False,
) -> None:
    """Train the Double DQN allocator of §IV-F on instances or generator draws.

    Episodes come from the INSTANCE files (drawn with the seed) or, without them, from the
    generator (--count transactions, --nodes execution nodes, --utility), a fresh instance
    per episode. At each checkpoint the greedy policy is compared with the density greedy on
    three validation instances (the first three INSTANCE files, or three generator draws
    outside training: the learning curve) and the agent is written to --out. Needs
    the drl extra (JAX, optax): without it the command is MISSING_EXTRA. The same seed gives
    the same agent.
    """
    from vdlt_spec.allocation.instance import Utility
    from vdlt_spec.allocation.schema import parse_instance
    from vdlt_spec.drl import GeneratorSpec, save_agent, train
    from vdlt_spec.drl.dqn import jax_modules

    files = list(instance_files or [])
    check_outputs([out], files)
    spec = GeneratorSpec(count, nodes, Utility.parse(utility, "--utility"))
    instances = [read_as(path, parse_instance) for path in files]
    jax_modules()
    began = time.perf_counter()

    def checkpoint(agent: Any, point: Any) -> None:
        write_output(out, save_agent(agent))

    with progress_bar("training", steps, quiet=as_json) as on_progress:
        agent = train(
            steps,
            seed,
            instances,
            None if instances else spec,
            on_progress=on_progress,
            on_checkpoint=checkpoint,
            checkpoints=checkpoints,
        )
    write_output(out, save_agent(agent))
    curve = agent.training["curve"]
    summary = {
        "out": str(out),
        "steps": agent.training["steps"],
        "episodes": agent.training["episodes"],
        "seed": seed,
        "source": [str(p) for p in files] or f"generator {count}x{nodes} {spec.utility.value}",
        "seconds": round(time.perf_counter() - began, 3),
        "curve": curve,
    }
    if as_json:
        emit_json(summary)
        return
    last = curve[-1]["versus_greedy"] if curve else float("nan")
    console.print(
        f"trained {summary['steps']} steps ({summary['episodes']} episodes) in "
        f"{summary['seconds']:.1f} s; on the validation instances the agent reaches "
        f"{100 * last:.1f} % of the density greedy; wrote {visible(out)}",
        markup=False,
        highlight=False,
    )


def act_command(
    agent_file: AgentArgument,
    instance_file: InstanceArgument,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Write the allocation (for `vdlt allocation evaluate` or `solve --start`).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Allocate an instance with a trained agent and score it; exit 0 feasible, 1 not.

    The agent acts greedily on the masked Q-values; the allocation is scored by the exact
    evaluator. An agent file of another environment version is BAD_INPUT_FILE. Needs no JAX.
    """
    from vdlt_spec import serial
    from vdlt_spec.allocation.evaluator import evaluate
    from vdlt_spec.allocation.schema import parse_instance
    from vdlt_spec.drl import load_agent

    check_outputs([out], [agent_file, instance_file])
    agent = load_agent(agent_file)
    instance = read_as(instance_file, parse_instance)
    began = time.perf_counter()
    allocation = agent.allocate(instance)
    seconds = time.perf_counter() - began
    ev = evaluate(instance, allocation)
    if out is not None:
        write_output(out, serial.dumps(allocation, indent=2) + "\n")
    if as_json:
        emit_json(
            {
                "agent": str(agent_file),
                "allocation": allocation,
                "evaluation": ev,
                "seconds": round(seconds, 6),
            }
        )
    else:
        console.print(
            f"agent on {visible(instance.name)}: {'feasible' if ev.feasible else 'infeasible'}; "
            f"{ev.utility.value} = {fraction_text(ev.objective)} "
            f"{UTILITY_UNIT[ev.utility.value]}, admitted {ev.admitted} of {ev.transactions} "
            f"transactions in {seconds:.3f} s",
            markup=False,
            highlight=False,
        )
    raise typer.Exit(0 if ev.feasible else 1)


def register(allocation_app: typer.Typer) -> None:
    """Add ``train`` and ``act`` to the ``vdlt allocation`` group (§IV-F)."""
    allocation_app.command("train", short_help="Train the DRL allocator (Double DQN) of §IV-F.")(
        train_command
    )
    allocation_app.command(
        "act", short_help="Allocate an instance with a trained agent and score it."
    )(act_command)
