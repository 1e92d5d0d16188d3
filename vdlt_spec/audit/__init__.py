"""Trace auditor: checks the invariants of the spec on recorded traces of any implementation."""
