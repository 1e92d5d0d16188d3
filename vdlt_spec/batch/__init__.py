"""Batch work on Dask distributed: allocation datasets, allocator scoring and seeded campaigns.

:mod:`.cluster` connects to a scheduler or starts a local cluster and streams plain-data tasks;
:mod:`.dataset` builds resumable allocation datasets solved by the exact oracle (§IV-E);
:mod:`.leaderboard` scores allocators over a dataset (§IV-F); :mod:`.campaign` runs seeded
consensus safety campaigns and shrinks the first violation (§III-D); :mod:`.simulations` runs
seeded economy walks and audited whole-system runs (§IV-I, Fig. 3); :mod:`.store` writes
results atomically.
"""

from vdlt_spec.batch.campaign import (
    CampaignPlan,
    CampaignRun,
    draw_run,
    replay,
    run_campaign,
    scenario_of,
    shrink,
)
from vdlt_spec.batch.cluster import ADDRESS_VARIABLE, BatchCluster, connect, stream
from vdlt_spec.batch.dataset import DatasetSpec, build, load_spec, parse_spec, plan, verify
from vdlt_spec.batch.leaderboard import (
    leaderboard,
    load_dataset,
    resolve_allocator,
    score_dataset,
)
from vdlt_spec.batch.simulations import (
    SimulationPlan,
    run_simulations,
    shortest_breaking_walk,
    system_config,
)
from vdlt_spec.batch.store import atomic_write, read_document, sha256_of

__all__ = [
    "ADDRESS_VARIABLE",
    "BatchCluster",
    "CampaignPlan",
    "CampaignRun",
    "DatasetSpec",
    "SimulationPlan",
    "atomic_write",
    "build",
    "connect",
    "draw_run",
    "leaderboard",
    "load_dataset",
    "load_spec",
    "parse_spec",
    "plan",
    "read_document",
    "replay",
    "resolve_allocator",
    "run_campaign",
    "run_simulations",
    "scenario_of",
    "score_dataset",
    "sha256_of",
    "shortest_breaking_walk",
    "shrink",
    "stream",
    "system_config",
    "verify",
]
