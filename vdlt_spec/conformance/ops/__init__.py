"""Conformance operations, one module per component; every module here is imported on discovery."""
