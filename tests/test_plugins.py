"""Tests of the generic plugin registry: registration, duplicates, lookup, order, discovery."""

from __future__ import annotations

import pytest

from vdlt_spec import plugins
from vdlt_spec.errors import Reason, SpecError


def test_register_keeps_the_function_and_lists_by_name() -> None:
    registry: plugins.Registry[str] = plugins.Registry("thing", Reason.UNKNOWN_CHECK)

    @registry.register("b", lambda f: f.__name__)
    def second() -> None:
        """Do nothing."""

    registry.add("a", "first")
    assert second.__name__ == "second"
    assert registry.names() == ("a", "b")
    assert list(registry) == ["first", "second"]
    assert registry.get("b") == "second" and "a" in registry and "c" not in registry


def test_a_duplicate_name_is_rejected_unless_the_plugin_is_the_same() -> None:
    registry: plugins.Registry[str] = plugins.Registry("thing", Reason.UNKNOWN_CHECK)
    registry.add("a", "x")
    registry.add("a", "x")  # the same plugin again: a re-imported module
    with pytest.raises(ValueError, match="registered twice"):
        registry.add("a", "y")
    assert registry.get("a") == "x"


def test_an_unknown_name_is_a_spec_error_with_the_registry_reason() -> None:
    registry: plugins.Registry[int] = plugins.Registry("operation", Reason.UNSUPPORTED_OPERATION)
    registry.add("one", 1)
    with pytest.raises(SpecError) as info:
        registry.get("two")
    assert info.value.reason is Reason.UNSUPPORTED_OPERATION
    assert "no operation named 'two'; known: one" in info.value.detail


def test_discover_imports_every_module_of_the_named_package() -> None:
    names = plugins.discover("vdlt_spec.audit.rules")
    assert "vdlt_spec.audit.rules.virtualization" in names
    assert list(names) == sorted(names)


def test_first_line() -> None:
    def documented() -> None:
        """Say one thing.

        And more.
        """

    assert plugins.first_line(documented) == "Say one thing."
    assert plugins.first_line(lambda: None) == ""
