"""Hostile input, continued: each remaining cause of a hostile-input run, pinned by one test.

An oracle report that claims what it cannot prove; an instance parameter the model cannot
build; a roster size that would fill memory; number text with non-ASCII digits or an
exponent of a billion; an empty SMT-LIB folder; model exports and stdout on a full device.
Each is one clear error line (exit 2), never a traceback, a hang or a half-written file.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from vdlt_spec import serial
from vdlt_spec.cli import main
from vdlt_spec.conformance.adapter import serve_line
from vdlt_spec.crypto.bitmap import MAX_ROSTER, bitmap_length, decode_bitmap, encode_bitmap
from vdlt_spec.errors import Reason, SpecError

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "vdlt_spec" / "allocation" / "instances" / "tiny-exhaustive.json"
#: The optimal allocation of the tiny instance (utility 25 tx/s).
TINY_OPTIMUM = {
    "assignments": [
        {
            "control_ghz": "1/2",
            "replicas": [{"node": "n0", "rate_ghz": "1"}, {"node": "n1", "rate_ghz": "1"}],
            "transaction": "t0",
        },
        {"control_ghz": "1/2", "replicas": [{"node": "n3", "rate_ghz": "2"}], "transaction": "t2"},
    ]
}
HAS_DEV_FULL = Path("/dev/full").exists() and stat.S_ISCHR(os.stat("/dev/full").st_mode)


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("vdlt: error ["), err
    return err


def _report(**changes: Any) -> dict[str, Any]:
    """Return an honest `vdlt allocation solve --json` report of the tiny instance, changed."""
    report: dict[str, Any] = {
        "status": "optimal",
        "proven_optimal": True,
        "bound": "12500013/500000",
        "objective": "25",
        "instance": "tiny-exhaustive",
        "allocation": TINY_OPTIMUM,
    }
    report.update(changes)
    return report


# --- --against: a report is checked, not trusted -----------------------------------------------


def _against(tmp_path: Path, report: dict[str, Any]) -> int:
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps(TINY_OPTIMUM))
    theirs = tmp_path / "report.json"
    theirs.write_text(json.dumps(report))
    return main(["allocation", "evaluate", str(TINY), str(mine), "--against", str(theirs)])


def test_an_honest_report_is_a_yardstick(tmp_path: Path) -> None:
    """The honest report of the tiny instance scores its own optimum at 100 %."""
    assert _against(tmp_path, _report()) == 0


@pytest.mark.parametrize(
    ("changes", "cause"),
    [
        ({"status": "bogus"}, "status must be one of"),
        ({"status": None}, "status must be one of"),
        ({"bound": None}, "must carry its bound"),
        ({"bound": 1e308}, "proves nothing"),
        ({"bound": "50"}, "proves nothing"),
        ({"status": "time_limit"}, "proven_optimal is true but the status is 'time_limit'"),
        ({"proven_optimal": False}, "proven_optimal is false but the status is 'optimal'"),
        ({"bound": "1e999999999"}, "bound must be a number"),
        ({"objective": "٢٥"}, "objective must be a number"),
    ],
)
def test_a_report_that_claims_what_it_cannot_prove_is_refused(
    changes: dict[str, Any], cause: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bogus status, a proof without a bound or with a bound a step away, is BAD_REFERENCE."""
    assert _against(tmp_path, _report(**changes)) == 2
    line = _error_line(capsys)
    assert "[BAD_REFERENCE]" in line and cause in line


