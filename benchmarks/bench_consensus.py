"""Measure iPBFT against classic PBFT: messages, bytes and signature checks per decision.

Run: ``python benchmarks/bench_consensus.py [--nodes 4,7,16,31,64,128,256] [--json]
[--plot FILE]``.

Both modes run the same fault-free workload in the same simulator (one request per block,
no checkpoint inside the measured run, so the figures are the normal case the whitepaper's
claim is about, §IV-D). Counts use the ideal signature model, which the test suite holds
equal to real BIP340/MuSig2 signatures message for message; the real model is timed at one
size for the simulation speed. Every ratio is classic over iPBFT measured in the same run.
The growth exponent is the least-squares slope of log(messages per decision) on log(n).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from harness import (
    Step,
    add_json_flag,
    add_plot_option,
    deprecated,
    dumps,
    run_main,
    run_steps,
)

from vdlt_spec.cli.plots import figure
from vdlt_spec.consensus import (
    ConsensusConfig,
    Mode,
    Scenario,
    Signatures,
    SignedVote,
    VoteKind,
    VoteSet,
    encoded_size,
    simulate,
)
from vdlt_spec.crypto import certificate_length, quorum_size

SIZES = (4, 7, 16, 31, 64, 128, 256)
NO_CHECKPOINT = 1 << 20


@dataclass(frozen=True)
class Row:
    """Hold the per-decision figures of one (mode, n) run."""

    mode: str
    n: int
    decisions: int
    messages: float
    bytes: float
    verified: float
    commit_proof_bytes: int
    seconds: float


def decisions_for(mode: Mode, n: int) -> int:
    """Return how many decisions to run: fewer for classic at large n (it costs n^2 each)."""
    if mode == Mode.CLASSIC and n >= 128:
        return 2
    return 8 if n >= 64 else 16


def config_for(mode: Mode, n: int) -> ConsensusConfig:
    """Return a fault-free configuration: one request per block, no checkpoint in the run."""
    return ConsensusConfig(
        n,
        mode=mode,
        max_batch=1,
        checkpoint_interval=NO_CHECKPOINT,
        window=NO_CHECKPOINT,
    )


def measure(mode: Mode, n: int, decisions: int, signatures: Signatures) -> Row:
    """Run ``decisions`` requests through a fault-free group and return per-decision figures."""
    scenario = Scenario(
        config_for(mode, n),
        seed=1,
        requests=decisions,
        request_interval=1,
        decisions=decisions,
        signatures=signatures,
    )
    start = time.perf_counter()
    result = simulate(scenario)
    seconds = time.perf_counter() - start
    if result.decided_seqs != decisions or not result.all_requests_executed:
        raise RuntimeError(f"{mode} n={n}: run did not complete ({result.decided_seqs})")
    proof = result.commits[0].proof
    per = result.decided_seqs
    return Row(
        str(mode),
        n,
        per,
        result.metrics.messages / per,
        result.metrics.bytes / per,
        result.metrics.signatures_verified / per,
        encoded_size(proof),
        seconds,
    )


def slope(points: list[tuple[int, float]]) -> float:
    """Return the least-squares slope of log(y) on log(x)."""
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    num = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    den = sum((x - mx) ** 2 for x in xs)
    return num / den


def classic_proof_bytes(n: int) -> int:
    """Return the size of a classic commit proof: q individually signed votes."""
    vote = SignedVote(0, VoteKind.COMMIT, bytes(64))
    return encoded_size(VoteSet((vote,) * quorum_size(n)))


def speed(n: int, decisions: int, *, quiet: bool = True) -> dict[str, float]:
    """Time iPBFT decisions per second at n with real and with ideal signatures."""
    steps = [
        Step(f"speed n={n} {signatures}", partial(measure, Mode.IPBFT, n, decisions, signatures))
        for signatures in (Signatures.REAL, Signatures.IDEAL)
    ]
    rows = run_steps("timing", steps, quiet=quiet)
    return {
        str(signatures): row.decisions / row.seconds
        for signatures, row in zip((Signatures.REAL, Signatures.IDEAL), rows, strict=True)
    }


def plot(path: Path, rows: list[Row], exponents: dict[str, float]) -> None:
    """Draw messages per decision against n, log-log, both modes, to ``path``."""
    title = "Normal-case messages per decision (simulated, fault-free)"
    with figure(path, title, size=(6.0, 4.2)) as ax:
        for mode, marker in (("ipbft", "o"), ("classic", "s")):
            pts = [(r.n, r.messages) for r in rows if r.mode == mode]
            name = "iPBFT" if mode == "ipbft" else "classic PBFT"
            label = f"{name} (slope {exponents[mode]:.2f})"
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=marker, label=label)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("replicas n")
        ax.set_ylabel("messages per decision")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()


def run(
    sizes: tuple[int, ...], speed_n: int, speed_decisions: int, *, quiet: bool = True
) -> dict[str, object]:
    """Measure every size in both modes, fit exponents, time the simulator."""
    steps = [
        Step(
            f"{mode} n={n}",
            partial(measure, mode, n, decisions_for(mode, n), Signatures.IDEAL),
        )
        for n in sizes
        for mode in (Mode.IPBFT, Mode.CLASSIC)
    ]
    rows = run_steps("measuring", steps, quiet=quiet)
    exponents = {
        mode: slope([(r.n, r.messages) for r in rows if r.mode == mode])
        for mode in ("ipbft", "classic")
    }
    large = [n for n in sizes if n >= 16]
    asymptotic = (
        {
            mode: slope([(r.n, r.messages) for r in rows if r.mode == mode and r.n in large])
            for mode in ("ipbft", "classic")
        }
        if len(large) >= 2
        else {}
    )
    return {
        "rows": [asdict(r) for r in rows],
        "exponents": exponents,
        "exponents_n_ge_16": asymptotic,
        "classic_proof_bytes": {n: classic_proof_bytes(n) for n in sizes},
        "certificate_bytes": {n: certificate_length(n) for n in sizes},
        "speed_n": speed_n,
        "decisions_per_second": speed(speed_n, speed_decisions, quiet=quiet),
    }


def render(report: dict[str, object]) -> str:
    """Render the report as a Markdown table and a few lines of figures."""
    rows = [Row(**r) for r in report["rows"]]  # type: ignore[attr-defined]
    by = {(r.mode, r.n): r for r in rows}
    sizes = sorted({r.n for r in rows})
    lines = [
        "Per decision (fault-free, one request per block); B = bytes:",
        "",
        "| n | iPBFT msgs | classic msgs | ratio | iPBFT bytes | classic bytes | ratio "
        "| iPBFT sig checks | classic sig checks | iPBFT commit proof B | classic commit proof B |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        i, c = by[("ipbft", n)], by[("classic", n)]
        lines.append(
            f"| {n} | {i.messages:.0f} | {c.messages:.0f} | {c.messages / i.messages:.1f}x "
            f"| {i.bytes:,.0f} | {c.bytes:,.0f} | {c.bytes / i.bytes:.1f}x "
            f"| {i.verified:.0f} | {c.verified:.0f} "
            f"| {i.commit_proof_bytes} | {c.commit_proof_bytes} |"
        )
    exps = report["exponents"]
    asym = report["exponents_n_ge_16"]
    speed_figs = report["decisions_per_second"]
    lines += [
        "",
        f"fitted growth exponent of messages per decision (all n): iPBFT {exps['ipbft']:.2f}, "  # type: ignore[index]
        f"classic {exps['classic']:.2f}",  # type: ignore[index]
    ]
    if asym:
        lines.append(
            f"fitted growth exponent (n >= 16): iPBFT {asym['ipbft']:.2f}, "  # type: ignore[index]
            f"classic {asym['classic']:.2f}"  # type: ignore[index]
        )
    lines.append(
        f"simulation speed, iPBFT n = {report['speed_n']}: "
        f"{speed_figs['real']:.1f} decisions/s with real BIP340/MuSig2 signatures, "  # type: ignore[index]
        f"{speed_figs['ideal']:.1f} with ideal ones "  # type: ignore[index]
        f"(ideal/real {speed_figs['ideal'] / speed_figs['real']:.1f}x)"  # type: ignore[index]
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print the table (or JSON); draw the picture only with --plot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--nodes",
        default=",".join(map(str, SIZES)),
        metavar="N,N,...",
        help="the group sizes n to measure, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--speed-nodes",
        type=int,
        default=64,
        metavar="N",
        help="n of the simulation-speed run (default: %(default)s)",
    )
    parser.add_argument(
        "--speed-count",
        type=int,
        default=8,
        metavar="N",
        help="decisions of the simulation-speed run (default: %(default)s)",
    )
    add_json_flag(parser)
    add_plot_option(parser, "messages per decision against n")
    deprecated(parser, "--sizes", "nodes")
    deprecated(parser, "--speed-n", "speed_nodes", type=int)
    deprecated(parser, "--speed-decisions", "speed_count", type=int)
    deprecated(parser, "--no-plot", "no_plot", action="store_true")  # no picture is the default
    return run_main("bench_consensus", _main, parser.parse_args(argv))


def _main(args: argparse.Namespace) -> int:
    sizes = tuple(int(x) for x in args.nodes.split(","))
    report = run(sizes, args.speed_nodes, args.speed_count, quiet=args.json)
    if args.plot is not None:
        plot(args.plot, [Row(**r) for r in report["rows"]], report["exponents"])  # type: ignore[arg-type, attr-defined]
    sys.stdout.write(dumps(report) + "\n" if args.json else render(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
