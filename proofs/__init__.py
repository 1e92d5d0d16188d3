"""Proof obligations (installed as ``vdlt_spec.proofs``): named theorems with expected verdicts."""
