"""Benchmark the CBWFQ scheduler: transactions per second beside a FIFO queue and ns.py's WFQ.

Run as a script (``python benchmarks/bench_queuing.py --count 1000000 [--json] [--plot FILE]``)
or through ``pytest -m bench -s``; ``--plot FILE`` draws each scheduler's throughput. Every
scheduler gets the same seeded workload of 8 classes in the same process, one after another,
and the table prints each one's throughput and its ratio to
ns.py 0.4.3's ``WFQServer`` (the peer, a simpy discrete-event simulation with float time).

* ``vdlt run_fast``: the integer fast path of the CBWFQ reference (exact, same schedule as
  the readable path, property-tested).
* ``vdlt run``: the readable reference (``Fraction`` arithmetic), on a prefix of the workload.
* ``vdlt fifo_run``: one FIFO queue (``Fraction`` arithmetic), the classless baseline.
* ``plain FIFO``: the least any queue can do in Python: one pass, integer times, the same
  ``Departure`` records out (it assumes integer arrivals and rate 1, as in this workload).
* ``ns.py WFQServer``: packets fed by a simpy process at their arrival times into the server,
  departures recorded by a minimal sink; its rate is in bits per second and sizes in bytes,
  so it gets ``8 * rate``.

Queue limits are set to the workload size, so no scheduler drops (ns.py's queues are
unbounded). Timings are wall-clock seconds of the scheduling call only (workload built before,
garbage collector paused as in ``timeit``); the best of ``--repeat`` runs is kept. They
measure this machine at this moment: compare the ratios, which are taken in the same run.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from harness import Step, add_json_flag, add_plot_option, dumps, run_main, run_steps

from vdlt_spec.cli.plots import horizontal_bar_chart
from vdlt_spec.cos import ServiceClass, Transaction
from vdlt_spec.queuing import (
    VDLT_DEFAULT_SHARES,
    CbwfqConfig,
    ClassPolicy,
    Departure,
    Schedule,
    WorkloadSpec,
    fifo_run,
    mixed_workload,
    run,
    run_fast,
)

DEFAULT_COUNT = 1_000_000
DEFAULT_READABLE_COUNT = 100_000
DEFAULT_SEED = 2024
DEFAULT_LOAD = Fraction(95, 100)
BITS_PER_BYTE = 8


def build(count: int, seed: int) -> tuple[CbwfqConfig, tuple[Transaction, ...]]:
    """Return the vDLT default shares with no-drop limits, and a seeded 8-class workload."""
    config = CbwfqConfig(
        classes=tuple(ClassPolicy(c, s, max(1, count)) for c, s in VDLT_DEFAULT_SHARES.items())
    )
    spec = WorkloadSpec(count=count, load=DEFAULT_LOAD)
    return config, mixed_workload(spec, random.Random(seed), config.rate)


def nspy_wfq(config: CbwfqConfig, arrivals: Sequence[Transaction]) -> Callable[[], int]:
    """Return a callable running ns.py 0.4.3's WFQServer on the workload, counting departures."""
    import simpy
    from ns.packet.packet import Packet
    from ns.scheduler.wfq import WFQServer

    feed = [(float(t.arrival), t.size, t.id, int(t.service_class)) for t in arrivals]
    weights: dict[int, float] = {}
    for c, s in config.shares.items():
        if not isinstance(c, ServiceClass):  # ns.py's peer has one flow per class, no default
            raise ValueError("the ns.py peer takes no class-default queue")
        weights[int(c)] = float(s)
    rate = float(config.rate) * BITS_PER_BYTE

    def simulate() -> int:
        env = simpy.Environment()
        server = WFQServer(env, rate, weights)
        departed: list[tuple[int, float]] = []

        class Sink:
            def put(self, packet: Any) -> None:
                departed.append((packet.packet_id, env.now))

        server.out = Sink()

        def source() -> Any:
            for arrival, size, pid, flow in feed:
                wait = arrival - env.now
                if wait > 0:
                    yield env.timeout(wait)
                server.put(Packet(env.now, size, pid, flow_id=flow))

        env.process(source())
        env.run()
        return len(departed)

    return simulate


def plain_fifo(arrivals: Sequence[Transaction]) -> Schedule:
    """Serve the workload first come, first served with integer times (rate 1, no limit)."""
    departures = []
    free = 0
    for t in arrivals:
        arrival = t.arrival.numerator
        start = arrival if arrival > free else free
        free = start + t.size
        departures.append(Departure(t.id, t.service_class, Fraction(start), Fraction(free)))
    return Schedule(tuple(departures), ())


def best_of(repeat: int, call: Callable[[], Any]) -> tuple[float, Any]:
    """Return the smallest wall-clock time of ``repeat`` calls, and the last result.

    As ``timeit`` does, the garbage collector is paused during each timed call (after a full
    collection), the same for every scheduler: its passes over the million-object workload
    otherwise dominate and vary from run to run.
    """
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        result = None
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            result = call()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best, result


