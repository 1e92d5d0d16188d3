"""Say, per proof obligation, which spec functions it is about and how it is tied to them (§III-D).

``shared`` names the spec functions the obligation's encoding evaluates on solver terms: a
change to one of them changes what is proven. ``tied`` names the spec functions a tie-in test
compares with the model (the test module is given), for rules that cannot be shared (a protocol
abstracted into relations, a computation with floors or loops). :func:`subjects_table` renders
both as the table of docs/proofs.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from vdlt_spec.proofs.catalog import OBLIGATIONS


@dataclass(frozen=True)
class Subject:
    """Name the spec functions one obligation evaluates, and those tied to it by tests (§III-D)."""

    shared: tuple[str, ...] = ()
    tied: tuple[str, ...] = ()
    tests: str = ""


_Q = "crypto.quorum."
_V = "governance.voting."
_TIE_CONSENSUS = "test_proofs_tie_consensus.py"
_TIE_CRYPTO = "test_proofs_tie_crypto.py"
_TIE_VOTING = "test_proofs_tie_voting.py"
_QUORUM = Subject((f"{_Q}is_quorum", f"{_Q}within_fault_bound"))
_OVERLAP = Subject((f"{_Q}is_quorum", f"{_Q}max_faulty_bounds"))
_REPLICA = Subject(
    (),
    ("consensus.replica (prepare, commit, view change, new view)", f"{_Q}quorum_size"),
    _TIE_CONSENSUS,
)
_AGGREGATE = Subject((), ("crypto.aggregate.aggregate_key", "crypto.rogue_key"), _TIE_CRYPTO)
_CHECKPOINT = Subject()  # the checkpoint model stands alone: no tie-in test yet
_COST = f"{_V}quadratic_cost_rule"
_LOCK = f"{_V}lock_votes_rule"

SUBJECTS: dict[str, Subject] = {
    "quorum-honest-intersection": _QUORUM,
    "quorum-stake-honest-intersection": _QUORUM,
    "quorum-weak-rule-byzantine-third": Subject(
        (f"{_Q}QUORUM_NUMERATOR", f"{_Q}FAULT_DENOMINATOR")
    ),
    "quorum-two-f-plus-one-loose": Subject(),
    "quorum-weak-rule-within-bound": Subject((f"{_Q}within_fault_bound",)),
    "quorum-strict-rule-byzantine-third": Subject((f"{_Q}is_quorum",)),
    "quorum-overlap-f-plus-one": _OVERLAP,
    "quorum-overlap-not-f-plus-two": _OVERLAP,
    "bitmap-accept-implies-quorum": Subject(
        ("crypto.bitmap.bits_form_quorum", f"{_Q}is_quorum"),
        ("crypto.bitmap.encode_bitmap", "crypto.bitmap.decode_bitmap"),
        _TIE_CRYPTO,
    ),
    "bitmap-conflict-overlap": Subject(("crypto.bitmap.bits_form_quorum", f"{_Q}is_quorum")),
    "bitmap-one-signer-fewer": Subject((f"{_Q}quorum_size",)),
    "bitmap-quorum-accepted": Subject(("crypto.bitmap.bits_form_quorum",)),
    "quorum-sizes-exact": Subject(
        (
            f"{_Q}quorum_size",
            f"{_Q}max_faulty",
            f"{_Q}quorum_size_bounds",
            f"{_Q}max_faulty_bounds",
        )
    ),
    "pbft-agreement-within-view": _REPLICA,
    "pbft-agreement-across-views": _REPLICA,
    "pbft-invariant-admits-commit": _REPLICA,
    "accountable-safety": _REPLICA,
    "no-framing": _REPLICA,
    "accountability-admits-conflict": Subject(),
    "multisig-plain-sum-rogue-key": _AGGREGATE,
    "multisig-coefficient-binding": _AGGREGATE,
    "checkpoint-gc-safe": _CHECKPOINT,
    "checkpoint-gc-uncertified-unsafe": _CHECKPOINT,
    "qv-costs": Subject(
        (_COST, f"{_V}marginal_cost_rule", f"{_V}max_votes_bounds"),
        (f"{_V}max_quadratic_votes",),
        _TIE_VOTING,
    ),
    "isqrt-exact": Subject((), (f"{_V}max_quadratic_votes",), _TIE_VOTING),
    "isqrt-fixed-width": Subject((), (f"{_V}max_quadratic_votes",), _TIE_VOTING),
    "token-lock-votes": Subject((_LOCK, f"{_V}lock_periods_rule")),
    "token-lock-ledger": Subject(
        (_LOCK,), (f"{_V}cast_locked_vote", "ledger.lock", f"{_V}tally_violations"), _TIE_VOTING
    ),
    "plain-qv-split-witness": Subject((f"{_V}max_votes_bounds",)),
    "plain-qv-split-gain": Subject(),
    "token-lock-split-neutral": Subject((_LOCK,)),
    "token-lock-spread-cauchy-schwarz": Subject(),
    "takeover-cost": Subject(),
    "qv-efficiency": Subject(),
    "tally": Subject((), (f"{_V}Ballot (votes)",), _TIE_VOTING),
    "penalty-full-slash": Subject(
        (
            "economics.settlement.slash_amounts_rule",
            "economics.settlement.slash_bounds",
            "economics.settlement.reward_bounds",
            "economics.settlement.settle",
        ),
        ("economics.settlement.slash_amounts",),
        "test_boundaries_economics.py",
    ),
    "penalty-self-reward": Subject(("economics.settlement.slash_amounts_rule",)),
    "inflation-yearly-cap": Subject(
        (
            "economics.incentives.rate_within_cap",
            "economics.incentives.epoch_issuance_bounds",
            "economics.incentives.within_inflation_cap",
            "governance.parameters.MAX_INFLATION_RATE",
        ),
        ("economics.incentives.clamped_rate", "economics.incentives.epoch_issuance"),
        "test_boundaries_economics.py",
    ),
    "inflation-epoch-issuance": Subject(
        ("economics.incentives.epoch_issuance_bounds",),
        ("economics.incentives.epoch_issuance",),
        "test_boundaries_economics.py",
    ),
    "allocation-rows-are-eq1": Subject(
        (
            "allocation.rules.decentralization_within",
            "allocation.rules.latency_within",
            "allocation.rules.throughput_met",
            "allocation.rules.cost_within",
            "allocation.rules.privacy_kept",
            "allocation.rules.security_within",
            "allocation.rules.capacity_within",
            "allocation.rules.at_most",
            "allocation.rules.at_least",
        ),
        ("allocation.evaluator.ROW_RULES", "models.milp rows"),
        "test_boundaries_allocation.py, test_allocation_milp.py",
    ),
    "allocation-security-below-a-third": Subject(
        (
            "allocation.rules.security_within",
            f"{_Q}max_faulty_bounds",
            f"{_Q}within_fault_bound",
        )
    ),
    "allocation-slowest-replica": Subject(("allocation.rules.latency_within",)),
}


def _cell(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{n}`" for n in names) if names else "—"


def subjects_table() -> str:
    """Return the markdown table: obligation, group, shared spec functions, tied ones (§III-D)."""
    lines = [
        "| obligation | group | spec functions it evaluates | spec code tied by tests | tests |",
        "|---|---|---|---|---|",
    ]
    for o in OBLIGATIONS:
        s = SUBJECTS[o.name]
        tests = f"`{s.tests}`" if s.tests else "—"
        lines.append(f"| {o.name} | {o.group} | {_cell(s.shared)} | {_cell(s.tied)} | {tests} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(subjects_table(), end="")
