"""Run every command block of README.md and docs/*.md marked runnable, as a newcomer would.

A fenced ``bash`` or ``console`` block is runnable when the line before its fence is
``<!-- doctest -->`` (an HTML comment: GitHub shows nothing). A block that is long or needs
what a fresh install lacks carries ``<!-- doctest: skip, REASON -->`` instead, and the page says
so next to it; every shell block has one of the two (docs/architecture.md, Conventions). The
Quickstart's lines, which CI runs in a fresh environment, count as skipped.

Each block runs in a fresh temporary directory holding a copy of ``examples/``, its commands
one after another through ``bash`` (with ``pipefail``), ``vdlt`` and ``python`` being those of
the installed package. A command must exit 0, or the code its trailing comment names
(``# exit 1``). In a ``console`` block, lines starting ``$ `` are commands and the lines after
one are output it must print: each such line must appear in what it printed, compared with
table borders removed and all runs of white space as one space. The commands of the README's
component table ("try it") run the same way, those a page's block runs already only there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from vdlt_spec import checks as self_checks
from vdlt_spec.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
EXAMPLES = ROOT / "examples"
RUNNABLE = "<!-- doctest -->"
SKIPPED = re.compile(r"<!-- doctest: skip, .+ -->|<!-- quickstart:begin -->")
SHELL_FENCE = re.compile(r"^```(bash|console|sh|shell)\s*$")
EXIT = re.compile(r"#.*\bexit (\d+)\b")
BORDERS = str.maketrans({c: " " for c in "│┃┆┊║|┏┓┗┛┡┩└┘┌┐━─═╇╈┳┻╋┼"})
TRY_IT = "try it"
COMMAND_SECONDS = 300
WORKERS = 2


@dataclass(frozen=True)
class Command:
    """One documented command: what to run, the exit code and output lines the docs promise."""

    line: str
    exit_code: int
    shows: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    """A runnable block of a page: where it is, and its commands in order."""

    where: str
    commands: tuple[Command, ...]


@dataclass(frozen=True)
class Ran:
    """What one command did: its exit code and everything it printed."""

    command: Command
    exit_code: int
    output: str


def _flat(text: str) -> str:
    return " ".join(text.translate(BORDERS).split())


def _bare(line: str) -> str:
    return re.sub(r"\s+#.*$", "", line).strip()


def _command(line: str, shows: list[str]) -> Command:
    found = EXIT.search(line)
    return Command(line, int(found.group(1)) if found else 0, tuple(shows))


def parse_block(lines: list[str], console: bool) -> tuple[Command, ...]:
    """Split a block's lines into commands (joining ``\\`` continuations) and shown output."""
    commands: list[Command] = []
    pending: list[str] = []
    current: str | None = None
    shows: list[str] = []
    for raw in lines:
        if pending:
            pending.append(raw.strip().removesuffix("\\").strip())
            if not raw.rstrip().endswith("\\"):
                current, pending = " ".join(pending), []
            continue
        if console and not raw.startswith("$ "):
            if raw.strip() and current is not None:
                shows.append(raw.strip())
            continue
        text = raw[2:] if console else raw
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if current is not None:
            commands.append(_command(current, shows))
            shows = []
        if text.rstrip().endswith("\\"):
            current, pending = None, [text.strip().removesuffix("\\").strip()]
        else:
            current = text.strip()
    if current is not None:
        commands.append(_command(current, shows))
    return tuple(commands)


def shell_blocks(page: Path) -> Iterator[tuple[int, str, list[str], bool]]:
    """Yield each shell block of ``page``: its line, the marker line before it, body, kind."""
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        fence = SHELL_FENCE.match(lines[i])
        if fence is None:
            i += 1
            continue
        end = lines.index("```", i + 1)
        marker = lines[i - 1].strip() if i else ""
        yield i + 1, marker, lines[i + 1 : end], fence.group(1) == "console"
        i = end + 1


def try_it_commands(page: Path) -> tuple[Command, ...]:
    """Return the commands of the ``try it`` column of the page's tables."""
    commands = []
    column = None
    for line in page.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if "|" in line else []
        if TRY_IT in cells:
            column = cells.index(TRY_IT)
        elif not cells:
            column = None
        elif column is not None and not set(line) <= set("|-: "):
            commands.extend(_command(c, []) for c in re.findall(r"`([^`]+)`", cells[column]))
    return tuple(commands)


