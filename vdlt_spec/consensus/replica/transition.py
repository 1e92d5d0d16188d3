"""Step a replica: (state, message or timer event) -> (state, outputs) (§III-D, §IV-D).

This is the entry point of the replica state machine for both modes (iPBFT and classic PBFT).
It dispatches each input to the module of its concept: :mod:`.normal` (requests, pre-prepare,
execution), :mod:`.collector` (iPBFT certificates), :mod:`.classic` (all-to-all votes),
:mod:`.checkpoint` (stable checkpoints, state transfer), :mod:`.viewchange`.
"""

from __future__ import annotations

from vdlt_spec.consensus.config import ConsensusConfig, Mode
from vdlt_spec.consensus.messages import (
    CertMsg,
    ClassicVote,
    ClientRequest,
    Fetch,
    FetchReply,
    Message,
    NewView,
    PartialSig,
    PrePrepare,
    SignRequest,
    StateReply,
    StateRequest,
    ViewChange,
    Vote,
)
from vdlt_spec.consensus.payloads import VoteKind
from vdlt_spec.consensus.replica.catchup import on_fetch, on_fetch_reply, request_catch_up
from vdlt_spec.consensus.replica.checkpoint import on_state_reply, on_state_request
from vdlt_spec.consensus.replica.classic import CLASSIC_RULES, on_classic_vote
from vdlt_spec.consensus.replica.collector import (
    COLLECTOR_RULES,
    on_certificate,
    on_partial_sig,
    on_sign_request,
    on_sign_timer,
    on_vote,
    restart_sign_timers,
)
from vdlt_spec.consensus.replica.context import HONEST, Policy, ReplicaStep, VotingRules
from vdlt_spec.consensus.replica.normal import (
    PROGRESS_PHASES,
    arm_progress_timer,
    on_client_request,
    on_pre_prepare,
)
from vdlt_spec.consensus.replica.retransmit import arm_retransmit, on_retransmit_timer, waiting
from vdlt_spec.consensus.replica.state import (
    Deliver,
    Fire,
    Output,
    ProgressTimer,
    Recover,
    ReplicaEvent,
    ReplicaState,
    RetransmitTimer,
    SignTimer,
    Status,
    ViewChangeTimer,
)
from vdlt_spec.consensus.replica.viewchange import (
    arm_escalation,
    on_new_view,
    on_view_change,
    on_view_change_timer,
    start_view_change,
)
from vdlt_spec.consensus.schemes import SignatureScheme

__all__ = ["initial_state", "rules_for", "step"]


def initial_state(index: int) -> ReplicaState:
    """Return the state of replica ``index`` at genesis: view 0, nothing logged (§III-D)."""
    return ReplicaState(index=index)


def rules_for(config: ConsensusConfig) -> VotingRules:
    """Return the vote flow of the configured mode (§IV-D)."""
    return COLLECTOR_RULES if config.mode == Mode.IPBFT else CLASSIC_RULES


def step(
    config: ConsensusConfig,
    scheme: SignatureScheme,
    state: ReplicaState,
    event: ReplicaEvent,
    policy: Policy = HONEST,
) -> tuple[ReplicaState, tuple[Output, ...]]:
    """Process one input and return the new state and what to send, time or report (§III-D)."""
    ctx = ReplicaStep(config, scheme, state, rules_for(config), policy)
    rearm = isinstance(event, Recover)
    if isinstance(event, Deliver):
        view, status = state.view, state.status
        _deliver(ctx, event.source, event.message)
        if (ctx.state.view, ctx.state.status) != (view, status):
            _replay_early(ctx)
    elif isinstance(event, Fire) and isinstance(event.timer, RetransmitTimer):
        rearm = on_retransmit_timer(ctx, event.timer)
    elif isinstance(event, Fire):
        _fire(ctx, event)
    elif isinstance(event, Recover):
        _recover(ctx)
    if config.retransmit_interval is not None:
        moved = (ctx.state.view, ctx.state.timer_epoch) != (state.view, state.timer_epoch)
        if (moved or rearm) and waiting(ctx):
            arm_retransmit(ctx)
    return ctx.state, tuple(ctx.out)


EARLY_PER_SENDER_WINDOWS = 4
VIEW_BOUND_MESSAGES = (PrePrepare, Vote, SignRequest, PartialSig, CertMsg, ClassicVote)


