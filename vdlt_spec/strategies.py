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


# --- governance and economics -----------------------------------------------------------------


# --- allocation -------------------------------------------------------------------------------