def measure(
    count: int, readable_count: int, seed: int, repeat: int, *, quiet: bool = True
) -> dict[str, Any]:
    """Run every scheduler on the same workload and return their figures."""
    config, arrivals = build(count, seed)
    prefix = arrivals[:readable_count]
    rows: list[dict[str, Any]] = []
    schedules: dict[str, Schedule] = {}

    def row(name: str, n: int, seconds: float, departures: int) -> None:
        rows.append(
            {
                "scheduler": name,
                "transactions": n,
                "seconds": seconds,
                "tx_per_s": n / seconds,
                "departures": departures,
            }
        )

    def fast() -> None:
        seconds, schedule = best_of(repeat, lambda: run_fast(config, arrivals))
        row("vdlt run_fast (CBWFQ, exact integers)", count, seconds, len(schedule.departures))

    def readable() -> None:
        seconds, schedule = best_of(1, lambda: run(config, prefix))
        assert isinstance(schedule, Schedule)
        assert schedule == run_fast(config, prefix), "fast path differs from readable path"
        row("vdlt run (CBWFQ, readable Fraction)", len(prefix), seconds, len(schedule.departures))

    def fifo() -> None:
        seconds, schedule = best_of(repeat, lambda: fifo_run(config.rate, arrivals))
        schedules["fifo"] = schedule
        row("vdlt fifo_run (one FIFO queue, Fraction)", count, seconds, len(schedule.departures))

    def plain() -> None:
        seconds, schedule = best_of(repeat, lambda: plain_fifo(arrivals))
        assert schedule == schedules["fifo"], "plain FIFO differs from fifo_run"
        row("plain FIFO (one pass, integers)", count, seconds, len(schedule.departures))

    def peer() -> None:
        try:
            simulate = nspy_wfq(config, arrivals)
        except ImportError as exc:  # the bench extra is not installed
            print(
                f"ns.py not available ({exc}); install with pip install -e '.[bench]'",
                file=sys.stderr,
            )
        else:
            seconds, departed = best_of(repeat, simulate)
            row("ns.py 0.4.3 WFQServer (simpy, float)", count, seconds, departed)

    steps = [Step("run_fast", fast)]
    if readable_count:
        steps.append(Step("run (readable)", readable))
    steps += [Step("fifo_run", fifo), Step("plain FIFO", plain), Step("ns.py WFQServer", peer)]
    run_steps("scheduling", steps, quiet=quiet)
    ns_py = [r["tx_per_s"] for r in rows if r["scheduler"].startswith("ns.py")]
    for r in rows:
        r["ratio_vs_ns_py"] = r["tx_per_s"] / ns_py[0] if ns_py else None
    return {
        "count": count,
        "seed": seed,
        "load": str(DEFAULT_LOAD),
        "classes": len(config.queue_keys),
        "repeat": repeat,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "rows": rows,
    }


def plot(path: Path, result: dict[str, Any]) -> None:
    """Draw each scheduler's throughput (transactions per second, log scale) to ``path``."""
    horizontal_bar_chart(
        path,
        f"Scheduler throughput, {result['count']:,} transactions, 8 classes",
        [r["scheduler"] for r in result["rows"]],
        [("tx/s", [r["tx_per_s"] for r in result["rows"]])],
        "transactions per second (log scale)",
        log_scale=True,
    )


def render(result: dict[str, Any]) -> str:
    """Render the figures as a Markdown table."""
    lines = [
        f"{result['count']:,} transactions, 8 classes, offered load {result['load']}, seed "
        f"{result['seed']}, best of {result['repeat']}, Python {result['python']}",
        "",
        "| scheduler | transactions | seconds | tx/s | vs ns.py |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        ratio = f"{r['ratio_vs_ns_py']:.2f}x" if r["ratio_vs_ns_py"] else "n/a"
        lines.append(
            f"| {r['scheduler']} | {r['transactions']:,} | {r['seconds']:.2f} | "
            f"{r['tx_per_s']:,.0f} | {ratio} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Parse arguments, run the benchmark, print the table (or JSON) and return the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count", type=int, default=DEFAULT_COUNT, metavar="N", help="transactions"
    )
    parser.add_argument(
        "--readable-count",
        type=int,
        default=DEFAULT_READABLE_COUNT,
        metavar="N",
        help="transactions for the readable path (a prefix)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="N", help="workload seed")
    parser.add_argument("--repeat", type=int, default=1, metavar="N", help="keep the best of N")
    add_json_flag(parser)
    add_plot_option(parser, "each scheduler's throughput")
    result: dict[str, Any] = {}

    def body(args: argparse.Namespace) -> int:
        result.update(
            measure(
                args.count,
                min(args.readable_count, args.count),
                args.seed,
                args.repeat,
                quiet=args.json,
            )
        )
        print(dumps(result) if args.json else render(result))
        if args.plot is not None:
            plot(args.plot, result)
        return 0

    code = run_main("bench_queuing", body, parser.parse_args(argv))
    if code:
        raise SystemExit(code)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