def runnable_blocks() -> tuple[Block, ...]:
    """Collect every runnable block of README.md and docs/*.md, and the README's try-it cells."""
    blocks = []
    for page in PAGES:
        for line, marker, body, console in shell_blocks(page):
            if marker == RUNNABLE:
                where = f"{page.relative_to(ROOT)}:{line}"
                blocks.append(Block(where, parse_block(body, console)))
    already = {_bare(c.line) for b in blocks for c in b.commands}
    try_it = [c for c in try_it_commands(ROOT / "README.md") if _bare(c.line) not in already]
    blocks.append(Block("README.md:try-it", tuple(try_it)))
    return tuple(blocks)


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "100"
    env.pop("FORCE_COLOR", None)
    env["NO_COLOR"] = "1"
    return env


def run_block(block: Block) -> tuple[Ran, ...]:
    """Run a block's commands in a fresh directory holding a copy of examples/."""
    env = _environment()
    done = []
    with tempfile.TemporaryDirectory(prefix="vdlt-doc-") as tmp:
        shutil.copytree(EXAMPLES, Path(tmp) / "examples")
        for command in block.commands:
            proc = subprocess.run(
                ["bash", "-o", "pipefail", "-c", command.line],
                cwd=tmp,
                env=env,
                capture_output=True,
                text=True,
                timeout=COMMAND_SECONDS,
                check=False,
            )
            done.append(Ran(command, proc.returncode, proc.stdout + proc.stderr))
    return tuple(done)


BLOCKS = runnable_blocks()


@pytest.fixture(scope="module")
def ran() -> dict[str, tuple[Ran, ...]]:
    """Run every runnable block, two at a time, once for the whole module."""
    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip((b.where for b in BLOCKS), pool.map(run_block, BLOCKS), strict=True))


@pytest.mark.parametrize("block", BLOCKS, ids=[b.where for b in BLOCKS])
def test_documented_commands_run_as_written(block: Block, ran: dict[str, tuple[Ran, ...]]) -> None:
    assert block.commands, f"{block.where}: a runnable block without commands"
    for result in ran[block.where]:
        command = result.command
        tail = result.output[-2000:]
        assert result.exit_code == command.exit_code, (command.line, result.exit_code, tail)
        printed = _flat(result.output)
        for shown in command.shows:
            assert _flat(shown) in printed, (command.line, shown, tail)


def test_every_shell_block_is_run_or_says_why_not() -> None:
    unmarked = [
        f"{page.relative_to(ROOT)}:{line}"
        for page in PAGES
        for line, marker, _, _ in shell_blocks(page)
        if marker != RUNNABLE and not SKIPPED.fullmatch(marker)
    ]
    assert unmarked == []


def test_the_parser_reads_exit_codes_continuations_and_output() -> None:
    console = parse_block(["$ vdlt a \\", "    --b  # exit 1", "shown line", "$ vdlt c"], True)
    assert console == (
        Command("vdlt a --b  # exit 1", 1, ("shown line",)),
        Command("vdlt c", 0, ()),
    )
    bash = parse_block(["# intro", "vdlt x   # exit 2: why", "", "vdlt y"], False)
    assert [(c.line, c.exit_code) for c in bash] == [("vdlt x   # exit 2: why", 2), ("vdlt y", 0)]


def test_verify_help_names_every_component(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    for component in {c.component for c in self_checks.discover()}:
        assert component in shown, component


def test_economics_and_governance_are_components_of_their_own() -> None:
    found = self_checks.discover()
    economics = {c.name for c in self_checks.select(found, ["economics"])}
    governance = {c.name for c in self_checks.select(found, ["governance"])}
    assert {"economy-scenario", "median-pay-robustness", "free-riders-earn-less"} <= economics
    assert governance == {"governance-anchors"}


if __name__ == "__main__":
    for found in BLOCKS:
        for listed in found.commands:
            print(f"{found.where}: {listed.line}")
