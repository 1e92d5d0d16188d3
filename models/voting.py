"""Model quadratic voting with token lock in integer and real arithmetic (§III-D, §IV-C).

§IV-C: N tokens locked for k² periods give N·k votes; plain quadratic voting prices v votes at
v² (1, 4, 9, 16 for 1..4 votes). The queries apply the spec's own rule functions of
:mod:`vdlt_spec.governance.voting` (``lock_votes_rule``, ``lock_periods_rule``,
``quadratic_cost_rule``, ``marginal_cost_rule``, ``max_votes_bounds``) to solver terms, and
state the whitepaper's claims (N·k, k², v², 2k - 1, floor(sqrt(budget))) separately, so a changed
rule in the spec changes what is proven. The Python mirrors below call the same functions;
``newton_isqrt`` is the fixed-width reference of the integer square root, tied to the spec's
``max_quadratic_votes`` by tests.

Claims over all sizes are proved with nonlinear arithmetic (Z3's nlsat for reals, its NIA
engine for integers); claims about every number m of identities or locks go by induction on m
(a base query and a step query). The bounded ones (the ledger of locks, the tally) unroll a
fixed number of slots or voters.
"""

from __future__ import annotations

import math
from itertools import permutations

import z3

from vdlt_spec.governance.voting import (
    lock_periods_rule,
    lock_votes_rule,
    marginal_cost_rule,
    max_votes_bounds,
    quadratic_cost_rule,
)
from vdlt_spec.models.query import Query, Setup, decode_values

ISQRT_WIDTHS = (64, 128, 256)  # fixed widths at which the integer square root is checked
LOCK_SLOTS = 4  # lock slots of the bounded ledger model
TALLY_VOTERS = 8  # voters of the bounded tally model
OTHER_EXPONENTS = (1, 3, 4, 5, 6, 7, 8)  # cost exponents whose optimum is not proportional


# --- Python mirrors of the rules (checked against the spec and the formulas) -------------------


def lock_votes(tokens: int, k: int) -> int:
    """Return the model's votes for ``tokens`` locked with multiplier k: the spec's rule (§IV-C)."""
    return int(lock_votes_rule(tokens, k))


def lock_periods(k: int) -> int:
    """Return the model's lock duration for multiplier k: the spec's rule (§IV-C)."""
    return int(lock_periods_rule(k))


def quadratic_cost(votes: int) -> int:
    """Return the model's plain quadratic price of ``votes`` votes: the spec's rule (§IV-C)."""
    return int(quadratic_cost_rule(votes))


def marginal_cost(k: int) -> int:
    """Return the model's price of the k-th vote: the spec's rule (§IV-C)."""
    return int(marginal_cost_rule(k))


