"""Retransmission (D-cons-27): off by default, a pure timer step, bounded, live under loss.

With ``retransmit_interval`` set, a replica that waits re-sends its part of every unfinished
slot (or its view change) every interval; receivers ignore what they already have, so safety is
unchanged, and decisions continue under sustained loss where the timers alone stall.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from vdlt_spec.checks.consensus import _campaign_scenario
from vdlt_spec.consensus import (
    ConsensusConfig,
    IdealScheme,
    Mode,
    NetworkParams,
    Scenario,
    simulate,
)
from vdlt_spec.consensus.block import Request
from vdlt_spec.consensus.messages import ClientRequest, PrePrepare, ViewChange
from vdlt_spec.consensus.replica import (
    CLIENT,
    Broadcast,
    Deliver,
    Fire,
    RetransmitTimer,
    StartTimer,
    Status,
    initial_state,
    step,
)
from vdlt_spec.consensus.replica.state import ProgressTimer
from vdlt_spec.errors import SpecError
from vdlt_spec.verdict import Verdict

INTERVAL = 40


def _request(number: int = 0) -> Deliver:
    return Deliver(CLIENT, ClientRequest(Request(0, number, b"op")))


def test_retransmission_is_off_by_default_and_validated() -> None:
    assert ConsensusConfig(4).retransmit_interval is None
    config = ConsensusConfig(4)
    _, outputs = step(config, IdealScheme(4), initial_state(0), _request())
    assert not any(
        isinstance(o, StartTimer) and isinstance(o.timer, RetransmitTimer) for o in outputs
    )
    for bad in (0, -1, True):
        with pytest.raises(SpecError):
            ConsensusConfig(4, retransmit_interval=bad)  # type: ignore[arg-type]


def test_the_primary_re_sends_its_pre_prepare_on_the_timer_and_re_arms() -> None:
    config = ConsensusConfig(4, retransmit_interval=INTERVAL)
    scheme = IdealScheme(4)
    state, outputs = step(config, scheme, initial_state(0), _request())
    (pp,) = [o.message for o in outputs if isinstance(o, Broadcast)]
    state, more = step(config, scheme, state, Deliver(0, pp))  # its own pre-prepare (loopback)
    timers = [o for o in (*outputs, *more) if isinstance(o, StartTimer)]
    retransmit = [o for o in timers if isinstance(o.timer, RetransmitTimer)]
    assert [o.delay for o in retransmit] == [INTERVAL]
    timer = retransmit[0].timer
    after, again = step(config, scheme, state, Fire(timer))
    sent = [o.message for o in again if isinstance(o, Broadcast)]
    assert any(isinstance(m, PrePrepare) for m in sent)
    assert [o.timer for o in again if isinstance(o, StartTimer)] == [timer]
    # a timer of an older epoch or view does nothing
    stale = dataclasses.replace(timer, epoch=timer.epoch - 1)
    assert step(config, scheme, state, Fire(stale)) == (state, ())
    # pure: the input state is unchanged and the step is deterministic
    assert step(config, scheme, state, Fire(timer)) == (after, again)


def test_a_replica_in_a_view_change_re_sends_its_view_change() -> None:
    config = ConsensusConfig(4, retransmit_interval=INTERVAL)
    scheme = IdealScheme(4)
    state, _ = step(config, scheme, initial_state(1), _request())
    for _ in range(2):  # the progress timer: catch up and re-send, then change view
        state, outputs = step(config, scheme, state, Fire(ProgressTimer(state.timer_epoch)))
    assert state.status == Status.VIEW_CHANGE and state.view == 1
    (vc,) = [o.message for o in outputs if isinstance(o, Broadcast)]
    state, _ = step(config, scheme, state, Deliver(1, vc))  # its own view change (loopback)
    armed = [o.timer for o in outputs if isinstance(o, StartTimer)]
    timer = RetransmitTimer(state.view, state.timer_epoch)
    assert timer in armed
    _, outputs = step(config, scheme, state, Fire(timer))
    assert [type(o.message) for o in outputs if isinstance(o, Broadcast)] == [ViewChange]
    assert [o.timer for o in outputs if isinstance(o, StartTimer)] == [timer]


@pytest.mark.parametrize("mode", list(Mode))
def test_decisions_continue_under_sustained_loss_only_with_retransmission(mode: Mode) -> None:
    def run(interval: int | None, seed: int) -> bool:
        config = ConsensusConfig(4, mode=mode, max_batch=1, retransmit_interval=interval)
        result = simulate(
            Scenario(
                config,
                seed=seed,
                network=NetworkParams(loss=Fraction(1, 2)),
                requests=6,
                request_interval=10,
                max_time=20 * config.view_timeout,
            )
        )
        assert result.verdict != Verdict.INVALID
        return result.requests_complete

    with_retransmission = [run(INTERVAL, seed) for seed in range(3)]
    without = [run(None, seed) for seed in range(3)]
    assert sum(with_retransmission) > sum(without)
    assert sum(with_retransmission) >= 2


@pytest.mark.parametrize("seed", range(6))
def test_retransmission_keeps_the_safety_campaign_safe_and_live(seed: int) -> None:
    scenario = _campaign_scenario(seed)
    config = dataclasses.replace(scenario.config, retransmit_interval=INTERVAL)
    result = simulate(dataclasses.replace(scenario, config=config))
    assert result.verdict == Verdict.VALID
    assert not result.conflicts and not result.unproven
    assert result.requests_complete
