"""Hostile input to every reader and option: a clear one-line error (exit 2), never a traceback.

Each test here pins one cause a hostile-input run found: deep nesting, huge integer literals,
duplicate keys and NaN in JSON; Rich markup and terminal escapes in user text; unbounded numeric
options; a conformance adapter that is empty, unparsable, silent, garbled or ambiguous; and
traces the auditor must reject rather than judge.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from vdlt_spec import serial
from vdlt_spec.audit.auditor import AuditReport, audit
from vdlt_spec.audit.trace import parse
from vdlt_spec.cli import main
from vdlt_spec.cli.common import shown, visible
from vdlt_spec.conformance import adapter as adapter_module
from vdlt_spec.conformance.adapter import SubprocessAdapter, serve_line
from vdlt_spec.errors import Reason, SpecError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TINY = ROOT / "vdlt_spec" / "allocation" / "instances" / "tiny-exhaustive.json"

HOSTILE_JSON = {
    "deep": "[" * 100_000,
    "deep-object": '{"a":' * 100_000,
    "nested-300": "[" * 300 + "]" * 300,
    "huge-int": "1" * 5000,
    "duplicate-key": '{"a": 1, "a": 2}',
    "nan": "NaN",
    "infinity": "[Infinity]",
    "minus-infinity": '{"x": -Infinity}',
    "float-overflow": "1e400",
}


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """Return the one stderr line of a rejected run (asserting it is one line)."""
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("vdlt: error ["), err
    return err


@pytest.mark.parametrize("name", sorted(HOSTILE_JSON))
def test_load_json_rejects_hostile_documents(name: str) -> None:
    """The one JSON reader rejects each hostile document as MALFORMED_JSON with its cause."""
    with pytest.raises(SpecError) as caught:
        serial.load_json(HOSTILE_JSON[name])
    assert caught.value.reason is Reason.MALFORMED_JSON


def test_load_json_keeps_ordinary_documents() -> None:
    """Ordinary JSON still parses, floats and big integers within the caps included."""
    assert serial.load_json('{"a": [1, 2.5, null, "x"], "b": 12345678901234567890}') == {
        "a": [1, 2.5, None, "x"],
        "b": 12345678901234567890,
    }


@pytest.mark.parametrize("name", sorted(HOSTILE_JSON))
def test_instance_reader_rejects_hostile_json(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An instance file of hostile JSON is one MALFORMED_JSON line, exit 2."""
    bad = tmp_path / "i.json"
    bad.write_text(HOSTILE_JSON[name])
    assert main(["allocation", "baseline", str(bad)]) == 2
    assert "[MALFORMED_JSON]" in _error_line(capsys)


