"""Output files are written atomically, never over an input, and checked before the work.

``write_output`` writes a temporary file in the target's folder and renames it over the target,
so a run stopped mid-write leaves the previous file whole; an output path that is an input, or
that cannot be written, is refused before any work with a one-line error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from vdlt_spec.cli import common, main
from vdlt_spec.cli.common import write_output

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TINY = ROOT / "vdlt_spec" / "allocation" / "instances" / "tiny-exhaustive.json"


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


def test_write_output_replaces_the_file(tmp_path: Path) -> None:
    """A write replaces the file whole and leaves no temporary file behind."""
    target = tmp_path / "out.json"
    target.write_text("old")
    write_output(target, "new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_a_write_stopped_midway_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interruption inside the write leaves the previous file intact and no temporary."""
    target = tmp_path / "out.json"
    target.write_text("previous")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(common.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_output(target, "x" * 1_000_000)
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_a_killed_writer_keeps_the_old_file(tmp_path: Path) -> None:
    """A process killed while writing a large output leaves the previous file intact."""
    target = tmp_path / "out.json"
    target.write_text("previous")
    script = textwrap.dedent(
        f"""
        import os, sys, time
        from pathlib import Path
        from vdlt_spec.cli import common

        def slow_fsync(fd):
            sys.stdout.write("writing\\n")
            sys.stdout.flush()
            time.sleep(60)

        common.os.fsync = slow_fsync
        common.write_output(Path({str(target)!r}), "x" * 10_000_000)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "writing"
    process.kill()
    process.wait()
    process.stdout.close()
    assert target.read_text() == "previous"


@pytest.mark.parametrize(
    "command",
    [
        ["allocation", "solve", "{i}", "--out", "{i}"],
        ["allocation", "solve", "{i}", "--lp", "{i}"],
        ["allocation", "solve", "{i}", "--mps", "{i}"],
        ["allocation", "solve", "{i}", "--start", "{a}", "--out", "{a}"],
        ["allocation", "solve", "{i}", "--out", "{o}", "--lp", "{o}"],
        ["allocation", "baseline", "{i}", "--out", "{i}"],
    ],
)
def test_an_output_equal_to_an_input_is_refused(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``solve i.json --out i.json`` and its kin are refused before any work; inputs survive."""
    instance = tmp_path / "i.json"
    shutil.copy(TINY, instance)
    start = tmp_path / "a.json"
    start.write_text('{"assignments": []}')
    before = instance.read_bytes(), start.read_bytes()
    names = {"i": str(instance), "a": str(start), "o": str(tmp_path / "o.json")}
    assert main([part.format(**names) for part in command]) == 2
    line = _error_line(capsys)
    assert "[BAD_USAGE]" in line
    assert (instance.read_bytes(), start.read_bytes()) == before
    assert not (tmp_path / "o.json").exists()


def test_an_output_spelled_differently_is_still_the_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``./i.json`` and ``i.json`` are one file."""
    shutil.copy(TINY, tmp_path / "i.json")
    monkeypatch.chdir(tmp_path)
    assert main(["allocation", "baseline", "i.json", "--out", "./sub/../i.json"]) == 2
    assert "is the input" in _error_line(capsys)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_folder_is_refused_up_front(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A read-only folder is found before the solve, not after."""
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert main(["allocation", "solve", str(TINY), "--out", str(folder / "a.json")]) == 2
    finally:
        folder.chmod(0o700)
    assert "permission denied" in _error_line(capsys)


@pytest.mark.parametrize("option", ["--out", "--lp", "--mps"])
def test_a_missing_folder_is_refused_up_front(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An output in a folder that does not exist is refused before the solve."""
    target = tmp_path / "missing" / "a.out"
    assert main(["allocation", "solve", str(TINY), option, str(target)]) == 2
    line = _error_line(capsys)
    assert "no folder" in line
    assert "solve" not in capsys.readouterr().out


def test_a_directory_as_output_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An output path that is a folder is refused."""
    assert main(["allocation", "schema", "--out", str(tmp_path)]) == 2
    assert "is a directory" in _error_line(capsys)


def test_consensus_trace_is_checked_up_front(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--trace`` into a missing folder is refused before the simulation."""
    target = tmp_path / "missing" / "t.jsonl"
    code = main(["consensus", "simulate", "--nodes", "4", "--count", "2", "--trace", str(target)])
    assert code == 2
    assert "no folder" in _error_line(capsys)


def test_a_written_file_has_the_usual_mode(tmp_path: Path) -> None:
    """A new output gets the umask's mode (not the temporary's 0600); a rewrite keeps its own."""
    fresh = tmp_path / "fresh.json"
    write_output(fresh, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
    kept = tmp_path / "kept.json"
    kept.write_text("old")
    kept.chmod(0o640)
    write_output(kept, "new")
    assert kept.stat().st_mode & 0o777 == 0o640


#: Run ``vdlt`` with every fsync stalled after announcing itself, so a test can kill it mid-write.
STALLED_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from vdlt_spec.cli import main

    def stalled_fsync(fd):
        sys.__stdout__.write("writing\\n")
        sys.__stdout__.flush()
        time.sleep(120)

    os.fsync = stalled_fsync
    main(sys.argv[1:])
    """
)


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.parametrize(
    ("name", "argv"),
    [
        ("out.json", ["allocation", "baseline", str(TINY), "--out", "{t}"]),
        ("model.lp", ["allocation", "solve", str(TINY), "--threads", "1", "--lp", "{t}"]),
        ("trace.jsonl", ["consensus", "simulate", "--nodes", "4", "--trace", "{t}"]),
        pytest.param(
            "plot.svg",
            ["queuing", "simulate", "--count", "50", "--plot", "{t}"],
            marks=pytest.mark.skipif(not _has_matplotlib(), reason="needs matplotlib"),
        ),
    ],
)
def test_a_killed_command_keeps_the_previous_output(
    name: str, argv: list[str], tmp_path: Path
) -> None:
    """``vdlt`` killed while writing --out, --lp, --trace or --plot leaves the old file whole."""
    target = tmp_path / name
    target.write_text("previous")
    process = subprocess.Popen(
        [sys.executable, "-c", STALLED_WRITER, *(a.format(t=target) for a in argv)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    try:
        assert process.stdout.readline().strip() == "writing"
        assert target.read_text() == "previous"
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
    assert target.read_text() == "previous"
