"""Run Jepsen-style nemesis schedules on the deterministic simulator and judge them (§III-D, §IV-J).

A nemesis run draws, from its seed alone, a group (n, mode), its Byzantine replicas and a fault
schedule: partitions that heal and partitions that last the whole run, crashes that restart the
replica with its durable state (and crashes it never recovers from), message loss (until the
network heals), duplication, reordering (random delays), a slow path that holds some messages
across views, and skewed clocks that stretch or shrink a replica's timers. It then runs
:func:`.scenario.simulate` and judges

* **safety** over the whole run: the simulator records every commit with its proof as it
  happens, and commits are never withdrawn, so "no two honest commits of different blocks at
  one sequence number, every commit proven" on the record is the same as checking it after
  every step;
* **liveness after healing**: when every partition heals and every crashed replica recovers,
  every request must be executed by f + 1 honest replicas (PBFT's reply guarantee);
* **accountability**: with more than f Byzantine replicas, every replica the evidence names is
  Byzantine (no honest replica framed), and a violation names at least f + 1 of them.

:func:`nemesis_run` takes and returns plain data (frozen dataclasses that round-trip through
:mod:`vdlt_spec.serial`), so a campaign can farm seeds out to workers.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from vdlt_spec.consensus.config import ConsensusConfig, Mode
from vdlt_spec.consensus.sim.byzantine import COLLUDE, Behaviour, assign_behaviours
from vdlt_spec.consensus.sim.network import (
    ClockSkew,
    Crash,
    FaultPlan,
    NetworkParams,
    Partition,
)
from vdlt_spec.consensus.sim.scenario import Scenario, culprits, make_scheme, simulate
from vdlt_spec.crypto import max_faulty
from vdlt_spec.errors import Reason, SpecError

NEMESIS_SIZES = (4, 7)
NEMESIS_REQUESTS = 6
SETTLE_TIME = 80_000
"""Ticks a run goes on after the last fault heals (room for backed-off view changes)."""
LOSSES = (Fraction(0), Fraction(1, 20), Fraction(1, 10))
DUPLICATIONS = (Fraction(0), Fraction(1, 20), Fraction(1, 5))
MAX_DELAYS = (10, 20, 40)
TAILS = (Fraction(0), Fraction(1, 20))
TAIL_VIEW_TIMEOUTS = 2
SKEW_RATES = (Fraction(1, 2), Fraction(2, 3), Fraction(3, 2), Fraction(2))
SKEW_ONE_IN = 3
LASTING_ONE_IN = 4
MAX_PARTITIONS = 2
MAX_CRASHES = 2
FAULT_WINDOW = 1_500
MAX_FAULT_LENGTH = 1_500


@dataclass(frozen=True)
class NemesisConfig:
    """Fix what a nemesis campaign draws from: sizes, modes, Byzantine count and behaviours.

    A run has f + ``extra_byzantine`` Byzantine replicas. With ``collude`` they are replicas
    0, 1, ... and collude (the first equivocates as primary of view 0, the others sign both
    of its blocks); otherwise each draws a behaviour from ``behaviours`` (§III-D). With
    ``retransmit_interval`` the replicas retransmit on that timer (off by default).
    """

    sizes: tuple[int, ...] = NEMESIS_SIZES
    modes: tuple[str, ...] = (Mode.IPBFT.value, Mode.CLASSIC.value)
    extra_byzantine: int = 0
    behaviours: tuple[str, ...] = tuple(b.value for b in Behaviour)
    collude: bool = False
    requests: int = NEMESIS_REQUESTS
    retransmit_interval: int | None = None

    def __post_init__(self) -> None:
        if not self.sizes or any(n < 1 for n in self.sizes) or not self.modes:
            raise SpecError(Reason.BAD_CONSENSUS_PARAMETER, "nemesis needs sizes >= 1 and a mode")
        for mode in self.modes:
            Mode(mode)
        for behaviour in self.behaviours:
            Behaviour(behaviour)
        if self.extra_byzantine < 0 or self.requests < 1 or not self.behaviours:
            raise SpecError(
                Reason.BAD_CONSENSUS_PARAMETER,
                "nemesis needs extra_byzantine >= 0, requests >= 1 and a behaviour",
            )


@dataclass(frozen=True)
class NemesisResult:
    """Report one nemesis run as plain data: what was done and what was found (§III-D, §IV-J).

    ``live`` is None when the faults never heal (liveness is then not owed). ``framed`` lists
    honest replicas the evidence named (always empty when accountability is sound).
    """

    seed: int
    n: int
    mode: str
    byzantine: tuple[tuple[int, str], ...]
    nemesis: tuple[str, ...]
    healed: bool
    safe: bool
    live: bool | None
    decided: int
    conflicts: int
    unproven: int
    culprits: tuple[int, ...]
    framed: tuple[int, ...]
    new_views: int
    events: int
    end_time: int


def _byzantine(
    rng: random.Random, n: int, seed: int, config: NemesisConfig
) -> dict[int, Behaviour]:
    count = min(n, max_faulty(n) + config.extra_byzantine)
    if config.collude:
        return assign_behaviours(n, count, COLLUDE, seed)
    chosen = sorted(rng.sample(range(n), count))
    return {i: Behaviour(rng.choice(config.behaviours)) for i in chosen}


def _split(rng: random.Random, n: int) -> tuple[tuple[int, ...], ...]:
    members = rng.sample(range(n), n)
    cut = rng.randint(1, n - 1) if n > 1 else 1
    return (tuple(sorted(members[:cut])), tuple(sorted(members[cut:])))


def nemesis_scenario(seed: int, config: NemesisConfig) -> tuple[Scenario, tuple[str, ...], bool]:
    """Draw a run's group, Byzantine set and fault schedule from ``seed`` (§III-D).

    Returns the scenario, one line per nemesis operation, and whether every fault heals.
    """
    rng = random.Random(f"nemesis/{seed}")
    n = rng.choice(config.sizes)
    group = ConsensusConfig(
        n, mode=Mode(rng.choice(config.modes)), retransmit_interval=config.retransmit_interval
    )
    byzantine = _byzantine(rng, n, seed, config)
    ops: list[str] = []
    healed = True
    forever = 10**9
    partitions = []
    for _ in range(rng.randint(0, MAX_PARTITIONS)):
        start = rng.randint(0, FAULT_WINDOW)
        lasting = n > 1 and rng.randrange(LASTING_ONE_IN) == 0
        end = forever if lasting else start + rng.randint(1, MAX_FAULT_LENGTH)
        groups = _split(rng, n)
        partitions.append(Partition(start, end, groups))
        ops.append(
            f"partition {groups} from {start} " + ("never healing" if lasting else f"to {end}")
        )
        healed = healed and not lasting
    crashes = []
    for _ in range(rng.randint(0, MAX_CRASHES)):
        replica = rng.randrange(n)
        start = rng.randint(0, FAULT_WINDOW)
        lasting = rng.randrange(LASTING_ONE_IN) == 0
        restart = None if lasting else start + rng.randint(1, MAX_FAULT_LENGTH)
        crashes.append(Crash(replica, start, restart))
        ops.append(
            f"crash {replica} at {start}, " + ("no restart" if lasting else f"restart {restart}")
        )
        healed = healed and not lasting
    skews = []
    for replica in range(n):
        if rng.randrange(SKEW_ONE_IN) == 0:
            rate = rng.choice(SKEW_RATES)
            skews.append(ClockSkew(replica, rate))
            ops.append(f"clock of {replica} at {rate}x")
    plan = FaultPlan(tuple(partitions), tuple(crashes), tuple(skews))
    heal = plan.heal_time() if healed else FAULT_WINDOW + MAX_FAULT_LENGTH
    loss, duplication = rng.choice(LOSSES), rng.choice(DUPLICATIONS)
    max_delay, tail = rng.choice(MAX_DELAYS), rng.choice(TAILS)
    network = NetworkParams(
        1,
        max_delay,
        loss,
        duplication,
        loss_until=heal,
        tail=tail,
        tail_delay=TAIL_VIEW_TIMEOUTS * group.view_timeout,
    )
    ops.append(f"delay 1..{max_delay}, loss {loss} until {heal}, duplication {duplication}")
    if tail:
        ops.append(f"slow path {tail}: up to {network.tail_delay} ticks more")
    scenario = Scenario(
        group,
        seed=seed,
        network=network,
        faults=plan,
        byzantine=byzantine,
        requests=config.requests,
        request_interval=rng.randint(0, 40),
        max_time=heal + SETTLE_TIME,
    )
    return scenario, tuple(ops), healed


def nemesis_run(seed: int, config: NemesisConfig | None = None) -> NemesisResult:
    """Run the nemesis schedule of ``seed`` and judge safety, liveness, accountability (§III-D)."""
    config = config or NemesisConfig()
    scenario, ops, healed = nemesis_scenario(seed, config)
    n = scenario.config.n
    scheme = make_scheme(scenario.signatures, n, seed)
    result = simulate(scenario, scheme)
    beyond = len(scenario.byzantine) > scenario.config.f
    named: set[int] = set()
    if result.conflicts or result.unproven or beyond:
        named = {e.culprit for e in culprits(result, scheme)}
    return NemesisResult(
        seed=seed,
        n=n,
        mode=str(scenario.config.mode),
        byzantine=tuple((i, str(b)) for i, b in sorted(scenario.byzantine.items())),
        nemesis=ops,
        healed=healed,
        safe=not result.conflicts and not result.unproven,
        live=result.requests_complete if healed else None,
        decided=result.decided_seqs,
        conflicts=len(result.conflicts),
        unproven=len(result.unproven),
        culprits=tuple(sorted(named)),
        framed=tuple(sorted(named - set(scenario.byzantine))),
        new_views=len(result.new_views),
        events=result.metrics.events,
        end_time=result.end_time,
    )


@dataclass(frozen=True)
class NemesisTally:
    """Count a campaign's runs by outcome (§III-D, §IV-J)."""

    runs: int
    unsafe: tuple[int, ...]
    healed: int
    stuck_after_healing: tuple[int, ...]
    with_view_changes: int
    framed: tuple[int, ...]
    violations_named: int
    violations_short_of_f_plus_one: tuple[int, ...]


def tally(results: Iterable[NemesisResult]) -> NemesisTally:
    """Count safety violations, liveness failures after healing, framing (§III-D, §IV-J)."""
    rows: Sequence[NemesisResult] = list(results)
    unsafe = tuple(r.seed for r in rows if not r.safe)
    short = tuple(r.seed for r in rows if not r.safe and len(r.culprits) < max_faulty(r.n) + 1)
    return NemesisTally(
        runs=len(rows),
        unsafe=unsafe,
        healed=sum(r.healed for r in rows),
        stuck_after_healing=tuple(r.seed for r in rows if r.live is False),
        with_view_changes=sum(1 for r in rows if r.new_views),
        framed=tuple(r.seed for r in rows if r.framed),
        violations_named=len(unsafe) - len(short),
        violations_short_of_f_plus_one=short,
    )
