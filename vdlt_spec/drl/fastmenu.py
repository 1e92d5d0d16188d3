"""Build the placement menu of :mod:`vdlt_spec.drl.menu` from scaled integers (§IV-F, §IV-G).

The readable menu judges each candidate placement in ``Fraction`` arithmetic and by the
evaluator's own report. This module builds the same menu faster: each unit family of an
instance (GHz, GB, Mbps, tx/s, trust, tokens) is scaled once to integers by the least common
multiple of its denominators, each transaction's times (ms) likewise, and every comparison the
menu makes becomes an exact integer comparison. Nothing is rounded, so the answers are those
of :func:`vdlt_spec.drl.menu.menu`, entry for entry; a property test checks it.

The local constraints the readable path asks the evaluator about hold here by construction,
as they do there: a host may take a replica (role, privacy, storage, link), each replica's
rate is a level that meets C3 and its latency meets C2, the control level meets C3's
ordering demand, the group size is within bounds. What a candidate can still fail, security
and C4 cost, is checked in integers. :class:`ScaledReservations` keeps the free capacity and
the loads as integers beside the ``Fraction`` record of :class:`Reservations`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation.decision import Assignment, Replica
from vdlt_spec.allocation.instance import Instance, TransactionStream
from vdlt_spec.allocation.reservations import Reservations
from vdlt_spec.drl.menu import MENU_SIZE
from vdlt_spec.roles import NodeRole


def _common(values: Iterable[Fraction]) -> int:
    """Return the least common multiple of the denominators of ``values`` (1 if none)."""
    return math.lcm(1, *(Fraction(v).denominator for v in values))


def _scaled(value: Fraction, scale: int) -> int:
    """Return ``value * scale`` as an int; ``scale`` must be a multiple of its denominator."""
    v = Fraction(value)
    whole, rest = divmod(scale, v.denominator)
    if rest:
        raise ValueError(f"{value} is not a multiple of 1/{scale}")
    return v.numerator * whole


def _ranks(values: list[Fraction]) -> list[int]:
    """Return each value's dense rank (equal values share one): order and ties are kept."""
    index = {v: i for i, v in enumerate(sorted(set(values)))}
    return [index[v] for v in values]


@dataclass
class _Tx:
    """Hold one transaction's scaled data, computed when its menu is first built."""

    storage: int  # GB scale
    link: int  # Mbps scale
    load: int  # tx/s scale
    levels: list[tuple[int, int, int]]  # (level index, rate scaled, execution ms scaled), C3 met
    controls: list[tuple[int, int, int, list[int]]]  # (level index, scaled, cost, headroom[k])
    transfer: list[int]  # per node, ms scaled
    remote: list[bool]  # per node
    static_ok: list[bool]  # per node: role and privacy allow a replica
    storage_cost: list[int]  # per node, tokens scaled
    budget: int  # tokens scaled


