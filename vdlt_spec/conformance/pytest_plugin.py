"""Run the conformance vectors as pytest tests against any implementation.

Usage, for an implementation whose adapter command is ``./my-impl --conformance``::

    python -m pytest -p vdlt_spec.conformance.pytest_plugin \\
        --pyargs vdlt_spec.conformance.test_vectors --vdlt-adapter "./my-impl --conformance"

Without ``--vdlt-adapter`` the reference spec answers (a self-test). ``--vdlt-only`` keeps a
suite, an operation or a vector id (repeatable); ``--vdlt-vectors`` runs a pinned release (an
archive, a folder or a vector file, checked as ``vdlt conformance run --vectors`` checks it)
instead of the bundled vectors. Unsupported operations are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vdlt_spec.conformance import release, suite
from vdlt_spec.conformance.adapter import Adapter, ReferenceAdapter, SubprocessAdapter


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the ``--vdlt-adapter`` and ``--vdlt-only`` options."""
    group = parser.getgroup("vdlt", "vDLT conformance")
    group.addoption("--vdlt-adapter", default=None, help="command of the implementation")
    group.addoption("--vdlt-only", action="append", default=[], help="suite, op or vector id")
    group.addoption("--vdlt-vectors", default=None, help="a pinned release to run instead")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``vdlt_vector`` with every selected bundled vector."""
    if "vdlt_vector" in metafunc.fixturenames:
        only = metafunc.config.getoption("--vdlt-only")
        pinned = metafunc.config.getoption("--vdlt-vectors")
        files = release.load_release(Path(pinned)) if pinned else tuple(suite.bundled().values())
        vectors = list(suite.iter_vectors(files, only))
        metafunc.parametrize("vdlt_vector", vectors, ids=[v.id for v in vectors])


@pytest.fixture(scope="session")
def vdlt_adapter(request: pytest.FixtureRequest) -> Iterator[Adapter]:
    """Start the implementation under test once per session."""
    command = request.config.getoption("--vdlt-adapter")
    adapter: Adapter = SubprocessAdapter(command) if command else ReferenceAdapter()
    yield adapter
    adapter.close()
