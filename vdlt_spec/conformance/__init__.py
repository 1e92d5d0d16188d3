"""Conformance suite: vectors, adapters and runner that other implementations run."""
