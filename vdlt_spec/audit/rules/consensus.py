"""Audit a recorded consensus run: every commit proven, no two blocks at one sequence (§III-D).

Trace kind ``consensus``. Header: ``{"trace": "consensus", "version": 1, "roster": [hex33, ...]}``
— the group's 33-byte public keys in roster order (omit it for runs with ideal signatures, and
the proof rule is not applied) — with optional ``"chain_id"`` (default ``"vdlt"``) and
``"epoch"`` (default 0): with the roster they name the signing domain the proofs must be made
in (:class:`vdlt_spec.consensus.SigningDomain`). Events: ``{"type": "commit", "replica",
"seq", "view", "digest", "proof"}`` where ``proof`` is a certificate ``{"bitmap",
"signature"}`` (iPBFT) or a vote set ``{"votes": [{"signer", "kind", "signature"}]}``
(classic PBFT). Rules:

* ``commit-proof``: each proof shows a quorum (3·signers > 2n) signing
  ``vote_payload(domain, COMMIT, view, seq, digest)`` under the roster's keys (BIP340 /
  MuSig2); a proof made in another chain, epoch or roster does not verify;
* ``agreement``: no two commits of different blocks at one sequence number; a violation names
  the replicas that signed both proofs (accountability, §IV-J);
* ``commit-once``: a replica commits each sequence number once.
"""

from __future__ import annotations

from typing import Any

from vdlt_spec import serial
from vdlt_spec.audit.auditor import Audit, Finding, auditor
from vdlt_spec.audit.trace import Trace, render
from vdlt_spec.consensus import (
    DEFAULT_CHAIN_ID,
    Commit,
    SigningDomain,
    VoteKind,
    proof_signers,
    verify_proof,
)
from vdlt_spec.errors import Reason, SpecError

KIND = "consensus"
RULES = ("commit-proof", "agreement", "commit-once")
"""Every rule; ``commit-proof`` applies only to a trace with a roster (real signatures)."""


def run_trace(
    roster: tuple[bytes, ...] | None,
    commits: tuple[Commit, ...],
    chain_id: str = DEFAULT_CHAIN_ID,
    epoch: int = 0,
) -> str:
    """Render the commits of a run as a ``consensus`` trace (what an implementation records).

    The header names the chain and epoch only where they are not the defaults.
    """
    header: dict[str, Any] = {} if roster is None else {"roster": [pk.hex() for pk in roster]}
    if roster is not None and chain_id != DEFAULT_CHAIN_ID:
        header["chain_id"] = chain_id
    if roster is not None and epoch != 0:
        header["epoch"] = epoch
    events = [
        {"type": "commit", **{k: v for k, v in serial.encode(c).items() if k != "time"}}
        for c in commits
    ]
    return render(KIND, header, events)


#: The bound (exclusive) on a replica index in a trace without a roster.
MAX_REPLICA = 2**32
#: The bound (exclusive) on a view or sequence number in a trace.
MAX_NUMBER = 2**64


def _commit(fields: dict[str, Any], line: int, replicas: int) -> Commit:
    """Decode one commit event, rejecting an impossible replica, view or sequence number."""
    try:
        commit: Commit = serial.decode(
            Commit, {**fields, "time": fields.get("time", 0)}, f"line {line}"
        )
    except SpecError as exc:
        raise SpecError(Reason.BAD_TRACE, exc.detail) from None
    if not 0 <= commit.replica < replicas:
        raise SpecError(
            Reason.BAD_TRACE, f"line {line}: replica {commit.replica} is not in 0..{replicas - 1}"
        )
    for name, value in (("view", commit.view), ("seq", commit.seq)):
        if not 0 <= value < MAX_NUMBER:
            raise SpecError(Reason.BAD_TRACE, f"line {line}: {name} {value} is out of range")
    return commit


@auditor(KIND, RULES)
def audit_consensus(trace: Trace) -> Audit:
    """Check that commits are proven by quorum certificates and never conflict (§III-D, §IV-D)."""
    verifier = None
    domain = None
    replicas = MAX_REPLICA
    if "roster" in trace.header:
        from vdlt_spec.consensus import RosterVerifier

        try:
            roster = serial.decode(tuple[bytes, ...], trace.header["roster"], "header.roster")
            verifier = RosterVerifier(roster)
        except SpecError as exc:
            where = "" if exc.detail.startswith("header.roster") else "header.roster: "
            raise SpecError(Reason.BAD_TRACE, f"{where}{exc.detail}") from None
        replicas = len(roster)
        chain_id = trace.header.get("chain_id", DEFAULT_CHAIN_ID)
        epoch = trace.header.get("epoch", 0)
        try:
            domain = SigningDomain.of(roster, chain_id, epoch)
        except SpecError as exc:
            raise SpecError(Reason.BAD_TRACE, f"header: {exc.detail}") from None
    findings: list[Finding] = []
    chosen: dict[int, tuple[int, Commit]] = {}
    committed: set[tuple[int, int]] = set()
    checked = 0
    for event in trace.events:
        if event.type != "commit":
            raise SpecError(Reason.BAD_TRACE, f"line {event.line}: unknown event {event.type!r}")
        commit = _commit(event.fields, event.line, replicas)
        checked += 1
        proven = (
            verifier is None
            or domain is None
            or verify_proof(
                verifier,  # type: ignore[arg-type]  # a roster verifier is a verify-only scheme
                domain,
                VoteKind.COMMIT,
                commit.view,
                commit.seq,
                commit.digest,
                commit.proof,
            )
        )
        if not proven:
            where = domain.describe() if domain is not None else "its domain"
            findings.append(
                Finding(
                    "commit-proof",
                    event.line,
                    f"replica {commit.replica}'s commit of seq {commit.seq} is not proven by a "
                    f"quorum of valid signatures in {where}",
                )
            )
            continue
        if (commit.replica, commit.seq) in committed:
            findings.append(
                Finding(
                    "commit-once", event.line, f"replica {commit.replica} recommits {commit.seq}"
                )
            )
        committed.add((commit.replica, commit.seq))
        first = chosen.setdefault(commit.seq, (event.line, commit))
        if first[1].digest != commit.digest:
            named = "unknown (no roster)"
            if verifier is not None:
                n = len(verifier.roster)
                both = set(proof_signers(first[1].proof, n)) & set(proof_signers(commit.proof, n))
                named = str(sorted(both))
            findings.append(
                Finding(
                    "agreement",
                    event.line,
                    f"seq {commit.seq}: replica {commit.replica} commits "
                    f"{commit.digest.hex()[:16]} but line {first[0]} committed "
                    f"{first[1].digest.hex()[:16]}; signed both proofs: {named}",
                )
            )
    return Audit(tuple(findings), checked, RULES if verifier else RULES[1:])
