"""Name the replicas that provably misbehaved, with the signed evidence (§IV-J, §IV-D).

Quorum proofs are transferable, so a safety violation leaves signatures behind. Two rules,
each sound (an honest replica never matches one, so no honest replica is ever named):

* **double vote** — two statements about the same sequence number with different digests, in
  the same view for pre-prepare / prepare / commit, or for the same checkpoint: everyone who
  signed both is faulty (an honest replica accepts one pre-prepare per view and sequence
  number and votes only for it; it signs one state digest per checkpoint);
* **amnesia** — a replica signed a commit at (v, s) and later a view change to a view > v
  whose stable checkpoint is below s but which reports no prepare proof for s of view >= v (an
  honest replica that signs a commit holds that prepare proof until a checkpoint covers s).

Two conflicting commits in one view name at least 2q - n >= f + 1 replicas by the first rule.
Across views, the view changes of the new views in between name at least f + 1 by the two rules
together (the PBFT forensics argument, see docs/consensus.md). Penalties (§IV-J) may take the
returned evidence as is: every item re-verifies from the roster and the signed bytes alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations
from typing import Protocol

from vdlt_spec.consensus.block import block_digest
from vdlt_spec.consensus.config import primary_of
from vdlt_spec.consensus.messages import (
    NewView,
    PrePrepare,
    ViewChange,
    view_change_digest,
)
from vdlt_spec.consensus.payloads import SigningDomain, VoteKind, vote_payload
from vdlt_spec.consensus.quorum import QuorumProof, SignedVote, VoteSet
from vdlt_spec.crypto import Certificate, decode_bitmap
from vdlt_spec.errors import Reason, SpecError

ORDERING_KINDS = frozenset({VoteKind.PRE_PREPARE, VoteKind.PREPARE, VoteKind.COMMIT})


class Verifier(Protocol):
    """Check individual signatures and certificates over a roster (§IV-J)."""

    roster: tuple[bytes, ...]

    def verify(self, signer: int, message: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` is ``signer``'s on ``message`` (§IV-J)."""
        ...

    def verify_certificate(self, message: bytes, certificate: Certificate) -> bool:
        """Return whether the certificate's aggregate signature verifies (§IV-J)."""
        ...


class Rule(StrEnum):
    """Name the misbehaviour an item of evidence proves (§IV-J)."""

    DOUBLE_VOTE = "double-vote"
    AMNESIA = "amnesia"


@dataclass(frozen=True)
class Statement:
    """Hold a signed claim: (kind, view, seq, digest) with a certificate or signed votes (§IV-J)."""

    kind: VoteKind
    view: int
    seq: int
    digest: bytes
    proof: QuorumProof


@dataclass(frozen=True)
class Evidence:
    """Prove that ``culprit`` misbehaved: the rule and the signed items that show it (§IV-J)."""

    culprit: int
    rule: Rule
    first: Statement
    second: Statement | None = None
    view_change: ViewChange | None = None


def signers_of(
    verifier: Verifier, domain: SigningDomain, statement: Statement
) -> dict[int, VoteKind]:
    """Return who signed a statement in ``domain``, and as what; ``BAD_EVIDENCE`` if one fails.

    A signature made under another signing domain fails like a forged one (§IV-J).
    """
    st = statement
    if isinstance(st.proof, Certificate):
        payload = vote_payload(domain, st.kind, st.view, st.seq, st.digest)
        try:
            signers = decode_bitmap(st.proof.bitmap, len(verifier.roster))
        except SpecError as exc:
            raise SpecError(Reason.BAD_EVIDENCE, f"certificate bitmap: {exc.detail}") from None
        if not verifier.verify_certificate(payload, st.proof):
            raise SpecError(
                Reason.BAD_EVIDENCE, f"certificate does not verify in {domain.describe()}"
            )
        return dict.fromkeys(signers, st.kind)
    found: dict[int, VoteKind] = {}
    for vote in st.proof.votes:
        payload = vote_payload(domain, vote.kind, st.view, st.seq, st.digest)
        if not verifier.verify(vote.signer, payload, vote.signature):
            raise SpecError(
                Reason.BAD_EVIDENCE,
                f"vote of replica {vote.signer} does not verify in {domain.describe()}",
            )
        found[vote.signer] = vote.kind
    return found


def _conflicting(a: Statement, b: Statement) -> bool:
    if a.seq != b.seq or a.digest == b.digest:
        return False
    if a.kind == VoteKind.CHECKPOINT and b.kind == VoteKind.CHECKPOINT:
        return True
    return a.kind in ORDERING_KINDS and b.kind in ORDERING_KINDS and a.view == b.view


