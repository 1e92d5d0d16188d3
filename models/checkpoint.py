"""Model checkpoints, watermarks and garbage collection of one replica, bounded (§III-D).

Sequence numbers 1..S; a checkpoint every K blocks; a replica accepts votes only between its
watermarks (low h < s <= h + window, h the last stable checkpoint). A checkpoint becomes stable
when a quorum certificate over its state digest exists; the replica then moves h and drops
every entry at or below it (the spec's ``make_stable``). The claim: a replica never discards a
committed entry that no stable checkpoint certificate covers. Checked by an inductive invariant
over the bounded state (initiation, consecution per action, invariant => claim), and, as the
negative control, a bounded search that finds the violation when a replica collects garbage at
its own, uncertified checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import z3

from vdlt_spec.models.query import Query, Setup

CHECKPOINT_INTERVAL = 4  # K, the spec's default (consensus config)
WINDOW = 2 * CHECKPOINT_INTERVAL  # watermark window, the spec's default
SEQUENCES = 2 * WINDOW  # S: sequence numbers in the bounded model
SEARCH_INTERVAL = 2  # K of the negative-control search
SEARCH_DEPTH = 5  # steps of the negative-control search


@dataclass(frozen=True)
class Log:
    """Hold one replica's checkpoint state as solver terms, by sequence number 1..S (§III-D)."""

    low: z3.ArithRef  # h: the last stable checkpoint
    executed: z3.ArithRef  # the replica has executed 1..executed
    committed: tuple[z3.BoolRef, ...]
    discarded: tuple[z3.BoolRef, ...]
    certified: tuple[z3.BoolRef, ...]  # a stable checkpoint certificate exists for s

    @property
    def size(self) -> int:
        """Return S, the number of sequence numbers (§III-D)."""
        return len(self.committed)


def fresh_log(tag: str, size: int) -> Log:
    """Create the unknowns of one log state (§III-D)."""

    def bools(name: str) -> tuple[z3.BoolRef, ...]:
        return tuple(z3.Bool(f"{name}{tag}[{s}]") for s in range(1, size + 1))

    return Log(
        z3.Int(f"low{tag}"),
        z3.Int(f"executed{tag}"),
        bools("committed"),
        bools("discarded"),
        bools("certified"),
    )


def _covered(log: Log, s: int) -> z3.BoolRef:
    """Return: some stable checkpoint certificate at or above s exists."""
    return z3.Or(*[log.certified[c - 1] for c in range(s, log.size + 1)], z3.BoolVal(False))


def claim(log: Log) -> z3.BoolRef:
    """Return: a stable checkpoint certificate covers every discarded committed entry (§III-D)."""
    return z3.And(
        *[
            z3.Implies(z3.And(log.discarded[s - 1], log.committed[s - 1]), _covered(log, s))
            for s in range(1, log.size + 1)
        ]
    )


def invariant(log: Log, interval: int) -> z3.BoolRef:
    """Return the invariant: h is 0 or certified, and only entries <= h are dropped (§III-D)."""
    facts = [log.low >= 0, log.low <= log.size, log.executed >= 0, log.executed <= log.size]
    facts.append(
        z3.Or(
            log.low == 0,
            *[z3.And(log.low == c, log.certified[c - 1]) for c in range(1, log.size + 1)],
        )
    )
    for s in range(1, log.size + 1):
        facts.append(z3.Implies(log.discarded[s - 1], s <= log.low))
        if s % interval:
            facts.append(z3.Not(log.certified[s - 1]))  # checkpoints only every K blocks
    return z3.And(*facts)


Step = Callable[[Log, Log, z3.ArithRef], z3.BoolRef]


def _same(pre: Log, post: Log, *, low: bool = True, executed: bool = True) -> list[z3.BoolRef]:
    out = []
    if low:
        out.append(post.low == pre.low)
    if executed:
        out.append(post.executed == pre.executed)
    return out


def _keep(a: tuple[z3.BoolRef, ...], b: tuple[z3.BoolRef, ...]) -> list[z3.BoolRef]:
    return [x == y for x, y in zip(a, b, strict=True)]


def commit(pre: Log, post: Log, s: z3.ArithRef, window: int = WINDOW) -> z3.BoolRef:
    """Commit entry s, inside the watermarks and not yet dropped (§III-D)."""
    rows = range(1, pre.size + 1)
    return z3.And(
        pre.low < s,
        s <= pre.low + window,
        s <= pre.size,
        z3.Or(*[z3.And(s == i, z3.Not(pre.discarded[i - 1])) for i in rows]),
        *[post.committed[i - 1] == z3.Or(pre.committed[i - 1], s == i) for i in rows],
        *_keep(pre.discarded, post.discarded),
        *_keep(pre.certified, post.certified),
        *_same(pre, post),
    )


def execute(pre: Log, post: Log, _s: z3.ArithRef) -> z3.BoolRef:
    """Execute the next committed entry in order (§III-D)."""
    rows = range(1, pre.size + 1)
    return z3.And(
        z3.Or(*[z3.And(pre.executed == i - 1, pre.committed[i - 1]) for i in rows]),
        post.executed == pre.executed + 1,
        post.low == pre.low,
        *_keep(pre.committed, post.committed),
        *_keep(pre.discarded, post.discarded),
        *_keep(pre.certified, post.certified),
    )


