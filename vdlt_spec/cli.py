"""Parse the ``vdlt`` command line, call the library, print the result (thin by design).

Every command offers ``--json``. Bad usage or bad input prints one line on stderr and exits 2;
verdicts exit 0 (valid), 1 (invalid) or 2 (unknown). Component commands import their library
lazily so that ``vdlt --version`` stays instant.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from vdlt_spec import __version__
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict

app = typer.Typer(
    name="vdlt",
    help="vdlt-spec: executable reference specification and verification suite of vDLT.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)

FAILURES_SHOWN = 20
#: Terminal width from which tables carry their long detail column inline.
WIDE_TABLE = 120
VERDICT_STYLE = {Verdict.VALID: "green", Verdict.INVALID: "red", Verdict.UNKNOWN: "yellow"}


# --- shared helpers for all commands ---------------------------------------------------------


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one error line on stderr and exit with ``code`` (2: bad usage or bad input)."""
    err_console.print(f"vdlt: error: {message}", markup=False, highlight=False)
    raise typer.Exit(code)


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
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(
            Reason.MALFORMED_JSON, f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


Named = TypeVar("Named")
Done = TypeVar("Done")
Parsed = TypeVar("Parsed")


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


def emit_json(document: Any) -> None:
    """Print one JSON document on stdout (no Rich markup, no wrapping)."""
    from vdlt_spec.serial import encode

    sys.stdout.write(json.dumps(encode(document), indent=2, sort_keys=True) + "\n")


def verdict_text(verdict: Verdict) -> str:
    """Render a verdict with its colour for Rich tables."""
    return f"[{VERDICT_STYLE[verdict]}]{verdict.value}[/]"


# --- top level -----------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vdlt-spec {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """vdlt-spec: executable reference specification and verification suite of vDLT."""


@app.command()
def verify(
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Run only this check or component (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Run every registered self-check; exit 0 all valid, 1 any invalid, 2 any unknown."""
    from vdlt_spec import registry
    from vdlt_spec.verdict import combine

    checks = registry.select(registry.discover(), only or [])
    runs = with_progress("verifying", checks, registry.run, quiet=as_json)
    overall = combine(r.verdict for r in runs)
    if as_json:
        emit_json({"verdict": overall, "checks": runs})
    else:
        # A narrow terminal (CI logs are 80 columns) gets the details below the table.
        wide = console.width >= WIDE_TABLE
        columns = ("check", "component", "section", "verdict", "seconds", "detail")
        table = Table(title=f"vdlt verify: {overall.value}")
        for column in columns if wide else columns[:2] + columns[3:5]:
            table.add_column(
                column,
                justify="right" if column == "seconds" else "left",
                no_wrap=column in ("check", "verdict", "seconds"),
                max_width=14 if column == "section" else None,
                ratio=1 if column == "detail" else None,
            )
        for r in runs:
            cells = (r.name, r.component, r.section, verdict_text(r.verdict), f"{r.seconds:.2f}")
            table.add_row(*((*cells, r.detail) if wide else cells[:2] + cells[3:]))
        console.print(table)
        if not wide:
            for r in runs:
                console.print(f"{r.name} ({r.section}): {r.detail}", markup=False, highlight=False)
    raise typer.Exit(overall.exit_code)


# --- component commands (each section imports its library lazily) ---------------------------


# --- queuing and class of service ------------------------------------------------------------

queue_app = typer.Typer(
    help="Class-based weighted fair queuing of transactions (§IV-A).", no_args_is_help=True
)
app.add_typer(queue_app, name="queue")


def _exact(text: str, what: str) -> Any:
    from fractions import Fraction

    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise SpecError(
            Reason.BAD_USAGE, f"{what} must be exact, e.g. 11/10 or 1.1: {text!r}"
        ) from None


@queue_app.command("simulate")
def queue_simulate(
    seed: Annotated[int, typer.Option("--seed", help="Seed of the workload.")] = 1,
    tx: Annotated[int, typer.Option("--tx", help="Number of transactions.", min=1)] = 10_000,
    load: Annotated[
        str, typer.Option("--load", help="Offered load, as a fraction of the link (e.g. 11/10).")
    ] = "11/10",
    fifo: Annotated[
        bool, typer.Option("--fifo", help="Also run one FIFO queue with the same total buffer.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Schedule a seeded mixed workload with the vDLT default CBWFQ; print per-class delays."""
    import random

    from vdlt_spec.cos import ServiceClass
    from vdlt_spec.fifo import fifo_run
    from vdlt_spec.queue_stats import class_delays
    from vdlt_spec.queuing import DEFAULT_QUEUE_LIMIT, default_config
    from vdlt_spec.queuing_fast import run_fast
    from vdlt_spec.workload import WorkloadSpec, mixed_workload, offered_load

    config = default_config()
    spec = WorkloadSpec(count=tx, load=_exact(load, "--load"))
    arrivals = mixed_workload(spec, random.Random(seed), config.rate)
    runs = {"cbwfq": class_delays(arrivals, run_fast(config, arrivals))}
    if fifo:
        limit = DEFAULT_QUEUE_LIMIT * len(ServiceClass)
        runs["fifo"] = class_delays(arrivals, fifo_run(config.rate, arrivals, limit))
    measured = offered_load(arrivals, config.rate)
    if as_json:
        emit_json(
            {
                "seed": seed,
                "transactions": tx,
                "offered_load": measured,
                "shares": {c.name: s for c, s in config.shares.items()},
                "classes": runs,
            }
        )
        return

    def show(value: object) -> str:
        return "-" if value is None else f"{float(value):.2f}"  # type: ignore[arg-type]

    shown = "n/a" if measured is None else f"{float(measured):.3f}"
    for name, stats in runs.items():
        title = "vDLT default CBWFQ" if name == "cbwfq" else "one FIFO queue (same buffer)"
        table = Table(title=f"{title}: {tx} transactions, seed {seed}, offered load {shown}")
        for column in ("class", "bits", "share", "sent", "dropped", "mean", "p99", "max"):
            table.add_column(column, justify="left" if column == "class" else "right")
        for row in stats:
            share = config.shares.get(row.service_class)
            table.add_row(
                row.service_class.name.lower(),
                f"{row.service_class.value:03b}",
                "-" if share is None else f"{float(share):.0%}",
                str(row.sent),
                str(row.dropped),
                show(row.mean_delay),
                show(row.p99_delay),
                show(row.max_delay),
            )
        console.print(table)


# --- crypto and consensus --------------------------------------------------------------------

simulate_app = typer.Typer(help="Run the deterministic simulators.", no_args_is_help=True)
app.add_typer(simulate_app, name="simulate")

CLI_TIMEOUTS_BASE = 50  # a run stops after this many view timeouts, plus
CLI_TIMEOUTS_PER_DECISION = 2  # this many per requested decision
PBFT_BEHAVIOURS = (
    "mixed",
    "collude",
    "silent",
    "equivocate",
    "double-vote",
    "forge",
    "stale-future",
    "withhold",
)


@simulate_app.command("pbft")
def simulate_pbft(
    n: Annotated[int, typer.Option("--n", help="Replicas in the consensus group.")] = 16,
    byzantine: Annotated[int, typer.Option(help="Byzantine replicas (f = (n-1)//3 is safe).")] = 0,
    decisions: Annotated[int, typer.Option(help="Blocks every honest replica must commit.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the network and the adversary.")] = 1,
    mode: Annotated[str, typer.Option(help="ipbft (collector, O(n)) or classic (O(n^2)).")] = (
        "ipbft"
    ),
    signatures: Annotated[str, typer.Option(help="real (BIP340/MuSig2) or ideal.")] = "ideal",
    behaviour: Annotated[
        str, typer.Option(help=f"Byzantine behaviour: {', '.join(PBFT_BEHAVIOURS)}.")
    ] = "mixed",
    loss: Annotated[str, typer.Option(help="Message loss probability, e.g. 1/20.")] = "0",
    batch: Annotated[int, typer.Option(help="Requests per block.")] = 1,
    trace: Annotated[
        Path | None,
        typer.Option(help="Write the commits as a consensus trace for `vdlt audit`."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Simulate iPBFT or classic PBFT; print decisions, messages and the safety verdict."""
    import random
    from fractions import Fraction

    from vdlt_spec.consensus.byzantine import Behaviour
    from vdlt_spec.consensus.config import ConsensusConfig, Mode
    from vdlt_spec.consensus.network import NetworkParams
    from vdlt_spec.consensus.simulation import (
        Scenario,
        Signatures,
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
    if behaviour not in PBFT_BEHAVIOURS:
        fail(f"--behaviour must be one of {', '.join(PBFT_BEHAVIOURS)}, got {behaviour!r}")
    try:
        loss_p = Fraction(loss)
    except (ValueError, ZeroDivisionError):
        fail(f"--loss must be a fraction such as 1/20, got {loss!r}")
    if behaviour == "collude":  # the first primary equivocates, the others vote for both
        kinds = [Behaviour.EQUIVOCATE] + [Behaviour.DOUBLE_VOTE] * (byzantine - 1)
        chosen = list(range(byzantine))
    else:  # seeded choice of who is Byzantine; behaviours in turn
        every = list(Behaviour) if behaviour == "mixed" else [Behaviour(behaviour)]
        kinds = [every[i % len(every)] for i in range(byzantine)]
        chosen = sorted(random.Random(f"{seed}/cli").sample(range(n), byzantine))
    config = ConsensusConfig(n, mode=Mode(mode), max_batch=batch)
    scenario = Scenario(
        config,
        seed=seed,
        network=NetworkParams(loss=loss_p),
        byzantine=dict(zip(chosen, kinds, strict=True)),
        requests=decisions * batch,
        request_interval=1,
        decisions=decisions,
        max_time=config.view_timeout * (CLI_TIMEOUTS_BASE + CLI_TIMEOUTS_PER_DECISION * decisions),
        signatures=Signatures(signatures),
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
        table = Table(title=f"vdlt simulate pbft ({mode}, n = {n}, f = {config.f}, seed {seed})")
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


# --- proofs ----------------------------------------------------------------------------------


@app.command()
def prove(
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Discharge only this obligation or group (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    smtlib: Annotated[
        Path | None,
        typer.Option(
            "--smtlib",
            metavar="DIR",
            help="Also write every query as an SMT-LIB 2 file into DIR.",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", metavar="S", help="Solver budget per obligation (s).")
    ] = 60.0,
) -> None:
    """Discharge the Z3 proof obligations (§III-D, §IV-C, §IV-D); exit 0 when all match.

    Exit 1 when a finding contradicts its expectation, 2 when one is unknown (timeout).
    """
    from vdlt_spec.proofs import catalog, runner
    from vdlt_spec.verdict import combine

    chosen = runner.select(catalog.OBLIGATIONS, only or [])
    if timeout <= 0:
        raise SpecError(Reason.BAD_USAGE, f"--timeout must be positive, got {timeout}")
    if smtlib is not None:
        _write_smtlib(smtlib, chosen)
    results = with_progress(
        "proving", chosen, lambda obligation: runner.discharge(obligation, timeout), quiet=as_json
    )
    overall = combine(r.verdict for r in results)
    total = sum(r.seconds for r in results)
    if as_json:
        emit_json({"verdict": overall, "seconds": total, "obligations": results})
    else:
        table = Table(
            title=f"vdlt prove: {overall.value} ({len(results)} obligations, {total:.2f} s)",
            show_edge=False,
        )
        table.add_column("obligation", no_wrap=True)
        table.add_column("scope")
        table.add_column("expected", no_wrap=True)
        table.add_column("verdict", no_wrap=True)  # the finding, coloured by its verdict
        table.add_column("s", justify="right", no_wrap=True)
        for r in results:
            table.add_row(
                r.name,
                r.scope,
                _short(r.expected.value),
                f"[{VERDICT_STYLE[r.verdict]}]{_short(r.finding.value)}[/]",
                f"{r.seconds:.2f}",
            )
        console.print(table)
        # Counterexamples and unexpected details go below the table, one per line, so that
        # they stay readable at any terminal width.
        for r in results:
            if r.counterexample:
                line = f"{r.name}: counterexample {runner.summarize(r.counterexample)}"
            elif r.verdict is not Verdict.VALID:
                line = f"{r.name}: {r.detail}"
            else:
                continue
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(overall.exit_code)


def _short(finding: str) -> str:
    """Abbreviate "counterexample" to "cex" for the table (JSON keeps the full word)."""
    return "cex" if finding == "counterexample" else finding


def _write_smtlib(directory: Path, obligations: Any) -> None:
    """Write each query of each obligation as ``DIR/<obligation>--<nn>-<query>.smt2``."""
    from vdlt_spec.proofs import runner

    try:
        directory.mkdir(parents=True, exist_ok=True)
        for obligation in obligations:
            for name, text in runner.smtlib_files(obligation):
                (directory / name).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SpecError(
            Reason.SMTLIB_EXPORT_FAILED, f"{directory}: {exc.strerror or exc}"
        ) from None


# --- governance and economics ----------------------------------------------------------------

governance_app = typer.Typer(
    help="Token economy and self-amending governance: seeded scenarios (§IV-B..§IV-K).",
    no_args_is_help=True,
)
app.add_typer(governance_app, name="governance")

MAX_SIMULATED_EPOCHS = 1_000


@governance_app.command("simulate")
def governance_simulate(
    seed: Annotated[int, typer.Option(help="Seed of the scenario's random choices.")] = 0,
    epochs: Annotated[int, typer.Option(help="Epochs to simulate (16 reach every stage).")] = 16,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Run a seeded economy: elections, an amendment, inflation, slashing; judge invariants."""
    from vdlt_spec.economics.simulation import simulate

    if not 1 <= epochs <= MAX_SIMULATED_EPOCHS:
        raise SpecError(Reason.BAD_USAGE, f"--epochs must be 1..{MAX_SIMULATED_EPOCHS}: {epochs}")
    report = simulate(seed, epochs)
    if as_json:
        emit_json(report)
        raise typer.Exit(report.verdict.exit_code)
    trace = Table(title=f"governance simulate --seed {seed} --epochs {epochs}")
    # Amounts fold rather than elide (they are exact); a narrow terminal gets the events below.
    wide = console.width >= WIDE_TABLE
    columns = ("epoch", "delegates", "minted", "burned", "supply", "stage", "rate", "events")
    for column in columns if wide else columns[:-1]:
        trace.add_column(
            column,
            justify="left" if column in ("stage", "events") else "right",
            overflow="fold",
            ratio=1 if column == "events" else None,
        )
    for e in report.summary:
        cells = (
            str(e.epoch),
            str(e.delegates),
            str(e.minted),
            str(e.burned),
            str(e.supply),
            e.stage,
            str(e.inflation_rate),
        )
        trace.add_row(*((*cells, "; ".join(e.events)) if wide else cells))
    console.print(trace)
    if not wide:
        for e in report.summary:
            for event in e.events:
                console.print(f"epoch {e.epoch}: {event}", markup=False, highlight=False)
    checks = Table(title="invariants (checked after every step) and milestones")
    checks.add_column("check")
    checks.add_column("verdict")
    for name, verdict in report.invariants.items():
        checks.add_row(name, verdict_text(verdict))
    for name, reached in report.milestones.items():
        checks.add_row(
            f"milestone: {name}", "[green]reached[/]" if reached else "[yellow]not reached[/]"
        )
    console.print(checks)
    rejected = ", ".join(f"{reason} {count}" for reason, count in report.rejected.items())
    console.print(f"operations: {report.accepted} accepted; rejected: {rejected or 'none'}")
    for problem in (*report.unexpected, *report.violations):
        console.print(f"[red]{problem}[/]", highlight=False)
    console.print(f"verdict: {verdict_text(report.verdict)}")
    raise typer.Exit(report.verdict.exit_code)


# --- allocation ------------------------------------------------------------------------------

instance_app = typer.Typer(
    help="Allocation instances of Eq. (1): their JSON Schema and a seeded generator.",
    no_args_is_help=True,
)
app.add_typer(instance_app, name="instance")
ALLOCATION_ROWS_SHOWN = 20


def _write_output(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")


def _fraction_text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return f"{float(value):.6g}" if getattr(value, "denominator", 1) != 1 else str(value)


@instance_app.command("schema")
def instance_schema(
    allocation: Annotated[
        bool, typer.Option("--allocation", help="Print the allocation's schema instead.")
    ] = False,
    out: Annotated[Path | None, typer.Option(help="Write the schema to this file.")] = None,
) -> None:
    """Print the JSON Schema of an instance (or of an allocation), with units (§IV-E)."""
    from vdlt_spec.allocation.schema import allocation_schema, instance_schema

    schema = allocation_schema() if allocation else instance_schema()
    text = json.dumps(schema, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        _write_output(out, text)


@instance_app.command("generate")
def instance_generate(
    tx: Annotated[int, typer.Option("--tx", help="Number of transactions.", min=0)],
    nodes: Annotated[int, typer.Option("--nodes", help="Number of execution nodes.", min=1)],
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generator.")],
    utility: Annotated[
        str, typer.Option("--utility", help="Objective: throughput or welfare.")
    ] = "throughput",
    out: Annotated[Path | None, typer.Option(help="Write the instance to this file.")] = None,
) -> None:
    """Generate a seeded, realistic instance (ranges from Liu et al. 2019; §IV-E)."""
    from vdlt_spec import serial
    from vdlt_spec.allocation.generate import generate
    from vdlt_spec.allocation.instance import Utility

    if utility not in {u.value for u in Utility}:
        fail(f"--utility must be throughput or welfare, got {utility!r}")
    instance = generate(tx, nodes, seed, Utility(utility))
    text = serial.dumps(instance, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        _write_output(out, text)
        err_console.print(
            f"wrote {out}: {len(instance.transactions)} transactions, "
            f"{len(instance.nodes)} nodes ({nodes} execution)",
            markup=False,
        )


def _load_instance(path: Path) -> Any:
    from vdlt_spec.allocation.schema import parse_instance

    return _read_as(path, parse_instance)


@app.command("solve")
def solve_command(
    instance_file: Annotated[Path, typer.Argument(help="An instance JSON file.")],
    solver: Annotated[str, typer.Option(help="MILP solver: highs or cbc.")] = "highs",
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            help="Seconds for the solver and the search, counted after the model and the "
            "warm start are built.",
        ),
    ] = None,
    gap: Annotated[
        float | None, typer.Option(help="Relative gap at which the solver may stop.")
    ] = None,
    threads: Annotated[int | None, typer.Option(help="Solver threads.")] = None,
    warm_start: Annotated[
        bool,
        typer.Option(
            "--warm-start/--no-warm-start",
            help="Seed with the heuristics and bound with the LP and Lagrangian relaxations "
            "first; --no-warm-start runs the solver alone.",
        ),
    ] = True,
    search: Annotated[
        bool,
        typer.Option(
            "--search/--no-search",
            help="With --time-limit on large instances: HiGHS first guesses the optimum down "
            "from the LP bound (up to 50,000 binaries), and a neighbourhood search improves "
            "the allocation, after the solver's half of the time left or, above 50,000 "
            "binaries, before the solver.",
        ),
    ] = True,
    start: Annotated[
        Path | None,
        typer.Option(
            help="An allocation to start from instead of the heuristics' (any allocator's, e.g. "
            "a DRL agent's, another solver's or an earlier `--out`): the oracle improves on it "
            "or proves it optimal. It must be feasible.",
        ),
    ] = None,
    lp: Annotated[Path | None, typer.Option("--lp", help="Export the model as .lp.")] = None,
    mps: Annotated[Path | None, typer.Option("--mps", help="Export the model as .mps.")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the allocation found (for `vdlt evaluate`).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Solve Eq. (1) exactly; exit 0 optimal (or the asked gap), 1 infeasible, 2 undecided."""
    from vdlt_spec import serial
    from vdlt_spec.models.milp import SolveOptions, Status, solve

    instance = _load_instance(instance_file)
    begin = None if start is None else _load_start(instance, start)
    options = SolveOptions(
        solver=solver,
        time_limit=time_limit,
        gap=gap,
        threads=threads,
        warm_start=begin,
        use_heuristic_start=warm_start,
        bounds=warm_start,
        search=search,
        lp_path=str(lp) if lp else None,
        mps_path=str(mps) if mps else None,
    )
    report = solve(instance, options)
    if out is not None and report.allocation is not None:
        _write_output(out, serial.dumps(report.allocation, indent=2) + "\n")
    if as_json:
        emit_json(report)
    else:
        table = Table(title=f"vdlt solve {instance.name}: {report.status.value}")
        table.add_column("figure")
        table.add_column("value", justify="right")
        rows = [
            ("solver", report.solver),
            ("status", report.status.value),
            ("proven optimal", "yes" if report.proven_optimal else "no"),
            (f"{instance.utility.value} (exact)", _fraction_text(report.objective)),
            ("bound", _fraction_text(report.bound)),
            ("LP relaxation bound", _fraction_text(report.relaxation_bound)),
            ("Lagrangian bound", _fraction_text(report.lagrangian_bound)),
            ("relative gap", _fraction_text(report.gap)),
            ("admitted", f"{report.admitted} of {report.transactions}"),
            ("warm start", _fraction_text(report.warm_start)),
            (
                "neighbourhood search",
                f"{_fraction_text(report.searched)} in {report.search_seconds:.2f} s"
                if report.search_seconds
                else "-",
            ),
            ("binaries / rows", f"{report.binaries} / {report.constraints}"),
            ("seconds (solver)", f"{report.seconds:.2f} ({report.solve_seconds:.2f})"),
        ]
        for name, value in rows:
            table.add_row(name, value)
        console.print(table)
        console.print(report.detail, markup=False, highlight=False)
        if report.diagnosis:
            diag = Table(title="why infeasible: constraints the least-violating allocation breaks")
            for column in ("constraint", "subject", "value", "bound", "violated by", "unit"):
                diag.add_column(column, overflow="fold")
            for r in report.diagnosis[:ALLOCATION_ROWS_SHOWN]:
                diag.add_row(
                    r.constraint.value,
                    r.subject,
                    _fraction_text(r.value),
                    _fraction_text(r.bound),
                    _fraction_text(-r.slack),
                    r.unit,
                )
            console.print(diag)
        if out is not None and report.allocation is not None:
            console.print(f"wrote {out}", markup=False)
    if report.status in (Status.OPTIMAL, Status.GAP_REACHED):
        raise typer.Exit(0)
    raise typer.Exit(1 if report.status is Status.INFEASIBLE else 2)


@app.command("evaluate")
def evaluate_command(
    instance_file: Annotated[Path, typer.Argument(help="An instance JSON file.")],
    allocation_file: Annotated[Path, typer.Argument(help="An allocation JSON file.")],
    against: Annotated[
        Path | None,
        typer.Option(
            help="The oracle's answer to score against: a `vdlt solve --json` report "
            "(allocation, bound, proof) or an allocation file.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Score an allocation against Eq. (1); exit 0 feasible, 1 any constraint violated."""
    from fractions import Fraction

    from vdlt_spec.allocation.evaluator import evaluate
    from vdlt_spec.allocation.schema import parse_allocation
    from vdlt_spec.allocation.score import parse_reference, score

    instance = _load_instance(instance_file)
    allocation = _read_as(allocation_file, parse_allocation)
    ev = evaluate(instance, allocation)
    standing = None
    if against is not None:
        standing = score(instance, allocation, _read_as(against, parse_reference))
    if as_json:
        emit_json(ev if standing is None else {"evaluation": ev, "score": standing})
    else:
        shown = ev.violations or tuple(
            sorted(ev.reports, key=lambda r: r.slack / max(abs(r.bound), Fraction(1)))[:5]
        )
        title = "violated constraints" if ev.violations else "tightest constraints"
        table = Table(title=title)
        for column in ("constraint", "subject", "value", "bound", "slack", "unit", "note"):
            table.add_column(column, overflow="fold")
        for r in shown[:ALLOCATION_ROWS_SHOWN]:
            table.add_row(
                r.constraint.value,
                r.subject,
                _fraction_text(r.value),
                _fraction_text(r.bound),
                _fraction_text(r.slack),
                r.unit,
                r.note,
            )
        console.print(table)
        if len(shown) > ALLOCATION_ROWS_SHOWN:
            console.print(f"... and {len(shown) - ALLOCATION_ROWS_SHOWN} more (see --json)")
        verdict = "feasible" if ev.feasible else f"infeasible ({len(ev.violations)} violations)"
        console.print(
            f"{instance.name}: {verdict}; {ev.utility.value} = {_fraction_text(ev.objective)} "
            f"(throughput {_fraction_text(ev.throughput)} tx/s, welfare "
            f"{_fraction_text(ev.welfare)} tokens/epoch), admitted {ev.admitted} of "
            f"{ev.transactions}, Nakamoto coefficient {ev.nakamoto}",
            markup=False,
            highlight=False,
        )
        if standing is not None:
            console.print(_standing_text(standing), markup=False, highlight=False)
    raise typer.Exit(0 if ev.feasible else 1)


def _load_start(instance: Any, path: Path) -> Any:
    """Read a start for the oracle, rejecting one the evaluator does not accept (§IV-E)."""
    from vdlt_spec.allocation.evaluator import evaluate
    from vdlt_spec.allocation.schema import parse_allocation

    allocation = _read_as(path, parse_allocation)
    try:
        ev = evaluate(instance, allocation)
    except SpecError as exc:  # e.g. a transaction or node the instance does not have
        raise SpecError(exc.reason, f"{path}: {exc.detail}") from None
    if not ev.feasible:
        raise SpecError(
            Reason.INFEASIBLE_START,
            f"{path}: the start is infeasible ({len(ev.violations)} violations, e.g. "
            f"{ev.violations[0].where}); `vdlt evaluate` lists them",
        )
    return allocation


def _read_as(path: Path, parse: Callable[[Any], Parsed]) -> Parsed:
    """Read a JSON file and parse it, naming the file in any rejection."""
    document = read_json_file(path)
    try:
        return parse(document)
    except SpecError as exc:
        raise SpecError(exc.reason, f"{path}: {exc.detail}") from None


def _percent(share: Any) -> str:
    return "-" if share is None else f"{float(100 * share):.2f} %"


def _standing_text(s: Any) -> str:
    """Say where a scored allocation stands against the oracle, in one line (§IV-F)."""
    best = _fraction_text(s.best)
    if not s.feasible:
        return f"against the oracle: infeasible, so no share (the oracle's best is {best})"
    if s.proven:
        return (
            f"against the oracle: {_percent(s.share_high)} of the proven optimum {best} "
            f"(short by {_fraction_text(s.shortfall)})"
        )
    if s.bound is None:
        return f"against the oracle: {_percent(s.share_high)} of its allocation's {best}"
    return (
        f"against the oracle: {_percent(s.share_low)} to {_percent(s.share_high)} of the "
        f"optimum (best known {best}, bound {_fraction_text(s.bound)})"
    )


@app.command("baseline")
def baseline_command(
    instance_file: Annotated[Path, typer.Argument(help="An instance JSON file.")],
    name: Annotated[
        str, typer.Option(help="per-class-greedy (§IV-G) or density-greedy.")
    ] = "per-class-greedy",
    out: Annotated[Path | None, typer.Option(help="Write the allocation to this file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Allocate with a baseline heuristic and score it; exit 0 feasible, 1 not."""
    from vdlt_spec import serial
    from vdlt_spec.allocation.baselines import BASELINES
    from vdlt_spec.allocation.evaluator import evaluate

    if name not in BASELINES:
        fail(f"--name must be one of {', '.join(BASELINES)}, got {name!r}")
    instance = _load_instance(instance_file)
    allocation = BASELINES[name](instance)
    ev = evaluate(instance, allocation)
    if out is not None:
        _write_output(out, serial.dumps(allocation, indent=2) + "\n")
    if as_json:
        emit_json({"baseline": name, "allocation": allocation, "evaluation": ev})
    else:
        console.print(
            f"{name} on {instance.name}: {'feasible' if ev.feasible else 'infeasible'}; "
            f"{ev.utility.value} = {_fraction_text(ev.objective)}, admitted {ev.admitted} of "
            f"{ev.transactions}",
            markup=False,
            highlight=False,
        )
    raise typer.Exit(0 if ev.feasible else 1)


# --- conformance ---------------------------------------------------------------------------

conformance_app = typer.Typer(
    help="Run the conformance vectors against an implementation, or serve the reference.",
    no_args_is_help=True,
)
app.add_typer(conformance_app, name="conformance")


@conformance_app.command("run")
def conformance_run(
    adapter: Annotated[
        str | None,
        typer.Option(help="Command of the implementation under test (JSON-lines protocol)."),
    ] = None,
    vectors: Annotated[
        Path | None, typer.Option(help="A vector file to run instead of the bundled ones.")
    ] = None,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Suite, operation or vector id.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Run conformance vectors; exit 0 all pass, 1 any fails, 2 any unsupported or none run."""
    from vdlt_spec import serial
    from vdlt_spec.conformance import suite
    from vdlt_spec.conformance.adapter import Adapter, ReferenceAdapter, SubprocessAdapter
    from vdlt_spec.conformance.vector import VectorFile

    files = (
        [serial.loads(VectorFile, read_text_file(vectors))]
        if vectors
        else list(suite.bundled().values())
    )
    selected = list(suite.iter_vectors(files, only or []))
    impl: Adapter = SubprocessAdapter(adapter) if adapter else ReferenceAdapter()
    try:
        report = suite.run(impl, selected)
    finally:
        impl.close()
    if as_json:
        emit_json(report)
    else:
        failures = [r for r in report.results if r.verdict is not Verdict.VALID]
        if failures:
            table = Table(title="vectors not passed")
            for column in ("vector", "operation", "section", "verdict", "detail"):
                table.add_column(column)
            for r in failures[:FAILURES_SHOWN]:
                table.add_row(r.id, r.op, r.section, verdict_text(r.verdict), r.detail)
            console.print(table)
            if len(failures) > FAILURES_SHOWN:
                console.print(f"... and {len(failures) - FAILURES_SHOWN} more (see --json)")
        console.print(
            f"conformance of {report.adapter}: {verdict_text(report.verdict)} "
            f"({report.passed} passed, {report.failed} failed, {report.unsupported} unsupported)"
        )
    raise typer.Exit(report.verdict.exit_code)


@conformance_app.command("serve")
def conformance_serve() -> None:
    """Answer JSON-lines requests on stdin with the reference spec (the adapter protocol)."""
    from vdlt_spec.conformance.adapter import serve_line

    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(serve_line(line) + "\n")
            sys.stdout.flush()


@conformance_app.command("generate")
def conformance_generate(
    out: Annotated[Path, typer.Option(help="Folder to write <suite>.vectors.json files into.")],
    suite_name: Annotated[
        list[str] | None, typer.Option("--suite", help="Only this suite (repeatable).")
    ] = None,
) -> None:
    """Regenerate vector files from the reference spec (for releases and drift checks)."""
    from vdlt_spec.conformance import suite

    names = suite_name or list(suite.suites())
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create {out}: {exc.strerror or exc}")
    for name in names:
        target = out / f"{name}{suite.VECTOR_SUFFIX}"
        rendered = suite.render(suite.generate(name))
        try:
            target.write_text(rendered, encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {target}: {exc.strerror or exc}")
        console.print(f"wrote {target}")


# --- audit ---------------------------------------------------------------------------------


@app.command("audit")
def audit_trace(
    trace_file: Annotated[Path, typer.Argument(help="A JSON-lines trace (header, then events).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Audit a recorded trace against its component's invariants; exit by the verdict."""
    from vdlt_spec.audit import trace
    from vdlt_spec.audit.auditor import audit

    report = audit(trace.parse(read_text_file(trace_file).splitlines()))
    if as_json:
        emit_json(report)
    else:
        if report.findings:
            table = Table(title="findings")
            for column in ("line", "rule", "message"):
                table.add_column(column)
            for finding in report.findings[:FAILURES_SHOWN]:
                table.add_row(str(finding.line), finding.rule, finding.message)
            console.print(table)
        console.print(
            f"audit of a {report.kind} trace: {verdict_text(report.verdict)} "
            f"({report.events} events, {report.checked} checked, "
            f"{len(report.findings)} findings; rules: {', '.join(report.rules)})"
        )
    raise typer.Exit(report.verdict.exit_code)


# --- virtualization and hierarchy ------------------------------------------------------------

virtualization_app = typer.Typer(
    help="Place virtual DLT systems on a substrate; measure the management hierarchy.",
    no_args_is_help=True,
)
app.add_typer(virtualization_app, name="virtualization")


@virtualization_app.command("place")
def virtualization_place(
    substrate_file: Annotated[Path, typer.Argument(help="SUBSTRATE.json: nodes, links.")],
    systems_file: Annotated[Path, typer.Argument(help="SYSTEMS.json: an array of systems.")],
    fail: Annotated[
        list[str] | None,
        typer.Option("--fail", help="A physical node to fail for the fault table (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Admit systems in order; print placement, leases, rejections. Exit 1 if any rejected."""
    from vdlt_spec import serial
    from vdlt_spec import virtualization as virt

    substrate = serial.decode(virt.Substrate, read_json_file(substrate_file), "$")
    systems = serial.decode(tuple[virt.VirtualSystem, ...], read_json_file(systems_file), "$")
    campaign = virt.admit_all(substrate, systems)
    placement = campaign.placement
    leases = virt.leases(substrate, placement)
    faults = virt.fault_impact(substrate, placement, fail) if fail else ()
    rejected = [o for o in campaign.outcomes if not o.admitted]
    if as_json:
        emit_json(
            {
                "placement": placement,
                "outcomes": campaign.outcomes,
                "leases": leases,
                "faults": faults,
                "worst_single_failure": virt.worst_single_failure(substrate, placement),
            }
        )
        raise typer.Exit(1 if rejected else 0)
    nodes = {n.id: n for n in substrate.nodes}
    table = Table(title="placement")
    for column in ("system", "vDSP", "node", "role", "host", "DInP", "region"):
        table.add_column(column)
    for system in placement.systems:
        hosts = placement.hosts_of(system.id)
        for node in system.nodes:
            host = nodes[hosts[node.id]]
            table.add_row(
                system.id, system.vdsp, node.id, node.role.value, host.id, host.dinp, host.region
            )
    console.print(table)
    table = Table(title="leases (Fig. 5)")
    for column in ("vDSP", "DInP", "compute", "storage", "bandwidth", "nodes", "systems"):
        table.add_column(column, justify="right" if column in virt.RESOURCE_KINDS else "left")
    for lease in leases:
        table.add_row(
            lease.vdsp,
            lease.dinp,
            *(str(lease.resources.amount(k)) for k in virt.RESOURCE_KINDS),
            str(lease.virtual_nodes),
            ", ".join(lease.systems),
        )
    console.print(table)
    if faults:
        table = Table(title=f"faults of {', '.join(fail or [])}")
        for column in ("system", "group", "size", "lost", "quorum", "keeps quorum"):
            table.add_column(column)
        for impact in faults:
            table.add_row(
                impact.system,
                impact.role.value,
                str(impact.size),
                str(impact.lost),
                str(impact.quorum),
                "yes" if impact.keeps_quorum else "[red]no[/]",
            )
        console.print(table)
    for outcome in rejected:
        console.print(
            f"rejected {outcome.system} [{outcome.reason}]: {outcome.detail}",
            markup=False,
            highlight=False,
        )
    console.print(
        f"{len(campaign.outcomes) - len(rejected)} admitted, {len(rejected)} rejected",
        markup=False,
    )
    raise typer.Exit(1 if rejected else 0)


@virtualization_app.command("hierarchy")
def virtualization_hierarchy(
    regions: Annotated[int, typer.Option(help="Regions of execution nodes.")] = 4,
    per_region: Annotated[int, typer.Option(help="Execution nodes per region.")] = 12,
    group_size: Annotated[
        int, typer.Option(help="Most execution nodes per local group (a handful).")
    ] = 5,
    count: Annotated[int, typer.Option(help="Transactions per workload.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the workloads.")] = 7,
    global_share: Annotated[
        str, typer.Option(help="Share of management/control transactions, e.g. 1/20.")
    ] = "1/20",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Route seeded workloads of rising locality; print each layer's share of decisions."""
    from fractions import Fraction

    from vdlt_spec import hierarchy, serial

    if regions < 1 or per_region < 1:
        fail("--regions and --per-region must be at least 1")
    share = serial.decode(Fraction, global_share, "--global-share")
    nodes = [
        hierarchy.ExecutionNode(f"r{r}-{i:03d}", f"r{r}")
        for r in range(regions)
        for i in range(per_region)
    ]
    built = hierarchy.build(nodes, group_size)
    localities = [Fraction(k, 100) for k in (0, 25, 50, 75, 90, 100)]
    rows = hierarchy.locality_sweep(built, seed, count, localities, share)
    if as_json:
        emit_json({"groups": len(built.groups), "rows": rows})
        return
    table = Table(
        title=f"{len(nodes)} execution nodes, {len(built.groups)} local groups, "
        f"global share {share}, {count} transactions, seed {seed}"
    )
    for column in ("locality", "top decisions", "top share", "busiest local group"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            f"{float(row.locality):.2f}",
            str(row.load.top),
            f"{float(row.load.top_share):.4f}",
            str(row.load.busiest_local),
        )
    console.print(table)


# --- entry point -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the ``vdlt`` command; turn usage errors and ``SpecError`` into one line and exit 2."""
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
        err_console.print(f"vdlt: error: {exc.format_message()}{hint}", markup=False)
        return 2
    except SpecError as exc:
        err_console.print(f"vdlt: error [{exc.reason.value}]: {exc.detail}", markup=False)
        return 2
    # Without standalone mode, Typer returns the code of a ``typer.Exit`` instead of raising.
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
