"""Hold the protocol parameters that governance may amend, as one frozen value (§IV-I, §IV-K).

Every rule of the ledger, the elections, the incentives and the penalties reads its numbers
from one :class:`Parameters` value; the self-amending process (§IV-K) replaces that value, and
nothing else, when an amendment goes live. Token amounts are integers in *base units*:
one token is :data:`BASE_UNITS_PER_TOKEN` base units (D-econ-1), so every balance, reward and
slash is exact. Rates and shares are :class:`fractions.Fraction`. Sources of every default are
in ``docs/decisions.md`` (D-gov-n, D-econ-n).

§IV-I's limits hold from genesis on: :func:`validate` rejects a conforming parameter set whose
genesis supply is not one billion tokens or whose inflation cap exceeds 4 % per annum
(``NON_CONFORMING_GENESIS``). Experiments with other numbers (small supplies, short years) build
their parameters with :meth:`Parameters.experimental`, which sets ``conforming=False``; such a
chain is not vDLT and every report of it says so.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.ledger import BASE_UNITS_PER_TOKEN as BASE_UNITS_PER_TOKEN
from vdlt_spec.ledger import GENESIS_SUPPLY as GENESIS_SUPPLY
from vdlt_spec.ledger import GENESIS_TOKENS as GENESIS_TOKENS
from vdlt_spec.queuing import (
    DEFAULT_RATE,
    LINK_CAPACITY,
    VDLT_DEFAULT_SHARES,
    CbwfqConfig,
    ClassPolicy,
)

# --- time (D-gov-1) ---------------------------------------------------------------------------

EPOCHS_PER_YEAR = 365
"""Epochs per year: one epoch is one day; delegates are re-elected every epoch."""
LOCK_PERIOD_EPOCHS = 1
"""Epochs per lock period: a lock of multiplier k lasts k² periods (§IV-C)."""

# --- incentives (§IV-I, D-econ-2..5) ------------------------------------------------------------

MAX_INFLATION_RATE = Fraction(4, 100)
"""Yearly inflation cap: "up to 4% inflation per annum" (§IV-I)."""
INITIAL_INFLATION_RATE = Fraction(2, 100)
"""Inflation rate at genesis, until a vote changes it (D-econ-2)."""
MANAGEMENT_SHARE = Fraction(1, 4)
EXECUTION_SHARE = Fraction(1, 2)
INACTIVE_VOTER_WEIGHT = Fraction(0)
"""Reward weight of a registered voter who did not vote, against 1 for one who did (§IV-J)."""
MIN_TRANSACTION_FEE = 0
"""Transactions can be free (§IV-I): the minimum fee is zero base units."""

# --- DPoS and node requirements (§III-D, §IV-B, §IV-C, D-gov-2..4) ---------------------------

DELEGATE_COUNT = 21
"""Delegates elected per epoch (EOS' 21 block producers)."""
MIN_DELEGATES = 4
"""Fewest delegates that tolerate one Byzantine fault (n = 3f + 1, f = 1)."""
MAX_LOCK_MULTIPLIER = 8
"""Largest k of a token lock: 64 periods (D-gov-5)."""
MIN_COLLATERAL = 6_000 * BASE_UNITS_PER_TOKEN
"""Collateral a delegate or execution node must post (Tezos' 6,000 tez minimal stake)."""
MIN_UPTIME_BP = 9_990
MIN_BANDWIDTH_MBPS = 1_000
MIN_CPU_CORES = 8
MIN_MEMORY_GIB = 32
MIN_STORAGE_GIB = 1_000

# --- amendments (§IV-K, D-gov-6..10) ----------------------------------------------------------

BASIS_POINTS = 10_000
"""Denominator of quorum and participation figures (Tezos: centiles of a percent)."""
SUPERMAJORITY = Fraction(4, 5)
"""Share of yea in yea + nay an amendment vote needs (Tezos)."""
QUORUM_MIN_BP = 2_000
QUORUM_MAX_BP = 7_000
PARTICIPATION_EMA_WEIGHT = Fraction(1, 5)
"""Weight of the latest participation in the EMA (Tezos: ema' = 0.8 ema + 0.2 p)."""
POLL_THRESHOLD = Fraction(1, 2)
"""Weighted poll approval an amendment must exceed to reach the vote (D-gov-7)."""
POLL_WEIGHT = Fraction(1, 5)
"""Weight of each of the five polled groups (roadmap, core developers, holders, users, norms)."""
POLL_PERIOD_EPOCHS = 14
VOTE_PERIOD_EPOCHS = 14
TEST_PERIOD_EPOCHS = 14
"""Stage lengths: Tezos' 14-day voting periods, one epoch per day."""

# --- penalties (§IV-J, D-econ-6..8) -------------------------------------------------------------

SLASH_FRACTION = Fraction(1)
"""Share of the collateral taken for proven misbehaviour: "taking away their collateral"."""
DENOUNCER_REWARD = Fraction(1, 11)
"""Share of the slashed amount paid to the reporter; the rest is burnt (Tezos 1/(9+2))."""
EVIDENCE_WINDOW_EPOCHS = 2
"""Epochs after an offence during which evidence is accepted (Tezos' slashing period)."""


# --- class of service (§IV-A): the CBWFQ bandwidth shares, amendable --------------------------

SHARE_FAST_CONFIRMATION = VDLT_DEFAULT_SHARES[ServiceClass.FAST_CONFIRMATION]
SHARE_COMPUTATION_INTENSIVE = VDLT_DEFAULT_SHARES[ServiceClass.COMPUTATION_INTENSIVE]
SHARE_STORAGE_INTENSIVE = VDLT_DEFAULT_SHARES[ServiceClass.STORAGE_INTENSIVE]
SHARE_LOW_COST = VDLT_DEFAULT_SHARES[ServiceClass.LOW_COST]
SHARE_MANAGEMENT_CONTROL = VDLT_DEFAULT_SHARES[ServiceClass.MANAGEMENT_CONTROL]
SHARE_PRIVATE = VDLT_DEFAULT_SHARES[ServiceClass.PRIVATE]
SHARE_BEST_EFFORT = VDLT_DEFAULT_SHARES[ServiceClass.BEST_EFFORT]
SHARE_SCAVENGER = VDLT_DEFAULT_SHARES[ServiceClass.SCAVENGER]


@dataclass(frozen=True)
class Parameters:
    """Hold every amendable number of the protocol; the rest of the spec reads only this (§IV-K)."""

    genesis_supply: int = GENESIS_SUPPLY
    max_inflation_rate: Fraction = MAX_INFLATION_RATE
    epochs_per_year: int = EPOCHS_PER_YEAR
    lock_period_epochs: int = LOCK_PERIOD_EPOCHS
    inflation_rate: Fraction = INITIAL_INFLATION_RATE
    management_share: Fraction = MANAGEMENT_SHARE
    execution_share: Fraction = EXECUTION_SHARE
    inactive_voter_weight: Fraction = INACTIVE_VOTER_WEIGHT
    min_transaction_fee: int = MIN_TRANSACTION_FEE
    delegate_count: int = DELEGATE_COUNT
    min_delegates: int = MIN_DELEGATES
    max_lock_multiplier: int = MAX_LOCK_MULTIPLIER
    min_collateral: int = MIN_COLLATERAL
    min_uptime_bp: int = MIN_UPTIME_BP
    min_bandwidth_mbps: int = MIN_BANDWIDTH_MBPS
    min_cpu_cores: int = MIN_CPU_CORES
    min_memory_gib: int = MIN_MEMORY_GIB
    min_storage_gib: int = MIN_STORAGE_GIB
    supermajority: Fraction = SUPERMAJORITY
    quorum_min_bp: int = QUORUM_MIN_BP
    quorum_max_bp: int = QUORUM_MAX_BP
    participation_ema_weight: Fraction = PARTICIPATION_EMA_WEIGHT
    poll_threshold: Fraction = POLL_THRESHOLD
    poll_weight_roadmap: Fraction = POLL_WEIGHT
    poll_weight_core_developers: Fraction = POLL_WEIGHT
    poll_weight_token_holders: Fraction = POLL_WEIGHT
    poll_weight_users: Fraction = POLL_WEIGHT
    poll_weight_norms: Fraction = POLL_WEIGHT
    poll_period_epochs: int = POLL_PERIOD_EPOCHS
    vote_period_epochs: int = VOTE_PERIOD_EPOCHS
    test_period_epochs: int = TEST_PERIOD_EPOCHS
    slash_fraction: Fraction = SLASH_FRACTION
    denouncer_reward: Fraction = DENOUNCER_REWARD
    evidence_window_epochs: int = EVIDENCE_WINDOW_EPOCHS
    share_fast_confirmation: Fraction = SHARE_FAST_CONFIRMATION
    share_computation_intensive: Fraction = SHARE_COMPUTATION_INTENSIVE
    share_storage_intensive: Fraction = SHARE_STORAGE_INTENSIVE
    share_low_cost: Fraction = SHARE_LOW_COST
    share_management_control: Fraction = SHARE_MANAGEMENT_CONTROL
    share_private: Fraction = SHARE_PRIVATE
    share_best_effort: Fraction = SHARE_BEST_EFFORT
    share_scavenger: Fraction = SHARE_SCAVENGER
    conforming: bool = True
    """False for an experiment's parameters, exempt from §IV-I's genesis limits (not vDLT)."""

    @classmethod
    def experimental(cls, **changes: Any) -> Parameters:
        """Return non-conforming parameters: the defaults with ``changes``, exempt from §IV-I.

        The genesis supply and the inflation cap may then differ from the paper's; every other
        rule of :func:`validate` still applies.
        """
        return cls(**changes, conforming=False)

    @property
    def staker_share(self) -> Fraction:
        """Return the share of each epoch's issuance left to stakers (§IV-I)."""
        return 1 - self.management_share - self.execution_share


FROZEN_FIELDS = frozenset({"genesis_supply", "max_inflation_rate", "epochs_per_year", "conforming"})
"""Fields no amendment may change: the paper fixes them (§IV-I: 1 billion tokens, up to 4 %),
and whether the chain conforms is settled at genesis."""
AMENDABLE_FIELDS = frozenset(f.name for f in dataclasses.fields(Parameters)) - FROZEN_FIELDS
DEFAULT_PARAMETERS = Parameters()

_POSITIVE_INTS = (
    "genesis_supply",
    "epochs_per_year",
    "lock_period_epochs",
    "delegate_count",
    "min_delegates",
    "max_lock_multiplier",
    "poll_period_epochs",
    "vote_period_epochs",
    "test_period_epochs",
    "evidence_window_epochs",
)
_NON_NEGATIVE_INTS = (
    "min_transaction_fee",
    "min_collateral",
    "min_bandwidth_mbps",
    "min_cpu_cores",
    "min_memory_gib",
    "min_storage_gib",
)
_UNIT_FRACTIONS = (
    "management_share",
    "execution_share",
    "inactive_voter_weight",
    "slash_fraction",
    "poll_weight_roadmap",
    "poll_weight_core_developers",
    "poll_weight_token_holders",
    "poll_weight_users",
    "poll_weight_norms",
)


def _bad(detail: str) -> SpecError:
    return SpecError(Reason.INVALID_PARAMETERS, detail)


def validate(params: Parameters) -> Parameters:
    """Check that parameters describe a working protocol and return them, else raise (§IV-K).

    The inflation *rate* is not checked against its cap: a vote may ask for more than 4 %,
    and the incentive rules clamp it (§IV-I, D-econ-2). Conforming parameters must also hold
    §IV-I's genesis limits: a supply of exactly one billion tokens and an inflation cap of at
    most 4 % per annum, else ``NON_CONFORMING_GENESIS``; :meth:`Parameters.experimental` ones
    are exempt from these two limits only.
    """
    if not isinstance(params.conforming, bool):
        raise _bad(f"conforming must be a bool, got {params.conforming!r}")
    for name in _POSITIVE_INTS:
        value = getattr(params, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _bad(f"{name} must be a positive integer, got {value!r}")
    for name in _NON_NEGATIVE_INTS:
        value = getattr(params, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _bad(f"{name} must be a non-negative integer, got {value!r}")
    for name in _UNIT_FRACTIONS:
        value = getattr(params, name)
        if not isinstance(value, Fraction | int) or not 0 <= value <= 1:
            raise _bad(f"{name} must lie in [0, 1], got {value}")
    if not isinstance(params.inflation_rate, Fraction | int):
        raise _bad(f"inflation_rate must be a rational number, got {params.inflation_rate!r}")
    if not 0 <= params.max_inflation_rate <= 1:
        raise _bad(f"max_inflation_rate must lie in [0, 1], got {params.max_inflation_rate}")
    if params.management_share + params.execution_share > 1:
        raise _bad("management_share + execution_share must not exceed 1")
    if params.inactive_voter_weight >= 1:
        raise _bad("inactive_voter_weight must be below 1: non-voters must earn less (§IV-J)")
    if not 0 <= params.min_uptime_bp <= BASIS_POINTS:
        raise _bad(f"min_uptime_bp must lie in [0, {BASIS_POINTS}], got {params.min_uptime_bp}")
    if params.min_delegates > params.delegate_count:
        raise _bad("min_delegates must not exceed delegate_count")
    if not Fraction(1, 2) < params.supermajority <= 1:
        raise _bad(f"supermajority must lie in (1/2, 1], got {params.supermajority}")
    if not 0 <= params.quorum_min_bp <= params.quorum_max_bp <= BASIS_POINTS:
        raise _bad("quorum bounds must satisfy 0 <= quorum_min_bp <= quorum_max_bp <= 10000")
    if not 0 < params.participation_ema_weight <= 1:
        raise _bad("participation_ema_weight must lie in (0, 1]")
    if not 0 <= params.poll_threshold < 1:
        raise _bad("poll_threshold must lie in [0, 1)")
    weights = poll_weights(params)
    if sum(weights) != 1:
        raise _bad(f"poll weights must sum to 1, got {sum(weights)}")
    shares = class_shares(params)
    if any(not isinstance(v, Fraction | int) or v <= 0 for v in shares.values()):
        raise _bad("every class share must be a positive rational number")
    if sum(shares.values()) > LINK_CAPACITY:
        raise _bad(f"class shares sum to {sum(shares.values())} > the link ({LINK_CAPACITY})")
    if not 0 <= params.denouncer_reward < 1:
        raise _bad("denouncer_reward must lie in [0, 1): reporters get less than is slashed")
    if params.conforming:
        _check_genesis_limits(params)
    return params


def _check_genesis_limits(params: Parameters) -> None:
    if params.genesis_supply != GENESIS_SUPPLY:
        raise SpecError(
            Reason.NON_CONFORMING_GENESIS,
            f"genesis_supply must be {GENESIS_TOKENS:,} tokens ({GENESIS_SUPPLY} base units)"
            f" (§IV-I), got {params.genesis_supply}; use Parameters.experimental for an"
            " experiment",
        )
    if params.max_inflation_rate > MAX_INFLATION_RATE:
        raise SpecError(
            Reason.NON_CONFORMING_GENESIS,
            f"max_inflation_rate must be at most {MAX_INFLATION_RATE} (§IV-I: up to 4 % per"
            f" annum), got {params.max_inflation_rate}; use Parameters.experimental for an"
            " experiment",
        )


def poll_weights(params: Parameters) -> tuple[Fraction, ...]:
    """Return the five poll weights in the order of the polled groups (§IV-K)."""
    return (
        params.poll_weight_roadmap,
        params.poll_weight_core_developers,
        params.poll_weight_token_holders,
        params.poll_weight_users,
        params.poll_weight_norms,
    )


def class_shares(params: Parameters) -> dict[ServiceClass, Fraction]:
    """Return the CBWFQ bandwidth share of every class of service under ``params`` (§IV-A)."""
    return {
        ServiceClass.FAST_CONFIRMATION: params.share_fast_confirmation,
        ServiceClass.COMPUTATION_INTENSIVE: params.share_computation_intensive,
        ServiceClass.STORAGE_INTENSIVE: params.share_storage_intensive,
        ServiceClass.LOW_COST: params.share_low_cost,
        ServiceClass.MANAGEMENT_CONTROL: params.share_management_control,
        ServiceClass.PRIVATE: params.share_private,
        ServiceClass.BEST_EFFORT: params.share_best_effort,
        ServiceClass.SCAVENGER: params.share_scavenger,
    }


def queuing_config(params: Parameters, rate: Fraction = DEFAULT_RATE) -> CbwfqConfig:
    """Return the CBWFQ configuration the live parameters prescribe on a link (§IV-A, §IV-K).

    This is how an amendment of a class share reaches the scheduler of
    :mod:`vdlt_spec.queuing`: the configuration is derived from the parameters, never kept apart.
    """
    policies = tuple(ClassPolicy(c, share) for c, share in class_shares(params).items())
    return CbwfqConfig(rate=rate, classes=policies)


@dataclass(frozen=True)
class ParameterChange:
    """Name one parameter and its new value; integers are fractions with denominator 1 (§IV-K)."""

    name: str
    value: Fraction


def apply_changes(params: Parameters, changes: tuple[ParameterChange, ...]) -> Parameters:
    """Return the parameters with the changes applied, validated; reject bad changes (§IV-K)."""
    if not changes:
        raise SpecError(Reason.EMPTY_AMENDMENT, "an amendment must change at least one parameter")
    names = [c.name for c in changes]
    if len(set(names)) != len(names):
        raise SpecError(Reason.INVALID_AMENDMENT, f"a parameter is changed twice: {names}")
    fields = {f.name: f for f in dataclasses.fields(Parameters)}
    updates: dict[str, Any] = {}
    for change in changes:
        if change.name not in fields:
            raise SpecError(Reason.UNKNOWN_PARAMETER, f"no parameter named {change.name!r}")
        if change.name in FROZEN_FIELDS:
            raise SpecError(Reason.PARAMETER_NOT_AMENDABLE, f"{change.name} is fixed by §IV-I")
        value = Fraction(change.value)
        if isinstance(getattr(params, change.name), int):
            if value.denominator != 1:
                raise SpecError(Reason.INVALID_AMENDMENT, f"{change.name} needs an integer")
            updates[change.name] = int(value)
        else:
            updates[change.name] = value
    return validate(dataclasses.replace(params, **updates))
