"""Hypothesis strategies for vDLT data, importable by users' own property tests.

Each component adds its strategies in its own section below.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from vdlt_spec.consensus.byzantine import Behaviour
from vdlt_spec.consensus.config import ConsensusConfig, Mode
from vdlt_spec.consensus.network import Crash, FaultPlan, NetworkParams, Partition
from vdlt_spec.consensus.simulation import Scenario
from vdlt_spec.cos import ServiceClass

# --- class of service and queuing -------------------------------------------------------------

cos_bytes = st.integers(min_value=0, max_value=0xFF)
service_classes = st.sampled_from(ServiceClass)


# --- crypto and consensus ---------------------------------------------------------------------

from vdlt_spec.crypto.secp256k1 import N as _GROUP_ORDER  # noqa: E402  (section-local import)

scalars = st.integers(min_value=1, max_value=_GROUP_ORDER - 1) | st.sampled_from(
    [1, 2, _GROUP_ORDER - 1, _GROUP_ORDER - 2]
)
"""Nonzero scalars of secp256k1 (valid secret keys), with the edges over-represented."""

secret_keys = scalars.map(lambda k: k.to_bytes(32, "big"))
"""32-byte BIP340/BIP327 secret keys."""

signed_messages = st.binary(max_size=80)
"""Messages of any length, as BIP340 allows (the empty message included)."""

compressed_encodings = st.builds(
    lambda prefix, x: bytes([prefix]) + x,
    st.sampled_from([0x02, 0x03]),
    st.binary(min_size=32, max_size=32),
)
"""33-byte strings shaped like compressed points; about half are not on the curve."""


# consensus (§III-D, §IV-D): groups, faults and scenarios for the simulator


@st.composite
def consensus_scenarios(
    draw: st.DrawFn,
    *,
    sizes: tuple[int, ...] = (4, 5, 7),
    extra_byzantine: int = 0,
    requests: int = 8,
    behaviours: tuple[Behaviour, ...] = tuple(Behaviour),
) -> Scenario:
    """Draw a simulator scenario: group, mode, seed, network, healing faults, Byzantine set.

    At most f = (n - 1) // 3 replicas are Byzantine, or exactly f + ``extra_byzantine`` if
    that is positive (use 1 to search beyond the fault bound), each with one of
    ``behaviours``. Partitions and crashes always heal, so liveness can be judged at the end.
    """
    n = draw(st.sampled_from(sizes))
    f = (n - 1) // 3
    mode = draw(st.sampled_from(list(Mode)))
    count = f + extra_byzantine if extra_byzantine else draw(st.integers(0, f))
    members = draw(st.permutations(range(n)))
    chosen = draw(st.lists(st.sampled_from(behaviours), min_size=count, max_size=count))
    byzantine = dict(zip(members[:count], chosen, strict=True))
    heal = draw(st.integers(0, 1500))
    partitions: tuple[Partition, ...] = ()
    if draw(st.booleans()):
        cut = draw(st.integers(1, n - 1))
        start = draw(st.integers(0, heal))
        partitions = (Partition(start, heal, (tuple(members[-cut:]),)),)
    crashes: tuple[Crash, ...] = ()
    if draw(st.booleans()):
        victim = draw(st.integers(0, n - 1))
        start = draw(st.integers(0, 800))
        crashes = (Crash(victim, start, max(heal, start + 1)),)
    network = NetworkParams(
        1,
        draw(st.sampled_from([5, 10, 30])),
        Fraction(draw(st.integers(0, 2)), 20),
        Fraction(draw(st.integers(0, 1)), 10),
    )
    return Scenario(
        ConsensusConfig(n, mode=mode),
        seed=draw(st.integers(0, 2**32)),
        network=network,
        faults=FaultPlan(partitions, crashes),
        byzantine=byzantine,
        requests=requests,
        request_interval=20,
        max_time=60_000,
    )


# --- governance and economics -----------------------------------------------------------------


# --- allocation -------------------------------------------------------------------------------
