"""A foreign implementation in JavaScript passes the vectors it implements, through the protocol.

examples/js-adapter/ implements the class-of-service and crypto operations over @noble/curves
(pinned by its package-lock.json) and answers UNSUPPORTED_OPERATION to the rest. The test
installs it with ``npm ci`` into a temporary copy, runs ``vdlt conformance run`` against it,
and checks that every vector of an implemented operation passes and that the runner reports
exactly the others as unsupported. Without ``node`` the test is skipped, except on CI (``CI``
set), where a missing toolchain or a failed install fails it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from vdlt_spec.cli import main
from vdlt_spec.conformance import suite

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "js-adapter"
SOURCES = ("package.json", "package-lock.json", "adapter.js")
IMPLEMENTED = {
    "cos.classify",
    "cos.encode",
    "cos.reclassify",
    "cos.reclassify_transaction",
    "crypto.bip340_verify",
    "crypto.bip340_sign",
    "crypto.quorum_size",
    "crypto.bitmap_encode",
    "crypto.bitmap_decode",
    "crypto.aggregate_key",
    "crypto.certificate_verify",
}
NPM_SECONDS = 300


def _require(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is not installed; CI must run the JavaScript adapter")
        pytest.skip(f"{tool} is not installed")
    return found


@pytest.fixture(scope="module")
def js_adapter(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Install the JavaScript adapter with npm ci into a temporary copy; return its command."""
    node = _require("node")
    npm = _require("npm")
    target = tmp_path_factory.mktemp("js-adapter")
    for name in SOURCES:
        shutil.copy2(EXAMPLE / name, target / name)
    try:
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"],
            cwd=target,
            capture_output=True,
            text=True,
            timeout=NPM_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"npm ci took longer than {NPM_SECONDS} s")
    if result.returncode != 0:
        pytest.fail(f"npm ci failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return f"{node} {target / 'adapter.js'}"


def test_the_js_adapter_passes_what_it_implements(
    js_adapter: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    coverage = tmp_path / "coverage.json"
    args = ["conformance", "run", "--adapter", js_adapter, "--coverage", str(coverage), "--json"]
    assert main(args) == 2  # some operations are unsupported: the verdict is unknown
    report = json.loads(capsys.readouterr().out)
    vectors = [v for f in suite.bundled().values() for v in f.vectors]
    implemented = sum(1 for v in vectors if v.op in IMPLEMENTED)
    failures = [r for r in report["results"] if r["verdict"] == "invalid"]
    assert failures == []
    assert report["passed"] == implemented > 0
    assert report["unsupported"] == len(vectors) - implemented
    by_op = json.loads(coverage.read_text(encoding="utf-8"))["operations"]
    for op, counts in by_op.items():
        if op in IMPLEMENTED:
            assert counts["unsupported"] == counts["fail"] == 0, op
        else:
            assert counts["pass"] == counts["fail"] == 0, op


def test_the_js_adapter_alone_on_its_operations_is_valid(js_adapter: str) -> None:
    only = [arg for op in sorted(IMPLEMENTED) for arg in ("--only", op)]
    assert main(["conformance", "run", "--adapter", js_adapter, *only]) == 0