def certify(interval: int) -> Step:
    """Return the step: a quorum certificate for checkpoint c arrives (§III-D)."""

    def step(pre: Log, post: Log, c: z3.ArithRef) -> z3.BoolRef:
        rows = range(1, pre.size + 1)
        return z3.And(
            c >= 1,
            c <= pre.size,
            c % interval == 0,
            *[post.certified[i - 1] == z3.Or(pre.certified[i - 1], c == i) for i in rows],
            *_keep(pre.committed, post.committed),
            *_keep(pre.discarded, post.discarded),
            *_same(pre, post),
        )

    return step


def _collect(pre: Log, post: Log, c: z3.ArithRef) -> list[z3.BoolRef]:
    rows = range(1, pre.size + 1)
    return [
        c > pre.low,
        c <= pre.size,
        post.low == c,
        post.executed == pre.executed,
        *[post.discarded[i - 1] == z3.Or(pre.discarded[i - 1], i <= c) for i in rows],
        *_keep(pre.committed, post.committed),
        *_keep(pre.certified, post.certified),
    ]


def make_stable(pre: Log, post: Log, c: z3.ArithRef) -> z3.BoolRef:
    """Adopt the certified checkpoint c: move h to c, drop every entry <= c (§III-D)."""
    rows = range(1, pre.size + 1)
    return z3.And(
        z3.Or(*[z3.And(c == i, pre.certified[i - 1]) for i in rows]), *_collect(pre, post, c)
    )


def collect_at_own_checkpoint(interval: int) -> Step:
    """Return the faulty step: drop entries at an executed but uncertified checkpoint (§III-D)."""

    def step(pre: Log, post: Log, c: z3.ArithRef) -> z3.BoolRef:
        return z3.And(c % interval == 0, c >= 1, pre.executed >= c, *_collect(pre, post, c))

    return step


def initial(log: Log) -> z3.BoolRef:
    """Return the initial state: nothing committed, dropped or certified; h = 0 (§III-D)."""
    return z3.And(
        log.low == 0,
        log.executed == 0,
        *[z3.Not(x) for x in log.committed + log.discarded + log.certified],
    )


def _decode(logs: list[Log]) -> Callable[[z3.ModelRef], dict[str, str]]:
    def decode(model: z3.ModelRef) -> dict[str, str]:
        out = {}
        for t, log in enumerate(logs):

            def rows(xs: tuple[z3.BoolRef, ...]) -> str:
                hit = [str(i + 1) for i, x in enumerate(xs) if z3.is_true(model.eval(x, True))]
                return "{" + ",".join(hit) + "}"

            low = model.eval(log.low, True)
            out[f"step {t}"] = (
                f"h={low} executed={model.eval(log.executed, True)} committed={rows(log.committed)}"
                f" certified={rows(log.certified)} discarded={rows(log.discarded)}"
            )
        return out

    return decode


def gc_safety_queries(
    size: int = SEQUENCES, interval: int = CHECKPOINT_INTERVAL
) -> tuple[Query, ...]:
    """Return initiation, consecution per action and invariant => claim (§III-D)."""
    pre, post = fresh_log("", size), fresh_log("_next", size)
    s = z3.Int("param")
    steps: dict[str, Step] = {
        "commit": commit,
        "execute": execute,
        "certify": certify(interval),
        "make-stable": make_stable,
    }
    out = [
        Query(
            "initiation",
            (initial(pre), z3.Not(invariant(pre, interval))),
            "QF_LIA",
            Setup.DEFAULT,
            _decode([pre]),
        )
    ]
    for name, step in steps.items():
        facts = (invariant(pre, interval), step(pre, post, s), z3.Not(invariant(post, interval)))
        out.append(
            Query(f"consecution/{name}", facts, "QF_LIA", Setup.DEFAULT, _decode([pre, post]))
        )
    out.append(
        Query(
            "invariant-implies-claim",
            (invariant(pre, interval), z3.Not(claim(pre))),
            "QF_LIA",
            Setup.DEFAULT,
            _decode([pre]),
        )
    )
    return tuple(out)


def own_checkpoint_queries(
    depth: int = SEARCH_DEPTH, interval: int = SEARCH_INTERVAL
) -> tuple[Query, ...]:
    """Search runs of ``depth`` steps with the faulty collection that break the claim (§III-D)."""
    size = 2 * interval
    logs = [fresh_log(f"@{t}", size) for t in range(depth + 1)]
    steps: list[Step] = [
        commit,
        execute,
        certify(interval),
        make_stable,
        collect_at_own_checkpoint(interval),
    ]
    facts = [initial(logs[0])]
    for t in range(depth):
        p = z3.Int(f"param@{t}")
        facts.append(z3.Or(*[step(logs[t], logs[t + 1], p) for step in steps]))
    facts.append(z3.Not(claim(logs[-1])))
    return (
        Query(
            "collect-at-uncertified-checkpoint",
            tuple(facts),
            "QF_LIA",
            Setup.DEFAULT,
            _decode(logs),
        ),
    )
