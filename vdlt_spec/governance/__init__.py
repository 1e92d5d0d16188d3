"""DPoS, quadratic voting with token lock, self-amending governance (§III-D, §IV-C, §IV-K)."""

from vdlt_spec.governance.amendment import (
    NAY,
    PASS,
    YEA,
    Amendment,
    GovernanceState,
    Poll,
    PollGroup,
    Stage,
)
from vdlt_spec.governance.dpos import DposState, NodeSpec, RegisteredNode, RosterEntry
from vdlt_spec.governance.parameters import ParameterChange, Parameters, queuing_config, validate
from vdlt_spec.governance.voting import (
    Ballot,
    VotingMode,
    lock_periods,
    lock_periods_rule,
    lock_votes,
    lock_votes_rule,
    marginal_cost_rule,
    max_quadratic_votes,
    max_votes_bounds,
    quadratic_cost,
    quadratic_cost_rule,
)

__all__ = [
    "NAY",
    "PASS",
    "YEA",
    "Amendment",
    "Ballot",
    "DposState",
    "GovernanceState",
    "NodeSpec",
    "ParameterChange",
    "Parameters",
    "Poll",
    "PollGroup",
    "RegisteredNode",
    "RosterEntry",
    "Stage",
    "VotingMode",
    "lock_periods",
    "lock_periods_rule",
    "lock_votes",
    "lock_votes_rule",
    "marginal_cost_rule",
    "max_quadratic_votes",
    "max_votes_bounds",
    "quadratic_cost",
    "quadratic_cost_rule",
    "queuing_config",
    "validate",
]
