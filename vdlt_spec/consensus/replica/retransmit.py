"""Re-send what a replica still waits for, on a timer, under sustained loss (§III-D, D-cons-27).

PBFT's normal case sends every message once and leaves lost messages to the view-change
timer. With ``ConsensusConfig.retransmit_interval`` set, a replica that waits for something
re-sends, every interval, its own part of the protocol:

* in the normal case (while its progress timer runs): a catch-up fetch, and the mode's
  retransmission (:meth:`.context.VotingRules.on_retransmit`: the primary's pre-prepares,
  certificates and sign requests of unfinished slots, every replica's votes and partial
  signatures);
* in a view change: its signed view change for the view it waits for.

Retransmission is bounded: a timer belongs to one (view, progress epoch), so progress, a view
change or a new view ends it, and at most ``view_timeout // retransmit_interval`` rounds fit in
one epoch. It is idempotent for receivers: every handler already ignores a message it has
(the same pre-prepare, vote, certificate, view change), and nonces are never reused because a
re-sent vote or partial signature is the one stored, not a new one. With the interval unset
(the default) nothing here runs and replicas behave as before.
"""

from __future__ import annotations

from vdlt_spec.consensus.replica.catchup import request_catch_up
from vdlt_spec.consensus.replica.context import ReplicaStep
from vdlt_spec.consensus.replica.state import RetransmitTimer, Status


def arm_retransmit(ctx: ReplicaStep) -> None:
    """Start the retransmission timer of the current (view, epoch), if enabled (D-cons-27)."""
    interval = ctx.config.retransmit_interval
    if interval is not None:
        s = ctx.state
        ctx.start_timer(RetransmitTimer(s.view, s.timer_epoch), interval)


def waiting(ctx: ReplicaStep) -> bool:
    """Return whether the replica waits: a view change, or a running progress timer (§III-D)."""
    s = ctx.state
    return s.status == Status.VIEW_CHANGE or s.timer_armed


def on_retransmit_timer(ctx: ReplicaStep, timer: RetransmitTimer) -> bool:
    """Re-send this replica's part of what its view still waits for (D-cons-27).

    Returns whether the timer was current (its view and epoch still running); the step then
    re-arms it while the replica waits.
    """
    s = ctx.state
    if (timer.view, timer.epoch) != (s.view, s.timer_epoch) or not waiting(ctx):
        return False
    if s.status == Status.NORMAL:
        request_catch_up(ctx)
        ctx.rules.on_retransmit(ctx)
    else:
        mine = s.view_changes.get(s.view, {}).get(ctx.me)
        if mine is not None:
            ctx.broadcast(mine)
    return True
