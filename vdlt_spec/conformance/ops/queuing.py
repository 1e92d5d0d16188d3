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
    gps = [(0xC0, 4, "1"), (0x20, 2, "5/2"), (0xC0, 1, "9/2"), (0xE0, 4, "11/2")]
    gps += [(0xA0, 2, "17/2"), (0xC0, 4, "19/2"), (0xE0, 3, "21/2"), (0x20, 4, "23/2")]
    yield VectorInput(
        "queuing-run-gps-clock",
        "queuing.run",
        {"config": eighth, "transactions": [_tx(i, *t) for i, t in enumerate(gps)]},
        "a queue empties in the fluid system between arrivals: the virtual clock's rate changes",
    )


def _tx(tid: int, cos_byte: int, size: int, arrival: str) -> dict[str, Any]:
    """Return one wire transaction of sender ``node-0``."""
    return {"id": tid, "sender": "node-0", "cos": cos_byte, "size": size, "arrival": arrival}
