"""Measure the paper's system claims against the coupled baseline (§II-D, §III-B, §III-C, §IV-H).

Each experiment runs the simulator on seeded configurations and returns a table, the series
to plot, the claim it tests and whether the figures support it (``None``: the model does not
decide it). The claims:

* ``latency-per-class``: fast-confirmation transactions keep their latency as the load rises,
  in vDLT, and not in the baseline (§I, §IV-A);
* ``throughput-vs-execution-nodes``: adding execution nodes raises throughput while the
  management tier's traffic stays flat (the CUPS argument, §II-D);
* ``top-tier-load``: with the two-layer hierarchy the top tier decides a share of the
  transactions that does not grow with the system (§IV-H);
* ``virtual-systems``: several class mixes run on one substrate (§III-C).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.system.config import ChainMix, SystemConfig
from vdlt_spec.system.metrics import Summary, summarize
from vdlt_spec.system.records import SystemRun
from vdlt_spec.system.run import simulate
from vdlt_spec.system.tiers import commit_message, domain_of, group_scheme

LOADS = (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(1))
EXECUTION_SIZES = (5, 10, 20, 40, 80)
DEFAULT_TRANSACTIONS = 1_000
FAST = ServiceClass.FAST_CONFIRMATION.name.lower()
MIXES: dict[str, tuple[tuple[ServiceClass, int], ...]] = {
    "payments": ((ServiceClass.FAST_CONFIRMATION, 70), (ServiceClass.LOW_COST, 30)),
    "compute": ((ServiceClass.COMPUTATION_INTENSIVE, 60), (ServiceClass.BEST_EFFORT, 40)),
    "archive": ((ServiceClass.STORAGE_INTENSIVE, 50), (ServiceClass.SCAVENGER, 50)),
}


@dataclass(frozen=True)
class Experiment:
    """Hold an experiment's table, its plot series, the claim and the verdict on it."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    series: tuple[tuple[str, tuple[tuple[float, float], ...]], ...]
    axes: tuple[str, str]
    claim: str
    supported: bool | None
    finding: str


def _fast(summary: Summary) -> tuple[int | None, int | None]:
    for figures in summary.classes:
        if figures.service_class == FAST:
            return figures.p50_ms, figures.p99_ms
    return None, None


def latency_per_class(seed: int, transactions: int) -> Experiment:
    """Compare fast-confirmation latency in vDLT and the baseline as the load rises (§IV-A)."""
    rows = []
    points: dict[str, list[tuple[float, float]]] = {"vdlt": [], "coupled": []}
    for load in LOADS:
        config = SystemConfig(transactions=transactions, load=load)
        for baseline in (False, True):
            summary = summarize(simulate(config, seed, baseline=baseline))
            p50, p99 = _fast(summary)
            rows.append(
                (
                    str(load),
                    summary.architecture,
                    str(p50),
                    str(p99),
                    str(summary.confirmed),
                    str(summary.dropped),
                    str(summary.pending),
                )
            )
            if p99 is not None:
                points[summary.architecture].append((float(load), float(p99)))
    vdlt = [y for _, y in points["vdlt"]]
    coupled = [y for _, y in points["coupled"]]
    supported = bool(vdlt and coupled) and all(v < c for v, c in zip(vdlt, coupled, strict=False))
    flat = bool(vdlt) and max(vdlt) <= 4 * min(vdlt)
    return Experiment(
        "latency-per-class",
        ("load", "system", "fast p50 ms", "fast p99 ms", "confirmed", "dropped", "pending"),
        tuple(rows),
        tuple((k, tuple(v)) for k, v in points.items()),
        ("offered load", "fast-confirmation p99 latency (ms)"),
        "fast-confirmation latency stays low under rising load in vDLT, not in the baseline",
        supported and flat,
        f"vDLT p99 {vdlt}, baseline p99 {coupled}",
    )


def throughput_vs_execution(seed: int, transactions: int) -> Experiment:
    """Vary the execution nodes with the management tier fixed at 7 delegates (§II-D).

    The workload offers 3/4 of the control link with 16 contracts per class, more execution
    work than the smallest execution tiers can serve.
    """
    rows = []
    tps: list[tuple[float, float]] = []
    mgmt: list[tuple[float, float]] = []
    for size in EXECUTION_SIZES:
        config = SystemConfig(
            transactions=transactions, load=Fraction(3, 4), execution=size, contracts=16
        )
        summary = summarize(simulate(config, seed))
        rows.append(
            (
                str(size),
                f"{float(summary.throughput_tps):.1f}",
                str(summary.confirmed),
                str(summary.pending),
                str(summary.management.messages),
                str(summary.execution.messages),
                str(summary.nakamoto),
            )
        )
        tps.append((float(size), float(summary.throughput_tps)))
        mgmt.append((float(size), float(summary.management.messages)))
    ys = [y for _, y in tps]
    rising = ys[-1] >= 2 * ys[0] and all(b >= 0.9 * a for a, b in itertools.pairwise(ys))
    flat = max(y for _, y in mgmt) <= Fraction(11, 10) * min(y for _, y in mgmt)
    return Experiment(
        "throughput-vs-execution-nodes",
        (
            "execution nodes",
            "throughput tx/s",
            "confirmed",
            "pending",
            "mgmt messages",
            "exec messages",
            "nakamoto",
        ),
        tuple(rows),
        (("throughput tx/s", tuple(tps)),),
        ("execution nodes", "confirmed tx/s"),
        "throughput rises with execution nodes while management traffic stays flat",
        rising and flat,
        f"throughput {[round(y, 1) for y in ys]}, management messages {[int(y) for _, y in mgmt]}",
    )