# --- instance caps -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["evaluate", "solve"])
def test_a_decentralization_requirement_past_the_nodes_is_refused(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``decentralization_nodes: 10**30`` is refused by every reader, not only by the model."""
    document = json.loads(TINY.read_text())
    document["decentralization_nodes"] = 10**30
    bad = tmp_path / "i.json"
    bad.write_text(json.dumps(document))
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps(TINY_OPTIMUM))
    argv = ["allocation", command, str(bad)] + ([str(mine)] if command == "evaluate" else [])
    assert main(argv) == 2
    line = _error_line(capsys)
    assert "[PARAMETER_OUT_OF_RANGE]" in line and "decentralization_nodes must be in 1..5" in line


def test_a_decentralization_requirement_of_all_nodes_plus_one_still_solves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The largest meaningful requirement (nodes + 1: nothing may be admitted) still builds."""
    document = json.loads(TINY.read_text())
    document["decentralization_nodes"] = len(document["nodes"]) + 1
    edge = tmp_path / "i.json"
    edge.write_text(json.dumps(document))
    assert main(["allocation", "solve", str(edge), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["admitted"] == 0


# --- bitmaps -----------------------------------------------------------------------------------


def test_a_bitmap_beyond_the_roster_cap_is_refused_at_once() -> None:
    """``bitmap_encode`` with n = 10^11 is ROSTER_TOO_LARGE, not a 12.5 GB integer."""
    assert bitmap_length(MAX_ROSTER) == MAX_ROSTER // 8
    for call in (
        lambda: encode_bitmap([0], 10**11),
        lambda: encode_bitmap([10**11 - 1], 10**11),
        lambda: decode_bitmap(b"\x01", 10**11),
        lambda: bitmap_length(MAX_ROSTER + 1),
    ):
        with pytest.raises(SpecError) as caught:
            call()
        assert caught.value.reason is Reason.ROSTER_TOO_LARGE


@pytest.mark.parametrize("op", ["crypto.bitmap_encode", "crypto.bitmap_decode"])
def test_the_adapter_refuses_a_huge_roster(op: str) -> None:
    """The conformance operations answer ROSTER_TOO_LARGE for n = 10^11."""
    given = {"signers": [0]} if op.endswith("encode") else {"bitmap": "01"}
    request = {"id": 1, "op": op, "input": {**given, "n": 10**11}}
    assert json.loads(serve_line(json.dumps(request))) == {"id": 1, "error": "ROSTER_TOO_LARGE"}


# --- number text ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["١/2", "٣", "1e999999999", "1e" + "9" * 5000, "1_000", "1/0"])
def test_number_text_is_ascii_and_bounded(text: str) -> None:
    """A rational's text has ASCII digits and an exponent of at most 1000; else rejected."""
    with pytest.raises(SpecError) as caught:
        serial.decode(Fraction, text)
    assert caught.value.reason is Reason.SCHEMA_VIOLATION


def test_ordinary_number_text_still_reads() -> None:
    """Integers, p/q, decimals and small exponents read as before."""
    assert [serial.decode(Fraction, t) for t in ("3", "-3/4", "1.25", ".5", "1e3", "1e-3")] == [
        Fraction(3),
        Fraction(-3, 4),
        Fraction(5, 4),
        Fraction(1, 2),
        Fraction(1000),
        Fraction(1, 1000),
    ]
    assert serial.decode(int, " 42 ") == 42
    with pytest.raises(SpecError):
        serial.decode(int, "٤٢")


@pytest.mark.parametrize("load", ["١/2", "1e999999999"])
def test_queuing_load_rejects_foreign_digits_and_huge_exponents(
    load: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--load`` with Arabic-Indic digits or a billion-digit exponent is one error line."""
    assert main(["queuing", "simulate", "--load", load, "--count", "10"]) == 2
    assert "--load" in _error_line(capsys)


# --- output paths --------------------------------------------------------------------------------


def test_an_empty_smtlib_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--smtlib ''`` is refused instead of writing into the current folder."""
    monkeypatch.chdir(tmp_path)
    assert main(["prove", "--only", "quorum-honest-intersection", "--smtlib", ""]) == 2
    assert "[BAD_USAGE]" in _error_line(capsys)
    assert list(tmp_path.iterdir()) == []


def test_an_empty_vector_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``conformance generate --out ''`` is refused instead of writing into the current folder."""
    monkeypatch.chdir(tmp_path)
    assert main(["conformance", "generate", "--out", "", "--only", "cos"]) == 2
    assert "[BAD_USAGE]" in _error_line(capsys)
    assert list(tmp_path.iterdir()) == []


def test_smtlib_files_are_written_whole(tmp_path: Path) -> None:
    """``--smtlib DIR`` writes its queries with no temporary left behind."""
    folder = tmp_path / "q"
    assert main(["prove", "--only", "quorum-honest-intersection", "--smtlib", str(folder)]) == 0
    names = [p.name for p in folder.iterdir()]
    assert names and all(n.endswith(".smt2") and not n.startswith(".") for n in names)


@pytest.mark.parametrize("option", ["--lp", "--mps"])
def test_a_model_export_that_fails_midway_keeps_the_old_file(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export stopped by a full device is one line; the previous file stays whole."""
    from vdlt_spec.models.milp import oracle

    target = tmp_path / "model.out"
    target.write_text("previous")

    def full_device(model: Any, lp_path: str | None, mps_path: str | None) -> None:
        written = lp_path or mps_path
        assert written is not None and Path(written).parent == tmp_path
        Path(written).write_text("half a mod")
        raise OSError(28, "No space left on device", written)

    monkeypatch.setattr(oracle, "export", full_device)
    assert main(["allocation", "solve", str(TINY), option, str(target)]) == 2
    assert "No space left on device" in _error_line(capsys)
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["model.out"]


def test_model_exports_replace_their_files_whole(tmp_path: Path) -> None:
    """``--lp`` and ``--mps`` land whole under their names, and nothing else is left."""
    lp, mps = tmp_path / "m.lp", tmp_path / "m.mps"
    lp.write_text("old")
    assert main(["allocation", "solve", str(TINY), "--lp", str(lp), "--mps", str(mps)]) == 0
    assert "Subject To" in lp.read_text() and "ROWS" in mps.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.lp", "m.mps"]


@pytest.mark.skipif(not HAS_DEV_FULL, reason="no /dev/full")
@pytest.mark.parametrize(
    "argv",
    [
        ["allocation", "schema", "--out", "/dev/full"],
        ["allocation", "solve", str(TINY), "--lp", "/dev/full"],
    ],
)
def test_an_output_on_a_full_device_is_one_line_and_the_device_stays(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A device as output is written in place (never renamed over); full is one line."""
    assert main(argv) == 2
    assert "No space left on device" in _error_line(capsys)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.skipif(not HAS_DEV_FULL or shutil.which("sh") is None, reason="no /dev/full")
@pytest.mark.parametrize(
    "argv", [["allocation", "schema"], ["verify", "--only", "cos-table", "--json"]]
)
def test_stdout_on_a_full_device_is_one_line(argv: list[str]) -> None:
    """``vdlt allocation schema > /dev/full`` ends with one error line, exit 2, no traceback."""
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "vdlt_spec", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "vdlt: error [BAD_USAGE]: cannot write the output: No space left on device"
    ]


# --- sizes that ran silently until killed ------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "cause"),
    [
        (["virtualization", "hierarchy", "--regions", "100000"], "--regions must be between 1"),
        (["virtualization", "hierarchy", "--per-region", "0"], "--per-region must be between 1"),
        (["virtualization", "hierarchy", "--count", str(10**30)], "--count must be between 1"),
        (
            ["virtualization", "hierarchy", "--regions", "1000", "--per-region", "1000"],
            "--regions x --per-region must be at most 10000 nodes",
        ),
        (
            ["allocation", "generate", "--count", str(10**8), "--nodes", "8", "--seed", "1"],
            "--count must be between 0 and 1000000",
        ),
        (
            ["allocation", "generate", "--count", "10", "--nodes", str(10**11), "--seed", "1"],
            "--nodes must be between 1 and 10000",
        ),
        (["consensus", "campaign", "--runs", str(10**11)], "less than or equal to 10000000"),
        (["governance", "campaign", "--runs", str(10**11)], "less than or equal to 10000000"),
        (["governance", "campaign", "--steps", str(10**9)], "steps must be an integer in"),
        (["system", "campaign", "--transactions", str(10**10)], "transactions must be an"),
    ],
)
def test_huge_sizes_are_refused_before_the_work(
    argv: list[str], cause: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--regions 10**5``, ``--count 10**8`` and their kin are one BAD_USAGE line, at once."""
    assert main(argv) == 2
    line = _error_line(capsys)
    assert "[BAD_USAGE]" in line and cause in line


@pytest.mark.parametrize("role", [["execution"], {"a": 1}])
def test_a_node_role_of_the_wrong_type_is_a_schema_violation(
    role: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A list or object as a node's role (found by the fuzz campaign) is one error line."""
    document = json.loads(TINY.read_text())
    document["nodes"][0]["role"] = role
    bad = tmp_path / "i.json"
    bad.write_text(json.dumps(document))
    assert main(["allocation", "baseline", str(bad)]) == 2
    assert "[SCHEMA_VIOLATION]" in _error_line(capsys)


BIG = [0, 7, -(2**53), 10**4299, 10**4300, -(3**30000), 10**20000 - 1, 2**14000, 2**13999 + 1]


@pytest.mark.parametrize("n", BIG, ids=[f"{n.bit_length()}-bits" for n in BIG])
def test_integers_of_any_length_are_written_exactly(n: int) -> None:
    """``str`` refuses integers past 4300 digits; results computed from bounded inputs can be
    longer, and the encoder writes them in full."""
    text = serial.decimal(n)
    # the digits, checked without ``str``: re-read in chunks and the sign kept
    digits = text.lstrip("-")
    assert digits == "0" or not digits.startswith("0")
    assert (text.startswith("-")) == (n < 0)
    value = 0
    for start in range(0, len(digits), 1000):
        chunk = digits[start : start + 1000]
        value = value * 10 ** len(chunk) + int(chunk)
    assert value == abs(n)


def test_a_fraction_past_the_digit_limit_encodes_in_full() -> None:
    big = Fraction(1, 3**10000) + Fraction(1, 7**6000)
    numerator, denominator = serial.encode(big).split("/")
    assert len(denominator) > 4300
    assert (numerator, denominator) == (
        serial.decimal(big.numerator),
        serial.decimal(3**10000 * 7**6000),
    )


def _instance_with(tmp_path: Path, name: str, value: str) -> Path:
    data = json.loads(TINY.read_text())
    data["nodes"][0][name] = value
    path = tmp_path / "extreme.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("value", ["1/" + "7" * 4000, "1" + "0" * 4000])
def test_numbers_beyond_a_double_are_refused_by_the_float_consumers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """The spec is exact, so a baseline scores the instance; the MILP oracle works in
    doubles and refuses it with one line, naming the number, instead of a traceback."""
    instance = _instance_with(tmp_path, "compute_price", value)
    assert main(["allocation", "baseline", str(instance), "--json"]) in (0, 1)
    capsys.readouterr()
    assert main(["allocation", "solve", str(instance), "--threads", "1"]) == 2
    err = _error_line(capsys)
    assert "[PARAMETER_OUT_OF_RANGE]" in err and "node 'n0': compute_price" in err