def _early(ctx: ReplicaStep, message: Message) -> bool:
    """Return whether a message belongs to a view this replica has not entered yet."""
    if not isinstance(message, VIEW_BOUND_MESSAGES):
        return False
    if isinstance(message, CertMsg | ClassicVote) and message.kind == VoteKind.CHECKPOINT:
        return False  # checkpoints do not depend on the view
    s = ctx.state
    return message.view > s.view or (message.view == s.view and s.status == Status.VIEW_CHANGE)


def _keep_early(ctx: ReplicaStep, source: int, message: Message) -> None:
    """Keep a message of a future view, a bounded number per sender (D-cons-5)."""
    s = ctx.state
    kept = (*s.early.get(source, ()), message)
    limit = EARLY_PER_SENDER_WINDOWS * ctx.config.window
    ctx.update(early={**s.early, source: kept[-limit:]})


def _replay_early(ctx: ReplicaStep) -> None:
    """Deliver the kept messages of the view just entered; drop those of older views."""
    s = ctx.state
    if s.status != Status.NORMAL or not s.early:
        return
    ready = [
        (source, m)
        for source, messages in sorted(s.early.items())
        for m in messages
        if isinstance(m, VIEW_BOUND_MESSAGES) and m.view == s.view
    ]
    later = {
        source: kept
        for source, messages in s.early.items()
        if (kept := tuple(m for m in messages if getattr(m, "view", -1) > s.view))
    }
    ctx.update(early=later)
    for source, message in ready:
        _deliver(ctx, source, message)


def _deliver(ctx: ReplicaStep, source: int, message: Message) -> None:
    ipbft = ctx.config.mode == Mode.IPBFT
    if 0 <= source < ctx.n and _early(ctx, message):
        _keep_early(ctx, source, message)
        return
    if isinstance(message, ClientRequest):
        on_client_request(ctx, message)
    elif not 0 <= source < ctx.n:
        return  # only clients may be outside the roster, and only with requests
    elif isinstance(message, PrePrepare):
        on_pre_prepare(ctx, source, message)
    elif isinstance(message, Vote) and ipbft:
        on_vote(ctx, source, message)
    elif isinstance(message, SignRequest) and ipbft:
        on_sign_request(ctx, source, message)
    elif isinstance(message, PartialSig) and ipbft:
        on_partial_sig(ctx, source, message)
    elif isinstance(message, CertMsg) and ipbft:
        on_certificate(ctx, message)
    elif isinstance(message, ClassicVote) and not ipbft:
        on_classic_vote(ctx, source, message)
    elif isinstance(message, ViewChange):
        on_view_change(ctx, source, message)
    elif isinstance(message, NewView):
        on_new_view(ctx, source, message)
    elif isinstance(message, StateRequest):
        on_state_request(ctx, source, message)
    elif isinstance(message, StateReply):
        on_state_reply(ctx, message)
    elif isinstance(message, Fetch):
        on_fetch(ctx, source, message)
    elif isinstance(message, FetchReply):
        on_fetch_reply(ctx, message)


def _fire(ctx: ReplicaStep, event: Fire) -> None:
    timer = event.timer
    s = ctx.state
    if isinstance(timer, ProgressTimer):
        if timer.epoch != s.timer_epoch or not s.timer_armed or s.status != Status.NORMAL:
            return
        if s.fetched_epoch != timer.epoch:
            # halfway: maybe we only fell behind or messages were lost; ask and re-send first
            ctx.update(fetched_epoch=timer.epoch)
            request_catch_up(ctx)
            ctx.rules.on_retransmit(ctx)
            ctx.start_timer(timer, ctx.config.view_timeout // PROGRESS_PHASES)
            return
        ctx.update(timer_armed=False)
        start_view_change(ctx, s.view + 1)
    elif isinstance(timer, ViewChangeTimer):
        on_view_change_timer(ctx, timer)
    elif isinstance(timer, SignTimer):
        on_sign_timer(ctx, timer.key, timer.attempt)


def _recover(ctx: ReplicaStep) -> None:
    """Re-arm the timers a crash lost and ask peers for what was missed meanwhile."""
    s = ctx.state
    ctx.update(timer_armed=False)
    request_catch_up(ctx)
    if s.status == Status.VIEW_CHANGE:
        ctx.update(escalation_armed=-1)
        ctx.start_timer(ViewChangeTimer(s.view), ctx.config.view_timeout)
        arm_escalation(ctx)
    else:
        arm_progress_timer(ctx)
        restart_sign_timers(ctx)