def newton_isqrt(x: int, width: int) -> int:
    """Return floor(sqrt(x)) for 0 <= x < 2^width by Newton's iteration in width-bit words (§IV-C).

    The fixed-width reference that the proofs cover (exact for every x, no intermediate
    reaching 2^width); the spec's ``max_quadratic_votes`` (``math.isqrt``) must agree.
    """
    if not 0 <= x < 1 << width:
        raise ValueError(f"x must fit in {width} bits")
    if x == 0:
        return 0
    r = 1 << ((width + 1) // 2)  # 2^ceil(width/2) > sqrt(x)
    while True:
        y = (r + x // r) // 2
        if y >= r:
            return r
        r = y


def tally(weights: list[int], choices: list[int], options: int = 2) -> list[int]:
    """Return each option's votes: the sum of the weights of the voters who chose it (§IV-C)."""
    out = [0] * options
    for weight, choice in zip(weights, choices, strict=True):
        out[choice] += weight
    return out


# --- helpers -----------------------------------------------------------------------------------


def _q(name: str, facts: list[z3.BoolRef], logic: str) -> Query:
    return Query(name, tuple(facts), logic, Setup.DEFAULT, decode_values)


def _is_isqrt(s: z3.ArithRef, x: z3.ArithRef) -> list[z3.BoolRef]:
    """Return the claim side: s = floor(sqrt(x)), stated independently of the spec's rules."""
    return [s >= 0, s * s <= x, x < (s + 1) * (s + 1)]


def _max_votes(v: z3.ArithRef, budget: z3.ArithRef) -> list[z3.BoolRef]:
    """Return the spec's rule: ``v`` is the most votes ``budget`` buys (max_votes_bounds)."""
    return list(max_votes_bounds(v, budget))


# --- 10: costs and the integer square root -----------------------------------------------------


def cost_queries() -> tuple[Query, ...]:
    """Ask for a price not v², a k-th vote not 2k-1, or max votes not isqrt(budget) (§IV-C)."""
    k, b, v = z3.Ints("k budget votes")
    cost = quadratic_cost_rule
    return (
        _q("cost-is-square", [v >= 0, cost(v) != v * v], "QF_NIA"),
        _q("marginal-cost-2k-1", [k >= 1, marginal_cost_rule(k) != 2 * k - 1], "QF_NIA"),
        _q(
            "marginal-cost-is-cost-step",
            [k >= 1, cost(k) - cost(k - 1) != marginal_cost_rule(k)],
            "QF_NIA",
        ),
        _q(
            "max-votes-is-isqrt",
            [b >= 0, z3.And(*_max_votes(v, b)) != z3.And(*_is_isqrt(v, b))],
            "QF_NIA",
        ),
    )


def isqrt_exact_queries() -> tuple[Query, ...]:
    """Ask for a Newton step that breaks the integer square root, for any width (§IV-C)."""
    x, r, q, y, s = z3.Ints("x r quotient next isqrt")
    step = [x >= 1, r >= 1, q * r <= x, x < (q + 1) * r, 2 * y <= r + q, r + q < 2 * y + 2]
    root = _is_isqrt(s, x)
    return (
        _q("step-never-below-root", [*step, *root, y < s], "QF_NIA"),
        _q("step-decreases-above-root", [*step, *root, r > s, y >= r], "QF_NIA"),
        _q("exit-is-root", [*step, *root, r >= s, y >= r, r != s], "QF_NIA"),
    )


def isqrt_width_queries(widths: tuple[int, ...] = ISQRT_WIDTHS) -> tuple[Query, ...]:
    """Ask, per width, for an input where the Newton iteration leaves the word size (§IV-C)."""
    out = []
    for width in widths:
        x, r, q, s = z3.Ints("x r quotient isqrt")
        start = 1 << ((width + 1) // 2)
        root = _is_isqrt(s, x)
        out.append(
            _q(
                f"start-above-root@{width}",
                [x >= 1, x < 1 << width, *root, start * start <= x],
                "QF_NIA",
            )
        )
        out.append(
            _q(
                f"sum-fits@{width}",
                [
                    x >= 1,
                    x < 1 << width,
                    *root,
                    r >= s,
                    r >= 1,
                    r <= start,
                    q * r <= x,
                    x < (q + 1) * r,
                    r + q >= 1 << width,
                ],
                "QF_NIA",
            )
        )
    return tuple(out)


# --- 11: token lock ----------------------------------------------------------------------------


def token_lock_queries() -> tuple[Query, ...]:
    """Ask for non-monotone lock votes, or an unlock before vote time + k² (§IV-C)."""
    n1, n2, k1, k2, t, p, unlock = z3.Ints("tokens_1 tokens_2 k_1 k_2 vote_epoch period unlock")
    votes, periods = lock_votes_rule, lock_periods_rule
    return (
        _q("votes-are-n-times-k", [n1 >= 0, k1 >= 1, votes(n1, k1) != n1 * k1], "QF_NIA"),
        _q("lock-lasts-k-squared", [k1 >= 1, periods(k1) != k1 * k1], "QF_NIA"),
        _q(
            "votes-monotone",
            [n1 >= 0, n1 <= n2, k1 >= 1, k1 <= k2, votes(n1, k1) > votes(n2, k2)],
            "QF_NIA",
        ),
        _q(
            "votes-grow-with-k",
            [n1 >= 1, k1 >= 1, k1 < k2, votes(n1, k1) >= votes(n1, k2)],
            "QF_NIA",
        ),
        _q(
            "unlock-after-k-squared",
            [k1 >= 1, p >= 1, unlock == t + periods(k1) * p, unlock < t + k1 * k1],
            "QF_NIA",
        ),
    )


def _ledger_state(tag: str, slots: int) -> dict[str, list[z3.ExprRef]]:
    return {
        "balance": [z3.Int(f"balance{tag}")],
        "used": [z3.Bool(f"used{tag}[{i}]") for i in range(slots)],
        "active": [z3.Bool(f"active{tag}[{i}]") for i in range(slots)],
        "amount": [z3.Int(f"amount{tag}[{i}]") for i in range(slots)],
        "k": [z3.Int(f"k{tag}[{i}]") for i in range(slots)],
        "counted": [z3.Bool(f"counted{tag}[{i}]") for i in range(slots)],
        "tally": [z3.Int(f"tally{tag}")],
    }


LedgerTerms = dict[str, list[z3.ExprRef]]


def _locked(s: LedgerTerms) -> z3.ArithRef:
    return z3.Sum([z3.If(a, m, 0) for a, m in zip(s["active"], s["amount"], strict=True)])


def _ledger_invariant(s: LedgerTerms) -> z3.BoolRef:
    slots = len(s["active"])
    counted_votes = z3.Sum(
        [z3.If(s["counted"][i], s["amount"][i] * s["k"][i], 0) for i in range(slots)]
    )
    return z3.And(
        s["balance"][0] >= 0,
        *[z3.And(m >= 0, kk >= 1) for m, kk in zip(s["amount"], s["k"], strict=True)],
        _locked(s) <= s["balance"][0],  # locked tokens never exceed the balance
        *[z3.Implies(z3.Or(s["active"][i], s["counted"][i]), s["used"][i]) for i in range(slots)],
        s["tally"][0] == counted_votes,  # every lock counted at most once, as N·k
    )


def _set(seq: list[z3.ExprRef], j: int, value: z3.ExprRef) -> list[z3.ExprRef]:
    return [value if x == j else old for x, old in enumerate(seq)]


def ledger_queries(slots: int = LOCK_SLOTS) -> tuple[Query, ...]:
    """Ask for a ledger step (lock, count, expire, transfer) that breaks the lock invariant (§IV-C).

    Slots stand for lock ids, never reused (the spec numbers locks); a lock is counted at most
    once, while live; its tokens are free again when it expires.
    """
    pre = _ledger_state("", slots)
    amt, kk, out = z3.Ints("lock_amount lock_k transfer_out")
    init = _ledger_state("0", slots)
    init_facts = [
        init["balance"][0] >= 0,
        *[z3.Not(x) for x in init["used"] + init["active"] + init["counted"]],
        *[m == 0 for m in init["amount"]],
        *[x == 1 for x in init["k"]],
        init["tally"][0] == 0,
        z3.Not(_ledger_invariant(init)),
    ]
    queries = [_q("initiation", init_facts, "QF_NIA")]
    true = z3.BoolVal(True)
    free = pre["balance"][0] - _locked(pre)

    def step(name: str, guard: list[z3.BoolRef], post: LedgerTerms) -> Query:
        facts = [_ledger_invariant(pre), *guard, z3.Not(_ledger_invariant(post))]
        return _q(name, facts, "QF_NIA")

    for j in range(slots):
        lock_post = {
            **pre,
            "used": _set(pre["used"], j, true),
            "active": _set(pre["active"], j, true),
            "amount": _set(pre["amount"], j, amt),
            "k": _set(pre["k"], j, kk),
        }
        lock_guard = [z3.Not(pre["used"][j]), amt >= 0, kk >= 1, amt <= free]
        queries.append(step(f"lock@{j}", lock_guard, lock_post))
        count_post = {
            **pre,
            "counted": _set(pre["counted"], j, true),
            "tally": [pre["tally"][0] + lock_votes_rule(pre["amount"][j], pre["k"][j])],
        }
        count_guard = [pre["active"][j], z3.Not(pre["counted"][j])]
        queries.append(step(f"count@{j}", count_guard, count_post))
        expire_post = {**pre, "active": _set(pre["active"], j, z3.BoolVal(False))}
        queries.append(step(f"expire@{j}", [pre["active"][j]], expire_post))
    transfer_post = {**pre, "balance": [pre["balance"][0] - out]}
    queries.append(step("transfer-out", [out >= 0, out <= free], transfer_post))
    return tuple(queries)


# --- 12: identity splitting --------------------------------------------------------------------


def plain_split_witness_queries() -> tuple[Query, ...]:
    """Ask for a budget that, split over two identities, buys more plain quadratic votes (§IV-C)."""
    b1, b2, v, v1, v2 = z3.Ints("budget_1 budget_2 votes_together votes_1 votes_2")
    facts = [
        b1 >= 0,
        b2 >= 0,
        *_max_votes(v, b1 + b2),
        *_max_votes(v1, b1),
        *_max_votes(v2, b2),
        v1 + v2 > v,
    ]
    return (_q("split-buys-more-votes", facts, "QF_NIA"),)


def plain_split_gain_queries() -> tuple[Query, ...]:
    """Ask for m >= 2 equal identities that do not beat one with the whole budget (§IV-C)."""
    m, c, v, big = z3.Reals("identities budget_each votes_each votes_whole")
    facts = [
        m >= 2,
        c > 0,
        v > 0,
        v * v == c,
        big > 0,
        big * big == m * c,
        m * v <= big,
    ]
    return (_q("split-gains-sqrt-m", facts, "QF_NRA"),)


def lock_split_queries() -> tuple[Query, ...]:
    """Ask for a split of locked tokens (same k) that changes the votes (§IV-C)."""
    n1, n2, k = z3.Ints("tokens_1 tokens_2 k")
    return (
        _q(
            "votes-additive-in-tokens",
            [
                n1 >= 0,
                n2 >= 0,
                k >= 1,
                lock_votes_rule(n1, k) + lock_votes_rule(n2, k) != lock_votes_rule(n1 + n2, k),
            ],
            "QF_NIA",
        ),
    )


def cauchy_schwarz_queries() -> tuple[Query, ...]:
    """Ask for lock spreads where the Cauchy–Schwarz induction fails (§IV-C).

    With A = Σ N_i, B = Σ N_i·k_i (votes) and C = Σ N_i·k_i² (token-time), the property
    P = (A >= 0, C >= 0, B² <= A·C) holds for no locks, is kept by adding a lock, and gives
    B <= A·k* for the single lock of A tokens with the same token-time A·k*² = C.
    """
    a, b, c, n, k, ks = z3.Reals("tokens votes token_time new_tokens new_k single_k")

    def prop(x: z3.ArithRef, y: z3.ArithRef, z: z3.ArithRef) -> z3.BoolRef:
        return z3.And(x >= 0, z >= 0, y * y <= x * z)

    return (
        _q("base", [z3.Not(prop(z3.RealVal(0), z3.RealVal(0), z3.RealVal(0)))], "QF_NRA"),
        _q(
            "step",
            [prop(a, b, c), n >= 0, k >= 0, z3.Not(prop(a + n, b + n * k, c + n * k * k))],
            "QF_NRA",
        ),
        _q(
            "one-lock-is-best",
            [prop(a, b, c), b >= 0, a > 0, ks >= 0, a * ks * ks == c, b > a * ks],
            "QF_NRA",
        ),
    )


# --- 13: takeover cost -------------------------------------------------------------------------


def takeover_queries() -> tuple[Query, ...]:
    """Ask for T tokens outvoting weight W with a lock shorter than (W/T)² (§IV-C)."""
    t, w, k = z3.Reals("attacker_tokens honest_weight k")
    return (
        _q(
            "lock-at-least-ratio-squared",
            [t > 0, w >= 0, k >= 1, t * k > w, t * t * (k * k) <= w * w],
            "QF_NRA",
        ),
    )


# --- 14: efficiency ----------------------------------------------------------------------------


def efficiency_queries(others: tuple[int, ...] = OTHER_EXPONENTS) -> tuple[Query, ...]:
    """Ask for a price-taker not at u/2 under cost v², or proportional under v^a, a != 2 (§IV-C)."""
    u, v, v1, v2 = z3.Reals("value votes votes_1 votes_2")
    best = u / 2
    out = [
        _q(
            "quadratic-optimum-is-half-value",
            [u > 0, u * v - v * v > u * best - best * best],
            "QF_NRA",
        )
    ]
    for alpha in others:
        # first-order conditions alpha·v^(alpha-1) = value for values u and 2u, and v2 = 2·v1
        def foc(x: z3.ArithRef, value: z3.ArithRef, alpha: int = alpha) -> z3.BoolRef:
            power = z3.RealVal(1) if alpha == 1 else x ** (alpha - 1)
            return alpha * power == value

        out.append(
            _q(
                f"exponent-{alpha}-not-proportional",
                [u > 0, v1 > 0, foc(v1, u), foc(v2, 2 * u), v2 == 2 * v1],
                "QF_NRA",
            )
        )
    return tuple(out)


# --- 15: the tally -----------------------------------------------------------------------------


def tally_queries(voters: int = TALLY_VOTERS) -> tuple[Query, ...]:
    """Ask for a tally that changes when neighbours swap, is not monotone, or loses weight (§IV-C).

    Invariance under every swap of neighbours is invariance under every permutation (adjacent
    transpositions generate the symmetric group), so anonymity needs voters - 1 small queries.
    """
    w = [z3.Int(f"weight[{i}]") for i in range(voters)]
    c = [z3.Int(f"choice[{i}]") for i in range(voters)]
    base = [x >= 0 for x in w] + [z3.Or(x == 0, x == 1) for x in c]

    def count(ws: list[z3.ArithRef], cs: list[z3.ArithRef], option: int) -> z3.ArithRef:
        return z3.Sum([z3.If(ch == option, wt, 0) for wt, ch in zip(ws, cs, strict=True)])

    queries = []
    for j in range(voters - 1):
        order = list(range(voters))
        order[j], order[j + 1] = order[j + 1], order[j]
        sw, sc = [w[x] for x in order], [c[x] for x in order]
        changed = z3.Or(*[count(w, c, o) != count(sw, sc, o) for o in (0, 1)])
        queries.append(_q(f"anonymous/swap-{j}-{j + 1}", [*base, changed], "QF_LIA"))
    extra = z3.Int("extra_weight")
    w2 = [w[0] + extra, *w[1:]]
    c2 = [z3.IntVal(1), *c[1:]]  # voter 0 now backs option 1, with at least the same weight
    queries.append(
        _q(
            "monotone",
            [
                *base,
                extra >= 0,
                z3.Or(
                    count(w2, c2, 1) < count(w, c, 1),
                    count(w2, c2, 0) > count(w, c, 0),
                    z3.And(count(w, c, 1) > count(w, c, 0), count(w2, c2, 1) <= count(w2, c2, 0)),
                ),
            ],
            "QF_LIA",
        )
    )
    queries.append(
        _q("sum-of-weights", [*base, count(w, c, 0) + count(w, c, 1) != z3.Sum(w)], "QF_LIA")
    )
    return tuple(queries)


def mirror_tally_is_anonymous(weights: list[int], choices: list[int]) -> bool:
    """Check the Python tally mirror on every permutation of a small list of voters (§IV-C)."""
    expected = tally(weights, choices)
    pairs = list(zip(weights, choices, strict=True))
    return all(
        tally([p[0] for p in order], [p[1] for p in order]) == expected
        for order in permutations(pairs)
    )


def mirror_isqrt_matches(x: int, width: int) -> bool:
    """Check the Newton mirror against ``math.isqrt`` on one input (§IV-C)."""
    return newton_isqrt(x, width) == math.isqrt(x)
