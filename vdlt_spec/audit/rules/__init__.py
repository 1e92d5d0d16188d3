"""Auditors, one module per trace kind; every module here is imported on discovery."""
