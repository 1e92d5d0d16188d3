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


# --- allocation -------------------------------------------------------------------------------