def double_votes(
    verifier: Verifier, domain: SigningDomain, a: Statement, b: Statement
) -> tuple[Evidence, ...]:
    """Return everyone who signed both of two conflicting statements (§IV-J).

    Raises ``NO_CONFLICT`` if the statements do not conflict and ``BAD_EVIDENCE`` if either
    does not verify.
    """
    if not _conflicting(a, b):
        raise SpecError(
            Reason.NO_CONFLICT,
            "statements conflict only at one sequence number with different digests, "
            "in one view (or both checkpoints)",
        )
    both = set(signers_of(verifier, domain, a)) & set(signers_of(verifier, domain, b))
    return tuple(Evidence(i, Rule.DOUBLE_VOTE, a, b) for i in sorted(both))


def amnesia(
    verifier: Verifier, domain: SigningDomain, commit: Statement, vc: ViewChange
) -> tuple[Evidence, ...]:
    """Return the view change's sender if it signed ``commit`` then hid its proof (§IV-J).

    Raises ``NO_CONFLICT`` if the pair shows nothing and ``BAD_EVIDENCE`` if a signature fails.
    """
    if vc.new_view <= commit.view or vc.stable_seq >= commit.seq:
        raise SpecError(Reason.NO_CONFLICT, "view change does not follow the commit's view")
    if any(e.seq == commit.seq and e.view >= commit.view for e in vc.prepared):
        raise SpecError(Reason.NO_CONFLICT, "view change reports a prepare proof at or above it")
    payload = vote_payload(
        domain, VoteKind.VIEW_CHANGE, vc.new_view, vc.stable_seq, view_change_digest(vc)
    )
    if not verifier.verify(vc.replica, payload, vc.signature):
        raise SpecError(
            Reason.BAD_EVIDENCE,
            f"view change of {vc.replica} does not verify in {domain.describe()}",
        )
    committers = {
        i for i, k in signers_of(verifier, domain, commit).items() if k == VoteKind.COMMIT
    }
    if vc.replica not in committers:
        raise SpecError(Reason.NO_CONFLICT, f"replica {vc.replica} did not sign the commit")
    return (Evidence(vc.replica, Rule.AMNESIA, commit, None, vc),)


def statements_in(
    n: int, view_changes: Iterable[ViewChange], new_views: Iterable[NewView] = ()
) -> tuple[list[Statement], list[ViewChange]]:
    """Extract the signed statements of view changes and new views (n replicas) (§IV-J).

    Returns the prepare proofs the view changes report, the new views' pre-prepares (signed by
    their primaries), and all view changes, those inside new views included.
    """
    vcs = list(view_changes)
    statements: list[Statement] = []
    for nv in new_views:
        vcs.extend(nv.view_changes)
        statements.extend(_pre_prepare_statement(n, pp) for pp in nv.pre_prepares)
    for vc in vcs:
        statements.extend(
            Statement(VoteKind.PREPARE, e.view, e.seq, e.digest, e.proof) for e in vc.prepared
        )
    return statements, vcs


def _pre_prepare_statement(n: int, pp: PrePrepare) -> Statement:
    vote = SignedVote(primary_of(pp.view, n), VoteKind.PRE_PREPARE, pp.signature)
    digest = block_digest(pp.block)
    return Statement(VoteKind.PRE_PREPARE, pp.view, pp.seq, digest, VoteSet((vote,)))


def find_culprits(
    verifier: Verifier,
    domain: SigningDomain,
    statements: Sequence[Statement],
    view_changes: Sequence[ViewChange] = (),
) -> tuple[Evidence, ...]:
    """Apply both rules to every pair in the pool; return one item of evidence per culprit (§IV-J).

    Items that do not verify are skipped (forged evidence frames nobody).
    """
    unique = list(dict.fromkeys(statements))
    checkable = [st for st in unique if _verifies(verifier, domain, st)]
    found: dict[int, Evidence] = {}
    for a, b in combinations(checkable, 2):
        if _conflicting(a, b):
            for item in double_votes(verifier, domain, a, b):
                found.setdefault(item.culprit, item)
    commits = [st for st in checkable if st.kind == VoteKind.COMMIT]
    for commit in commits:
        for vc in dict.fromkeys(view_changes):
            try:
                items = amnesia(verifier, domain, commit, vc)
            except SpecError:
                continue
            for item in items:
                found.setdefault(item.culprit, item)
    return tuple(found[i] for i in sorted(found))


def _verifies(verifier: Verifier, domain: SigningDomain, statement: Statement) -> bool:
    try:
        signers_of(verifier, domain, statement)
    except SpecError:
        return False
    return True
