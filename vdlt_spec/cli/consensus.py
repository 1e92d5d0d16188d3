"""``vdlt consensus``: simulate iPBFT and classic PBFT (§III-D, §IV-D)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vdlt_spec.cli.common import JsonFlag, console, emit_json, fail, verdict_text

__all__ = ["consensus_app", "consensus_simulate"]

consensus_app = typer.Typer(
    help="Byzantine fault-tolerant consensus: iPBFT and classic PBFT (§III-D, §IV-D).",
    no_args_is_help=True,
)


@consensus_app.command("simulate")
def consensus_simulate(
    n: Annotated[int, typer.Option("--n", help="Replicas in the consensus group.")] = 16,
    byzantine: Annotated[int, typer.Option(help="Byzantine replicas (f = (n-1)//3 is safe).")] = 0,
    decisions: Annotated[int, typer.Option(help="Blocks every honest replica must commit.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the network and the adversary.")] = 1,
    mode: Annotated[str, typer.Option(help="ipbft (collector, O(n)) or classic (O(n^2)).")] = (
        "ipbft"
    ),
    signatures: Annotated[str, typer.Option(help="real (BIP340/MuSig2) or ideal.")] = "ideal",
    behaviour: Annotated[
        str, typer.Option(help="Byzantine behaviour: mixed, collude, or one (e.g. forge, silent).")
    ] = "mixed",
    loss: Annotated[str, typer.Option(help="Message loss probability, e.g. 1/20.")] = "0",
    batch: Annotated[int, typer.Option(help="Requests per block.")] = 1,
    trace: Annotated[
        Path | None,
        typer.Option(help="Write the commits as a consensus trace for `vdlt audit`."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Simulate iPBFT or classic PBFT; print decisions, messages and the safety verdict."""
    from fractions import Fraction

    from vdlt_spec import serial
    from vdlt_spec.consensus import (
        Mode,
        Signatures,
        build_scenario,
        make_scheme,
        parse_behaviour,
        simulate,
        summarize,
    )

    if n < 1:
        fail(f"--n must be at least 1, got {n}")
    if not 0 <= byzantine <= n:
        fail(f"--byzantine must be between 0 and n = {n}, got {byzantine}")
    if decisions < 1 or batch < 1:
        fail("--decisions and --batch must be at least 1")
    scenario = build_scenario(
        n,
        byzantine,
        parse_behaviour(behaviour, "--behaviour"),
        seed,
        decisions=decisions,
        mode=Mode.parse(mode, "--mode"),
        signatures=Signatures.parse(signatures, "--signatures"),
        loss=serial.decode(Fraction, loss, "--loss"),
        batch=batch,
    )
    scheme = make_scheme(scenario.signatures, n, seed)
    result = simulate(scenario, scheme)
    if trace is not None:
        from vdlt_spec.audit.rules.consensus import run_trace

        public_roster = scheme.roster if scenario.signatures is Signatures.REAL else None
        try:
            trace.write_text(run_trace(public_roster, result.commits), encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {trace}: {exc.strerror or exc}")
    summary = summarize(scenario, result, scheme)
    if as_json:
        emit_json(summary)
    else:
        table = Table(
            title=f"vdlt consensus simulate ({mode}, n = {n}, f = {summary.f}, seed {seed})"
        )
        table.add_column("figure")
        table.add_column("value", justify="right")
        for key in (
            "decided_sequence_numbers",
            "executed_min",
            "executed_max",
            "final_views",
            "messages",
            "messages_per_decision",
            "bytes",
            "signatures_verified",
            "simulated_time",
        ):
            value = getattr(summary, key)
            shown = str(list(value) if isinstance(value, tuple) else value)
            table.add_row(key.replace("_", " "), shown)
        for kind, count in summary.messages_by_type.items():
            table.add_row(f"  {kind}", str(count))
        console.print(table)
        if byzantine:
            shown = ", ".join(f"{i}:{b}" for i, b in sorted(scenario.byzantine.items()))
            console.print(f"Byzantine replicas: {shown}")
        if summary.conflicts:
            console.print(
                f"[red]{len(summary.conflicts)} conflicting commits[/]; culprits: "
                + ", ".join(f"{c.replica} ({c.rule})" for c in summary.culprits)
            )
        console.print(f"safety: {verdict_text(summary.verdict)}")
    raise typer.Exit(summary.verdict.exit_code)
