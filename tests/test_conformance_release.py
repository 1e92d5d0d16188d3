"""Tests of pinned vector releases, coverage reports, suites per component and the op table."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from vdlt_spec.cli import main
from vdlt_spec.conformance import catalog, release, suite
from vdlt_spec.conformance.operations import operations
from vdlt_spec.conformance.vector import FORMAT_VERSION
from vdlt_spec.errors import Reason, SpecError

DOC = Path(__file__).resolve().parents[1] / "docs" / "conformance.md"


def test_the_operation_table_in_the_docs_is_the_generated_one() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert catalog.with_table(text) == text, (
        "docs/conformance.md is stale; regenerate it with "
        "`.venv/bin/python -m vdlt_spec.conformance.catalog --write docs/conformance.md`"
    )


def test_every_operation_declares_its_schemas_and_has_vectors() -> None:
    covered = {v.op for f in suite.bundled().values() for v in f.vectors}
    for name, op in operations().items():
        assert op.input_schema and op.output_schema, name
        assert name in covered, f"{name} has no vectors"


def test_suites_follow_components() -> None:
    """Each suite holds the operations of one component (voting belongs to governance)."""
    for name, vector_file in suite.bundled().items():
        component = re.split(r"[-_.]", name)[0]
        for vector in vector_file.vectors:
            op_component = vector.op.split(".")[0]
            assert {"voting": "governance"}.get(op_component, op_component) == component, (
                name,
                vector.op,
            )


def test_vector_ids_are_unique_across_suites() -> None:
    release.checked_set(suite.bundled().values(), "bundled")


def _export(tmp_path: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    assert main(["conformance", "export", "--out", str(out), *extra]) == 0
    return out


@pytest.mark.parametrize("name", ["release.tar.gz", "release.zip"])
def test_export_then_run_a_pinned_release(tmp_path: Path, name: str) -> None:
    out = _export(tmp_path, name, "--only", "cos", "--only", "crypto")
    files = release.load_release(out)
    assert [f.suite for f in files] == ["cos", "crypto"]
    assert files == (suite.bundled()["cos"], suite.bundled()["crypto"])
    coverage = tmp_path / "coverage.json"
    assert main(["conformance", "run", "--vectors", str(out), "--coverage", str(coverage)]) == 0
    report = json.loads(coverage.read_text(encoding="utf-8"))
    total = sum(len(f.vectors) for f in files)
    assert report["totals"] == {"vectors": total, "pass": total, "fail": 0, "unsupported": 0}
    assert report["format_version"] == FORMAT_VERSION
    assert report["operations"]["cos.classify"]["suite"] == "cos"
    assert sum(s["pass"] for s in report["sections"].values()) == total
    assert {v["result"] for v in report["vectors"]} == {"pass"}


def test_export_is_reproducible(tmp_path: Path) -> None:
    first = _export(tmp_path, "a.tar.gz", "--only", "governance")
    second = _export(tmp_path, "b.tar.gz", "--only", "governance")
    assert first.read_bytes() == second.read_bytes()


def test_export_json_prints_the_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _export(tmp_path, "r.zip", "--only", "cos", "--json")
    manifest = json.loads(capsys.readouterr().out)["manifest"]
    [entry] = manifest["files"]
    data = suite.render(suite.bundled()["cos"]).encode()
    assert entry == {
        "file": "cos.vectors.json",
        "suite": "cos",
        "count": len(suite.bundled()["cos"].vectors),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    assert manifest["format_version"] == FORMAT_VERSION


def test_export_refuses_an_unknown_archive_name_or_suite(tmp_path: Path) -> None:
    assert main(["conformance", "export", "--out", str(tmp_path / "r.rar")]) == 2
    assert main(["conformance", "export", "--out", str(tmp_path / "r.zip"), "--only", "x"]) == 2


def _rewrite(archive: Path, change: dict[str, bytes]) -> Path:
    with tarfile.open(archive, "r:gz") as packed:
        contents = {m.name: packed.extractfile(m).read() for m in packed}  # type: ignore[union-attr]
    contents.update(change)
    target = archive.with_name("changed.tar.gz")
    target.write_bytes(release.archive_bytes(contents, "tar"))
    return target


def _error_of(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["conformance", "run", "--vectors", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one clear line, no traceback
    return err


def test_a_truncated_archive_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("r.tar.gz", "r.zip"):
        out = _export(tmp_path, name, "--only", "cos")
        out.write_bytes(out.read_bytes()[: out.stat().st_size // 2])
        assert "BAD_INPUT_FILE" in _error_of(out, capsys)


def test_a_tampered_file_fails_its_hash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _export(tmp_path, "r.tar.gz", "--only", "governance")
    text = suite.render(suite.bundled()["governance"]).replace('"votes": 200', '"votes": 201')
    changed = _rewrite(out, {"governance.vectors.json": text.encode()})
    err = _error_of(changed, capsys)
    assert "VECTOR_DIGEST_MISMATCH" in err and "sha256" in err


def test_a_file_not_in_the_manifest_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _export(tmp_path, "r.tar.gz", "--only", "governance")
    changed = _rewrite(out, {"extra.vectors.json": b"{}"})
    assert "VECTOR_DIGEST_MISMATCH" in _error_of(changed, capsys)


def test_a_wrong_format_version_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _export(tmp_path, "r.tar.gz", "--only", "governance")
    with tarfile.open(out, "r:gz") as packed:
        manifest = json.load(packed.extractfile(release.MANIFEST))  # type: ignore[arg-type]
    manifest["format_version"] = FORMAT_VERSION + 1
    changed = _rewrite(out, {release.MANIFEST: json.dumps(manifest).encode()})
    assert "UNSUPPORTED_VECTOR_FORMAT" in _error_of(changed, capsys)
    single = tmp_path / "one.vectors.json"
    document = json.loads(suite.render(suite.bundled()["governance"]))
    document["version"] = 2
    single.write_text(json.dumps(document), encoding="utf-8")
    assert "UNSUPPORTED_VECTOR_FORMAT" in _error_of(single, capsys)


def test_a_folder_runs_with_or_without_a_manifest(tmp_path: Path) -> None:
    contents = release.release_files([suite.bundled()["hierarchy"]])
    for name, data in contents.items():
        (tmp_path / name).write_bytes(data)
    assert release.load_release(tmp_path) == (suite.bundled()["hierarchy"],)
    (tmp_path / release.MANIFEST).unlink()
    assert release.load_release(tmp_path) == (suite.bundled()["hierarchy"],)
    with pytest.raises(SpecError) as caught:
        release.load_release(tmp_path / "missing")
    assert caught.value.reason is Reason.BAD_INPUT_FILE


def test_archive_members_must_be_plain_names(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as packed:
        member = tarfile.TarInfo("../evil")
        packed.addfile(member, io.BytesIO(b""))
    path = tmp_path / "evil.tgz"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(SpecError) as caught:
        release.load_release(path)
    assert caught.value.reason is Reason.BAD_INPUT_FILE


def test_coverage_counts_unsupported_and_failed_vectors(tmp_path: Path) -> None:
    coverage = tmp_path / "c.json"
    example = Path(__file__).resolve().parents[1] / "examples" / "my_impl.py"
    adapter = f"{sys.executable} {example}"
    args = ["conformance", "run", "--adapter", adapter, "--only", "cos", "--coverage"]
    assert main([*args, str(coverage)]) == 2
    report = json.loads(coverage.read_text(encoding="utf-8"))
    classify = report["operations"]["cos.classify"]
    reclassify = report["operations"]["cos.reclassify"]
    assert classify["pass"] == 260 and classify["unsupported"] == 0
    others = [c for op, c in report["operations"].items() if op != "cos.classify"]
    assert reclassify["unsupported"] == 98 and reclassify["pass"] == 0
    assert all(c["pass"] == 0 for c in others)
    unsupported = sum(c["unsupported"] for c in others)
    assert report["totals"]["unsupported"] == unsupported and report["verdict"] == "unknown"


def test_the_pytest_plugin_runs_a_pinned_release(tmp_path: Path) -> None:
    archive = _export(tmp_path, "pinned.tar.gz", "--only", "hierarchy")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-o",
            "addopts=",
            "-q",
            "-p",
            "vdlt_spec.conformance.pytest_plugin",
            "--pyargs",
            "vdlt_spec.conformance.test_vectors",
            "--vdlt-vectors",
            str(archive),
            "--vdlt-only",
            "hierarchy.route",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 passed" in result.stdout
