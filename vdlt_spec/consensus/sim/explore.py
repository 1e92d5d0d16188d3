"""Explore adversarial view changes: drive replicas where PBFT's safety argument matters (§III-D).

PBFT is safe across views because a new view re-proposes, at every sequence number, the block
of the *highest-view* prepare certificate among a quorum of view changes. That rule only
matters when one sequence number has prepare certificates for *different blocks at different
views*; random runs rarely produce them. :class:`Explorer` / :func:`explore` produce them on
purpose: a seeded adversarial scheduler over a :class:`.cluster.Cluster` sends requests to all
replicas or to the primary only (several at once, so sequence numbers pipeline), delivers,
loses (certificates and view changes above all, so view changes arrive partially), strands a
prepare certificate at one replica and crashes it, duplicates, holds messages back and releases
them views later, fires timers (one at a time or all at once), crashes and restarts replicas,
and lets a Byzantine new primary offer stale prepared sets (valid: accepted, still safe) or
forged ones (refused). :mod:`.view_change_script` holds a scripted schedule of the same kind.

Agreement (no two honest commits of different blocks at one sequence number, every commit
proven) is checked after every step, and the counters of :data:`SITUATIONS` say how often each
situation of the safety argument was reached, so "exercised" is measured. The new views honest
replicas accepted are returned, for cross-checks of the re-proposal rule against a model.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import UnionType

from vdlt_spec.consensus.block import NULL_BLOCK, block_digest
from vdlt_spec.consensus.config import ConsensusConfig, Mode, primary_of
from vdlt_spec.consensus.messages import (
    NEW_VIEW_SEQ,
    CertMsg,
    ClassicVote,
    Fetch,
    FetchReply,
    NewView,
    PreparedEntry,
    PrePrepare,
    StateReply,
    ViewChange,
    new_view_digest,
    view_change_digest,
)
from vdlt_spec.consensus.payloads import VoteKind, vote_payload
from vdlt_spec.consensus.replica.state import Status
from vdlt_spec.consensus.replica.viewchange import new_view_plan, valid_view_change
from vdlt_spec.consensus.schemes import IdealScheme
from vdlt_spec.consensus.sim.byzantine import Behaviour
from vdlt_spec.consensus.sim.cluster import Cluster, InFlight

SITUATIONS = (
    "prepared-differing-blocks",
    "new-view-differing-blocks",
    "new-view-first-not-highest",
    "view-change-partly-delivered",
    "byzantine-stale-new-view-accepted",
    "byzantine-forged-new-view-sent",
    "byzantine-forged-new-view-accepted",
    "checkpoint-during-view-change",
    "state-transfer",
    "state-transfer-during-view-change",
    "delayed-across-views",
    "crash-restart",
    "new-view-accepted",
    "commit",
)
"""What the exploration counts. ``byzantine-forged-new-view-accepted`` must stay 0."""

KEY_SITUATIONS = (
    "prepared-differing-blocks",
    "new-view-differing-blocks",
    "new-view-first-not-highest",
    "view-change-partly-delivered",
    "byzantine-stale-new-view-accepted",
    "byzantine-forged-new-view-sent",
    "checkpoint-during-view-change",
    "delayed-across-views",
    "crash-restart",
)
"""Situations an exploration campaign must reach at least once."""

EXPLORE_SIZE = 4
EXPLORE_CHECKPOINT_INTERVAL = 2
EXPLORE_WINDOW = 4
MAX_REQUESTS = 16
MAX_HELD = 24


@dataclass(frozen=True)
class ExplorationReport:
    """Report one exploration: steps, coverage counters, accepted new views, violation (§III-D).

    ``violation`` is empty when agreement held after every step, else it says what broke.
    """

    seed: int
    mode: str
    steps: int
    coverage: Mapping[str, int]
    new_views: tuple[NewView, ...]
    decided: int
    violation: str


def explore_config(mode: Mode = Mode.IPBFT) -> ConsensusConfig:
    """Return the small group the exploration drives: n = 4, one request per block (§III-D).

    Checkpoints every 2 blocks and a window of 4 bring checkpoints and state transfer into
    view changes within a few dozen requests.
    """
    return ConsensusConfig(
        EXPLORE_SIZE,
        mode=mode,
        max_batch=1,
        checkpoint_interval=EXPLORE_CHECKPOINT_INTERVAL,
        window=EXPLORE_WINDOW,
        max_inflight=EXPLORE_WINDOW,
    )


def plan_entries(nv: NewView) -> dict[int, list[PreparedEntry]]:
    """Return the prepared entries a new view's view changes report, per sequence number."""
    low = max(vc.stable_seq for vc in nv.view_changes)
    found: dict[int, list[PreparedEntry]] = {}
    for vc in nv.view_changes:
        for entry in vc.prepared:
            if entry.seq > low:
                found.setdefault(entry.seq, []).append(entry)
    return found


