"""Hypothesis strategies for vDLT data, importable by users' own property tests.

Each component adds its strategies in its own section below.
"""

from __future__ import annotations

from hypothesis import strategies as st

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


# --- governance and economics -----------------------------------------------------------------

from fractions import Fraction as _Fraction  # noqa: E402  (section-local imports)

from vdlt_spec.governance.amendment import Poll as _Poll  # noqa: E402
from vdlt_spec.governance.amendment import PollGroup as _PollGroup  # noqa: E402
from vdlt_spec.governance.dpos import NodeSpec as _NodeSpec  # noqa: E402
from vdlt_spec.governance.parameters import Parameters as _Parameters  # noqa: E402

token_amounts = st.integers(min_value=0, max_value=10**15)
"""Token amounts in base units (0 to the genesis supply, 10^15 base units)."""

lock_multipliers = st.integers(min_value=1, max_value=8)
"""Valid lock multipliers k (k² periods, §IV-C) up to the default cap of 8."""

declared_pays = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=25)
"""Non-empty lists of pays declared by contributors, in base units (§IV-I)."""

inflation_rates = st.fractions(min_value=_Fraction(-1, 10), max_value=_Fraction(1, 5))
"""Voted inflation rates, including ones outside [0, 4 %] that the rules must clamp (§IV-I)."""

node_specs = st.builds(
    _NodeSpec,
    dedicated_ip=st.booleans(),
    uptime_bp=st.integers(min_value=9_000, max_value=10_000),
    bandwidth_mbps=st.integers(min_value=100, max_value=10_000),
    cpu_cores=st.integers(min_value=1, max_value=64),
    memory_gib=st.integers(min_value=4, max_value=256),
    storage_gib=st.integers(min_value=100, max_value=8_000),
)
"""Declared node specs, some meeting the §IV-B requirements and some not."""

polls = st.builds(
    _Poll,
    group=st.sampled_from(_PollGroup),
    yes=st.integers(min_value=0, max_value=1_000),
    no=st.integers(min_value=0, max_value=1_000),
)
"""Poll results of one group (§IV-K multi-factorial consensus)."""

short_governance_parameters = st.builds(
    _Parameters,
    genesis_supply=st.integers(min_value=10**6, max_value=10**12),
    epochs_per_year=st.integers(min_value=4, max_value=365),
    poll_period_epochs=st.integers(min_value=1, max_value=3),
    vote_period_epochs=st.integers(min_value=1, max_value=3),
    test_period_epochs=st.integers(min_value=1, max_value=3),
    delegate_count=st.integers(min_value=4, max_value=21),
    min_collateral=st.integers(min_value=1, max_value=10**4),
    inflation_rate=inflation_rates,
)
"""Valid protocol parameters with short amendment stages, for property and stateful tests."""


# --- allocation -------------------------------------------------------------------------------
