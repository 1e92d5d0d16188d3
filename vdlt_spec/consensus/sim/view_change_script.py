"""Script a view change over two prepared blocks for one sequence number (§III-D).

PBFT's new view must re-propose the block of the highest-view prepare certificate. The
schedule here makes that rule decide the outcome: one sequence number carries block A prepared
in view 0 and the null block prepared (and committed) in view 1, and the new view of view 2
receives both reports, the view-0 one first. The highest-view rule keeps agreement; adopting the
first certificate reported commits A beside the null block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from vdlt_spec.consensus.config import ConsensusConfig, Mode
from vdlt_spec.consensus.messages import (
    CertMsg,
    ClassicVote,
    Fetch,
    FetchReply,
    Message,
    ViewChange,
)
from vdlt_spec.consensus.payloads import VoteKind
from vdlt_spec.consensus.replica.state import Status
from vdlt_spec.consensus.schemes import IdealScheme
from vdlt_spec.consensus.sim.cluster import Cluster, InFlight

SCRIPT_SIZE = 4
SCRIPT_SEED = 17
SCRIPT_WINDOW = 8


def _settle(
    c: Cluster,
    dropped: Callable[[InFlight], bool],
    until: Callable[[], bool],
    max_steps: int = 5_000,
) -> None:
    """Deliver in order (dropping what ``dropped`` names), fire timers when idle, until done."""
    for _ in range(max_steps):
        if until():
            return
        if c.inflight:
            item = c.inflight[0]
            if dropped(item):
                c.drop(0)
            else:
                c.deliver(0)
        elif c.timers:
            c.fire(0)
        else:
            return


def _vote(item: InFlight) -> tuple[VoteKind, int, int] | None:
    """Return (kind, view, seq) of a certificate (iPBFT) or signed vote (classic) in flight."""
    m: Message = item.message
    if isinstance(m, CertMsg | ClassicVote):
        return m.kind, m.view, m.seq
    return None


def _catch_up(item: InFlight) -> bool:
    return isinstance(item.message, Fetch | FetchReply)


def differing_prepared_run(mode: Mode = Mode.IPBFT) -> Cluster:
    """Run the scripted schedule with two prepared blocks for seq 1 in views 0 and 1 (§III-D).

    n = 4, one request per block, ideal signatures. View 0: block A (request 0) at seq 1
    prepares at the primary (replica 0) only and block B (request 1) at seq 2 at replicas 0
    and 1; nothing commits; replica 0 crashes. View 1 (primary 1): the view changes of 1, 2
    and 3 report seq 2 but not seq 1, so the new view re-proposes the null block at seq 1; it
    prepares at 1, 2, 3 and commits at 1 and 2. Replica 0 restarts and joins view 2 reporting
    A at view 0; the new view of view 2 (primary 2) is built from the view changes of 0, 1
    and 2, whose first reports A at view 0 and whose others report the null block at view 1.
    The highest-view rule re-proposes the null block and agreement holds; adopting the first
    certificate re-proposes A, which then commits beside the null block. Catch-up fetches are
    lost throughout, so replica 0 learns nothing but the view changes. Classic mode runs the
    same schedule with signed votes in place of certificates.
    """
    config = ConsensusConfig(
        SCRIPT_SIZE,
        mode=mode,
        max_batch=1,
        checkpoint_interval=SCRIPT_WINDOW,
        window=SCRIPT_WINDOW,
        max_inflight=SCRIPT_WINDOW,
    )
    c = Cluster(config, IdealScheme(config.n, SCRIPT_SEED), seed=SCRIPT_SEED)

    def view0_drop(item: InFlight) -> bool:
        vote = _vote(item)
        if _catch_up(item) or (vote is not None and vote[0] == VoteKind.COMMIT):
            return True
        if vote is None or vote[0] != VoteKind.PREPARE:
            return False
        # seq 1 prepares at replica 0 only, seq 2 at replicas 0 and 1 (iPBFT: the collector
        # 0 holds every certificate it makes)
        holders = {1: (0,), 2: (0, 1)}.get(vote[2], tuple(range(config.n)))
        return item.target not in holders

    c.submit()
    c.submit()
    _settle(c, view0_drop, lambda: not c.inflight)
    c.crash(0)

    def in_view(view: int, replicas: Iterable[int]) -> Callable[[], bool]:
        ids = tuple(replicas)
        return lambda: all(
            c.states[i].view == view and c.states[i].status == Status.NORMAL for i in ids
        )

    def view1_drop(item: InFlight) -> bool:
        vote = _vote(item)
        if _catch_up(item):
            return True
        if vote is not None and vote[0] == VoteKind.PREPARE:
            return vote[1] == 0  # re-sent prepares of view 0 stay lost
        if vote is not None and vote[0] == VoteKind.COMMIT:  # seq 1 commits at 1 and 2 only
            return vote[1:] != (1, 1) or item.target not in (1, 2)
        return False

    _settle(c, view1_drop, in_view(1, (1, 2, 3)))
    _settle(c, view1_drop, lambda: not c.inflight)
    c.recover(0)

    def view2_drop(item: InFlight) -> bool:
        m = item.message
        if isinstance(m, ViewChange) and m.replica == 3 and item.target == 2:
            return True  # the new view of view 2 forms from 0, 1 and 2
        vote = _vote(item)
        return view1_drop(item) and (_catch_up(item) or (vote is not None and vote[1] < 2))

    _settle(c, view2_drop, in_view(2, (0, 1, 2)))
    _settle(c, _catch_up, lambda: False, max_steps=20_000)
    return c
