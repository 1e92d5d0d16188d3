"""Self-checks of every component, run by ``vdlt verify``.

Add one module per component here; each registers its checks with
:func:`vdlt_spec.registry.check` when imported. Discovery imports every module of this package.
"""
