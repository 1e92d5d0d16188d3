"""Resource allocation of Eq. (1): instances, evaluator, baselines, selection (§IV-E, §IV-G).

An :class:`Instance` (nodes, transaction streams, system parameters) and an
:class:`Allocation` (per transaction: control level, replicas and their rates) are plain data;
:func:`evaluate` scores an allocation exactly against every row of Eq. (1) (the row rules of
:mod:`vdlt_spec.allocation.rules`); the baselines, the generator, the bundled instances, the
exhaustive optimum and the scoring against an oracle's answer build on them.
"""

from vdlt_spec.allocation.baselines import (
    BASELINES,
    Allocator,
    baseline_named,
    density_greedy,
    per_class_greedy,
)
from vdlt_spec.allocation.bundled import bundled_instances, expected_results
from vdlt_spec.allocation.decision import Allocation, Assignment, Replica, canonical
from vdlt_spec.allocation.evaluator import (
    ROW_RULES,
    Constraint,
    ConstraintReport,
    Evaluation,
    evaluate,
    tightest,
)
from vdlt_spec.allocation.exhaustive import Optimum, exhaustive_optimum
from vdlt_spec.allocation.generate import GeneratorSettings
from vdlt_spec.allocation.instance import (
    FLOAT_RANGE,
    Instance,
    Node,
    TransactionStream,
    Utility,
    check_float_range,
    validate_instance,
)
from vdlt_spec.allocation.reservations import Reservations
from vdlt_spec.allocation.schema import (
    allocation_schema,
    instance_schema,
    loads_instance,
    parse_allocation,
    parse_instance,
)
from vdlt_spec.allocation.score import Reference, Score, parse_reference

__all__ = [
    "BASELINES",
    "FLOAT_RANGE",
    "ROW_RULES",
    "Allocation",
    "Allocator",
    "Assignment",
    "Constraint",
    "ConstraintReport",
    "Evaluation",
    "GeneratorSettings",
    "Instance",
    "Node",
    "Optimum",
    "Reference",
    "Replica",
    "Reservations",
    "Score",
    "TransactionStream",
    "Utility",
    "allocation_schema",
    "baseline_named",
    "bundled_instances",
    "canonical",
    "check_float_range",
    "density_greedy",
    "evaluate",
    "exhaustive_optimum",
    "expected_results",
    "instance_schema",
    "loads_instance",
    "parse_allocation",
    "parse_instance",
    "parse_reference",
    "per_class_greedy",
    "tightest",
    "validate_instance",
]
