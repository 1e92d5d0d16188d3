"""Read the accounts, parameters and step results that governance and economy vectors share.

A vector states its accounts as ``{name: {"balance", "staked"?, "collateral"?}}``; the ledger is
created at genesis with exactly these balances (the supply is their sum), then stakes and bonds
are set aside. Parameters are a partial :class:`Parameters` object (absent fields keep their
defaults), validated. A step that is refused is answered with its reason and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from vdlt_spec import ledger as ledger_ops
from vdlt_spec import serial
from vdlt_spec.errors import SpecError
from vdlt_spec.governance.parameters import Parameters, validate
from vdlt_spec.ledger import Ledger

ACCEPTED = "ok"
"""The answer to a step that was applied."""

T = TypeVar("T")


@dataclass(frozen=True)
class Holding:
    """Give one account's opening balance and how much of it is staked and bonded (§IV-I)."""

    balance: int
    staked: int = 0
    collateral: int = 0


def decoded(payload: Any, name: str, tp: Any, default: Any = None) -> Any:
    """Decode ``payload[name]`` as ``tp``; an absent field is ``default`` when one is given."""
    if name not in payload and default is not None:
        return default
    return serial.decode(tp, payload.get(name), f"$.{name}")


def params_of(payload: Any) -> Parameters:
    """Return the vector's parameters: the defaults with the fields it gives, validated."""
    params: Parameters = serial.decode(Parameters, payload.get("params", {}), "$.params")
    return validate(params)


def ledger_of(payload: Any) -> Ledger:
    """Create the ledger of the vector's accounts, stakes and bonds set aside (§IV-I, §IV-J)."""
    holdings = decoded(payload, "accounts", dict[str, Holding])
    ledger = ledger_ops.genesis(
        {name: h.balance for name, h in holdings.items()},
        sum(h.balance for h in holdings.values()),
    )
    for name, holding in sorted(holdings.items()):
        if holding.staked:
            ledger = ledger_ops.stake(ledger, name, holding.staked)
        if holding.collateral:
            ledger = ledger_ops.bond(ledger, name, holding.collateral)
    return ledger


def attempt(step: Callable[[], T], results: list[str]) -> T | None:
    """Run ``step``; record ``ok`` or the reason it was refused, and return its value or None."""
    try:
        value = step()
    except SpecError as exc:
        results.append(exc.reason.value)
        return None
    results.append(ACCEPTED)
    return value