def top_tier_load(seed: int, transactions: int) -> Experiment:
    """Count the top tier's decisions with and without the hierarchy as the system grows."""
    rows = []
    series: dict[str, list[tuple[float, float]]] = {"flat": [], "hierarchy": []}
    for size in EXECUTION_SIZES:
        for hierarchy in (False, True):
            config = SystemConfig(transactions=transactions, execution=size, hierarchy=hierarchy)
            summary = summarize(simulate(config, seed))
            share = Fraction(summary.top_decisions, max(summary.confirmed, 1))
            label = "hierarchy" if hierarchy else "flat"
            rows.append(
                (
                    str(size),
                    label,
                    str(summary.top_decisions),
                    str(summary.local_decisions),
                    f"{float(share):.2f}",
                )
            )
            series[label].append((float(size), float(share)))
    shares = [y for _, y in series["hierarchy"]]
    top = [int(r[2]) for r in rows if r[1] == "hierarchy"]
    flat_top = [int(r[2]) for r in rows if r[1] == "flat"]
    supported = (
        bool(top)
        and all(b <= a * 11 // 10 for a, b in itertools.pairwise(top))
        and top[-1] < flat_top[-1]
    )
    return Experiment(
        "top-tier-load",
        ("execution nodes", "management", "top decisions", "local decisions", "top share"),
        tuple(rows),
        tuple((k, tuple(v)) for k, v in series.items()),
        ("execution nodes", "share of confirmed transactions decided at the top"),
        "with the hierarchy the top tier's load does not grow with the system",
        supported,
        f"top decisions with hierarchy {top}, without {flat_top}; top share with hierarchy "
        f"{[round(s, 2) for s in shares]}; a region with fewer execution nodes than a group "
        "needs escalates everything to the top",
    )


def _replay_refused(run: SystemRun) -> bool:
    """Tell whether a user block's certificate fails in every other chain's domain (§III-C)."""
    chains = sorted({b.chain for b in run.user_blocks})
    for block in run.user_blocks[:: max(1, len(run.user_blocks) // 20)]:
        scheme = group_scheme(run.signatures, len(block.group), block.group_seed)
        for other in chains:
            message = commit_message(
                domain_of(scheme, other, run.epoch), block.height, block.digest
            )
            valid = block.certificate is not None and scheme.verify_certificate(
                message, block.certificate
            )
            if valid != (other == block.chain):
                return False
    return True


def virtual_systems(seed: int, transactions: int) -> Experiment:
    """Run three virtual systems with different class mixes at once on one substrate (§III-C).

    Each system alone (its share of the workload on the same nodes) and all three together:
    the execution nodes and the management group are shared, the contract streams, execution
    groups and signing domains are each system's own.
    """
    chains = tuple(ChainMix(name, mix) for name, mix in MIXES.items())
    share = max(1, transactions // len(chains))
    shared_run = simulate(SystemConfig(transactions=share * len(chains), chains=chains), seed)
    rows = []
    bars: list[tuple[float, float]] = []
    confirmed_all = True
    for index, chain in enumerate(chains):
        alone_config = SystemConfig(
            transactions=share, load=SystemConfig().load / len(chains), chains=(chain,)
        )
        alone = summarize(simulate(alone_config, seed), chain.name)
        shared = summarize(shared_run, chain.name)
        confirmed_all &= shared.confirmed * 20 >= shared.submitted * 19
        by_class = {c.service_class: c for c in alone.classes}
        for figures in shared.classes:
            solo = by_class.get(figures.service_class)
            rows.append(
                (
                    chain.name,
                    figures.service_class,
                    f"{figures.confirmed}/{figures.submitted}",
                    str(solo.p99_ms if solo else None),
                    str(figures.p50_ms),
                    str(figures.p99_ms),
                )
            )
        bars.append((float(index), float(shared.throughput_tps)))
    separated = _replay_refused(shared_run)
    return Experiment(
        "virtual-systems",
        ("system", "class", "confirmed", "alone p99 ms", "shared p50 ms", "shared p99 ms"),
        tuple(rows),
        (("throughput tx/s (shared)", tuple(bars)),),
        ("virtual system (payments, compute, archive)", "confirmed tx/s"),
        "virtual DLT systems with different class mixes share one substrate",
        confirmed_all and separated,
        f"every system confirmed at least 95 %: {confirmed_all}; a user block's certificate "
        f"verifies in its own chain's signing domain only: {separated}",
    )


EXPERIMENTS: dict[str, Callable[[int, int], Experiment]] = {
    "latency-per-class": latency_per_class,
    "throughput-vs-execution-nodes": throughput_vs_execution,
    "top-tier-load": top_tier_load,
    "virtual-systems": virtual_systems,
}


def run_experiment(
    name: str, seed: int = 0, transactions: int = DEFAULT_TRANSACTIONS
) -> Experiment:
    """Run the experiment called ``name``; any other name is ``BAD_USAGE``."""
    if name not in EXPERIMENTS:
        raise SpecError(
            Reason.BAD_USAGE, f"experiment must be one of {', '.join(EXPERIMENTS)}, got {name!r}"
        )
    return EXPERIMENTS[name](seed, transactions)


def names() -> Sequence[str]:
    """Return the experiments' names."""
    return tuple(EXPERIMENTS)


__all__ = ["EXPERIMENTS", "Experiment", "names", "run_experiment"]
