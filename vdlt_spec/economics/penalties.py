"""Punish proven misbehaviour: verify evidence with the real signatures, slash, reward (§IV-J).

Nodes bond collateral to serve (§IV-J: "if nodes put down collateral to participate, penalty can
be implemented by taking away their collateral and rewarding the node who submits cryptographic
evidence of misbehavior"). Evidence is self-contained and checked with BIP340 signatures over
the canonical consensus payload (:func:`vdlt_spec.consensus.payloads.vote_payload`) in the
signing domain of the management chain's epoch: ``SigningDomain.of(epoch roster keys,
DEFAULT_CHAIN_ID, epoch)``, so a statement signed in another epoch or chain is no evidence:

* **double signing**: one key signed two statements of the same kind, view and sequence
  number with different digests;
* **forged certificate**: a key signed a statement claiming that a certificate proves a
  quorum, and the certificate does not verify against the epoch's roster;
* **consensus evidence** (:class:`ConsensusEvidence`): an item that
  :mod:`vdlt_spec.consensus.accountability` returns, a double vote or an amnesia, re-verified
  here from the epoch's roster and the signed bytes alone. Replica i of an epoch's consensus is
  the i-th delegate of that epoch's roster (election order).

Rules (``docs/decisions.md``, D-econ-6..9): evidence names the epoch of the offence, whose
roster must contain the accused key; evidence older than ``evidence_window_epochs`` is stale;
one offence (key, kind, view, sequence) is slashed once; the slash is ``slash_fraction`` of the
slashable collateral and the offender loses all of it whoever reports; the reporter gets
floor(slashed · ``denouncer_reward``) (Tezos: 1/11) out of the slashed amount, the rest is
burnt, and an offender's report of itself earns nothing (its reward is burnt too):
:mod:`vdlt_spec.economics.settlement` states this arithmetic once (D-econ-7).
Every kind of evidence carries this one penalty, and the offender is expelled from the DPoS
registry (D-econ-11). A consensus double vote names the same offence as a double signing of
the same statement, so one equivocation is slashed once whichever form reports it; an amnesia
is one offence per (key, commit view, commit sequence) (D-econ-12).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from vdlt_spec import ledger as ledger_ops
from vdlt_spec.consensus import (
    CHECKPOINT_VIEW,
    DEFAULT_CHAIN_ID,
    RosterVerifier,
    SigningDomain,
    VoteKind,
    accountability,
    vote_payload,
)
from vdlt_spec.crypto import Certificate, bip340, certificate_is_valid, tagged_hash
from vdlt_spec.economics import settlement
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import dpos
from vdlt_spec.governance.dpos import DposState, RosterEntry
from vdlt_spec.governance.parameters import Parameters
from vdlt_spec.ledger import Ledger

CERTIFICATE_CLAIM_TAG = b"vDLT/certificate-claim"
DOUBLE_SIGN = "double-sign"
FORGED_CERTIFICATE = "forged-certificate"
AMNESIA = "amnesia"


@dataclass(frozen=True)
class SignedStatement:
    """Hold one statement signed by a roster key: what was signed and the BIP340 signature (§IV-D).

    The key-addressed form of a consensus vote, for evidence handed in outside consensus (a
    replica-addressed vote is :class:`vdlt_spec.consensus.quorum.SignedVote`).
    """

    kind: VoteKind
    view: int
    seq: int
    digest: bytes
    signature: bytes

    def payload(self, domain: SigningDomain) -> bytes:
        """Return the 32-byte message the signature covers in ``domain`` (§IV-D)."""
        return vote_payload(domain, self.kind, self.view, self.seq, self.digest)


@dataclass(frozen=True)
class DoubleSignEvidence:
    """Show two statements by one key for one (kind, view, seq) with different digests (§IV-J)."""

    epoch: int
    signer: bytes
    first: SignedStatement
    second: SignedStatement


@dataclass(frozen=True)
class ForgedCertificateEvidence:
    """Show a key vouching for a certificate of ``message`` that does not verify (§IV-J).

    ``claim`` is the accused's signed statement (for instance the PRE_PREPARE or NEW_VIEW
    that carried the certificate); its digest must be :func:`certificate_claim_digest` of
    ``message`` and ``certificate``, so the signature binds the accused to this certificate.
    """

    epoch: int
    signer: bytes
    claim: SignedStatement
    message: bytes
    certificate: Certificate


@dataclass(frozen=True)
class ConsensusEvidence:
    """Carry one item of consensus accountability evidence and the epoch it is about (§IV-J).

    ``proof.culprit`` is a replica index: the position of the accused in the epoch's roster.
    """

    epoch: int
    proof: accountability.Evidence


SlashingEvidence = DoubleSignEvidence | ForgedCertificateEvidence | ConsensusEvidence


@dataclass(frozen=True)
class SlashRecord:
    """Record one applied penalty: who, for what, how much was slashed, paid and burnt.

    ``reward`` is what the reporter was paid: 0 when the offender reported itself.
    """

    epoch: int
    offence: str
    offender: str
    reporter: str
    slashable_before: int
    slashed: int
    reward: int
    slash_fraction: Fraction
    denouncer_reward: Fraction

    @property
    def burned(self) -> int:
        """Return the part of the slashed amount that was burnt (§IV-J)."""
        return self.slashed - self.reward


@dataclass(frozen=True)
class PenaltyState:
    """Remember the offences already punished and every slash applied (§IV-J)."""

    punished: frozenset[str] = frozenset()
    slashes: tuple[SlashRecord, ...] = ()


def certificate_claim_digest(message: bytes, certificate: Certificate) -> bytes:
    """Return the digest a node signs to vouch for a certificate (§IV-D, §IV-J, D-econ-8).

    tagged_hash("vDLT/certificate-claim", message || bitmap || signature).
    """
    return tagged_hash(CERTIFICATE_CLAIM_TAG, message + certificate.encode())


def offence_id(evidence: SlashingEvidence) -> str:
    """Name the offence evidence proves: its type, key, kind, view and sequence (§IV-J)."""
    if isinstance(evidence, ConsensusEvidence):
        raise SpecError(Reason.BAD_EVIDENCE, "consensus evidence is named from its roster")
    if isinstance(evidence, DoubleSignEvidence):
        vote, what = evidence.first, DOUBLE_SIGN
    else:
        vote, what = evidence.claim, FORGED_CERTIFICATE
    return f"{what}:{evidence.signer.hex()}:{int(vote.kind)}:{vote.view}:{vote.seq}"


def consensus_offence_id(evidence: ConsensusEvidence, key: bytes) -> str:
    """Name the offence consensus evidence proves, given the accused's key (§IV-J, D-econ-12).

    A double vote is named as the double signing of its lowest (kind, view, sequence), the view
    as the signature covers it; an amnesia by the commit's view and sequence.
    """
    proof = evidence.proof
    if proof.rule == accountability.Rule.AMNESIA:
        return f"{AMNESIA}:{key.hex()}:{proof.first.view}:{proof.first.seq}"
    statements = [proof.first] if proof.second is None else [proof.first, proof.second]
    kind, view, seq = min((int(st.kind), _signed_view(st), st.seq) for st in statements)
    return f"{DOUBLE_SIGN}:{key.hex()}:{kind}:{view}:{seq}"


def _signed_view(statement: accountability.Statement) -> int:
    return CHECKPOINT_VIEW if statement.kind == VoteKind.CHECKPOINT else statement.view


def _signed_by(vote: SignedStatement, signer: bytes, domain: SigningDomain) -> bool:
    try:
        return bip340.schnorr_verify(vote.payload(domain), signer[1:], vote.signature)
    except SpecError:
        return False


def _roster_entry(roster: Sequence[RosterEntry], signer: bytes, epoch: int) -> RosterEntry:
    for entry in roster:
        if entry.key == signer:
            return entry
    raise SpecError(Reason.NOT_IN_ROSTER, f"key {signer.hex()} did not serve in epoch {epoch}")


def _check_epoch(epoch: int, now: int, window: int) -> None:
    if epoch > now:
        raise SpecError(Reason.FUTURE_EVIDENCE, f"evidence about epoch {epoch} > {now}")
    if epoch < now - window:
        raise SpecError(
            Reason.STALE_EVIDENCE,
            f"evidence about epoch {epoch} is older than {window} epochs (now {now})",
        )


def verify_consensus_evidence(
    evidence: ConsensusEvidence, roster: Sequence[RosterEntry]
) -> RosterEntry:
    """Re-check accountability evidence against the epoch's roster; return the culprit (§IV-J).

    Raise ``NOT_IN_ROSTER`` for a replica index outside the roster, ``BAD_EVIDENCE`` for an
    item missing its second part or a signature that does not verify, and ``NO_CONFLICT`` when
    the signed items do not show the rule's misbehaviour by the culprit.
    """
    proof = evidence.proof
    if not 0 <= proof.culprit < len(roster):
        raise SpecError(
            Reason.NOT_IN_ROSTER,
            f"replica {proof.culprit} did not serve in epoch {evidence.epoch}",
        )
    verifier = RosterVerifier(tuple(entry.key for entry in roster))
    domain = SigningDomain.of(verifier.roster, DEFAULT_CHAIN_ID, evidence.epoch)
    if proof.rule == accountability.Rule.DOUBLE_VOTE:
        if proof.second is None:
            raise SpecError(Reason.BAD_EVIDENCE, "a double vote needs two statements")
        named = accountability.double_votes(verifier, domain, proof.first, proof.second)
    elif proof.rule == accountability.Rule.AMNESIA:
        if proof.view_change is None:
            raise SpecError(Reason.BAD_EVIDENCE, "an amnesia needs the view change")
        named = accountability.amnesia(verifier, domain, proof.first, proof.view_change)
    else:
        raise SpecError(Reason.BAD_EVIDENCE, f"no penalty rule for {proof.rule!r}")
    if proof.culprit not in {item.culprit for item in named}:
        raise SpecError(Reason.NO_CONFLICT, f"the items do not convict replica {proof.culprit}")
    return roster[proof.culprit]


def verify_evidence(
    evidence: SlashingEvidence, roster: Sequence[RosterEntry], now: int, window: int
) -> str:
    """Check evidence against its epoch's roster and return the offender's account (§IV-J).

    Raise ``STALE_EVIDENCE``/``FUTURE_EVIDENCE`` outside [now - window, now],
    ``NOT_IN_ROSTER`` for a key that did not serve, ``BAD_EVIDENCE`` for statements that do not
    conflict or claims that do not match, ``BAD_SIGNATURE`` when a signature does not verify,
    and ``CERTIFICATE_VALID`` when the allegedly forged certificate verifies. Consensus evidence
    fails as :func:`verify_consensus_evidence` says.
    """
    _check_epoch(evidence.epoch, now, window)
    if isinstance(evidence, ConsensusEvidence):
        return verify_consensus_evidence(evidence, roster).account
    entry = _roster_entry(roster, evidence.signer, evidence.epoch)
    domain = SigningDomain.of([e.key for e in roster], DEFAULT_CHAIN_ID, evidence.epoch)
    if isinstance(evidence, DoubleSignEvidence):
        a, b = evidence.first, evidence.second
        if (a.kind, a.view, a.seq) != (b.kind, b.view, b.seq):
            raise SpecError(Reason.BAD_EVIDENCE, "the statements are for different positions")
        if a.digest == b.digest:
            raise SpecError(Reason.BAD_EVIDENCE, "the statements sign the same digest")
        if not (_signed_by(a, evidence.signer, domain) and _signed_by(b, evidence.signer, domain)):
            raise SpecError(Reason.BAD_SIGNATURE, "a statement is not signed by the accused key")
        return entry.account
    claim = evidence.claim
    if claim.digest != certificate_claim_digest(evidence.message, evidence.certificate):
        raise SpecError(Reason.BAD_EVIDENCE, "the claim does not vouch for this certificate")
    if not _signed_by(claim, evidence.signer, domain):
        raise SpecError(Reason.BAD_SIGNATURE, "the claim is not signed by the accused key")
    keys = tuple(e.key for e in roster)
    if certificate_is_valid(keys, evidence.message, evidence.certificate, fast=False):
        raise SpecError(Reason.CERTIFICATE_VALID, "the certificate verifies: nothing was forged")
    return entry.account


def evidence_offence(evidence: SlashingEvidence, roster: Sequence[RosterEntry]) -> str:
    """Name the offence of evidence already verified against ``roster`` (§IV-J)."""
    if isinstance(evidence, ConsensusEvidence):
        return consensus_offence_id(evidence, roster[evidence.proof.culprit].key)
    return offence_id(evidence)


def slash_amounts(slashable: int, params: Parameters) -> tuple[int, int]:
    """Return (slashed, reporter reward) for ``slashable`` collateral (§IV-J).

    slashed = floor(slashable · slash_fraction); reward = floor(slashed · denouncer_reward),
    strictly less than slashed whenever something is slashed. The reward is what a reporter
    other than the offender is paid (:func:`vdlt_spec.economics.settlement.settle`).
    """
    return settlement.slash_amounts(slashable, params.slash_fraction, params.denouncer_reward)


def submit_evidence(
    state: PenaltyState,
    ledger: Ledger,
    registry: DposState,
    params: Parameters,
    reporter: str,
    evidence: SlashingEvidence,
) -> tuple[PenaltyState, Ledger, DposState, SlashRecord]:
    """Verify evidence, slash the offender once, pay the reporter, expel the offender (§IV-J).

    The offender's balance falls by the whole slash whoever reports; a reporter other than the
    offender is paid the reward out of it; an offender reporting itself is paid nothing.
    """
    if reporter not in ledger.accounts:
        raise SpecError(Reason.UNKNOWN_ACCOUNT, f"no account named {reporter!r}")
    roster = registry.rosters.get(evidence.epoch, ())
    offender = verify_evidence(evidence, roster, ledger.now, params.evidence_window_epochs)
    offence = evidence_offence(evidence, roster)
    if offence in state.punished:
        raise SpecError(Reason.DUPLICATE_EVIDENCE, f"{offence} was already punished")
    slashable = ledger.account(offender).slashable
    slashed, due = slash_amounts(slashable, params)
    if slashed == 0:
        raise SpecError(Reason.NOTHING_TO_SLASH, f"{offender} has no slashable collateral")
    reward = settlement.settle(slashed, due, self_report=reporter == offender).reporter_credit
    punished = ledger_ops.slash(ledger, offender, slashed, reporter, reward)
    record = SlashRecord(
        epoch=ledger.now,
        offence=offence,
        offender=offender,
        reporter=reporter,
        slashable_before=slashable,
        slashed=slashed,
        reward=reward,
        slash_fraction=params.slash_fraction,
        denouncer_reward=params.denouncer_reward,
    )
    updated = dataclasses.replace(
        state, punished=state.punished | {offence}, slashes=(*state.slashes, record)
    )
    return updated, punished, dpos.expel(registry, offender), record


def slash_violations(state: PenaltyState) -> tuple[str, ...]:
    """List broken penalty invariants; empty when every slash followed the rules (§IV-J)."""
    problems = []
    offences = [r.offence for r in state.slashes]
    if len(set(offences)) != len(offences):
        problems.append("an offence was slashed twice")
    if set(offences) != set(state.punished):
        problems.append("punished offences and slash records disagree")
    for r in state.slashes:
        if not 0 < r.slashed <= r.slashable_before:
            problems.append(f"{r.offence}: slashed {r.slashed} of {r.slashable_before}")
        if not 0 <= r.reward < r.slashed:
            problems.append(f"{r.offence}: reward {r.reward} not below slashed {r.slashed}")
        rule = dataclasses.replace(
            Parameters(), slash_fraction=r.slash_fraction, denouncer_reward=r.denouncer_reward
        )
        slashed, due = slash_amounts(r.slashable_before, rule)
        paid = settlement.settle(slashed, due, self_report=r.reporter == r.offender)
        if (r.slashed, r.reward) != (slashed, paid.reporter_credit):
            problems.append(f"{r.offence}: amounts differ from the rule")
    return tuple(problems)
