"""Conformance operations of CBWFQ scheduling (§IV-A, Fig. 7)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from vdlt_spec import cos, queuing, serial
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.suite import VectorInput, inputs

SEEDS = range(1, 9)


@operation(
    "queuing.run",
    "§IV-A",
    input_schema='{"config"?: CbwfqConfig, "transactions": [Transaction]}',
    output_schema='{"departures": [...], "drops": [...]}',
)
def run(payload: Any) -> Any:
    """Schedule transactions through a CBWFQ link and return departures and drops (§IV-A)."""
    config = serial.decode(queuing.CbwfqConfig, payload.get("config", {}), "$.config")
    arrivals = serial.decode(
        tuple[cos.Transaction, ...], payload.get("transactions"), "$.transactions"
    )
    return queuing.run(config, arrivals)


@operation(
    "queuing.queues",
    "§IV-A",
    input_schema='{"config"?: CbwfqConfig, "scale"?: "p/q"}',
    output_schema=(
        '{"queues": [{"queue", "share", "limit"}], "queue_of": [{"class_bits", "queue"}]}'
    ),
)
def queues(payload: Any) -> Any:
    """Return the queues a configuration uses and the queue of every class (§IV-A, D-queue-3).

    With ``scale``, every share, class-default's included, is first multiplied by it
    (:func:`vdlt_spec.queuing.scale_shares`); a scaled configuration is checked as any other.
    """
    config = serial.decode(queuing.CbwfqConfig, payload.get("config", {}), "$.config")
    if "scale" in payload:
        factor = serial.decode(Fraction, payload["scale"], "$.scale")
        config = queuing.scale_shares(config, factor)
    return {
        "queues": [
            {"queue": key, "share": config.shares[key], "limit": config.limits[key]}
            for key in config.queue_keys
        ],
        "queue_of": [
            {"class_bits": c.value, "queue": config.queue_of(c)} for c in cos.ServiceClass
        ],
    }


@operation(
    "queuing.state",
    "§IV-A, Fig. 7",
    input_schema='{"config"?: CbwfqConfig, "transactions": [Transaction], "at": "p/q"}',
    output_schema=(
        '{"now", "vtime", "backlog", "queues": [{"queue", "last_tag", "waiting": [{"id",'
        ' "tag"}]}], "in_service": Departure or null, "departures": [...], "drops": [...]}'
    ),
)
def state(payload: Any) -> Any:
    """Return the scheduler's state at time ``at``: arrivals up to it offered, link served (§IV-A).

    Every transaction arriving at or before ``at`` is offered in order of arrival (ties in the
    order given), then the link is served up to ``at``; later transactions are not offered yet.
    ``backlog`` counts the admitted transactions that have not departed, the one in service
    included.
    """
    config = serial.decode(queuing.CbwfqConfig, payload.get("config", {}), "$.config")
    arrivals = serial.decode(
        tuple[cos.Transaction, ...], payload.get("transactions"), "$.transactions"
    )
    at = serial.decode(Fraction, payload.get("at"), "$.at")
    current = queuing.initial_state(config)
    departures: list[queuing.Departure] = []
    drops: list[queuing.Drop] = []
    for tx in queuing.prepare_arrivals(arrivals):
        if tx.arrival > at:
            break
        step = queuing.offer(config, current, tx)
        current = step.state
        departures.extend(step.departures)
        drops.extend([] if step.drop is None else [step.drop])
    step = queuing.advance(config, current, at)
    current = step.state
    departures.extend(step.departures)
    return {
        "now": current.now,
        "vtime": current.vtime,
        "backlog": current.backlog,
        "queues": [
            {
                "queue": key,
                "last_tag": current.last_tag[key],
                "waiting": [{"id": w.tx.id, "tag": w.tag} for w in current.waiting[key]],
            }
            for key in config.queue_keys
        ],
        "in_service": current.in_service,
        "departures": departures,
        "drops": drops,
    }


def _workload(seed: int) -> list[dict[str, Any]]:
    """Draw a small seeded workload that overloads the link, so drops and ties occur."""
    rng = random.Random(seed)
    time = Fraction(0)
    transactions = []
    for tid in range(rng.randint(5, 40)):
        time += Fraction(rng.randint(0, 3), rng.randint(1, 4))
        transactions.append(
            {
                "id": tid,
                "sender": f"node-{rng.randint(0, 5)}",
                "cos": rng.randrange(cos.COS_BYTE_VALUES),
                "size": rng.randint(1, 8),
                "arrival": str(time),
            }
        )
    return transactions


@inputs("queuing")
def _queuing_inputs() -> Iterator[VectorInput]:
    small = {"rate": 1, "classes": [], "class_default": {"limit": 3}}
    for seed in SEEDS:
        yield VectorInput(
            f"queuing-run-default-{seed}", "queuing.run", {"transactions": _workload(seed)}
        )
        yield VectorInput(
            f"queuing-run-small-queues-{seed}",
            "queuing.run",
            {"config": small, "transactions": _workload(seed)},
            "one class-default FIFO of limit 3: tail drops",
        )
    bad_configs = {
        "zero-rate": {"rate": 0},
        "negative-share": {"classes": [{"service_class": 7, "share": "-1/2"}]},
        "zero-limit": {"classes": [{"service_class": 7, "share": "1/2", "limit": 0}]},
        "shares-over-one": {
            "classes": [{"service_class": 7, "share": "3/4"}, {"service_class": 6, "share": "1/2"}]
        },
        "duplicate-class": {
            "classes": [{"service_class": 7, "share": "1/4"}, {"service_class": 7, "share": "1/4"}]
        },
        "unknown-class": {"classes": [{"service_class": 9, "share": "1/4"}]},
    }
    for name, config in bad_configs.items():
        yield VectorInput(
            f"queuing-run-bad-{name}", "queuing.run", {"config": config, "transactions": []}
        )
    tx = _workload(1)[0]
    changes: dict[str, dict[str, Any]] = {
        "zero-size": {"size": 0},
        "negative-arrival": {"arrival": "-1"},
        "float-arrival": {"arrival": 0.5},
        "cos-256": {"cos": 256},
    }
    for name, change in changes.items():
        yield VectorInput(
            f"queuing-run-bad-tx-{name}", "queuing.run", {"transactions": [{**tx, **change}]}
        )
    yield VectorInput("queuing-run-bad-duplicate-id", "queuing.run", {"transactions": [tx, tx]})
    more: dict[str, dict[str, Any]] = {
        "negative-id": {"id": -1},
        "empty-sender": {"sender": ""},
        "cos-257": {"cos": 257},
    }
    for name, change in more.items():
        yield VectorInput(
            f"queuing-run-bad-tx-{name}", "queuing.run", {"transactions": [{**tx, **change}]}
        )
    more_configs: dict[str, dict[str, Any]] = {
        "default-share-over": {
            "classes": [{"service_class": 7, "share": "3/4"}],
            "class_default": {"share": "1/2"},
        },
        "default-share-zero": {"classes": [{"service_class": 7, "share": "1"}]},
    }
    for name, config in more_configs.items():
        yield VectorInput(
            f"queuing-run-bad-{name}", "queuing.run", {"config": config, "transactions": []}
        )
    yield VectorInput(
        "queuing-run-partial-shares",
        "queuing.run",
        {
            "config": {
                "classes": [{"service_class": 7, "share": "1/4"}],
                "class_default": {"share": "1/4"},
            },
            "transactions": _workload(1),
        },
        "shares that leave part of the link unused are accepted",
    )
    two = {
        "rate": 1,
        "classes": [{"service_class": 7, "share": "1/4"}, {"service_class": 6, "share": "1/4"}],
    }
    yield VectorInput(
        "queuing-run-equal-tags",
        "queuing.run",
        {
            "config": two,
            "transactions": [
                _tx(0, 0xA0, 4, "0"),
                _tx(1, 0xE0, 1, "1"),
                _tx(2, 0xC0, 1, "1"),
            ],
        },
        "equal finish tags in two queues: the earlier admission departs first",
    )
    eighth = {
        "rate": 1,
        "classes": [{"service_class": 7, "share": "1/4"}, {"service_class": 6, "share": "1/8"}],
    }
    yield from _queues_inputs()
    yield from _state_inputs()
    gps = [(0xC0, 4, "1"), (0x20, 2, "5/2"), (0xC0, 1, "9/2"), (0xE0, 4, "11/2")]
    gps += [(0xA0, 2, "17/2"), (0xC0, 4, "19/2"), (0xE0, 3, "21/2"), (0x20, 4, "23/2")]
    yield VectorInput(
        "queuing-run-gps-clock",
        "queuing.run",
        {"config": eighth, "transactions": [_tx(i, *t) for i, t in enumerate(gps)]},
        "a queue empties in the fluid system between arrivals: the virtual clock's rate changes",
    )


def _queues_inputs() -> Iterator[VectorInput]:
    """Yield configurations with and without class-default, scaled and refused scales."""
    op = "queuing.queues"
    one_listed = {"classes": [{"service_class": 7, "share": "1/4", "limit": 5}]}
    set_default = {
        "classes": [{"service_class": 7, "share": "1/4"}],
        "class_default": {"share": "1/2", "limit": 9},
    }
    configs: dict[str, dict[str, Any]] = {
        "default": {},
        "fifo": {"classes": []},
        "one-listed": one_listed,
        "set-default": set_default,
    }
    for name, config in configs.items():
        yield VectorInput(f"queuing-queues-{name}", op, {"config": config})
        for label, factor in (("half", "1/2"), ("one", "1"), ("double", "2")):
            yield VectorInput(
                f"queuing-queues-{name}-scaled-{label}",
                op,
                {"config": config, "scale": factor},
                "every share times the factor, class-default's included",
            )
    bad: dict[str, Any] = {"zero": "0", "negative": "-1/2", "float": 0.5}
    for label, factor in bad.items():
        yield VectorInput(
            f"queuing-queues-bad-scale-{label}",
            op,
            {"config": one_listed, "scale": factor},
            "rejected input",
        )


def _state_inputs() -> Iterator[VectorInput]:
    """Yield scheduler states at instants before, at and after arrivals and departures."""
    op = "queuing.state"
    small = {"rate": 1, "classes": [], "class_default": {"limit": 3}}
    eighth = {
        "rate": 1,
        "classes": [{"service_class": 7, "share": "1/4"}, {"service_class": 6, "share": "1/8"}],
    }
    burst = [_tx(i, 0xE0 if i % 2 else 0xC0, 2, "0") for i in range(6)]
    for label, at in (
        ("start", "0"),
        ("mid-service", "1"),
        ("first-departure", "2"),
        ("later", "7/2"),
        ("drained", "100"),
    ):
        for cname, config in (("small", small), ("two-classes", eighth)):
            yield VectorInput(
                f"queuing-state-burst-{cname}-{label}",
                op,
                {"config": config, "transactions": burst, "at": at},
            )
    for seed in (1, 2, 3):
        workload = _workload(seed)
        middle = workload[len(workload) // 2]["arrival"]
        yield VectorInput(
            f"queuing-state-default-{seed}-middle",
            op,
            {"transactions": workload, "at": middle},
            "the state just after the middle arrival's instant",
        )
    yield VectorInput(
        "queuing-state-idle", op, {"transactions": [], "at": "5"}, "an idle link: backlog 0"
    )
    late = [_tx(0, 0xE0, 1, "3")]
    yield VectorInput(
        "queuing-state-before-arrival",
        op,
        {"transactions": late, "at": "1"},
        "a transaction arriving after the instant is not offered yet",
    )
    bad: dict[str, Any] = {"negative": "-1", "float": 0.5, "missing": None}
    for label, at in bad.items():
        yield VectorInput(
            f"queuing-state-bad-at-{label}", op, {"transactions": late, "at": at}, "rejected"
        )


def _tx(tid: int, cos_byte: int, size: int, arrival: str) -> dict[str, Any]:
    """Return one wire transaction of sender ``node-0``."""
    return {"id": tid, "sender": "node-0", "cos": cos_byte, "size": size, "arrival": arrival}
