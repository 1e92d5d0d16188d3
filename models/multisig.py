"""Model rogue-key attacks on key aggregation in the algebraic group model (§IV-D).

An attacker sees the honest keys X_1..X_m (secrets unknown) and announces its own key last. In
the algebraic group model every key it can announce is a known combination
X_r = c_1·X_1 + ... + c_m·X_m + a·G of the points it has seen. It can sign for an aggregate key
alone exactly when the aggregate's coefficient on every honest key is 0 mod N, the group order:
then the aggregate is a·G and the attacker knows a.

* Plain key sums (CoSi, Zilliqa): the coefficient of X_i is 1 + c_i; c_i = N - 1 cancels it.
  The solver finds this rogue key (expected), decoded into c and a.
* Coefficient-weighted aggregation (BIP327 MuSig2, used by the spec): the coefficient of X_i is
  μ_i + μ_r·c_i, where μ_i = H(L, X_i) hashes the whole key list L, which contains X_r, so the
  μ's are fixed only after the attacker chose its key. For any fixed choice and any μ_r, at
  most one value of μ_i in [0, N) cancels the coefficient: a random-oracle output hits it with
  probability at most 1/N. (A model of why the attack fails, not a reduction proof of MuSig2.)
"""

from __future__ import annotations

import z3

from vdlt_spec.models.query import Query, Setup

GROUP_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141  # secp256k1 N
HONEST_KEYS = 3  # honest keys in the rogue-key query


def _scalar(x: z3.ArithRef) -> z3.BoolRef:
    return z3.And(x >= 0, x < GROUP_ORDER)


def naive_rogue_key_queries(honest: int = HONEST_KEYS) -> tuple[Query, ...]:
    """Ask for a rogue key that cancels every honest key in the plain sum (expected) (§IV-D)."""
    cs = [z3.Int(f"c_{i}") for i in range(1, honest + 1)]
    a = z3.Int("a")
    facts = [_scalar(a), a != 0, *[_scalar(c) for c in cs]]
    facts += [(1 + c) % GROUP_ORDER == 0 for c in cs]

    def decode(model: z3.ModelRef) -> dict[str, str]:
        out = {}
        for i, c in enumerate(cs, start=1):
            value = model.eval(c, model_completion=True).as_long()
            out[f"c_{i}"] = "N-1" if value == GROUP_ORDER - 1 else str(value)
        out["a"] = hex(model.eval(a, model_completion=True).as_long())
        out["rogue key"] = "a·G - (X_1 + ... + X_m)"
        out["aggregate"] = "a·G: the attacker alone signs for all"
        return out

    return (Query("plain-sum-rogue-key", tuple(facts), "QF_NIA", Setup.DEFAULT, decode),)


def weighted_binding_queries() -> tuple[Query, ...]:
    """Ask for two coefficients μ_i that both cancel X_i for one rogue-key choice (§IV-D)."""
    mu, mu2, k = z3.Ints("mu_i mu_i_other rogue_term")  # rogue_term stands for μ_r·c_i mod N
    facts = [
        _scalar(mu),
        _scalar(mu2),
        _scalar(k),
        mu != mu2,
        (mu + k) % GROUP_ORDER == 0,
        (mu2 + k) % GROUP_ORDER == 0,
    ]
    return (Query("one-cancelling-coefficient", tuple(facts), "QF_NIA", Setup.DEFAULT),)
