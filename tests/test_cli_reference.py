"""docs/cli.md is the reference generated from the Typer app, so it cannot drift from it."""

from __future__ import annotations

from pathlib import Path

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
