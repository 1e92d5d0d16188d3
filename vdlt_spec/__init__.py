"""vdlt-spec: the executable reference specification of vDLT (service-oriented blockchain).

Every component of the whitepaper is a pure, deterministic module of this package; see
``docs/`` for what each one specifies and ``docs/decisions.md`` for the choices the paper
leaves open.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("vdlt-spec")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"

__all__ = ["__version__"]
