"""Queue transactions by class of service: CBWFQ and its references (§III-A, §IV-A, Fig. 7).

The package's modules, one concept each: :mod:`.config` (a link's class queues, shares and
limits), :mod:`.admission` (reclassification at the receiving node, in front of the queues),
:mod:`.scheduler` (CBWFQ, exact), :mod:`.fast` (the same scheduler in integer arithmetic),
:mod:`.gps` (the fluid reference), :mod:`.fifo` (the one-queue baseline), :mod:`.invariants`
(audits any schedule), :mod:`.stats` (per-class delays) and :mod:`.workload` (seeded
workloads).
"""

from __future__ import annotations

from vdlt_spec.queuing.admission import Scheduler, admit, schedule_workload
from vdlt_spec.queuing.config import (
    CLASS_DEFAULT,
    DEFAULT_QUEUE_LIMIT,
    DEFAULT_RATE,
    LINK_CAPACITY,
    VDLT_DEFAULT_CLASSES,
    VDLT_DEFAULT_SHARES,
    CbwfqConfig,
    ClassDefault,
    ClassPolicy,
    DefaultPolicy,
    QueueKey,
    default_config,
    fifo_config,
    scale_shares,
)
from vdlt_spec.queuing.fast import run_fast
from vdlt_spec.queuing.fifo import fifo_run
from vdlt_spec.queuing.gps import cbwfq_gps_finish_times, gps_finish_times
from vdlt_spec.queuing.invariants import all_violations, gps_lateness
from vdlt_spec.queuing.scheduler import (
    Departure,
    Drop,
    Schedule,
    SchedulerState,
    SchedulerTransition,
    Waiting,
    advance,
    drain,
    gps_vtime,
    initial_state,
    offer,
    prepare_arrivals,
    run,
)
from vdlt_spec.queuing.stats import (
    FIFO_COMPARISON_LIMIT,
    ClassDelay,
    class_delays,
    compare_with_fifo,
    delays,
)
from vdlt_spec.queuing.workload import (
    WorkloadSpec,
    mixed_workload,
    offered_load,
    overload_workload,
    workload_senders,
)

__all__ = [
    "CLASS_DEFAULT",
    "DEFAULT_QUEUE_LIMIT",
    "DEFAULT_RATE",
    "FIFO_COMPARISON_LIMIT",
    "LINK_CAPACITY",
    "VDLT_DEFAULT_CLASSES",
    "VDLT_DEFAULT_SHARES",
    "CbwfqConfig",
    "ClassDefault",
    "ClassDelay",
    "ClassPolicy",
    "DefaultPolicy",
    "Departure",
    "Drop",
    "QueueKey",
    "Schedule",
    "Scheduler",
    "SchedulerState",
    "SchedulerTransition",
    "Waiting",
    "WorkloadSpec",
    "admit",
    "advance",
    "all_violations",
    "cbwfq_gps_finish_times",
    "class_delays",
    "compare_with_fifo",
    "default_config",
    "delays",
    "drain",
    "fifo_config",
    "fifo_run",
    "gps_finish_times",
    "gps_lateness",
    "gps_vtime",
    "initial_state",
    "mixed_workload",
    "offer",
    "offered_load",
    "overload_workload",
    "prepare_arrivals",
    "run",
    "run_fast",
    "scale_shares",
    "schedule_workload",
    "workload_senders",
]
