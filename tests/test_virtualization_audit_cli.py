"""Tests of the virtualization trace auditor and the `vdlt virtualization` commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vdlt_spec import serial
from vdlt_spec import virtualization as v
from vdlt_spec.audit import trace
from vdlt_spec.audit.auditor import audit
from vdlt_spec.audit.rules.virtualization import reference_trace
from vdlt_spec.cli import main
from vdlt_spec.conformance.ops.virtualization import FIRST, SECOND, SUBSTRATE, R, _system
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict

STEPS: list[v.VirtualSystem | str] = [FIRST, SECOND, _system("c", 5, 1, R(1, 1, 1)), "a"]


def lines() -> list[dict[str, Any]]:
    return [json.loads(x) for x in reference_trace(SUBSTRATE, STEPS).splitlines()]


def render(records: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(r) for r in records]


def run(records: list[dict[str, Any]]) -> Any:
    return audit(trace.parse(render(records)))


def test_reference_trace_is_valid() -> None:
    records = lines()
    assert [r.get("type") for r in records[1:]] == ["admit", "admit", "reject", "release"]
    report = run(records)
    assert report.verdict is Verdict.VALID and report.checked == 4
    assert "isolation" in report.rules and "capacity" in report.rules


def _rules(records: list[dict[str, Any]]) -> set[str]:
    report = run(records)
    assert report.verdict is Verdict.INVALID
    return {f.rule for f in report.findings}


def test_moving_another_system_breaks_isolation() -> None:
    records = lines()
    placement = records[2]["placement"]  # admit of b: move a's e0 to a free host
    a_hosts = {x["host"] for x in placement["assignments"] if x["system"] == "a"}
    spare = next(n.id for n in SUBSTRATE.nodes if n.id not in a_hosts and not n.always_on)
    for x in placement["assignments"]:
        if (x["system"], x["node"]) == ("a", "e0"):
            x["host"] = spare
    assert _rules(records) == {"isolation"}


def test_capacity_anti_affinity_and_host_requirements_are_checked() -> None:
    records = lines()
    a = records[1]["placement"]["assignments"]
    a[1]["host"] = a[0]["host"]  # m1 onto m0's host
    assert {"anti-affinity", "isolation"} <= _rules(records)
    records = lines()
    first = records[1]
    first["system"]["nodes"][0]["demand"]["compute"] = 10**6
    first["placement"]["systems"][0]["nodes"][0]["demand"]["compute"] = 10**6
    assert "capacity" in _rules(records)
    records = lines()
    m0 = next(x for x in records[1]["placement"]["assignments"] if x["node"] == "m0")
    m0["host"] = "p7"  # unqualified and unused by a
    assert "management-hosts" in _rules(records)


def test_admission_release_and_rejection_events_are_checked() -> None:
    records = lines()
    records[1]["placement"]["systems"] = []
    records[1]["placement"]["assignments"] = []
    assert "admission" in _rules(records)
    records = lines()
    records[4]["placement"] = records[3].get("placement") or records[2]["placement"]
    assert "release" in _rules(records)
    records = lines()
    records[3]["reason"] = "BECAUSE"
    assert _rules(records) == {"rejection"}
    records = lines()
    records[2]["placement"]["assignments"].append({"system": "z", "node": "m0", "host": "p0"})
    assert "known-ids" in _rules(records)


def test_an_idle_trace_is_unknown() -> None:
    assert run(lines()[:1]).verdict is Verdict.UNKNOWN


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r[0].pop("substrate"),
        lambda r: r[1].update(type="move"),
        lambda r: r[1].update(placement=[]),
        lambda r: r[1].update(placement={"systems": 1, "assignments": []}),
        lambda r: r[4].update(system=3),
        lambda r: r[1]["system"].update(classes=[]),
    ],
)
def test_malformed_traces_are_rejected(mutate: Any) -> None:
    records = lines()
    mutate(records)
    with pytest.raises(SpecError) as info:
        run(records)
    assert info.value.reason is Reason.BAD_TRACE


def test_cli_audit(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(reference_trace(SUBSTRATE, STEPS), encoding="utf-8")
    records = lines()
    records[2]["placement"]["assignments"][0]["host"] = "p7"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(render(records)) + "\n", encoding="utf-8")
    assert main(["audit", str(good)]) == 0
    assert main(["audit", str(bad), "--json"]) == 1


# --- vdlt virtualization place / hierarchy -----------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    substrate = tmp_path / "substrate.json"
    substrate.write_text(serial.dumps(SUBSTRATE), encoding="utf-8")
    fits = tmp_path / "fits.json"
    fits.write_text(serial.dumps([FIRST, SECOND]), encoding="utf-8")
    some = tmp_path / "some.json"
    some.write_text(serial.dumps([FIRST, _system("c", 5, 1, R(1, 1, 1))]), encoding="utf-8")
    return substrate, fits, some


def test_cli_place(files: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    substrate, fits, some = files
    assert main(["virtualization", "place", str(substrate), str(fits)]) == 0
    out = capsys.readouterr().out
    assert "leases" in out and "2 admitted, 0 rejected" in out
    assert main(["virtualization", "place", str(substrate), str(some), "--fail", "p0"]) == 1
    out = capsys.readouterr().out
    assert "rejected c [NO_MANAGEMENT_HOST]" in out and "faults of p0" in out
    assert main(["virtualization", "place", str(substrate), str(fits), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    placement = serial.decode(v.Placement, doc["placement"])
    assert v.validate(SUBSTRATE, placement) == ()
    assert [o["admitted"] for o in doc["outcomes"]] == [True, True]
    assert doc["worst_single_failure"] == 1
    assert main(["virtualization", "place", str(substrate), str(fits), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == doc  # deterministic


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "BAD_INPUT_FILE"),
        ("{", "MALFORMED_JSON"),
        ('[{"id": "s"}]', "SCHEMA_VIOLATION"),
        ('{"nodes": []}', "SCHEMA_VIOLATION"),
    ],
)
def test_cli_place_rejects_bad_files(
    files: tuple[Path, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    reason: str,
) -> None:
    substrate, _, _ = files
    bad = tmp_path / "systems.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    assert main(["virtualization", "place", str(substrate), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"[{reason}]" in err and "Traceback" not in err


def test_cli_hierarchy(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["virtualization", "hierarchy", "--count", "400", "--json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    shares = [row["load"]["top"] for row in doc["rows"]]
    assert shares == sorted(shares, reverse=True) and shares[0] == 400
    assert main(["virtualization", "hierarchy", "--group-size", "0"]) == 2
    assert main(["virtualization", "hierarchy", "--global-share", "x"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("name", ["locality.jpg", "missing/locality.png"])
def test_cli_hierarchy_rejects_a_bad_plot_path_in_one_line(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _cli(["virtualization", "hierarchy", "--plot", str(tmp_path / name)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "[BAD_USAGE]" in err


@pytest.mark.parametrize("width", [80, 60])
def test_cli_hierarchy_table_cuts_no_number(
    width: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from rich.console import Console

    from vdlt_spec.cli import virtualization as cli

    argv = ["virtualization", "hierarchy", "--count", "300"]
    doc = json.loads(_cli([*argv, "--json"], capsys)[1])
    sink = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=sink, width=width))
    assert main(argv) == 0
    text = sink.getvalue()
    assert max(len(line) for line in text.splitlines()) <= width and "…" not in text
    for row in doc["rows"]:
        assert f" {row['load']['top']} " in text and f" {row['load']['busiest_local']} " in text
