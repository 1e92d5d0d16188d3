"""Measure decisions under sustained message loss, with and without retransmission (D-cons-27).

Run: ``python benchmarks/bench_consensus_loss.py [--nodes 4,7] [--seeds 3] [--json]``.

Every link loses each message with the given probability for the whole run (no stabilisation).
A group of n replicas (no Byzantine one) gets ``REQUESTS`` requests and runs for
``HORIZON_TIMEOUTS`` view timeouts. A *decision* is a block executed by f + 1 honest replicas
(so its client gets f + 1 matching replies); the figure is the sum over the seeds. The ratio is
decisions with retransmission (every ``RETRANSMIT_INTERVAL`` ticks) over decisions without,
measured on the same seeds in the same run; messages are counted alike.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from fractions import Fraction

from vdlt_spec.consensus import ConsensusConfig, Mode, NetworkParams, Scenario, simulate
from vdlt_spec.consensus.config import DEFAULT_TICK_DELAY

LOSSES = (Fraction(0), Fraction(1, 10), Fraction(3, 10), Fraction(1, 2))
REQUESTS = 48
REQUEST_INTERVAL = 4 * DEFAULT_TICK_DELAY
HORIZON_TIMEOUTS = 20
RETRANSMIT_INTERVAL = 4 * DEFAULT_TICK_DELAY


@dataclasses.dataclass(frozen=True)
class Row:
    """One (mode, n, loss) line: decisions and messages without and with retransmission."""

    mode: str
    n: int
    loss: str
    decisions_off: int
    decisions_on: int
    messages_off: int
    messages_on: int
    complete_off: int
    complete_on: int
    seeds: int

    @property
    def ratio(self) -> float:
        """Return decisions with retransmission over decisions without (inf if none)."""
        return self.decisions_on / self.decisions_off if self.decisions_off else float("inf")


def _decisions(executed: dict[int, int], f: int) -> int:
    """Return how many blocks f + 1 honest replicas have executed."""
    counts = sorted(executed.values(), reverse=True)
    return counts[f] if len(counts) > f else 0


def measure(mode: Mode, n: int, loss: Fraction, seeds: int) -> Row:
    """Run ``seeds`` seeds with retransmission off and on; sum the figures."""
    figures = {None: [0, 0, 0], RETRANSMIT_INTERVAL: [0, 0, 0]}
    for interval, sums in figures.items():
        config = ConsensusConfig(n, mode=mode, max_batch=1, retransmit_interval=interval)
        for seed in range(seeds):
            result = simulate(
                Scenario(
                    config,
                    seed=seed,
                    network=NetworkParams(loss=loss),
                    requests=REQUESTS,
                    request_interval=REQUEST_INTERVAL,
                    max_time=HORIZON_TIMEOUTS * config.view_timeout,
                )
            )
            sums[0] += _decisions(dict(result.executed), config.f)
            sums[1] += result.metrics.messages
            sums[2] += int(result.requests_complete)
    off, on = figures[None], figures[RETRANSMIT_INTERVAL]
    return Row(str(mode), n, str(loss), off[0], on[0], off[1], on[1], off[2], on[2], seeds)


def main() -> None:
    """Print the table (or JSON) of decisions under loss, with and without retransmission."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="4,7")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = [
        measure(mode, int(n), loss, args.seeds)
        for mode in Mode
        for n in args.nodes.split(",")
        for loss in LOSSES
    ]
    if args.json:
        print(json.dumps([{**dataclasses.asdict(r), "ratio": r.ratio} for r in rows]))
        return
    print(
        f"{REQUESTS} requests, horizon {HORIZON_TIMEOUTS} view timeouts, retransmit every "
        f"{RETRANSMIT_INTERVAL} ticks; decisions = blocks executed by f + 1 replicas, "
        f"summed over {args.seeds} seeds"
    )
    print(
        "| mode | n | loss | decisions off | decisions on | ratio | msgs off | msgs on "
        "| runs complete off | on |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r.mode} | {r.n} | {r.loss} | {r.decisions_off} | {r.decisions_on} | "
            f"{r.ratio:.2f}x | {r.messages_off} | {r.messages_on} | "
            f"{r.complete_off}/{r.seeds} | {r.complete_on}/{r.seeds} |"
        )


if __name__ == "__main__":
    main()
