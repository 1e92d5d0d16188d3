"""docs/cli.md is the reference generated from the Typer app, so it cannot drift from it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from vdlt_spec.cli.common import deprecated_option, given
from vdlt_spec.cli.reference import render

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_committed_reference_equals_the_generated_one() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale; regenerate it with "
        "`.venv/bin/python -m vdlt_spec.cli.reference > docs/cli.md`"
    )


def test_reference_lists_every_visible_command_and_no_alias() -> None:
    text = render()
    for command in (
        "verify",
        "prove",
        "audit",
        "queuing simulate",
        "consensus simulate",
        "governance simulate",
        "allocation generate",
        "allocation schema",
        "allocation solve",
        "allocation evaluate",
        "allocation baseline",
        "conformance run",
        "conformance serve",
        "conformance generate",
        "virtualization place",
        "virtualization hierarchy",
    ):
        assert f"`vdlt {command}`\n" in text, command
    for alias in ("simulate pbft", "queue simulate", "solve", "instance generate"):
        assert f"## `vdlt {alias}`" not in text and f"### `vdlt {alias}`" not in text
    assert "\x1b[" not in text  # no ANSI escapes


def test_a_deprecated_option_is_hidden_merged_and_listed() -> None:
    """A renamed option's old spelling still works, hides from --help and is listed in the docs."""
    app = typer.Typer()

    @app.command("run")
    def run(
        count: Annotated[int, typer.Option("--count", help="How many.")] = 3,
        tx: Annotated[int | None, deprecated_option("--tx", "--count")] = None,
    ) -> None:
        typer.echo(given(count, tx))

    @app.command("other")
    def other() -> None:
        """Do nothing."""

    runner = CliRunner()
    assert runner.invoke(app, ["run", "--tx", "7"]).output.strip() == "7"
    assert runner.invoke(app, ["run", "--count", "5"]).output.strip() == "5"
    assert runner.invoke(app, ["run"]).output.strip() == "3"
    assert "--tx" not in runner.invoke(app, ["run", "--help"]).output
    assert "| `vdlt run --tx` | `--count` |" in render(app)


@pytest.mark.parametrize(
    "group",
    [
        [],
        ["queuing"],
        ["consensus"],
        ["governance"],
        ["allocation"],
        ["conformance"],
        ["virtualization"],
    ],
)
def test_command_lists_are_not_cut_at_80_columns(group: list[str]) -> None:
    """Every command's one-line summary shows whole in ``--help`` on an 80-column terminal."""
    from vdlt_spec.cli import app

    result = CliRunner().invoke(app, [*group, "--help"], terminal_width=80, env={"COLUMNS": "80"})
    assert result.exit_code == 0
    listed = result.output.split("Commands:")[1]
    assert "..." not in listed, listed
