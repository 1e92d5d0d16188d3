"""Turn the evidence a run's consensus produced into penalties in the economy (§IV-J).

The management group's calibration run (:mod:`vdlt_spec.system.tiers`) is the real replica
simulator with the real roster of the epoch's delegates; :func:`vdlt_spec.consensus.culprits`
names who its conflicting commits and view-change transcript convict, and each item goes to the
economy as :class:`vdlt_spec.economics.ConsensusEvidence`, reported by the first honest
delegate: verified against the epoch roster, slashed once, the offender expelled.
"""

from __future__ import annotations

from vdlt_spec.consensus import ConsensusConfig, RosterVerifier, culprits
from vdlt_spec.economics import ConsensusEvidence, apply
from vdlt_spec.economics.operations import SubmitEvidence
from vdlt_spec.errors import SpecError
from vdlt_spec.system.records import Penalty
from vdlt_spec.system.substrate import SystemSubstrate
from vdlt_spec.system.tiers import Calibration


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
    for item in evidence:
        before = len(econ.penalties.slashes)
        try:
            econ = apply(econ, SubmitEvidence(honest[0], ConsensusEvidence(sub.epoch, item)))
        except SpecError:
            continue  # an offence already punished, or nothing left to slash
        for record in econ.penalties.slashes[before:]:
            penalties.append(
                Penalty(
                    record.offender, record.reporter, record.offence, record.slashed, record.reward
                )
            )
    return tuple(penalties)
