"""Every voting rule the code enforces, pinned with its exact reason; the tally auditor has teeth.

A ballot's options are distinct and it closes after it opens; a vote counts only while the ballot
is open (``opens_at <= now < closes_at``); a lock counts only for its owner and for the ballot it
is bound to (§IV-C). ``tally_violations`` is handed a tally broken in each way it looks for and
must name exactly that break.
"""

from __future__ import annotations

import dataclasses

import pytest

from vdlt_spec import ledger as L
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import voting as V
from vdlt_spec.governance.voting import VotingMode

MAX_K = 8


def _ledger() -> L.Ledger:
    ledger = L.genesis({"alice": 1_000, "bob": 1_000}, supply=2_000)
    return L.stake(ledger, "alice", 100)


def _ballot(opens: int = 0, closes: int = 5, name: str = "b1") -> V.Ballot:
    return V.open_ballot(name, ("yes", "no"), VotingMode.TOKEN_LOCK, opens, closes, 100)


def _lock(ledger: L.Ledger, ballot: V.Ballot, owner: str) -> tuple[L.Ledger, int]:
    return V.lock_for_ballot(ledger, ballot, owner, 10, 1, max_k=MAX_K, lock_period_epochs=1)


def _rejected(call: object, reason: Reason, detail: str) -> None:
    assert callable(call)
    with pytest.raises(SpecError) as caught:
        call()
    assert (caught.value.reason, caught.value.detail) == (reason, detail)


# --- opening a ballot ----------------------------------------------------------------------------


def test_duplicate_ballot_options_are_refused() -> None:
    """Two options of one name are UNKNOWN_OPTION: a tally could not tell them apart."""
    _rejected(
        lambda: V.open_ballot("b", ("yes", "no", "yes"), VotingMode.TOKEN_LOCK, 0, 2, 100),
        Reason.UNKNOWN_OPTION,
        "ballot options must be distinct: ('yes', 'no', 'yes')",
    )


@pytest.mark.parametrize(("opens", "closes"), [(5, 4), (5, 5)])
def test_a_ballot_closing_before_or_when_it_opens_is_refused(opens: int, closes: int) -> None:
    """A ballot closing at or before its opening would accept no vote: BALLOT_CLOSED."""
    _rejected(
        lambda: V.open_ballot("b", ("yes",), VotingMode.QUADRATIC, opens, closes, 100),
        Reason.BALLOT_CLOSED,
        f"ballot closes at {closes} <= opens {opens}",
    )


def test_a_ballot_open_for_one_epoch_is_accepted() -> None:
    """``closes_at = opens_at + 1`` is the shortest ballot, open at ``opens_at`` only."""
    ballot = V.open_ballot("b", ("yes",), VotingMode.QUADRATIC, 5, 6, 100)
    assert [V.is_open(ballot, t) for t in (4, 5, 6)] == [False, True, False]


def test_a_ballot_needs_an_identifier() -> None:
    """An empty ballot id is UNKNOWN_BALLOT."""
    _rejected(
        lambda: V.open_ballot("", ("yes",), VotingMode.QUADRATIC, 0, 1, 100),
        Reason.UNKNOWN_BALLOT,
        "a ballot needs a non-empty identifier",
    )


# --- when votes count ----------------------------------------------------------------------------


def test_votes_after_a_ballot_closes_are_refused() -> None:
    """A vote at ``closes_at`` is BALLOT_CLOSED; one epoch earlier it counts."""
    ballot = _ballot(0, 2)
    late = L.advance(_ledger(), 2)
    _rejected(
        lambda: V.cast_quadratic_vote(
            dataclasses.replace(ballot, mode=VotingMode.QUADRATIC), late, "bob", 1, "yes"
        ),
        Reason.BALLOT_CLOSED,
        "ballot b1 is open in [0, 2), not at 2",
    )
    last = L.advance(_ledger(), 1)
    counted, _ = V.vote_with_lock(
        ballot, last, "bob", 10, 1, "yes", max_k=MAX_K, lock_period_epochs=1
    )
    assert counted.votes["yes"] == 10


def test_votes_before_a_ballot_opens_are_refused() -> None:
    """A vote before ``opens_at`` is BALLOT_CLOSED too."""
    ballot = dataclasses.replace(_ballot(3, 5), mode=VotingMode.QUADRATIC)
    _rejected(
        lambda: V.cast_quadratic_vote(ballot, _ledger(), "bob", 1, "yes"),
        Reason.BALLOT_CLOSED,
        "ballot b1 is open in [3, 5), not at 0",
    )


