"""Formal models (installed as ``vdlt_spec.models``): Z3 encodings and the MILP of Eq. (1)."""
