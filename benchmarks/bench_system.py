"""Benchmark the vDLT system of Fig. 3: determinism, scale, the cost curve, real certificates.

Run as a script (``python benchmarks/bench_system.py [--sizes 1000,10000,100000]
[--real-count 1000] [--json] [--plot FILE]``) or through ``pytest -m bench -s``.

* determinism: the first size runs twice; the two traces must be byte-identical (their
  SHA-256 is printed);
* scale: each size runs through 7 management and 40 execution nodes with ideal signatures;
  the table gives the CPU seconds of the run (``time.process_time``: one process, one core),
  the cost per transaction in microseconds, and the coupled baseline on the same workload
  beside it (the peer, measured in the same run), with the ratio;
* real certificates: ``--real-count`` transactions with BIP340/MuSig2 certificates against the
  same run with ideal ones: the ratio is what real signatures cost.

Timings measure this machine at this moment: compare the ratios, taken in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness import Step, add_json_flag, add_plot_option, dumps, run_main, run_steps

from vdlt_spec.system import SystemConfig, SystemRun, render_trace, simulate, summarize

DEFAULT_SIZES = (1_000, 10_000, 100_000)
DEFAULT_REAL_COUNT = 1_000
DEFAULT_SEED = 7
GOAL_SECONDS = 120
US_PER_S = 1_000_000


def _timed(call: Callable[[], SystemRun]) -> tuple[SystemRun, float]:
    start = time.process_time()
    run = call()
    return run, time.process_time() - start


def _row(size: int, seed: int) -> dict[str, Any]:
    config = SystemConfig(transactions=size)
    run, seconds = _timed(lambda: simulate(config, seed))
    _peer, peer_seconds = _timed(lambda: simulate(config, seed, baseline=True))
    summary = summarize(run)
    return {
        "transactions": size,
        "cpu_s": round(seconds, 2),
        "us_per_tx": round(seconds * US_PER_S / max(size, 1), 1),
        "confirmed": summary.confirmed,
        "user_blocks": summary.user_blocks,
        "order_blocks": len(run.order_blocks),
        "allocations": len(run.allocations),
        "coupled_cpu_s": round(peer_seconds, 2),
        "ratio_to_coupled": round(seconds / peer_seconds, 2) if peer_seconds else None,
    }


def measure(sizes: Sequence[int], real_count: int, seed: int, *, quiet: bool) -> dict[str, Any]:
    """Run the determinism check, the scaling curve and the real-certificate comparison."""
    first = SystemConfig(transactions=sizes[0])
    traces = [render_trace(simulate(first, seed)) for _ in range(2)]
    digests = [hashlib.sha256(t.encode()).hexdigest() for t in traces]
    steps = [Step(f"{size} transactions", lambda size=size: _row(size, seed)) for size in sizes]
    rows = run_steps("simulating", steps, quiet=quiet)
    ideal, ideal_s = _timed(lambda: simulate(SystemConfig(transactions=real_count), seed))
    real, real_s = _timed(
        lambda: simulate(SystemConfig(transactions=real_count, signatures="real"), seed)
    )
    certificates = len(real.user_blocks) + len(real.order_blocks) + len(real.allocations)
    return {
        "seed": seed,
        "management": first.management,
        "execution": first.execution,
        "deterministic": digests[0] == digests[1],
        "trace_sha256": digests[0],
        "trace_bytes": len(traces[0]),
        "rows": rows,
        "goal_s": GOAL_SECONDS,
        "real": {
            "transactions": real_count,
            "certificates": certificates,
            "ideal_cpu_s": round(ideal_s, 2),
            "real_cpu_s": round(real_s, 2),
            "ratio_real_to_ideal": round(real_s / ideal_s, 2) if ideal_s else None,
            "confirmed_real": summarize(real).confirmed,
            "confirmed_ideal": summarize(ideal).confirmed,
        },
    }


def render(result: dict[str, Any]) -> str:
    """Return the result as plain-text tables."""
    lines = [
        f"system benchmark, seed {result['seed']}, {result['management']} management and "
        f"{result['execution']} execution nodes, ideal signatures",
        f"determinism: two runs of {result['rows'][0]['transactions']} transactions give "
        f"{'byte-identical' if result['deterministic'] else 'DIFFERENT'} traces "
        f"(sha256 {result['trace_sha256'][:16]}..., {result['trace_bytes']} bytes)",
        "",
        f"{'transactions':>12} {'cpu s':>8} {'us/tx':>8} {'confirmed':>10} {'user blocks':>12} "
        f"{'coupled s':>10} {'ratio':>6}",
    ]
    for row in result["rows"]:
        lines.append(
            f"{row['transactions']:>12} {row['cpu_s']:>8} {row['us_per_tx']:>8} "
            f"{row['confirmed']:>10} {row['user_blocks']:>12} {row['coupled_cpu_s']:>10} "
            f"{row['ratio_to_coupled']!s:>6}"
        )
    real = result["real"]
    lines += [
        "",
        f"real BIP340/MuSig2 certificates, {real['transactions']} transactions, "
        f"{real['certificates']} certificates: {real['real_cpu_s']} s against "
        f"{real['ideal_cpu_s']} s ideal (ratio {real['ratio_real_to_ideal']})",
        f"goal: the largest size under {result['goal_s']} s on one core",
    ]
    return "\n".join(lines)


def plot(path: Path, result: dict[str, Any]) -> None:
    """Draw the cost per transaction against the workload size."""
    from vdlt_spec.cli.plots import line_chart

    points = [(float(r["transactions"]), float(r["us_per_tx"])) for r in result["rows"]]
    line_chart(
        path,
        "vDLT system: CPU cost per transaction",
        [("ideal signatures", points)],
        ("transactions", "microseconds per transaction"),
    )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Parse the options, run the benchmark, print the result; return it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        metavar="N,N",
        help="workload sizes, comma-separated",
    )
    parser.add_argument(
        "--real-count",
        type=int,
        default=DEFAULT_REAL_COUNT,
        metavar="N",
        help="transactions of the real-certificate comparison",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="N", help="seed")
    add_json_flag(parser)
    add_plot_option(parser, "the cost per transaction against the size")
    result: dict[str, Any] = {}

    def body(args: argparse.Namespace) -> int:
        sizes = [int(part) for part in args.sizes.split(",")]
        result.update(measure(sizes, args.real_count, args.seed, quiet=args.json))
        print(dumps(result) if args.json else render(result))
        if args.plot is not None:
            plot(args.plot, result)
        return 0

    code = run_main("bench_system", body, parser.parse_args(argv))
    if code:
        raise SystemExit(code)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
