"""Self-checks of governance: the parameters' anchors, run by ``vdlt verify`` (§IV-C, §IV-K)."""

from __future__ import annotations

from fractions import Fraction

from vdlt_spec.checks import Outcome, check
from vdlt_spec.governance import voting
from vdlt_spec.governance.parameters import GENESIS_SUPPLY, Parameters
from vdlt_spec.verdict import Verdict

COMPONENT = "governance"


@check("governance-anchors", COMPONENT, "§IV-C, §IV-I, §IV-J, §IV-K")
def governance_anchors() -> Outcome:
    """Check the defaults against their sources: paper, EOS, Tezos (docs/decisions.md)."""
    p = Parameters()
    expected = {
        "genesis supply = 10^9 tokens (§IV-I)": GENESIS_SUPPLY == 10**9 * 10**6,
        "inflation cap 4 % (§IV-I)": p.max_inflation_rate == Fraction(4, 100),
        "K = 21 delegates (EOS)": p.delegate_count == 21,
        "80 % supermajority (Tezos)": p.supermajority == Fraction(4, 5),
        "quorum between 20 % and 70 % (Tezos)": (p.quorum_min_bp, p.quorum_max_bp)
        == (2_000, 7_000),
        "EMA weight 1/5 (Tezos)": p.participation_ema_weight == Fraction(1, 5),
        "denouncer reward 1/11 (Tezos)": p.denouncer_reward == Fraction(1, 11),
        "votes 1, 2, 3, 4 cost 1, 4, 9, 16 (§IV-C)": [
            voting.quadratic_cost(v) for v in (1, 2, 3, 4)
        ]
        == [1, 4, 9, 16],
        "N tokens for k² periods give N·k votes (§IV-C)": voting.lock_votes(5, 3) == 15
        and voting.lock_periods(3) == 9,
    }
    wrong = [name for name, ok in expected.items() if not ok]
    verdict = Verdict.INVALID if wrong else Verdict.VALID
    detail = f"{len(expected) - len(wrong)}/{len(expected)} anchors hold"
    return Outcome(verdict, detail + (f"; wrong: {', '.join(wrong)}" if wrong else ""), {})
