"""Turn the evidence a run's consensus produced into penalties in the economy (§IV-J).

The management group's calibration run (:mod:`vdlt_spec.system.tiers`) is the real replica
simulator with the real roster of the epoch's delegates; :func:`vdlt_spec.consensus.culprits`
names who its conflicting commits and view-change transcript convict, and each item goes to the
economy as :class:`vdlt_spec.economics.ConsensusEvidence`, reported by the first honest
delegate: verified against the epoch roster, slashed once, the offender expelled.

An equivocating replica (``equivocate``, ``double-vote``) whose run ended without a view change
leaves its two conflicting votes with the honest replicas that received them, not in the run's
transcript; the system hands them in as double-sign evidence signed with that delegate's own
consensus key (:func:`vdlt_spec.economics.signing.double_sign_evidence`), which the penalty
mechanism verifies against the epoch roster like any other.
"""

from __future__ import annotations

from vdlt_spec.consensus import ConsensusConfig, RosterVerifier, culprits
from vdlt_spec.crypto import keypair_from_seed
from vdlt_spec.economics import ConsensusEvidence, SlashingEvidence, apply
from vdlt_spec.economics.operations import SubmitEvidence
from vdlt_spec.economics.signing import double_sign_evidence
from vdlt_spec.errors import SpecError
from vdlt_spec.system.records import Penalty
from vdlt_spec.system.substrate import SystemSubstrate
from vdlt_spec.system.tiers import Calibration

EQUIVOCATING = frozenset({"equivocate", "double-vote"})
"""Behaviours that sign two conflicting votes for one (kind, view, seq)."""


def settle_penalties(
    sub: SystemSubstrate, management: Calibration, seed: int
) -> tuple[Penalty, ...]:
    """Submit the management run's evidence to the economy; return the slashes (§IV-J)."""
    if not management.byzantine:
        return ()
    roster = tuple(entry.key for entry in sub.economy.registry.rosters.get(sub.epoch, ()))
    if len(roster) != management.n:
        return ()
    domain = ConsensusConfig(management.n, epoch=sub.epoch).signing_domain(roster)
    evidence = culprits(management.result, RosterVerifier(roster), domain)
    honest = [d for i, d in enumerate(sub.management) if i not in management.byzantine]
    econ = sub.economy
    penalties = []
    items: list[SlashingEvidence] = [ConsensusEvidence(sub.epoch, item) for item in evidence]
    convicted = {item.culprit for item in evidence}
    for index, behaviour in zip(management.byzantine, management.behaviours, strict=True):
        if behaviour in EQUIVOCATING and index not in convicted:
            seckey = keypair_from_seed(seed, index)[0]
            items.append(double_sign_evidence(seckey, sub.epoch, 0, 1, roster=roster))
    for claim in items:
        before = len(econ.penalties.slashes)
        try:
            econ = apply(econ, SubmitEvidence(honest[0], claim))
        except SpecError:
            continue  # an offence already punished, or nothing left to slash
        for record in econ.penalties.slashes[before:]:
            penalties.append(
                Penalty(
                    record.offender, record.reporter, record.offence, record.slashed, record.reward
                )
            )
    return tuple(penalties)