def test_a_lock_cannot_be_made_for_a_closed_ballot() -> None:
    """Locking tokens for a ballot that is not open is BALLOT_CLOSED."""
    _rejected(
        lambda: _lock(L.advance(_ledger(), 5), _ballot(0, 5), "alice"),
        Reason.BALLOT_CLOSED,
        "ballot b1 is not open",
    )


# --- whose lock, for which ballot ---------------------------------------------------------------


def test_a_lock_used_by_someone_other_than_its_owner_is_refused() -> None:
    """Bob voting with Alice's lock is FOREIGN_LOCK naming the owner."""
    ballot = _ballot()
    ledger, lock_id = _lock(_ledger(), ballot, "alice")
    _rejected(
        lambda: V.cast_locked_vote(ballot, ledger, "bob", lock_id, "yes"),
        Reason.FOREIGN_LOCK,
        f"lock {lock_id} belongs to alice, not bob",
    )


def test_a_lock_bound_to_another_ballot_is_refused() -> None:
    """A lock made for ballot b2 does not count on b1: FOREIGN_LOCK naming its ballot."""
    ballot, other = _ballot(), _ballot(name="b2")
    ledger, lock_id = _lock(_ledger(), other, "alice")
    _rejected(
        lambda: V.cast_locked_vote(ballot, ledger, "alice", lock_id, "yes"),
        Reason.FOREIGN_LOCK,
        f"lock {lock_id} is bound to b2, not this ballot",
    )


def test_the_owner_with_the_bound_lock_is_counted() -> None:
    """The lock's owner, on the lock's ballot, in the lock's epoch: N·k votes counted."""
    ballot = _ballot()
    ledger, lock_id = _lock(_ledger(), ballot, "alice")
    counted = V.cast_locked_vote(ballot, ledger, "alice", lock_id, "no")
    assert (counted.votes["no"], counted.tokens["no"], counted.locks_used) == (10, 10, {lock_id})
    assert V.tally_violations(counted) == ()


# --- the tally auditor ----------------------------------------------------------------------------


def _counted() -> V.Ballot:
    ballot = _ballot()
    ledger, lock_id = _lock(_ledger(), ballot, "alice")
    return V.cast_locked_vote(ballot, ledger, "alice", lock_id, "yes")


KEYS = "b1: tally keys differ from the options"
NEGATIVE = "b1: negative tally"
UNKNOWN = "b1: a voter chose an unknown option"


@pytest.mark.parametrize(
    ("change", "findings"),
    [
        ({"votes": {"yes": 10}}, (KEYS,)),
        ({"tokens": {"yes": 10, "no": 0, "maybe": 0}}, (KEYS,)),
        ({"votes": {"yes": 10, "no": -1}}, (NEGATIVE, "b1: no has votes but no voter")),
        ({"tokens": {"yes": -10, "no": 0}}, (NEGATIVE,)),
        ({"choices": {"alice": "maybe"}}, (UNKNOWN, "b1: yes has votes but no voter")),
        ({"votes": {"yes": 10, "no": 3}}, ("b1: no has votes but no voter",)),
        ({"tokens": {"yes": 10, "no": 3}}, ("b1: no has votes but no voter",)),
        ({"votes": {"yes": 0, "no": 0}, "tokens": {"yes": 0, "no": 0}}, ()),
    ],
)
def test_a_broken_tally_is_named_exactly(
    change: dict[str, object], findings: tuple[str, ...]
) -> None:
    """Each break of a sound tally gives exactly the findings that name it, in order.

    (A tally of zeros with a voter is not broken: a lock of zero tokens counts zero votes.)
    """
    broken = dataclasses.replace(_counted(), **change)  # type: ignore[arg-type]
    assert V.tally_violations(broken) == findings


def test_an_unknown_choice_leaves_the_votes_without_a_voter() -> None:
    """Moving the only voter to an unknown option gives both findings, in order."""
    broken = dataclasses.replace(_counted(), choices={"alice": "maybe"})
    assert V.tally_violations(broken) == (
        "b1: a voter chose an unknown option",
        "b1: yes has votes but no voter",
    )
