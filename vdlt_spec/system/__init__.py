"""The vDLT system end to end (Fig. 3): the components composed into one deterministic simulation.

:func:`simulate` runs the decoupled pipeline (:mod:`.pipeline`, :mod:`.execution`) or the
coupled blockchain-oriented baseline (:mod:`.baseline`) on a :class:`SystemConfig`;
:func:`summarize` measures a run; :func:`render_trace` writes the ``system`` trace that
``vdlt audit`` checks; :mod:`.experiments` holds the experiments of the paper's claims.
"""

from __future__ import annotations

from vdlt_spec.allocation.baselines import Allocator
from vdlt_spec.system.config import Faults, SystemConfig
from vdlt_spec.system.metrics import ClassFigures, Summary, TierSummary, summarize
from vdlt_spec.system.pipeline import ALLOCATION_CHAIN, allocation_digest
from vdlt_spec.system.records import (
    AllocationRecord,
    Architecture,
    GroupChoice,
    OrderBlock,
    Penalty,
    SystemRun,
    TierFigures,
    TxRecord,
    TxStatus,
    UserBlock,
)
from vdlt_spec.system.run import simulate
from vdlt_spec.system.tiers import (
    Calibration,
    calibrate,
    commit_message,
    digest_of,
    domain_of,
    group_scheme,
    group_seed,
    tx_block,
)
from vdlt_spec.system.trace import render_trace

__all__ = [
    "ALLOCATION_CHAIN",
    "AllocationRecord",
    "Allocator",
    "Architecture",
    "Calibration",
    "ClassFigures",
    "Faults",
    "GroupChoice",
    "OrderBlock",
    "Penalty",
    "Summary",
    "SystemConfig",
    "SystemRun",
    "TierFigures",
    "TierSummary",
    "TxRecord",
    "TxStatus",
    "UserBlock",
    "allocation_digest",
    "calibrate",
    "commit_message",
    "digest_of",
    "domain_of",
    "group_scheme",
    "group_seed",
    "render_trace",
    "simulate",
    "summarize",
    "tx_block",
]
