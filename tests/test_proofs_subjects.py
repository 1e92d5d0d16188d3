"""Tie each proof obligation to the spec functions it is about, and docs/proofs.md to the list.

The functions an obligation *evaluates* (``shared``) must exist in the spec and be called by
the obligation's encoding module, so that changing one of them changes what is proven; the
table in docs/proofs.md must be the one :func:`vdlt_spec.proofs.subjects.subjects_table`
generates from the catalog.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from vdlt_spec.proofs.catalog import OBLIGATIONS
from vdlt_spec.proofs.obligation import Obligation
from vdlt_spec.proofs.subjects import SUBJECTS, subjects_table

ROOT = Path(__file__).resolve().parents[1]


def test_every_obligation_has_its_subjects() -> None:
    assert set(SUBJECTS) == {o.name for o in OBLIGATIONS}


def _resolve(dotted: str) -> object:
    module, _, name = f"vdlt_spec.{dotted}".rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("obligation", OBLIGATIONS, ids=lambda o: o.name)
def test_the_shared_functions_exist_and_the_encoding_calls_them(obligation: Obligation) -> None:
    """Each named function is called by the encoding, directly or through another one named."""
    name, encoding = obligation.name, obligation.encoding
    sources = [inspect.getsource(importlib.import_module(encoding.__module__))]
    for dotted in SUBJECTS[name].shared:
        found = _resolve(dotted)
        if callable(found):
            sources.append(inspect.getsource(found))
    for dotted in SUBJECTS[name].shared:
        assert any(dotted.rpartition(".")[2] in text for text in sources), (name, dotted)


def test_the_named_test_modules_exist() -> None:
    for subject in SUBJECTS.values():
        for module in filter(None, (m.strip() for m in subject.tests.split(","))):
            assert (ROOT / "tests" / module).is_file(), module


def test_docs_list_the_subjects_as_generated() -> None:
    text = (ROOT / "docs" / "proofs.md").read_text(encoding="utf-8")
    assert subjects_table() in text, "regenerate: python -m vdlt_spec.proofs.subjects"
