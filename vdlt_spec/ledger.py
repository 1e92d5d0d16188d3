"""Keep the token ledger: balances, stakes, collateral, locks, supply (§IV-C, §IV-I, §IV-J).

All amounts are integers in base units (1 token = ``BASE_UNITS_PER_TOKEN`` base units,
D-econ-1), so every transition is exact. Each operation is a pure function from a ledger to a
new ledger: it applies wholly, or raises :class:`~vdlt_spec.errors.SpecError` with a reason and
leaves the given ledger untouched (the ledger is never mutated; its mappings are copied).

An account *holds* ``balance`` base units. Parts of the holding are encumbered: ``staked``
(registered to vote, earns staking rewards), ``collateral`` (bonded for a node role, slashable),
``unbonding`` (collateral on its way back, still slashable until released) and ``locked``
(bound to a ballot, §IV-C). The rest is ``free`` and is all a transfer, a fee, a stake, a bond
or a lock can draw on. Invariants (:func:`check_invariants`): no amount negative; the
encumbered parts never exceed the balance; balances sum to the supply; supply = genesis +
minted - burned; the lock table agrees with the accounts' ``locked``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from vdlt_spec.errors import Reason, SpecError

BASE_UNITS_PER_TOKEN = 10**6
"""Base units per token (D-econ-1, Tezos' 1 tez = 10^6 mutez)."""
GENESIS_TOKENS = 10**9
"""Total tokens at genesis: "1 Billion" (§IV-I)."""
GENESIS_SUPPLY = GENESIS_TOKENS * BASE_UNITS_PER_TOKEN
"""Genesis supply in base units."""


@dataclass(frozen=True)
class Unbonding:
    """Hold collateral being released: still slashable until epoch ``release_at`` (§IV-J)."""

    amount: int
    release_at: int


@dataclass(frozen=True)
class Lock:
    """Bind ``amount`` tokens of ``owner`` to one ballot until epoch ``unlock_at`` (§IV-C)."""

    lock_id: int
    owner: str
    ballot_id: str
    amount: int
    k: int
    locked_at: int
    unlock_at: int


@dataclass(frozen=True)
class Account:
    """Hold one account's tokens and how much of them is encumbered (§IV-I, §IV-J)."""

    balance: int = 0
    staked: int = 0
    collateral: int = 0
    unbonding: tuple[Unbonding, ...] = ()
    locked: int = 0

    @property
    def unbonding_total(self) -> int:
        """Return the collateral still unbonding, which stays slashable (§IV-J)."""
        return sum(u.amount for u in self.unbonding)

    @property
    def slashable(self) -> int:
        """Return what a penalty can take: bonded plus unbonding collateral (§IV-J)."""
        return self.collateral + self.unbonding_total

    @property
    def encumbered(self) -> int:
        """Return the staked, bonded, unbonding and locked parts of the balance (§IV-C, §IV-J)."""
        return self.staked + self.slashable + self.locked

    @property
    def free(self) -> int:
        """Return the part of the balance that can move: balance less encumbered (§IV-I)."""
        return self.balance - self.encumbered


@dataclass(frozen=True)
class Ledger:
    """Hold every account, the live locks, the clock and the supply counters (§IV-I).

    ``minted`` and ``burned`` count every base unit created and destroyed since genesis, so
    that supply = genesis + minted - burned can be checked after every step.
    """

    accounts: dict[str, Account]
    locks: dict[int, Lock] = field(default_factory=dict)
    next_lock_id: int = 0
    now: int = 0
    genesis: int = GENESIS_SUPPLY
    minted: int = 0
    burned: int = 0

    @property
    def supply(self) -> int:
        """Return the total supply: the sum of all balances (§IV-I)."""
        return sum(a.balance for a in self.accounts.values())

    def account(self, name: str) -> Account:
        """Return the named account; an unknown name is an empty account (§IV-I)."""
        return self.accounts.get(name, Account())


# --- helpers -----------------------------------------------------------------------------------


def _amount(value: int, what: str, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(Reason.NON_POSITIVE_AMOUNT, f"{what} must be an integer, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        reason = Reason.NEGATIVE_AMOUNT if value < 0 else Reason.NON_POSITIVE_AMOUNT
        raise SpecError(reason, f"{what} must be {'>= 0' if allow_zero else '> 0'}, got {value}")
    return value


def _name(name: str) -> str:
    if not isinstance(name, str) or not name or name != name.strip():
        raise SpecError(Reason.BAD_ACCOUNT_NAME, f"account names are non-empty strings: {name!r}")
    return name


def _existing(ledger: Ledger, name: str) -> Account:
    _name(name)
    if name not in ledger.accounts:
        raise SpecError(Reason.UNKNOWN_ACCOUNT, f"no account named {name!r}")
    return ledger.accounts[name]


def _need_free(account: Account, name: str, amount: int) -> None:
    if account.free < amount:
        raise SpecError(
            Reason.INSUFFICIENT_FREE_TOKENS,
            f"{name} has {account.free} free base units, needs {amount}",
        )


def _with(ledger: Ledger, **changed: Account) -> dict[str, Account]:
    accounts = dict(ledger.accounts)
    accounts.update(changed)
    return accounts


# --- transitions ---------------------------------------------------------------------------------


def genesis(allocations: Mapping[str, int], supply: int = GENESIS_SUPPLY) -> Ledger:
    """Create the genesis ledger: the allocations must sum to the genesis supply (§IV-I)."""
    _amount(supply, "genesis supply")
    accounts = {}
    for name, amount in sorted(allocations.items()):
        accounts[_name(name)] = Account(balance=_amount(amount, f"allocation of {name}"))
    total = sum(a.balance for a in accounts.values())
    if total != supply:
        raise SpecError(Reason.GENESIS_MISMATCH, f"allocations sum to {total}, not {supply}")
    return Ledger(accounts=accounts, genesis=supply)


def transfer(ledger: Ledger, src: str, dst: str, amount: int, fee: int = 0) -> Ledger:
    """Move ``amount`` free base units from ``src`` to ``dst`` and burn ``fee`` (§IV-I).

    The fee may be zero: "free transactions" (§IV-I); the protocol's minimum is checked by
    the caller against :class:`Parameters`. The recipient account is created if new.
    """
    _amount(amount, "amount")
    _amount(fee, "fee", allow_zero=True)
    source = _existing(ledger, src)
    _name(dst)
    if src == dst:
        raise SpecError(Reason.SELF_TRANSFER, f"{src} cannot transfer to itself")
    _need_free(source, src, amount + fee)
    target = ledger.account(dst)
    accounts = _with(
        ledger,
        **{
            src: dataclasses.replace(source, balance=source.balance - amount - fee),
            dst: dataclasses.replace(target, balance=target.balance + amount),
        },
    )
    return dataclasses.replace(ledger, accounts=accounts, burned=ledger.burned + fee)


def _set_aside(
    ledger: Ledger, name: str, amount: int, what: str, add: Callable[[Account], Account]
) -> Ledger:
    """Move free tokens of ``name`` into the balance that ``add`` raises by ``amount`` (§IV-J)."""
    _amount(amount, what)
    account = _existing(ledger, name)
    _need_free(account, name, amount)
    return dataclasses.replace(ledger, accounts=_with(ledger, **{name: add(account)}))


def stake(ledger: Ledger, name: str, amount: int) -> Ledger:
    """Stake free tokens: the account registers them to vote and to earn (§IV-I, §IV-J)."""
    return _set_aside(
        ledger, name, amount, "stake", lambda a: dataclasses.replace(a, staked=a.staked + amount)
    )


def unstake(ledger: Ledger, name: str, amount: int) -> Ledger:
    """Return staked tokens to the free balance (§IV-I)."""
    _amount(amount, "unstake")
    account = _existing(ledger, name)
    if account.staked < amount:
        raise SpecError(Reason.INSUFFICIENT_STAKE, f"{name} stakes {account.staked} < {amount}")
    updated = dataclasses.replace(account, staked=account.staked - amount)
    return dataclasses.replace(ledger, accounts=_with(ledger, **{name: updated}))


def bond(ledger: Ledger, name: str, amount: int) -> Ledger:
    """Post free tokens as collateral for a node role (§IV-J)."""
    return _set_aside(
        ledger,
        name,
        amount,
        "collateral",
        lambda a: dataclasses.replace(a, collateral=a.collateral + amount),
    )


def unbond(ledger: Ledger, name: str, amount: int, delay: int) -> Ledger:
    """Start releasing collateral: it stays slashable for ``delay`` more epochs (§IV-J)."""
    _amount(amount, "unbond")
    _amount(delay, "unbonding delay", allow_zero=True)
    account = _existing(ledger, name)
    if account.collateral < amount:
        raise SpecError(
            Reason.INSUFFICIENT_COLLATERAL, f"{name} bonds {account.collateral} < {amount}"
        )
    updated = dataclasses.replace(
        account,
        collateral=account.collateral - amount,
        unbonding=(*account.unbonding, Unbonding(amount, ledger.now + delay)),
    )
    return dataclasses.replace(ledger, accounts=_with(ledger, **{name: updated}))


def lock(
    ledger: Ledger, owner: str, ballot_id: str, amount: int, k: int, periods: int
) -> tuple[Ledger, Lock]:
    """Lock free tokens to one ballot until ``now + periods`` epochs; return the lock (§IV-C).

    The caller computes ``periods`` (k² lock periods, :mod:`vdlt_spec.governance.voting`)
    and checks ``k``; the ledger guarantees the tokens cannot move or back another lock
    until the lock expires.
    """
    _amount(amount, "locked amount")
    _amount(periods, "lock duration")
    account = _existing(ledger, owner)
    _need_free(account, owner, amount)
    new_lock = Lock(
        lock_id=ledger.next_lock_id,
        owner=owner,
        ballot_id=ballot_id,
        amount=amount,
        k=k,
        locked_at=ledger.now,
        unlock_at=ledger.now + periods,
    )
    updated = dataclasses.replace(account, locked=account.locked + amount)
    return (
        dataclasses.replace(
            ledger,
            accounts=_with(ledger, **{owner: updated}),
            locks={**ledger.locks, new_lock.lock_id: new_lock},
            next_lock_id=ledger.next_lock_id + 1,
        ),
        new_lock,
    )


def burn(ledger: Ledger, name: str, amount: int) -> Ledger:
    """Destroy free tokens of an account, e.g. the price of plain quadratic votes (§IV-C)."""
    _amount(amount, "burn")
    account = _existing(ledger, name)
    _need_free(account, name, amount)
    updated = dataclasses.replace(account, balance=account.balance - amount)
    return dataclasses.replace(
        ledger, accounts=_with(ledger, **{name: updated}), burned=ledger.burned + amount
    )


def mint(ledger: Ledger, payouts: Mapping[str, int]) -> Ledger:
    """Create new tokens and pay them out; the minted amount is exactly the payouts' sum (§IV-I)."""
    accounts = dict(ledger.accounts)
    total = 0
    for name, amount in sorted(payouts.items()):
        _amount(amount, f"payout to {name}", allow_zero=True)
        if amount == 0:
            continue
        current = accounts.get(_name(name), Account())
        accounts[name] = dataclasses.replace(current, balance=current.balance + amount)
        total += amount
    return dataclasses.replace(ledger, accounts=accounts, minted=ledger.minted + total)


def slash(ledger: Ledger, offender: str, amount: int, reporter: str, reward: int) -> Ledger:
    """Take ``amount`` of collateral, pay ``reward`` to the reporter, burn the rest (§IV-J).

    Bonded collateral is taken first, then unbonding entries, latest first. The reward must
    be smaller than the amount, so that reporting oneself never pays.
    """
    _amount(amount, "slashed amount")
    _amount(reward, "reporter reward", allow_zero=True)
    if reward >= amount:
        raise SpecError(Reason.REWARD_NOT_BELOW_SLASH, f"reward {reward} must be below {amount}")
    account = _existing(ledger, offender)
    _existing(ledger, reporter)
    if account.slashable < amount:
        raise SpecError(
            Reason.INSUFFICIENT_COLLATERAL,
            f"{offender} has {account.slashable} slashable, cannot lose {amount}",
        )
    from_bonded = min(account.collateral, amount)
    rest = amount - from_bonded
    unbonding = list(account.unbonding)
    for index in range(len(unbonding) - 1, -1, -1):
        if rest == 0:
            break
        taken = min(unbonding[index].amount, rest)
        unbonding[index] = Unbonding(unbonding[index].amount - taken, unbonding[index].release_at)
        rest -= taken
    punished = dataclasses.replace(
        account,
        balance=account.balance - amount,
        collateral=account.collateral - from_bonded,
        unbonding=tuple(u for u in unbonding if u.amount > 0),
    )
    accounts = _with(ledger, **{offender: punished})
    payee = accounts[reporter]
    accounts[reporter] = dataclasses.replace(payee, balance=payee.balance + reward)
    return dataclasses.replace(ledger, accounts=accounts, burned=ledger.burned + amount - reward)


def advance(ledger: Ledger, now: int) -> Ledger:
    """Move the clock to epoch ``now``; release expired locks and unbonded collateral (§IV-C).

    A lock made at epoch t for k² periods is released exactly when ``now >= unlock_at``.
    """
    if isinstance(now, bool) or not isinstance(now, int) or now < ledger.now:
        raise SpecError(Reason.TIME_NOT_MONOTONE, f"cannot move from epoch {ledger.now} to {now}")
    released: dict[str, int] = {}
    locks = {}
    for lock_id, item in ledger.locks.items():
        if item.unlock_at <= now:
            released[item.owner] = released.get(item.owner, 0) + item.amount
        else:
            locks[lock_id] = item
    accounts = dict(ledger.accounts)
    for name, account in ledger.accounts.items():
        kept = tuple(u for u in account.unbonding if u.release_at > now)
        if kept != account.unbonding or name in released:
            accounts[name] = dataclasses.replace(
                account, unbonding=kept, locked=account.locked - released.get(name, 0)
            )
    return dataclasses.replace(ledger, accounts=accounts, locks=locks, now=now)


# --- invariants --------------------------------------------------------------------------------


def invariant_violations(ledger: Ledger) -> tuple[str, ...]:
    """List every broken ledger invariant; an empty tuple means the ledger is sound (§IV-I)."""
    problems = []
    for name, a in sorted(ledger.accounts.items()):
        parts = (a.balance, a.staked, a.collateral, a.locked, *(u.amount for u in a.unbonding))
        if any(p < 0 for p in parts):
            problems.append(f"{name}: negative amount in {a}")
        if a.encumbered > a.balance:
            problems.append(
                f"{name}: staked + collateral + locked = {a.encumbered} > balance {a.balance}"
            )
    if ledger.supply != ledger.genesis + ledger.minted - ledger.burned:
        problems.append(
            f"supply {ledger.supply} != genesis {ledger.genesis} + minted {ledger.minted}"
            f" - burned {ledger.burned}"
        )
    locked_by_owner: dict[str, int] = {}
    for lock_id, item in ledger.locks.items():
        if lock_id != item.lock_id or lock_id >= ledger.next_lock_id:
            problems.append(f"lock {lock_id}: bad identifier")
        if item.unlock_at <= ledger.now:
            problems.append(f"lock {lock_id}: expired at {item.unlock_at} but still held")
        locked_by_owner[item.owner] = locked_by_owner.get(item.owner, 0) + item.amount
    for name, a in sorted(ledger.accounts.items()):
        if a.locked != locked_by_owner.get(name, 0):
            problems.append(f"{name}: locked {a.locked} != live locks {locked_by_owner.get(name)}")
    return tuple(problems)


def check_invariants(ledger: Ledger) -> Ledger:
    """Return the ledger if every invariant holds, else raise ``INVARIANT_VIOLATED`` (§IV-I)."""
    problems = invariant_violations(ledger)
    if problems:
        raise SpecError(Reason.INVARIANT_VIOLATED, "; ".join(problems))
    return ledger
