"""DPoS delegate elections and the role model (§III-D, §IV-B, §IV-C)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec import ledger as L
from vdlt_spec import strategies as vst
from vdlt_spec.economics.signing import compressed_public_key, simulation_secret_key
from vdlt_spec.economics.simulation import QUALIFIED_SPEC
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import dpos, voting
from vdlt_spec.governance.dpos import DposState, RegisteredNode
from vdlt_spec.governance.parameters import DELEGATE_COUNT, Parameters
from vdlt_spec.governance.voting import VotingMode
from vdlt_spec.roles import PRODUCES_USER_BLOCKS, NodeRole

PARAMS = Parameters(min_collateral=10)


def key(name: str) -> bytes:
    return compressed_public_key(simulation_secret_key(0, name))


def world(candidates: int, executors: int = 0) -> tuple[DposState, L.Ledger]:
    names = [f"c{i:02d}" for i in range(candidates)] + [f"x{i}" for i in range(executors)]
    ledger = L.genesis({**{n: 100 for n in names}, "voter": 10_000}, 100 * len(names) + 10_000)
    state = DposState()
    for name in names:
        ledger = L.bond(ledger, name, 10)
        role = NodeRole.EXECUTION if name.startswith("x") else NodeRole.MANAGEMENT_CONTROL
        state = dpos.register(
            state, ledger, PARAMS, RegisteredNode(name, role, key(name), 5, QUALIFIED_SPEC, 0)
        )
    return dpos.open_election(state, ledger, VotingMode.TOKEN_LOCK), ledger


def vote(
    state: DposState, ledger: L.Ledger, voter: str, tokens: int, choice: str
) -> tuple[DposState, L.Ledger]:
    assert state.election is not None
    ballot, ledger = voting.vote_with_lock(
        state.election, ledger, voter, tokens, 1, choice, max_k=8, lock_period_epochs=1
    )
    return dataclasses.replace(state, election=ballot), ledger


def test_k_defaults_to_21_as_in_eos() -> None:
    assert DELEGATE_COUNT == 21 == Parameters().delegate_count


def test_top_k_by_votes_become_delegates_for_the_next_epoch() -> None:
    state, ledger = world(25)
    for i in range(25):
        name = f"c{i:02d}"
        state, ledger = vote(state, ledger, name, 1 + i, name)
    state, elected = dpos.close_election(state, ledger, PARAMS, 1)
    assert elected and len(state.delegates) == 21
    assert state.delegates == tuple(f"c{i:02d}" for i in range(24, 3, -1))
    assert [e.account for e in state.rosters[1]] == list(state.delegates)


def test_ties_are_broken_deterministically_by_hash() -> None:
    state, ledger = world(25)
    for i in range(25):
        state, ledger = vote(state, ledger, f"c{i:02d}", 7, f"c{i:02d}")
    first, _ = dpos.close_election(state, ledger, PARAMS, 1)
    again, _ = dpos.close_election(state, ledger, PARAMS, 1)
    other_epoch, _ = dpos.close_election(state, ledger, PARAMS, 2)
    assert first.delegates == again.delegates and len(first.delegates) == 21
    # the tie order depends on the epoch, so no candidate always wins ties
    assert first.delegates != other_epoch.delegates


def test_too_few_elected_keeps_the_sitting_delegates() -> None:
    state, ledger = world(6)
    for i in range(6):
        state, ledger = vote(state, ledger, f"c{i}".replace("c", "c0"), 5, f"c0{i}")
    state, ok = dpos.close_election(state, ledger, PARAMS, 1)
    assert ok and len(state.delegates) == 6
    state = dpos.open_election(state, L.advance(ledger, 1), VotingMode.TOKEN_LOCK)
    ledger = L.advance(ledger, 1)
    state, ledger = vote(state, ledger, "c00", 5, "c00")
    kept, ok = dpos.close_election(state, ledger, PARAMS, 2)
    assert not ok and kept.delegates == state.delegates


def test_ineligible_candidates_are_not_seated() -> None:
    state, ledger = world(5)
    for i in range(5):
        state, ledger = vote(state, ledger, f"c0{i}", 5 + i, f"c0{i}")
    ledger = L.unbond(ledger, "c04", 5, 2)  # below the minimum collateral
    state, _ = dpos.close_election(state, ledger, PARAMS, 1)
    assert "c04" not in state.delegates and len(state.delegates) == 4


def test_node_requirements_are_data_and_are_enforced() -> None:
    required = dpos.node_requirements(PARAMS)
    assert required.dedicated_ip and required.min_bandwidth_mbps == PARAMS.min_bandwidth_mbps
    weak = dataclasses.replace(QUALIFIED_SPEC, dedicated_ip=False, cpu_cores=2)
    assert len(dpos.unmet_requirements(weak, required)) == 2
    ledger = L.bond(L.genesis({"n": 100}, 100), "n", 10)
    with pytest.raises(SpecError) as err:
        dpos.register(
            DposState(),
            ledger,
            PARAMS,
            RegisteredNode("n", NodeRole.MANAGEMENT_CONTROL, key("n"), 1, weak, 0),
        )
    assert err.value.reason == Reason.NODE_REQUIREMENTS_UNMET
    # execution nodes are not held to the management requirements
    dpos.register(
        DposState(), ledger, PARAMS, RegisteredNode("n", NodeRole.EXECUTION, key("n"), 1, weak, 0)
    )


@settings(max_examples=60, deadline=None)
@given(vst.node_specs)
def test_a_spec_qualifies_iff_no_requirement_is_unmet(spec: dpos.NodeSpec) -> None:
    required = dpos.node_requirements(PARAMS)
    qualifies = (
        spec.dedicated_ip
        and spec.uptime_bp >= required.min_uptime_bp
        and spec.bandwidth_mbps >= required.min_bandwidth_mbps
        and spec.cpu_cores >= required.min_cpu_cores
        and spec.memory_gib >= required.min_memory_gib
        and spec.storage_gib >= required.min_storage_gib
    )
    assert qualifies == (dpos.unmet_requirements(spec, required) == ())


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"key": b"\x02" + b"\x00" * 32}, Reason.BAD_PUBLIC_KEY),
        ({"key": b"\x05" * 33}, Reason.BAD_PUBLIC_KEY),
        ({"declared_pay": -1}, Reason.NEGATIVE_AMOUNT),
        ({"account": "ghost"}, Reason.UNKNOWN_ACCOUNT),
    ],
)
def test_registration_rejects_bad_nodes(change: dict[str, object], reason: Reason) -> None:
    ledger = L.bond(L.genesis({"n": 100}, 100), "n", 10)
    node = dataclasses.replace(
        RegisteredNode("n", NodeRole.MANAGEMENT_CONTROL, key("n"), 1, QUALIFIED_SPEC, 0), **change
    )
    with pytest.raises(SpecError) as err:
        dpos.register(DposState(), ledger, PARAMS, node)
    assert err.value.reason == reason


def test_registration_needs_collateral_and_unique_keys() -> None:
    ledger = L.genesis({"n": 100, "m": 100}, 200)
    node = RegisteredNode("n", NodeRole.MANAGEMENT_CONTROL, key("n"), 1, QUALIFIED_SPEC, 0)
    with pytest.raises(SpecError) as err:
        dpos.register(DposState(), ledger, PARAMS, node)
    assert err.value.reason == Reason.INSUFFICIENT_COLLATERAL
    ledger = L.bond(L.bond(ledger, "n", 10), "m", 10)
    state = dpos.register(DposState(), ledger, PARAMS, node)
    with pytest.raises(SpecError) as err:
        dpos.register(state, ledger, PARAMS, dataclasses.replace(node, account="m"))
    assert err.value.reason == Reason.DUPLICATE_KEY
    with pytest.raises(SpecError) as err:
        dpos.register(state, ledger, PARAMS, dataclasses.replace(node, role=NodeRole.EXECUTION))
    assert err.value.reason == Reason.ALREADY_REGISTERED


def test_delegates_never_produce_user_blocks() -> None:
    assert PRODUCES_USER_BLOCKS == {
        NodeRole.MANAGEMENT_CONTROL: False,
        NodeRole.EXECUTION: True,
    }
    state, ledger = world(5, executors=2)
    for i in range(5):
        state, ledger = vote(state, ledger, f"c0{i}", 5, f"c0{i}")
    state, _ = dpos.close_election(state, ledger, PARAMS, 1)
    for delegate in state.delegates:
        with pytest.raises(SpecError) as err:
            dpos.authorize_user_block(state, delegate)
        assert err.value.reason == Reason.DELEGATE_PRODUCED_USER_BLOCK
    assert dpos.authorize_user_block(state, "x0").role == NodeRole.EXECUTION
    with pytest.raises(SpecError) as err:
        dpos.authorize_user_block(state, "voter")
    assert err.value.reason == Reason.NOT_AN_EXECUTION_NODE
    # a sitting delegate that deregisters cannot become an execution node in its epoch
    left = dpos.deregister(state, "c00")
    with pytest.raises(SpecError) as err:
        dpos.register(
            left,
            ledger,
            PARAMS,
            RegisteredNode("c00", NodeRole.EXECUTION, key("c00"), 1, QUALIFIED_SPEC, 1),
        )
    assert err.value.reason == Reason.ROLE_CONFLICT
    assert dpos.role_violations(state, PARAMS) == ()


def test_role_invariant_checker_has_teeth() -> None:
    state, _ = world(2, executors=1)
    broken = dataclasses.replace(state, delegates=("x0", "c00", "c00"))
    problems = dpos.role_violations(broken, PARAMS)
    assert any("both a delegate and an execution node" in p for p in problems)
    assert any("twice" in p for p in problems)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=25, max_size=25))
def test_elected_delegates_are_the_top_k_by_votes(weights: list[int]) -> None:
    state, ledger = world(25)
    for i, w in enumerate(weights):
        if w:
            state, ledger = vote(state, ledger, f"c{i:02d}", w, f"c{i:02d}")
    assert state.election is not None
    ranked = dpos.rank_candidates(state, ledger, PARAMS, state.election, 1)
    seated, ok = dpos.close_election(state, ledger, PARAMS, 1)
    positive = sorted((w for w in weights if w), reverse=True)
    if ok:
        assert [v for _, v in ranked[:21]] == positive[:21]
        assert len(seated.delegates) == min(21, len(positive))
        loser_votes = [v for _, v in ranked[21:]]
        assert all(v <= min(v2 for _, v2 in ranked[:21]) for v in loser_votes)
    else:
        assert len(positive) < PARAMS.min_delegates