@pytest.mark.parametrize("name", ["deep", "huge-int", "duplicate-key", "nan"])
def test_start_and_substrate_readers_reject_hostile_json(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--start and an allocation file to evaluate go through the same strict reader."""
    bad = tmp_path / "a.json"
    bad.write_text(HOSTILE_JSON[name])
    assert main(["allocation", "evaluate", str(TINY), str(bad)]) == 2
    assert "[MALFORMED_JSON]" in _error_line(capsys)
    assert main(["allocation", "solve", str(TINY), "--start", str(bad)]) == 2
    assert "[MALFORMED_JSON]" in _error_line(capsys)


@pytest.mark.parametrize("name", ["deep", "huge-int", "duplicate-key", "nan"])
def test_trace_reader_rejects_hostile_json(name: str) -> None:
    """A trace line of hostile JSON is BAD_TRACE naming the line."""
    header = json.dumps({"trace": "consensus", "version": 1})
    with pytest.raises(SpecError) as caught:
        audit_lines([header, HOSTILE_JSON[name]])
    assert caught.value.reason is Reason.BAD_TRACE
    assert "line 2" in caught.value.detail


def test_vector_file_reader_rejects_hostile_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --vectors file of hostile JSON is one MALFORMED_JSON line."""
    bad = tmp_path / "v.json"
    bad.write_text(HOSTILE_JSON["deep"])
    assert main(["conformance", "run", "--vectors", str(bad)]) == 2
    assert "[MALFORMED_JSON]" in _error_line(capsys)


@pytest.mark.parametrize("name", ["deep", "huge-int", "duplicate-key", "nan"])
def test_serve_answers_hostile_requests_with_malformed_json(name: str) -> None:
    """``conformance serve`` answers a hostile request line with MALFORMED_JSON."""
    assert json.loads(serve_line(HOSTILE_JSON[name])) == {
        "id": None,
        "error": "MALFORMED_JSON",
    }


def audit_lines(lines: list[str]) -> AuditReport:
    """Parse and audit the lines of a trace."""
    return audit(parse(lines))


# --- user text on the terminal -----------------------------------------------------------------


def test_shown_escapes_markup_and_makes_controls_visible() -> None:
    """User text prints as written: markup escaped, escape characters spelled out."""
    assert shown("[/bold]x") == "\\[/bold]x"
    assert shown("[link=http://a]b[/link]") == "\\[link=http://a]b\\[/link]"
    assert visible("a\x1b[31mb\x07") == "a\\x1b[31mb\\x07"
    assert "\x1b" not in shown("\x1b]8;;http://x\x1b\\y")


def test_markup_in_an_instance_name_prints_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An instance named ``[/bold]x`` with an escape solves and prints its table."""
    document = json.loads(TINY.read_text())
    document["name"] = "[/bold]x\x1b[31m"
    instance = tmp_path / "i.json"
    instance.write_text(json.dumps(document))
    out = tmp_path / "a.json"
    code = main(["allocation", "solve", str(instance), "--time-limit", "20", "--out", str(out)])
    assert code in (0, 1)
    printed = capsys.readouterr().out
    assert "[/bold]x" in printed
    assert "\x1b[31m" not in printed


def test_an_error_detail_never_carries_a_raw_escape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file name with an escape character shows it spelled out in the error line."""
    assert main(["allocation", "baseline", str(tmp_path / "no\x1b[2Jsuch.json")]) == 2
    line = _error_line(capsys)
    assert "\x1b" not in line and "\\x1b" in line


# --- numeric options ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option",
    [
        ["--threads", "0"],
        ["--threads", "-1"],
        ["--threads", str(10**30)],
        ["--time-limit", "nan"],
        ["--time-limit", "inf"],
        ["--time-limit", "1e308"],
        ["--gap", "nan"],
    ],
)
def test_solve_rejects_unbounded_numbers(
    option: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """--threads outside 1..cpus and a non-finite or absurd --time-limit are usage errors."""
    assert main(["allocation", "solve", str(TINY), *option]) == 2
    assert "[BAD_USAGE]" in _error_line(capsys)


@pytest.mark.parametrize(
    "option",
    [["--nodes", str(10**6)], ["--count", str(10**30)], ["--batch", str(10**30)]],
)
def test_consensus_simulate_rejects_huge_sizes(
    option: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Sizes beyond the stated caps are usage errors, not an OverflowError or an endless run."""
    assert main(["consensus", "simulate", *option]) == 2
    assert "[BAD_USAGE]" in _error_line(capsys)


# --- the conformance runner --------------------------------------------------------------------


def _script(tmp_path: Path, body: str) -> str:
    """Write a Python adapter script and return the command that runs it."""
    path = tmp_path / "impl.py"
    path.write_text("import sys\n" + body)
    return f"{sys.executable} {path}"


@pytest.mark.parametrize("command", ["", "   ", '"foo'])
def test_conformance_refuses_an_empty_or_unparsable_adapter(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--adapter '' never falls back to the reference; an unbalanced quote is a usage error."""
    assert main(["conformance", "run", "--adapter", command, "--only", "cos"]) == 2
    assert "[BAD_USAGE]" in _error_line(capsys)


def _failure(tmp_path: Path, body: str, timeout: float = 10) -> SpecError:
    """Run an adapter script with ``body`` on one request; return how the runner refused it."""
    impl = SubprocessAdapter(_script(tmp_path, body), timeout=timeout)
    try:
        with pytest.raises(SpecError) as caught:
            impl.call("cos.classify", {"cos_byte": 224})
    finally:
        impl.close()
    assert caught.value.reason is Reason.ADAPTER_FAILED
    return caught.value


def _answers(tmp_path: Path, response: str) -> SpecError:
    """Run an adapter that answers every request with ``response`` (bytes as str) once."""
    body = (
        "for line in sys.stdin.buffer:\n"
        f"    sys.stdout.buffer.write({response!s})\n"
        "    sys.stdout.buffer.flush()\n"
    )
    return _failure(tmp_path, body)


@pytest.mark.parametrize(
    ("response", "cause"),
    [
        (r'b"\xff\xfe\n"', "not UTF-8"),
        (r'b"{\"id\": 1, \"output\": 1, \"error\": \"BAD\"}\n"', "exactly one"),
        (r'b"{\"id\": 1}\n"', "exactly one"),
        (r'b"NaN\n"', "not JSON"),
        (r'b"{\"id\": 1, \"output\": NaN}\n"', "not JSON"),
        (r'b"[" * 100000 + b"\n"', "not JSON"),
    ],
)
def test_adapter_answers_that_are_refused(tmp_path: Path, response: str, cause: str) -> None:
    """Invalid UTF-8, both or neither of output and error, and NaN are refused, not scored."""
    assert cause in _answers(tmp_path, response).detail


def test_a_stalling_adapter_stops_the_run_with_its_reason(tmp_path: Path) -> None:
    """An adapter that never answers fails within the per-request timeout."""
    failure = _failure(tmp_path, "import time\ntime.sleep(60)\n", timeout=0.5)
    assert "no answer within" in failure.detail


def test_an_endless_response_line_is_capped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An adapter streaming bytes with no newline fails at the line cap."""
    monkeypatch.setattr(adapter_module, "MAX_RESPONSE_LINE", 100_000)
    body = "sys.stdin.readline()\nwhile True:\n    sys.stdout.write('x' * 65536)\n"
    assert "longer than" in _failure(tmp_path, body).detail


# --- the auditor -------------------------------------------------------------------------------


def _consensus_trace(**changes: object) -> list[str]:
    """Return the example consensus trace with its first commit's fields changed."""
    lines = (EXAMPLES / "consensus-trace.jsonl").read_text().splitlines()
    first = json.loads(lines[1])
    first.update(changes)
    return [lines[0], json.dumps(first), *lines[2:]]


@pytest.mark.parametrize(
    "changes",
    [
        {"replica": -1},
        {"replica": 4},
        {"replica": 10**30},
        {"replica": 1e30},
        {"view": -1},
        {"seq": -5},
        {"type": "gossip"},
    ],
)
def test_auditor_rejects_impossible_events(changes: dict[str, object]) -> None:
    """Replica indices off the roster, negative numbers and unknown events are BAD_TRACE."""
    with pytest.raises(SpecError) as caught:
        audit_lines(_consensus_trace(**changes))
    assert caught.value.reason is Reason.BAD_TRACE


def test_auditor_rejects_a_null_roster() -> None:
    """``"roster": null`` is BAD_TRACE, not a trace whose proof rule silently goes away."""
    lines = (EXAMPLES / "consensus-trace.jsonl").read_text().splitlines()
    header = json.loads(lines[0])
    header["roster"] = None
    with pytest.raises(SpecError) as caught:
        audit_lines([json.dumps(header), *lines[1:]])
    assert caught.value.reason is Reason.BAD_TRACE


def test_auditor_still_judges_the_example_trace() -> None:
    """The example trace, untouched, is still audited (and passes)."""
    report = audit_lines((EXAMPLES / "consensus-trace.jsonl").read_text().splitlines())
    assert report.verdict.value == "valid"


@pytest.mark.parametrize("seed", ["-1", str(2**64)])
def test_governance_simulate_rejects_a_seed_out_of_range(
    seed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--seed -1`` is a clear usage error, not an OverflowError."""
    assert main(["governance", "simulate", "--seed", seed, "--epochs", "1"]) == 2
    assert "[BAD_USAGE]" in _error_line(capsys)


@pytest.mark.parametrize("timeout", ["nan", "inf", "1e308", "0", "-1"])
def test_prove_rejects_an_unbounded_timeout(
    timeout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``prove --timeout nan|inf|1e308`` is a usage error, not an OverflowError."""
    assert main(["prove", "--only", "quorum", "--timeout", timeout]) == 2
    assert "[BAD_USAGE]" in _error_line(capsys)


def test_queuing_simulate_rejects_a_huge_count(capsys: pytest.CaptureFixture[str]) -> None:
    """``queuing simulate --count 10**30`` is a usage error with the cap."""
    assert main(["queuing", "simulate", "--count", str(10**30)]) == 2
    assert "[BAD_USAGE]" in _error_line(capsys)


def test_serve_answers_invalid_utf8_with_malformed_json() -> None:
    """``conformance serve`` answers a line that is not UTF-8 and goes on serving."""
    import subprocess

    request = b'{"id": 1, "op": "cos.classify", "input": {"cos_byte": 224}}\n'
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from vdlt_spec.cli import main; sys.exit(main())",
            "conformance",
            "serve",
        ],
        input=b"\xff\xfe\n" + request,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.decode().splitlines()
    assert json.loads(first) == {"id": None, "error": "MALFORMED_JSON"}
    assert json.loads(second)["id"] == 1


@pytest.mark.parametrize("expect", [{"expect_output": 1, "expect_error": "BAD_USAGE"}, {}])
def test_a_vector_with_both_or_neither_expectation_blames_the_file(
    expect: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Such a vector is SCHEMA_VIOLATION of the vector file, not an implementation failure."""
    vector = {"id": "v1", "op": "cos.classify", "section": "III-B", "input": {"cos_byte": 0}}
    document = {"suite": "cos", "version": 1, "vectors": [{**vector, **expect}]}
    path = tmp_path / "v.json"
    path.write_text(json.dumps(document))
    assert main(["conformance", "run", "--vectors", str(path)]) == 2
    assert "[SCHEMA_VIOLATION]" in _error_line(capsys)
