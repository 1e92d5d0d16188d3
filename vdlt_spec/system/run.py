"""Choose and run one architecture on a configuration: vDLT or the coupled baseline (§III-B)."""

from __future__ import annotations

from vdlt_spec.allocation.baselines import Allocator, baseline_named
from vdlt_spec.system.baseline import simulate_coupled
from vdlt_spec.system.config import SystemConfig
from vdlt_spec.system.decoupled import simulate_vdlt
from vdlt_spec.system.pipeline import ProgressHook
from vdlt_spec.system.records import SystemRun


def simulate(
    config: SystemConfig,
    seed: int = 0,
    *,
    baseline: bool = False,
    allocator: Allocator | None = None,
    progress: ProgressHook | None = None,
) -> SystemRun:
    """Run the vDLT pipeline, or with ``baseline`` the coupled one, on a seeded workload.

    ``allocator`` is any ``Callable[[Instance], Allocation]``; by default the baseline named
    by ``config.allocator`` (:func:`vdlt_spec.allocation.baselines.baseline_named`).
    """
    if baseline:
        return simulate_coupled(config, seed, progress)
    chosen = allocator or baseline_named(config.allocator, "allocator")
    return simulate_vdlt(config, seed, chosen, progress)