@dataclass
class ScaledInstance:
    """Hold an instance's integer scales and static node data, for the fast menu (§IV-F)."""

    instance: Instance
    ghz: int = 0
    gb: int = 0
    mbps: int = 0
    tps: int = 0
    trust: int = 0
    tokens: int = 0
    index: dict[str, int] = field(default_factory=dict)
    price_rank: list[int] = field(default_factory=list)
    trust_rank: list[int] = field(default_factory=list)
    bandwidth_rank: list[int] = field(default_factory=list)
    untrust: list[int] = field(default_factory=list)  # (1 - trust), trust scale
    rate_cost: list[list[int]] = field(default_factory=list)  # per node, per rate level: tokens
    rate_i: list[int] = field(default_factory=list)  # per rate level, GHz scale
    control_i: list[int] = field(default_factory=list)  # per control level, GHz scale
    capacity_i: list[int] = field(default_factory=list)  # per node: cpu_ghz, GHz scale
    control_cost: list[int] = field(default_factory=list)  # per control level, tokens scale
    storage_price: list[tuple[int, int]] = field(default_factory=list)  # per node: (num, den)
    consensus: list[Fraction] = field(default_factory=list)  # per group size 0..K^max, ms
    hop: Fraction = Fraction(0)
    bandwidth_num: int = 1  # lcm of the bandwidths' numerators
    bandwidth_weight: list[int] = field(default_factory=list)  # per node: b_den * BN / b_num
    rate_num: int = 1  # lcm of the rate levels' numerators
    control_num: int = 1  # lcm of the control levels' numerators
    consensus_den: int = 1
    txs: dict[str, _Tx] = field(default_factory=dict)

    def __post_init__(self) -> None:
        inst = self.instance
        nodes = inst.nodes
        txs = inst.transactions
        rates, controls = inst.rate_levels_ghz, inst.control_levels_ghz
        self.ghz = _common(
            [*(n.cpu_ghz for n in nodes), *rates, *controls, inst.control_capacity_ghz]
        )
        self.gb = _common([*(n.storage_gb for n in nodes), *(t.storage_gb for t in txs)])
        self.mbps = _common(
            [*(n.bandwidth_mbps for n in nodes), *(q.link_demand_mbps(t) for t in txs)]
        )
        self.tps = _common(t.throughput_tps for t in txs)
        self.trust = _common(n.trust for n in nodes)
        self.tokens = math.lcm(
            _common(n.compute_price for n in nodes) * _common(rates),
            _common(n.storage_price for n in nodes) * _common(t.storage_gb for t in txs),
            Fraction(inst.control_price).denominator * _common(controls),
            _common(t.budget for t in txs),
        )
        self.index = {n.id: i for i, n in enumerate(nodes)}
        self.price_rank = _ranks([n.compute_price for n in nodes])
        self.trust_rank = _ranks([n.trust for n in nodes])
        self.bandwidth_rank = _ranks([n.bandwidth_mbps for n in nodes])
        self.untrust = [_scaled(1 - n.trust, self.trust) for n in nodes]
        self.rate_cost = [[_scaled(n.compute_price * r, self.tokens) for r in rates] for n in nodes]
        self.rate_i = [_scaled(r, self.ghz) for r in rates]
        self.control_i = [_scaled(c, self.ghz) for c in controls]
        self.capacity_i = [_scaled(n.cpu_ghz, self.ghz) for n in nodes]
        self.control_cost = [_scaled(q.control_cost(inst, c), self.tokens) for c in controls]
        bws = [Fraction(n.bandwidth_mbps) for n in nodes]
        prices = [Fraction(n.storage_price) for n in nodes]
        self.storage_price = [(p.numerator, p.denominator) for p in prices]
        self.consensus = [Fraction(q.consensus_ms(inst, k)) for k in range(inst.max_replicas + 1)]
        self.hop = Fraction(inst.inter_region_ms)
        self.bandwidth_num = math.lcm(1, *(b.numerator for b in bws))
        self.bandwidth_weight = [b.denominator * (self.bandwidth_num // b.numerator) for b in bws]
        self.rate_num = math.lcm(1, *(Fraction(r).numerator for r in rates))
        self.control_num = math.lcm(1, *(Fraction(c).numerator for c in controls))
        self.consensus_den = _common(self.consensus)

    def tx(self, tx: TransactionStream) -> _Tx:
        """Return ``tx``'s scaled data (computed once per plan)."""
        got = self.txs.get(tx.id)
        if got is None:
            got = self.txs[tx.id] = self._tx(tx)
        return got

    def _tx(self, tx: TransactionStream) -> _Tx:
        inst = self.instance
        need_rate, need_order = q.execution_demand_ghz(tx), q.ordering_demand_ghz(tx)
        levels = [i for i, r in enumerate(inst.rate_levels_ghz) if r >= need_rate]
        controls = [i for i, c in enumerate(inst.control_levels_ghz) if c >= need_order]
        size, work, order = Fraction(tx.size_kb), Fraction(tx.compute_mcycles), tx.ordering_mcycles
        order = Fraction(order)
        latency = Fraction(tx.latency_ms)
        stored = Fraction(tx.storage_gb)
        # One scale for every time of the transaction (ms): a multiple of each denominator.
        ms = math.lcm(
            size.denominator * self.bandwidth_num,
            self.hop.denominator,
            work.denominator * self.rate_num,
            order.denominator * self.control_num,
            self.consensus_den,
            latency.denominator,
        )
        hop = self.hop.numerator * (ms // self.hop.denominator)
        # 8 a / b_j = 8 a_num (ms / (a_den BN)) * (b_den BN / b_num) / ms, BN = lcm(b_num)
        remote_of = [n.region != tx.origin for n in inst.nodes]
        per = 8 * size.numerator * (ms // (size.denominator * self.bandwidth_num))
        transfer = [
            per * w + (hop if remote else 0)
            for w, remote in zip(self.bandwidth_weight, remote_of, strict=True)
        ]
        rates = inst.rate_levels_ghz
        execution = [
            work.numerator * rates[i].denominator * (ms // (work.denominator * rates[i].numerator))
            for i in levels
        ]
        cons = [k.numerator * (ms // k.denominator) for k in self.consensus]
        bound = latency.numerator * (ms // latency.denominator)
        ctl = inst.control_levels_ghz
        slack = [  # the latency bound less each control level's ordering time
            bound
            - order.numerator * ctl[i].denominator * (ms // (order.denominator * ctl[i].numerator))
            for i in controls
        ]
        return _Tx(
            storage=_scaled(tx.storage_gb, self.gb),
            link=_scaled(q.link_demand_mbps(tx), self.mbps),
            load=_scaled(tx.throughput_tps, self.tps),
            levels=[(i, self.rate_i[i], e) for i, e in zip(levels, execution, strict=True)],
            controls=[
                (
                    i,
                    self.control_i[i],
                    self.control_cost[i],
                    [room - k for k in cons],
                )
                for i, room in zip(controls, slack, strict=True)
            ],
            transfer=transfer,
            remote=remote_of,
            static_ok=[
                (tx.high_security or n.role is not NodeRole.MANAGEMENT_CONTROL)
                and (n.private or not tx.private)
                for n in inst.nodes
            ],
            storage_cost=[
                sn * stored.numerator * (self.tokens // (sd * stored.denominator))
                for sn, sd in self.storage_price
            ],
            budget=_scaled(tx.budget, self.tokens),
        )


@dataclass
class ScaledReservations(Reservations):
    """Hold :class:`Reservations` and the same free capacity and loads as scaled integers."""

    plan: ScaledInstance = field(init=False)
    cpu_i: list[int] = field(default_factory=list)
    disk_i: list[int] = field(default_factory=list)
    link_i: list[int] = field(default_factory=list)
    load_i: list[int] = field(default_factory=list)
    control_i: int = 0
    entries: dict[int, Entry] = field(default_factory=dict)  # the last menu's, by object id

    def __post_init__(self) -> None:
        super().__post_init__()
        p = self.plan = ScaledInstance(self.instance)
        nodes = self.instance.nodes
        self.cpu_i = [_scaled(n.cpu_ghz, p.ghz) for n in nodes]
        self.disk_i = [_scaled(n.storage_gb, p.gb) for n in nodes]
        self.link_i = [_scaled(n.bandwidth_mbps, p.mbps) for n in nodes]
        self.load_i = [0 for _ in nodes]
        self.control_i = _scaled(self.instance.control_capacity_ghz, p.ghz)

    def _move(self, tx: TransactionStream, a: Assignment, sign: int) -> None:
        super()._move(tx, a, sign)
        p = self.plan
        t = p.tx(tx)
        e = self.entry(tx, a)
        for j, rate in zip(e.nodes, e.rates, strict=True):
            self.cpu_i[j] += sign * rate
            self.disk_i[j] += sign * t.storage
            self.link_i[j] += sign * t.link
            self.load_i[j] -= sign * t.load
        self.control_i += sign * _scaled(a.control_ghz, p.ghz)

    def entry(self, tx: TransactionStream, a: Assignment) -> Entry:
        """Return the scaled data of placement ``a``: the last menu's, else computed anew."""
        e = self.entries.get(id(a))
        if e is not None and e.assignment is a:
            return e
        p, inst = self.plan, self.instance
        js = [p.index[r.node] for r in a.replicas]
        cost = _scaled(q.control_cost(inst, a.control_ghz), p.tokens) + sum(
            _scaled(inst.nodes[j].compute_price * r.rate_ghz, p.tokens) + p.tx(tx).storage_cost[j]
            for j, r in zip(js, a.replicas, strict=True)
        )
        return Entry(a, js, [_scaled(r.rate_ghz, p.ghz) for r in a.replicas], cost)


@dataclass(frozen=True)
class Entry:
    """Hold a menu entry and its scaled data: node indices, rates (GHz scale), cost (tokens)."""

    assignment: Assignment
    nodes: list[int]
    rates: list[int]
    cost: int


RankKey = Callable[[int], tuple[object, ...]]


def _keys(s: ScaledReservations, tx: TransactionStream, t: _Tx) -> tuple[RankKey, ...]:
    """Return the integer keys of :data:`vdlt_spec.drl.menu.RANKINGS`, in the same order."""
    p, nodes = s.plan, s.instance.nodes
    load, cpu, link = s.load_i, s.cpu_i, s.link_i
    price, trust, bw, remote = p.price_rank, p.trust_rank, p.bandwidth_rank, t.remote
    ids = [n.id for n in nodes]
    spare = [n.private and not tx.private for n in nodes]
    return (
        lambda j: (load[j], price[j], ids[j]),
        lambda j: (price[j], load[j], ids[j]),
        lambda j: (-cpu[j], price[j], ids[j]),
        lambda j: (cpu[j], price[j], ids[j]),
        lambda j: (-trust[j], remote[j], ids[j]),
        lambda j: (remote[j], -bw[j], load[j], ids[j]),
        lambda j: (spare[j], load[j], price[j], ids[j]),
        lambda j: (-link[j], load[j], ids[j]),
    )


def _build(
    s: ScaledReservations,
    tx: TransactionStream,
    t: _Tx,
    ranked: list[int],
    made: dict[tuple[int, tuple[tuple[int, int], ...]], Entry],
) -> Entry | None:
    """Return the placement one ranking yields, as :func:`vdlt_spec.drl.menu.build` does.

    ``made`` holds the entries already built for this menu, so equal entries are one object.
    """
    inst, p = s.instance, s.plan
    top = min(inst.max_replicas, len(ranked))
    for ci, control_i, control_cost, headroom in t.controls:
        if control_i > s.control_i:
            continue
        for k in range(tx.min_replicas, top + 1):
            room_k = headroom[k]
            chosen: list[tuple[int, int]] = []  # (node index, rate level index)
            for j in ranked:
                room, free = room_k - t.transfer[j], s.cpu_i[j]
                for li, rate_i, execution in t.levels:
                    if rate_i <= free and execution <= room:
                        chosen.append((j, li))
                        break
                if len(chosen) == k:
                    break
            else:
                break  # no group of k: consensus time only grows with k
            if sum(p.untrust[j] for j, _ in chosen) > q.fault_bound(k) * p.trust:
                continue
            cost = control_cost + sum(p.rate_cost[j][li] + t.storage_cost[j] for j, li in chosen)
            if cost <= t.budget:
                key = (ci, tuple(chosen))
                got = made.get(key)
                if got is None:
                    rates = inst.rate_levels_ghz
                    a = Assignment(
                        tx.id,
                        inst.control_levels_ghz[ci],
                        tuple(Replica(inst.nodes[j].id, rates[li]) for j, li in chosen),
                    )
                    nodes = [j for j, _ in chosen]
                    got = made[key] = Entry(a, nodes, [p.rate_i[li] for _, li in chosen], cost)
                return got
    return None


def fast_menu(s: ScaledReservations, tx: TransactionStream) -> tuple[Assignment | None, ...]:
    """Return :func:`vdlt_spec.drl.menu.menu`'s answer for ``tx``, from integers (§IV-F).

    The entries' scaled data stay in ``s.entries`` (by object id) until the next menu.
    """
    t = s.plan.tx(tx)
    s.entries = {}
    hosts = [
        j
        for j, ok in enumerate(t.static_ok)
        if ok and s.disk_i[j] >= t.storage and s.link_i[j] >= t.link and s.cpu_i[j] > 0
    ]
    if len(hosts) < tx.min_replicas:
        return (None,) * MENU_SIZE
    made: dict[tuple[int, tuple[tuple[int, int], ...]], Entry] = {}
    out: list[Assignment | None] = []
    for key in _keys(s, tx, t):
        e = _build(s, tx, t, sorted(hosts, key=key), made)
        out.append(None if e is None else e.assignment)
    s.entries = {id(e.assignment): e for e in made.values()}
    return tuple(out)
