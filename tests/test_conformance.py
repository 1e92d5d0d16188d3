"""Tests of the conformance suite: vectors, adapters, runner, CLI and pytest plugin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vdlt_spec import serial
from vdlt_spec.cli import main
from vdlt_spec.conformance import suite
from vdlt_spec.conformance.adapter import Answer, ReferenceAdapter, SubprocessAdapter, serve_line
from vdlt_spec.conformance.vector import Vector, VectorFile
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict

SERVE = f"{sys.executable} -m vdlt_spec conformance serve"


@pytest.mark.parametrize("name", suite.suites())
def test_bundled_vectors_are_up_to_date(name: str) -> None:
    bundled = suite.bundled()
    assert name in bundled, "run: vdlt conformance generate --out vdlt_spec/conformance/vectors"
    assert suite.render(suite.generate(name)) == suite.render(bundled[name])


def test_bundled_files_round_trip() -> None:
    for vector_file in suite.bundled().values():
        assert serial.loads(VectorFile, suite.render(vector_file)) == vector_file


def test_reference_passes_every_vector() -> None:
    report = suite.run(ReferenceAdapter(), suite.iter_vectors(suite.bundled().values()))
    assert report.verdict is Verdict.VALID
    assert report.failed == report.unsupported == 0 and report.passed > 0


def test_subprocess_reference_passes_through_the_protocol() -> None:
    adapter = SubprocessAdapter(SERVE)
    try:
        report = suite.run(adapter, suite.iter_vectors(suite.bundled().values(), ["cos"]))
    finally:
        adapter.close()
    assert report.verdict is Verdict.VALID and report.passed >= 256


def test_a_wrong_implementation_is_invalid_and_a_partial_one_unknown() -> None:
    vectors = list(suite.iter_vectors(suite.bundled().values(), ["cos.classify"]))

    class Wrong(ReferenceAdapter):
        name = "wrong"

        def call(self, op: str, payload: object) -> Answer:  # type: ignore[override]
            answer = super().call(op, payload)
            if answer.error is None:
                return Answer(output={**answer.output, "reserved": 0})
            return Answer(output={"class": "SCAVENGER"})

    class Partial(ReferenceAdapter):
        name = "partial"

        def call(self, op: str, payload: object) -> Answer:  # type: ignore[override]
            return Answer(error=Reason.UNSUPPORTED_OPERATION.value)

    wrong = suite.run(Wrong(), vectors)
    assert wrong.verdict is Verdict.INVALID
    # every byte with nonzero reserved bits and every rejected input are caught
    assert wrong.failed == sum(1 for v in vectors if v.expect_error or v.input["cos_byte"] % 32)
    assert suite.run(Partial(), vectors).verdict is Verdict.UNKNOWN
    assert suite.run(ReferenceAdapter(), []).verdict is Verdict.UNKNOWN


def test_expected_errors_must_match_by_reason() -> None:
    vector = Vector("v", "cos.classify", "§IV-A", {"cos_byte": 300}, None, "COS_BYTE_OUT_OF_RANGE")
    assert suite.judge(vector, None, "COS_BYTE_OUT_OF_RANGE").verdict is Verdict.VALID
    assert suite.judge(vector, None, "SCHEMA_VIOLATION").verdict is Verdict.INVALID
    assert suite.judge(vector, {"class": "X"}, None).verdict is Verdict.INVALID


def test_vector_files_reject_duplicates_and_unknown_reasons() -> None:
    vector = Vector("v", "cos.classify", "§IV-A", {}, None, "COS_BYTE_OUT_OF_RANGE")
    with pytest.raises(SpecError):
        VectorFile("s", 1, (vector, vector))
    with pytest.raises(SpecError):
        Vector("v", "cos.classify", "§IV-A", {}, None, "NOT_A_REASON")
    with pytest.raises(SpecError):
        VectorFile("s", 99, ())


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"id": 1, "op": "cos.classify", "input": {"cos_byte": 255}}', {"id": 1, "output": {}}),
        ('{"id": 2, "op": "nope", "input": {}}', {"id": 2, "error": "UNSUPPORTED_OPERATION"}),
        ("{garbage", {"id": None, "error": "MALFORMED_JSON"}),
        ('{"id": 3}', {"id": 3, "error": "SCHEMA_VIOLATION"}),
        ('{"id": 4, "op": "cos.classify", "input": []}', {"id": 4, "error": "SCHEMA_VIOLATION"}),
    ],
)
def test_serve_answers_every_line(line: str, expected: dict[str, object]) -> None:
    response = json.loads(serve_line(line))
    assert response["id"] == expected["id"]
    assert ("output" in response) == ("output" in expected)
    assert response.get("error") == expected.get("error")


def test_cli_run_against_a_broken_adapter_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["conformance", "run", "--adapter", "no-such-program-xyz"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["conformance", "run", "--adapter", f"{sys.executable} -c pass"]) == 2


def test_cli_generate_then_run_a_vector_file(tmp_path: Path) -> None:
    assert main(["conformance", "generate", "--out", str(tmp_path), "--suite", "cos"]) == 0
    written = tmp_path / "cos.vectors.json"
    assert main(["conformance", "run", "--vectors", str(written), "--json"]) == 0
    written.write_text("{broken", encoding="utf-8")
    assert main(["conformance", "run", "--vectors", str(written)]) == 2


def test_pytest_plugin_runs_vectors_against_a_subprocess() -> None:
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
            "--vdlt-adapter",
            SERVE,
            "--vdlt-only",
            "cos-classify-e0",
            "--vdlt-only",
            "cos-classify-bad--1",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_cli_generate_json_names_every_file_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "vectors"
    assert main(["conformance", "generate", "--out", str(out), "--only", "cos", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["out"] == str(out)
    [written] = report["files"]
    assert written["suite"] == "cos" and Path(written["path"]) == out / "cos.vectors.json"
    assert written["vectors"] == len(suite.generate("cos").vectors)
    assert (out / "cos.vectors.json").read_text(encoding="utf-8") == suite.render(
        suite.generate("cos")
    )


def test_cli_generate_keeps_suite_as_the_old_spelling_of_only(tmp_path: Path) -> None:
    assert main(["conformance", "generate", "--out", str(tmp_path), "--suite", "cos"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["cos.vectors.json"]
