"""Schedule a whole workload with CBWFQ in integer arithmetic: the fast path (§IV-A).

Same scheduler as :func:`vdlt_spec.queuing.scheduler.run`, same schedule, exactly
(property-tested in ``tests/test_queuing_fast.py``). Instead of ``Fraction`` objects it keeps
every quantity as an integer over a common denominator:

* real time in ticks of ``1 / time_scale``, where ``time_scale`` is the least common multiple of
  the rate's numerator and every arrival's denominator, so arrivals and service times
  ``size / rate`` are whole ticks;
* shares as integer weights (the shares times the lcm of their denominators; scaling all
  weights by a constant leaves the WFQ order unchanged), and virtual time and finish tags as
  integers over ``virtual_scale``, a multiple of every weight and of the tick-to-work factor.

When the GPS clock needs a division that is not exact at the current ``virtual_scale``
(``work / backlogged weight``), every virtual quantity is multiplied by the missing factor
(``_rescale``); this is rare, as the denominators the GPS clock reaches are bounded in practice.
One heap ordered by (tag, admission number) replaces the per-class heads: the tags of one
queue increase, so the global minimum is always the head of its queue.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from heapq import heappop, heappush

from vdlt_spec.cos import RESERVED_BITS, ServiceClass, Transaction
from vdlt_spec.queuing.config import CbwfqConfig
from vdlt_spec.queuing.scheduler import Departure, Drop, Schedule, check_arrivals


def _ticks(arrivals: tuple[Transaction, ...], time_scale: int) -> list[int]:
    return [tx.arrival.numerator * (time_scale // tx.arrival.denominator) for tx in arrivals]


def run_fast(config: CbwfqConfig, arrivals: Iterable[Transaction]) -> Schedule:
    """Schedule a workload with CBWFQ using integer arithmetic; equal to ``run`` (§IV-A)."""
    items = check_arrivals(arrivals)

    rate_num, rate_den = config.rate.numerator, config.rate.denominator
    time_scale = math.lcm(rate_num, *{tx.arrival.denominator for tx in items})
    ticks = _ticks(items, time_scale)
    order = list(range(len(items)))
    if any(ticks[i] > ticks[i + 1] for i in range(len(ticks) - 1)):
        order.sort(key=ticks.__getitem__)  # stable: equal arrivals keep the order given

    keys = config.queue_keys
    queue_index = {key: i for i, key in enumerate(keys)}
    queue_of_class = [queue_index[config.queue_of(c)] for c in sorted(ServiceClass)]
    share_lcm = math.lcm(*(config.shares[k].denominator for k in keys))
    weights = [int(config.shares[k] * share_lcm) for k in keys]
    limits = [config.limits[k] for k in keys]
    queues = range(len(keys))

    # virtual time and tags are integers over virtual_scale
    virtual_scale = math.lcm(*weights) * rate_den * time_scale
    work_per_tick = rate_num * virtual_scale // (time_scale * rate_den)
    tag_unit = [virtual_scale // w for w in weights]
    ticks_per_size = rate_den * time_scale // rate_num

    vtime = 0
    gps_time = 0
    last_tag = [0] * len(keys)
    queue_length = [0] * len(keys)
    heap: list[tuple[int, int, int]] = []
    served: list[tuple[int, int, int]] = []  # (item index, start tick, finish tick)
    dropped: list[int] = []
    busy = False
    current = start = finish = 0
    admitted = 0

    for i in order:
        tx = items[i]
        now = ticks[i]
        while busy and finish <= now:  # services that end by the arrival complete first
            served.append((current, start, finish))
            if heap:
                current = heappop(heap)[2]
                queue_length[queue_of_class[items[current].cos >> RESERVED_BITS]] -= 1
                start, finish = finish, finish + items[current].size * ticks_per_size
            else:
                busy = False
        if now != gps_time:  # the GPS virtual clock, by work (see scheduler.gps_vtime)
            work = (now - gps_time) * work_per_tick
            gps_time = now
            while work:
                weight = 0
                next_empty = -1
                for q in queues:
                    tag = last_tag[q]
                    if tag > vtime:
                        weight += weights[q]
                        if next_empty < 0 or tag < next_empty:
                            next_empty = tag
                if not weight:
                    break
                needed = (next_empty - vtime) * weight
                if work < needed:
                    if work % weight:
                        factor = weight // math.gcd(work, weight)
                        virtual_scale *= factor
                        work_per_tick *= factor
                        work *= factor
                        vtime *= factor
                        tag_unit = [u * factor for u in tag_unit]
                        last_tag = [t * factor for t in last_tag]
                        heap = [(t * factor, s, j) for t, s, j in heap]  # order preserved
                    vtime += work // weight
                    break
                work -= needed
                vtime = next_empty
        q = queue_of_class[tx.cos >> RESERVED_BITS]
        if queue_length[q] >= limits[q]:
            dropped.append(i)
            continue
        previous = last_tag[q]
        tag = (previous if previous > vtime else vtime) + tx.size * tag_unit[q]
        last_tag[q] = tag
        if busy:
            heappush(heap, (tag, admitted, i))
            queue_length[q] += 1
        else:
            busy = True
            current, start, finish = i, now, now + tx.size * ticks_per_size
        admitted += 1

    while busy:
        served.append((current, start, finish))
        if heap:
            current = heappop(heap)[2]
            start, finish = finish, finish + items[current].size * ticks_per_size
        else:
            busy = False

    if time_scale == 1:
        departures = tuple(
            Departure(
                items[i].id, ServiceClass(items[i].cos >> RESERVED_BITS), Fraction(s), Fraction(f)
            )
            for i, s, f in served
        )
    else:
        departures = tuple(
            Departure(
                items[i].id,
                ServiceClass(items[i].cos >> RESERVED_BITS),
                Fraction(s, time_scale),
                Fraction(f, time_scale),
            )
            for i, s, f in served
        )
    drops = tuple(Drop(items[i].id, items[i].service_class, items[i].arrival) for i in dropped)
    return Schedule(departures, drops)
