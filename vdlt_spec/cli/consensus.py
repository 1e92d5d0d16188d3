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

    from vdlt_spec.consensus import (
        BEHAVIOUR_CHOICES,
        Mode,
        Signatures,
        build_scenario,
        culprits,
        make_scheme,
        simulate,
    )

    if n < 1:
        fail(f"--n must be at least 1, got {n}")
    if not 0 <= byzantine <= n:
        fail(f"--byzantine must be between 0 and n = {n}, got {byzantine}")
    if decisions < 1 or batch < 1:
        fail("--decisions and --batch must be at least 1")
    if mode not in {m.value for m in Mode}:
        fail(f"--mode must be ipbft or classic, got {mode!r}")
    if signatures not in {s.value for s in Signatures}:
        fail(f"--signatures must be real or ideal, got {signatures!r}")
    if behaviour not in BEHAVIOUR_CHOICES:
        fail(f"--behaviour must be one of {', '.join(BEHAVIOUR_CHOICES)}, got {behaviour!r}")
    try:
        loss_p = Fraction(loss)
    except (ValueError, ZeroDivisionError):
        fail(f"--loss must be a fraction such as 1/20, got {loss!r}")
    scenario = build_scenario(
        n,
        byzantine,
        behaviour,
        seed,
        decisions=decisions,
        mode=Mode(mode),
        signatures=Signatures(signatures),
        loss=loss_p,
        batch=batch,
    )
    config = scenario.config
    scheme = make_scheme(scenario.signatures, n, seed)
    result = simulate(scenario, scheme)
    if trace is not None:
        from vdlt_spec.audit.rules.consensus import run_trace

        public_roster = scheme.roster if scenario.signatures is Signatures.REAL else None
        try:
            trace.write_text(run_trace(public_roster, result.commits), encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {trace}: {exc.strerror or exc}")
    named = culprits(result, scheme) if result.conflicts else ()
    executed = list(result.executed.values())
    per = result.metrics.messages / result.decided_seqs if result.decided_seqs else 0
    summary = {
        "verdict": result.verdict,
        "mode": mode,
        "signatures": signatures,
        "n": n,
        "f": config.f,
        "byzantine": {str(i): str(b) for i, b in scenario.byzantine.items()},
        "decided_sequence_numbers": result.decided_seqs,
        "executed_min": min(executed, default=0),
        "executed_max": max(executed, default=0),
        "final_views": sorted(set(result.final_views.values())),
        "messages": result.metrics.messages,
        "messages_per_decision": round(per, 2),
        "bytes": result.metrics.bytes,
        "messages_by_type": result.metrics.messages_by_type,
        "signatures_verified": result.metrics.signatures_verified,
        "conflicts": [
            {"seq": c.seq, "replicas": [c.first.replica, c.second.replica]}
            for c in result.conflicts
        ],
        "culprits": [{"replica": e.culprit, "rule": str(e.rule)} for e in named],
        "simulated_time": result.end_time,
    }
    if as_json:
        emit_json(summary)
    else:
        table = Table(
            title=f"vdlt consensus simulate ({mode}, n = {n}, f = {config.f}, seed {seed})"
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
            table.add_row(key.replace("_", " "), str(summary[key]))
        for kind, count in result.metrics.messages_by_type.items():
            table.add_row(f"  {kind}", str(count))
        console.print(table)
        if byzantine:
            shown = ", ".join(f"{i}:{b}" for i, b in sorted(scenario.byzantine.items()))
            console.print(f"Byzantine replicas: {shown}")
        if result.conflicts:
            console.print(
                f"[red]{len(result.conflicts)} conflicting commits[/]; culprits: "
                + ", ".join(f"{e.culprit} ({e.rule})" for e in named)
            )
        console.print(f"safety: {verdict_text(result.verdict)}")
    raise typer.Exit(result.verdict.exit_code)
