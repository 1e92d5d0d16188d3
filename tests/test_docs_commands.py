"""Run every command block of README.md and docs/*.md marked runnable, as a newcomer would."""

from __future__ import annotations

import pytest

from vdlt_spec import checks as self_checks
from vdlt_spec.cli import main


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
