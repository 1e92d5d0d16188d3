"""Time certificate verification for n = 100, cold and cached, beside raw libsecp256k1 calls.

Run: ``python benchmarks/bench_certificates.py [--nodes 100] [--repeat 7] [--json]``.

Every figure is measured in the same run, and the table prints ratios against the peer: one
raw BIP340 verification by coincurve (``PublicKeyXOnly.verify`` on a parsed key). The target is
a cached certificate verification within 1.5x of that raw verification.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from coincurve import PublicKeyXOnly
from harness import Step, add_json_flag, deprecated, dumps, run_main, run_steps

from vdlt_spec.crypto import (
    AggregateKeyCache,
    aggregate_key,
    certificate_length,
    deterministic_roster,
    fast,
    make_certificate,
    musig2,
    quorum_size,
    verify_certificate,
)

DEFAULT_N = 100
DEFAULT_REPEAT = 7
TARGET_RATIO = 1.5
MESSAGE = b"vDLT certificate benchmark"


@dataclass(frozen=True)
class Timing:
    """One measured operation: median and best seconds per call over the repeats."""

    name: str
    median_s: float
    best_s: float
    calls: int


def measure(name: str, call: Callable[[], object], repeat: int, min_time: float = 0.2) -> Timing:
    """Time ``call``: pick a loop count that runs ~min_time, then take ``repeat`` samples."""
    loops = 1
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            call()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time / 4 or loops >= 1 << 20:
            break
        loops *= 4
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(loops):
            call()
        samples.append((time.perf_counter() - start) / loops)
    return Timing(name, statistics.median(samples), min(samples), loops * repeat)


def paired_ratio(
    subject: Callable[[], object], peer: Callable[[], object], rounds: int, loops: int
) -> float:
    """Return the median over rounds of time(subject) / time(peer), timed back to back.

    Pairing each subject batch with a peer batch taken right beside it cancels most of the
    drift of a shared, loaded machine.
    """
    ratios = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(loops):
            peer()
        middle = time.perf_counter()
        for _ in range(loops):
            subject()
        end = time.perf_counter()
        ratios.append((end - middle) / (middle - start))
    return statistics.median(ratios)


def run(
    n: int = DEFAULT_N, repeat: int = DEFAULT_REPEAT, readable: bool = True, *, quiet: bool = True
) -> dict[str, object]:
    """Measure raw BIP340 verification, cold and cached certificate verification for ``n``."""
    roster, seckeys = deterministic_roster(n, seed=n)
    signers = list(range(quorum_size(n)))
    cert = make_certificate(roster, {i: seckeys[i] for i in signers}, MESSAGE, random.Random(1))
    xonly = aggregate_key(roster, signers)
    parsed = PublicKeyXOnly(xonly)
    selected = [roster[i] for i in signers]
    assert parsed.verify(cert.signature, MESSAGE)

    warm = AggregateKeyCache()
    verify_certificate(roster, MESSAGE, cert, cache=warm)

    def cold() -> None:
        verify_certificate(roster, MESSAGE, cert)

    def cached() -> None:
        verify_certificate(roster, MESSAGE, cert, cache=warm)

    steps: list[Step[Timing]] = [
        Step(
            "raw coincurve BIP340 verify (parsed key)",
            lambda: measure(
                "raw coincurve BIP340 verify (parsed key)",
                lambda: parsed.verify(cert.signature, MESSAGE),
                repeat,
            ),
        ),
        Step(
            "raw coincurve BIP340 verify (parse + verify)",
            lambda: measure(
                "raw coincurve BIP340 verify (parse + verify)",
                lambda: PublicKeyXOnly(xonly).verify(cert.signature, MESSAGE),
                repeat,
            ),
        ),
        Step(
            "certificate verify, cached",
            lambda: measure("certificate verify, cached aggregate key", cached, repeat),
        ),
        Step(
            "certificate verify, cold",
            lambda: measure("certificate verify, cold (no cache)", cold, repeat),
        ),
        Step(
            "KeyAgg, libsecp256k1",
            lambda: measure(
                "KeyAgg: libsecp256k1 MuSig module",
                lambda: fast.native_key_agg_xonly(selected),
                repeat,
            ),
        ),
        Step(
            "KeyAgg, BIP327 code",
            lambda: measure(
                "KeyAgg: BIP327 code on coincurve points", lambda: fast.key_agg(selected), repeat
            ),
        ),
    ]
    if readable:
        steps.append(
            Step(
                "certificate verify, readable EC",
                lambda: measure(
                    "certificate verify, cold, readable Python EC",
                    lambda: verify_certificate(roster, MESSAGE, cert, fast=False),
                    max(1, repeat // 3),
                    min_time=0.0,
                ),
            )
        )
    timings = run_steps("timing", steps, quiet=quiet)
    peer = timings[0].median_s
    cached_ratio = paired_ratio(
        cached, lambda: parsed.verify(cert.signature, MESSAGE), rounds=4 * repeat, loops=200
    )
    return {
        "n": n,
        "signers": len(signers),
        "certificate_bytes": certificate_length(n),
        "musig_keyagg_matches_native": fast.native_key_agg_xonly(selected)
        == musig2.get_xonly_pk(fast.key_agg(selected)),
        "timings": [asdict(t) | {"ratio_to_raw": t.median_s / peer} for t in timings],
        "cached_ratio": cached_ratio,
        "target_ratio": TARGET_RATIO,
        "meets_target": cached_ratio <= TARGET_RATIO,
        "cache": {"hits": warm.hits, "misses": warm.misses},
    }


def render(report: dict[str, object]) -> str:
    """Format the report as a Markdown table with ratios to the raw verification."""
    lines = [
        f"n = {report['n']}, {report['signers']} signers (quorum), certificate "
        f"{report['certificate_bytes']} bytes",
        "",
        "| operation | median µs | best µs | ratio to raw verify |",
        "|---|---:|---:|---:|",
    ]
    timings = report["timings"]
    assert isinstance(timings, list)
    for t in timings:
        lines.append(
            f"| {t['name']} | {t['median_s'] * 1e6:,.1f} | {t['best_s'] * 1e6:,.1f} "
            f"| {t['ratio_to_raw']:.2f}x |"
        )
    verdict = "meets" if report["meets_target"] else "MISSES"
    lines += [
        "",
        f"cached / raw, paired back-to-back batches = {report['cached_ratio']:.2f}x "
        f"({verdict} the {TARGET_RATIO}x goal)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the benchmark, print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--nodes", type=int, default=DEFAULT_N, metavar="N", help="roster size n (%(default)s)"
    )
    parser.add_argument(
        "--repeat", type=int, default=DEFAULT_REPEAT, metavar="N", help="samples per timing"
    )
    parser.add_argument("--no-readable", action="store_true", help="skip the slow readable run")
    add_json_flag(parser)
    deprecated(parser, "--n", "nodes", type=int)
    return run_main("bench_certificates", _main, parser.parse_args(argv))


def _main(args: argparse.Namespace) -> int:
    report = run(args.nodes, args.repeat, readable=not args.no_readable, quiet=args.json)
    sys.stdout.write((dumps(report) if args.json else render(report)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
