"""Tests of the project's shared machinery: errors, verdicts, JSON codec, registry and CLI."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vdlt_spec import checks as self_checks
from vdlt_spec import serial
from vdlt_spec.cli import main
from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict, combine


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True)
class Inner:
    share: Fraction
    key: bytes


@dataclass(frozen=True)
class Outer:
    name: str
    big: int
    colour: Colour
    items: tuple[Inner, ...]
    table: dict[str, int]
    maybe: int | None = None


outer = st.builds(
    Outer,
    name=st.text(),
    big=st.integers(),
    colour=st.sampled_from(Colour),
    items=st.lists(
        st.builds(Inner, share=st.fractions(), key=st.binary(max_size=8)), max_size=3
    ).map(tuple),
    table=st.dictionaries(st.text(), st.integers(), max_size=3),
    maybe=st.none() | st.integers(),
)


@given(outer)
def test_serial_round_trips_without_loss(value: Outer) -> None:
    assert serial.loads(Outer, serial.dumps(value)) == value


def test_serial_encodes_big_integers_as_strings() -> None:
    assert serial.encode(2**53) == str(2**53)
    assert serial.encode(2**53 - 1) == 2**53 - 1
    assert serial.encode(Fraction(3, 4)) == "3/4"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"name": "a"}, "missing field"),
        ({"name": "a", "big": 1, "colour": "red", "items": [], "table": {}, "x": 1}, "unknown"),
        ({"name": "a", "big": "1.5", "colour": "red", "items": [], "table": {}}, "$.big"),
        ({"name": "a", "big": 1, "colour": "green", "items": [], "table": {}}, "$.colour"),
        ({"name": "a", "big": 1, "colour": "red", "items": [{"share": "1/0"}], "table": {}}, ""),
    ],
)
def test_serial_rejects_bad_data_with_a_path(data: object, where: str) -> None:
    with pytest.raises(SpecError) as info:
        serial.decode(Outer, data)
    assert info.value.reason is Reason.SCHEMA_VIOLATION
    assert where in info.value.detail


def test_serial_reports_malformed_json() -> None:
    with pytest.raises(SpecError) as info:
        serial.loads(Outer, "{not json")
    assert info.value.reason is Reason.MALFORMED_JSON


def test_reason_values_equal_names() -> None:
    assert all(r.value == r.name for r in Reason)


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([], Verdict.UNKNOWN),
        ([Verdict.VALID], Verdict.VALID),
        ([Verdict.VALID, Verdict.UNKNOWN], Verdict.UNKNOWN),
        ([Verdict.UNKNOWN, Verdict.INVALID], Verdict.INVALID),
    ],
)
def test_combine(verdicts: list[Verdict], expected: Verdict) -> None:
    assert combine(verdicts) is expected


def test_a_crashing_check_is_unknown() -> None:
    def body() -> self_checks.Outcome:
        raise RuntimeError("boom")

    chk = self_checks.Check("t", "test", "§0", "", body)
    run = self_checks.run(chk)
    assert run.verdict is Verdict.UNKNOWN
    assert "boom" in run.detail


def test_select_rejects_unknown_names() -> None:
    with pytest.raises(SpecError) as info:
        self_checks.select(self_checks.discover(), ["no-such-check"])
    assert info.value.reason is Reason.UNKNOWN_CHECK


def test_cli_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert "vdlt-spec" in capsys.readouterr().out


def test_cli_verify_json_is_one_document(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == Verdict(document["verdict"]).exit_code
    assert {c["verdict"] for c in document["checks"]} <= {v.value for v in Verdict}


@pytest.mark.parametrize(
    "argv", [["bogus"], ["verify", "--bad"], ["verify", "--only", "nothing-by-that-name"]]
)
def test_cli_bad_usage_is_one_line_and_exit_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("vdlt: error")
    assert "Traceback" not in captured.err + captured.out


@pytest.mark.parametrize("data", [True, False, 1.0, "1", None])
def test_an_enum_member_is_named_by_a_value_of_its_own_json_type(data: object) -> None:
    assert serial.decode(ServiceClass, 1, "$.c") == ServiceClass(1)
    with pytest.raises(SpecError) as caught:
        serial.decode(ServiceClass, data, "$.c")
    assert caught.value.reason is Reason.SCHEMA_VIOLATION