def _differing(entries: Iterable[tuple[int, bytes]]) -> bool:
    pairs = set(entries)
    return len({v for v, _ in pairs}) > 1 and len({d for _, d in pairs}) > 1


class Explorer:
    """Drive a :class:`Cluster` adversarially, check agreement, count situations (§III-D)."""

    def __init__(
        self,
        config: ConsensusConfig,
        byzantine: Mapping[int, Behaviour] | None = None,
        seed: int = 0,
    ) -> None:
        """Start the group at genesis; ``byzantine`` replicas run the simulator's behaviours."""
        self.cluster = Cluster(config, IdealScheme(config.n, seed), byzantine, seed)
        self.rng = random.Random(f"explore/{seed}")
        self.coverage: Counter[str] = Counter(dict.fromkeys(SITUATIONS, 0))
        self.held: list[InFlight] = []
        self.prepared_seen: dict[int, set[tuple[int, bytes]]] = {}
        self.injected: set[NewView] = set()
        self.forged: set[NewView] = set()
        self.seen_new_views: set[NewView] = set()
        self.accepted_seen = 0
        self.vcs_seen = 0
        self.steps = 0
        self.violation = ""

    # --- observation -----------------------------------------------------------------------

    def _observe(self, before: list[tuple[int, Status, int, int]]) -> None:
        """Update the counters after a step and check agreement."""
        c = self.cluster
        for i in c.honest:
            state = c.states[i]
            _view, status, stable, _app = before[i]
            if state.stable.seq > stable and (status, state.status).count(Status.VIEW_CHANGE):
                self.coverage["checkpoint-during-view-change"] += 1
        certificates = [
            (seq, record.view, record.digest)
            for state in c.states
            for seq, record in state.prepared.items()
        ]
        certificates += [
            (e.seq, e.view, e.digest) for vc in c.view_changes[self.vcs_seen :] for e in vc.prepared
        ]
        self.vcs_seen = len(c.view_changes)
        for seq, view, digest in certificates:
            seen = self.prepared_seen.setdefault(seq, set())
            if (view, digest) not in seen:
                seen.add((view, digest))
                if _differing(seen):
                    self.coverage["prepared-differing-blocks"] += 1
        for _, nv in c.accepted[self.accepted_seen :]:
            self.coverage["new-view-accepted"] += 1
            if nv in self.forged:
                self.coverage["byzantine-forged-new-view-accepted"] += 1
            elif nv in self.injected:
                self.coverage["byzantine-stale-new-view-accepted"] += 1
            if nv in self.seen_new_views:
                continue
            self.seen_new_views.add(nv)
            for entries in plan_entries(nv).values():
                if _differing((e.view, e.digest) for e in entries):
                    self.coverage["new-view-differing-blocks"] += 1
                    highest = max(e.view for e in entries)
                    if entries[0].view != highest:
                        self.coverage["new-view-first-not-highest"] += 1
        self.accepted_seen = len(c.accepted)
        self.coverage["commit"] = len(c.decisions)
        if not self.violation:
            conflicts = c.conflicts()
            if conflicts:
                a, b = conflicts[0]
                self.violation = (
                    f"replicas {a.replica} and {b.replica} committed different blocks at "
                    f"seq {a.seq} (views {a.view}, {b.view})"
                )
            elif c.unproven():
                self.violation = "a commit's proof does not verify"

    def _snapshot(self) -> list[tuple[int, Status, int, int]]:
        return [(s.view, s.status, s.stable.seq, s.app.seq) for s in self.cluster.states]

    def act(self, action: Callable[[], None]) -> None:
        """Run one scheduler action, then update the counters and check agreement (§III-D)."""
        before = self._snapshot()
        action()
        self.steps += 1
        self._observe(before)

    # --- actions -----------------------------------------------------------------------------

    def submit(self, targets: Iterable[int] | None = None) -> None:
        """Send a new request to all replicas, or to some only (§III-D)."""
        if self.cluster.requests < MAX_REQUESTS:
            self.cluster.submit(targets)

    def submit_to_primary(self, burst: int = 1) -> None:
        """Send ``burst`` new requests to the primary of the most common view only (PBFT).

        Several requests at once fill several sequence numbers at a time (pipelining).
        """
        c = self.cluster
        view = Counter(c.states[i].view for i in c.honest).most_common(1)[0][0]
        for _ in range(burst):
            self.submit((primary_of(view, c.config.n),))

    def deliver(self, k: int) -> None:
        """Deliver in-flight message k; count state transfers (§III-D)."""
        c = self.cluster
        if not c.inflight:
            return
        item = c.inflight[k % len(c.inflight)]
        target = c.states[item.target]
        c.deliver(k)
        if isinstance(item.message, StateReply) and c.states[item.target].app.seq > target.app.seq:
            self.coverage["state-transfer"] += 1
            if target.status == Status.VIEW_CHANGE or target.view != c.states[item.target].view:
                self.coverage["state-transfer-during-view-change"] += 1

    def drop(self, k: int) -> None:
        """Lose in-flight message k; a lost view change arrives only partly (§III-D)."""
        c = self.cluster
        if c.inflight:
            if isinstance(c.inflight[k % len(c.inflight)].message, ViewChange):
                self.coverage["view-change-partly-delivered"] += 1
            c.drop(k)

    def drop_kind(self, kind: type | UnionType, k: int) -> None:
        """Lose an in-flight message of type ``kind`` (certificates, view changes) (§III-D)."""
        c = self.cluster
        matching = [i for i, item in enumerate(c.inflight) if isinstance(item.message, kind)]
        if matching:
            self.drop(matching[k % len(matching)])

    def isolate_certificate(self, k: int) -> None:
        """Lose every in-flight copy of one prepare certificate but one, or all (§III-D).

        Classic mode: every prepare vote of one (view, seq) except those to one replica.
        """
        c = self.cluster
        prepares = [
            item
            for item in c.inflight
            if isinstance(item.message, CertMsg | ClassicVote)
            and item.message.kind == VoteKind.PREPARE
        ]
        if not prepares:
            return
        chosen = prepares[k % len(prepares)]
        m = chosen.message
        assert isinstance(m, CertMsg | ClassicVote)
        key = (m.view, m.seq)
        keep = chosen.target if k % 2 else -1
        c.inflight = [
            item
            for item in c.inflight
            if item.target == keep
            or not isinstance(item.message, CertMsg | ClassicVote)
            or item.message.kind != VoteKind.PREPARE
            or (item.message.view, item.message.seq) != key
        ]

    def strand_certificate(self, k: int) -> None:
        """Leave one prepare certificate with a single replica, then crash that replica (§III-D).

        iPBFT: every copy of a prepare certificate leaving the collector is lost, and the
        collector crashes. Classic: the prepare votes of one (view, seq) reach one replica
        only, which then crashes. The others change view without that certificate.
        """
        c = self.cluster
        if c.down:
            return
        prepares = [
            item
            for item in c.inflight
            if isinstance(item.message, CertMsg | ClassicVote)
            and item.message.kind == VoteKind.PREPARE
        ]
        if not prepares:
            return
        chosen = prepares[k % len(prepares)]
        m = chosen.message
        assert isinstance(m, CertMsg | ClassicVote)
        key = (m.view, m.seq)
        keep = -1 if isinstance(m, CertMsg) else chosen.target
        holder = chosen.source if isinstance(m, CertMsg) else chosen.target
        same = [
            item
            for item in c.inflight
            if isinstance(item.message, CertMsg | ClassicVote)
            and item.message.kind == VoteKind.PREPARE
            and (item.message.view, item.message.seq) == key
        ]
        c.inflight = [item for item in c.inflight if item not in same]
        for item in same:
            if item.target == keep:
                c.inflight.append(item)
                c.deliver(len(c.inflight) - 1)
        self.crash(holder)

    def timeout_storm(self) -> None:
        """Fire every armed timer once: everyone suspects its primary at the same time (§III-D)."""
        c = self.cluster
        for _ in range(len(c.timers)):
            if c.timers:
                c.fire(0)

    def crash_primary(self) -> None:
        """Crash the primary of the view most honest replicas are in (§III-D)."""
        c = self.cluster
        if c.down:
            return
        views = Counter(c.states[i].view for i in c.honest)
        view = views.most_common(1)[0][0]
        self.crash(primary_of(view, c.config.n))

    def crash_holder(self) -> None:
        """Crash a replica that alone holds some prepare certificate (§III-D).

        The view change then proceeds without that certificate, so the next view may prepare
        another block at its sequence number.
        """
        c = self.cluster
        if c.down:
            return
        held: Counter[tuple[int, int, bytes]] = Counter()
        for i in c.honest:
            for seq, record in c.states[i].prepared.items():
                held[(seq, record.view, record.digest)] += 1
        for i in c.honest:
            state = c.states[i]
            if any(held[(seq, r.view, r.digest)] == 1 for seq, r in state.prepared.items()):
                self.crash(i)
                return

    def hold(self, k: int) -> None:
        """Take in-flight message k off the network, to deliver it later (§III-D)."""
        c = self.cluster
        if c.inflight and len(self.held) < MAX_HELD:
            self.held.append(c.inflight.pop(k % len(c.inflight)))

    def release(self, k: int) -> None:
        """Deliver a held message now; count it if the target changed view meanwhile (§III-D)."""
        if not self.held:
            return
        item = self.held.pop(k % len(self.held))
        view = getattr(item.message, "view", getattr(item.message, "new_view", None))
        if view is not None and view != self.cluster.states[item.target].view:
            self.coverage["delayed-across-views"] += 1
        self.cluster.inflight.append(item)
        self.cluster.deliver(len(self.cluster.inflight) - 1)

    def duplicate(self, k: int) -> None:
        """Duplicate in-flight message k (§III-D)."""
        self.cluster.duplicate(k)

    def fire(self, k: int) -> None:
        """Fire armed timer k (§III-D)."""
        self.cluster.fire(k)

    def crash(self, replica: int) -> None:
        """Crash a replica (its durable state survives) (§III-D)."""
        self.cluster.crash(replica % self.cluster.config.n)

    def recover(self, k: int) -> None:
        """Restart crashed replica number k (mod the number down) with its state (§III-D)."""
        down = sorted(self.cluster.down)
        if down:
            self.coverage["crash-restart"] += 1
            self.cluster.recover(down[k % len(down)])

    def byzantine_new_view(self, forge: bool) -> None:
        """Have a Byzantine primary send a new view with a stale or forged prepared set (§III-D).

        Stale: its own view change reports, at each sequence number, the lowest-view prepare
        certificate it has seen (or none), the quorum is drawn at random and ordered stalest
        first; such a new view is valid and honest replicas accept it. Forged: the
        re-proposals are those of the lowest-view certificates, which the plan check refuses.
        """
        c = self.cluster
        for b in sorted(c.byzantine):
            state = c.states[b]
            if state.status != Status.VIEW_CHANGE or primary_of(state.view, c.config.n) != b:
                continue
            nv = self._crafted_new_view(b, state.view, state.stable, forge)
            if nv is None:
                continue
            (self.forged if forge else self.injected).add(nv)
            if forge:
                self.coverage["byzantine-forged-new-view-sent"] += 1
            c.inflight.extend(InFlight(b, t, nv) for t in range(c.config.n) if t != b)
            return

    def _crafted_new_view(self, b: int, view: int, stable: object, forge: bool) -> NewView | None:
        c = self.cluster
        config, scheme = c.config, c.scheme
        domain = config.signing_domain(scheme.roster)
        others = [
            vc
            for vc in c.view_changes
            if vc.new_view == view and vc.replica != b and valid_view_change(config, scheme, vc)
        ]
        by_replica = {vc.replica: vc for vc in others}
        if len(by_replica) < config.quorum - 1:
            return None
        own_stable = c.states[b].stable
        low = own_stable.seq
        pool: dict[int, PreparedEntry] = {}
        for vc in c.view_changes:
            for entry in vc.prepared:
                old = pool.get(entry.seq)
                fits = low < entry.seq <= low + config.window and entry.view < view
                if fits and (old is None or entry.view < old.view):
                    pool[entry.seq] = entry
        kept = tuple(e for _, e in sorted(pool.items()) if self.rng.randrange(3))
        unsigned = ViewChange(b, view, low, own_stable.digest, own_stable.proof, kept)
        payload = vote_payload(
            domain, VoteKind.VIEW_CHANGE, view, low, view_change_digest(unsigned)
        )
        own = dataclasses.replace(unsigned, signature=scheme.sign(b, payload))
        chosen_ids = self.rng.sample(sorted(by_replica), config.quorum - 1)
        # the order of the view changes is the primary's to choose: the stalest first
        chosen = tuple(
            sorted(
                [own, *(by_replica[i] for i in chosen_ids)],
                key=lambda v: (max((e.view for e in v.prepared), default=-1), v.replica),
            )
        )
        _, plan = new_view_plan(chosen)
        if forge:
            lowest = {
                seq: min(entries, key=lambda e: e.view).block
                for seq, entries in plan_entries(NewView(view, chosen, ())).items()
            }
            forged = tuple((seq, lowest.get(seq, block)) for seq, block in plan)
            if forged == plan:
                forged = tuple((seq, NULL_BLOCK) for seq, _ in plan)
            if forged == plan:
                return None
            plan = forged
        pre_prepares = tuple(
            PrePrepare(
                view,
                seq,
                block,
                scheme.sign(
                    b, vote_payload(domain, VoteKind.PRE_PREPARE, view, seq, block_digest(block))
                ),
            )
            for seq, block in plan
        )
        unsigned_nv = NewView(view, chosen, pre_prepares)
        nv_payload = vote_payload(
            domain, VoteKind.NEW_VIEW, view, NEW_VIEW_SEQ, new_view_digest(unsigned_nv)
        )
        return dataclasses.replace(unsigned_nv, signature=scheme.sign(b, nv_payload))

    # --- the seeded scheduler ----------------------------------------------------------------

    def random_step(self) -> None:
        """Take one action drawn from the seeded scheduler's weights (§III-D)."""
        rng = self.rng
        n = self.cluster.config.n
        k = rng.randrange(1 << 16)
        if not self.cluster.inflight:
            idle: Callable[[], None] = lambda: self.fire(k)  # noqa: E731
            if not self.cluster.timers or rng.randrange(4) == 0:
                burst = rng.randint(1, 3)
                idle = lambda: self.submit_to_primary(burst)  # noqa: E731

            self.act(idle)
            return
        choices: list[tuple[int, Callable[[], None]]] = [
            (2, lambda: self.submit()),
            (2, lambda: self.submit(rng.sample(range(n), rng.randint(1, n - 1)))),
            (2, lambda: self.submit_to_primary(rng.randint(1, 3))),
            (80, lambda: self.deliver(k)),
            (2, lambda: self.drop(k)),
            (3, lambda: self.drop_kind(CertMsg if self._ipbft else ClassicVote, k)),
            (2, lambda: self.drop_kind(ViewChange, k)),
            (1, lambda: self.drop_kind(Fetch | FetchReply, k)),
            (2, lambda: self.duplicate(k)),
            (2, lambda: self.hold(k)),
            (2, lambda: self.release(k)),
            (2, lambda: self.fire(k)),
            (3, lambda: self.isolate_certificate(k)),
            (1, self.timeout_storm),
            (1, self.crash_primary),
            (2, self.crash_holder),
            (3, lambda: self.strand_certificate(k)),
            (1, lambda: self.crash(k) if not self.cluster.down else None),
            (3, lambda: self.recover(k)),
            (2, lambda: self.byzantine_new_view(forge=False)),
            (1, lambda: self.byzantine_new_view(forge=True)),
        ]
        total = sum(w for w, _ in choices)
        pick = rng.randrange(total)
        for weight, action in choices:
            if pick < weight:
                self.act(action)
                return
            pick -= weight

    @property
    def _ipbft(self) -> bool:
        return self.cluster.config.mode == Mode.IPBFT

    def report(self, seed: int) -> ExplorationReport:
        """Return the exploration's report (§III-D)."""
        seqs = {d.seq for d in self.cluster.decisions if d.replica in self.cluster.honest}
        return ExplorationReport(
            seed=seed,
            mode=str(self.cluster.config.mode),
            steps=self.steps,
            coverage=dict(self.coverage),
            new_views=tuple(dict.fromkeys(nv for _, nv in self.cluster.accepted)),
            decided=len(seqs),
            violation=self.violation,
        )


EXPLORE_BEHAVIOURS = (Behaviour.DOUBLE_VOTE, Behaviour.STALE_FUTURE, Behaviour.FORGE)


def explore(seed: int, steps: int, mode: Mode | None = None) -> ExplorationReport:
    """Run ``steps`` seeded adversarial actions on n = 4 with one Byzantine replica (§III-D).

    The Byzantine replica (drawn from the seed) runs one of the simulator's behaviours and,
    as a new primary, offers stale and forged prepared sets. Stops early at a violation.
    """
    rng = random.Random(f"explore-setup/{seed}")
    chosen_mode = mode if mode is not None else list(Mode)[seed % len(Mode)]
    config = explore_config(chosen_mode)
    byzantine = {rng.randrange(config.n): rng.choice(EXPLORE_BEHAVIOURS)}
    explorer = Explorer(config, byzantine, seed)
    for _ in range(steps):
        explorer.random_step()
        if explorer.violation:
            break
    return explorer.report(seed)
