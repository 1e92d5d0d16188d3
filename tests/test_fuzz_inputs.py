"""Fuzz every reader of the tool: a clear error or an answer, never a traceback, hang or torn file.

Each command that reads a file, and the conformance adapter, is fed documents drawn from the
project's JSON Schemas and mutations of valid documents (tests/test_fuzz_harness.py). The
default run tries a few inputs per reader; ``pytest -m fuzz -s tests/test_fuzz_inputs.py`` runs
the long campaign (``VDLT_FUZZ_EXAMPLES`` inputs per reader, 300 unless set) and prints its
figures: inputs tried / clear errors / tracebacks / hangs / partial files.
"""

from __future__ import annotations

import importlib
import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_fuzz_harness import (
    FAILURES,
    Outcome,
    Tally,
    Target,
    hostile_input,
    judge,
    run_forked,
    run_target,
    schema_input,
    targets,
)

# The children are forked from this process: import what the commands import lazily once here.
for _module in (
    "vdlt_spec.cli",
    "vdlt_spec.models.milp",
    "vdlt_spec.conformance.suite",
    "vdlt_spec.audit.rules.consensus",
    "vdlt_spec.virtualization",
):
    importlib.import_module(_module)

BITMAP_REQUEST = b'{"id": 1, "op": "crypto.bitmap_encode", "input": {"signers": [0], "n": %s}}'
TARGETS = {t.name: t for t in targets()}
#: Inputs per reader in the default run (the solve of --start costs most).
DEFAULT_EXAMPLES = {name: 3 if name == "start" else 6 for name in TARGETS}
QUIET = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
    HealthCheck.filter_too_much,
]


def _explain(target: Target, data: bytes, verdict: str, outcome: Outcome) -> str:
    shown = data[:300] + (b"..." if len(data) > 300 else b"")
    why = outcome.trace or outcome.err or outcome.out
    return f"{target.name}: {verdict} on {shown!r}\n{why[-2000:]}"


def _check(target: Target, data: bytes) -> None:
    outcome = run_target(target, data)
    verdict = judge(target, outcome)
    assert verdict not in FAILURES, _explain(target, data, verdict, outcome)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_every_reader_survives_mutated_documents(name: str) -> None:
    """Mutated valid documents give exit 0/1/2 with one error line; no traceback or torn file."""
    target = TARGETS[name]

    @settings(
        max_examples=DEFAULT_EXAMPLES[name],
        deadline=None,
        database=None,
        suppress_health_check=QUIET,
    )
    @given(hostile_input(target))
    def check(data: bytes) -> None:
        _check(target, data)

    check()


@pytest.mark.parametrize("name", sorted(n for n, t in TARGETS.items() if t.schema is not None))
def test_every_reader_survives_schema_drawn_documents(name: str) -> None:
    """Documents drawn from the reader's own JSON Schema are judged, never crash a reader."""
    target = TARGETS[name]

    @settings(max_examples=3, deadline=None, database=None, suppress_health_check=QUIET)
    @given(schema_input(target))
    def check(data: bytes) -> None:
        _check(target, data)

    check()


# --- the harness catches what it looks for ------------------------------------------------------


def _raises() -> tuple[int, str, str]:
    raise RecursionError("deep")


def _sleeps() -> tuple[int, str, str]:
    import time

    time.sleep(60)
    return 0, "", ""


def _two_lines() -> tuple[int, str, str]:
    return 2, "", "vdlt: error [BAD_USAGE]: one\nand another\n"


def test_the_harness_sees_a_traceback_a_hang_and_a_ragged_error() -> None:
    """A raising run is a traceback, a sleeping one a hang, a two-line error is malformed."""
    cli = Target("cli", lambda f, o: [], ({},))
    assert judge(cli, run_forked(_raises)) == "traceback"
    assert judge(cli, run_forked(_sleeps, limit=1.0)) == "hang"
    assert judge(cli, run_forked(_two_lines)) == "bad-error"
    assert judge(cli, run_forked(lambda: (2, "", "vdlt: error [BAD_USAGE]: x\n"))) == "error"


def test_the_harness_sees_a_partial_output_file() -> None:
    """An output file that does not parse, or one left by a failed run, is a partial file."""
    cli = Target("cli", lambda f, o: ["allocation", "schema", "--out", str(o)], ({},))
    assert judge(cli, run_target(cli, b"{}")) == "ok"
    assert judge(cli, Outcome(code=2, partial=("out.json",))) == "partial"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("instance", b"[" * 100_000),
        ("trace", b'{"trace": "consensus", "version": 1}\n' + b"1" * 5000 + b"\n"),
        ("vectors", b'{"suite": "cos", "vectors": NaN}'),
        ("serve", b'{"id": 1, "op": "crypto.bitmap_encode", "input": {"signers": [0], "n": 1e11}}'),
        (
            "serve",
            b'{"id": 1, "op": "crypto.bitmap_encode", "input": {"signers": [0], "n": 10000000000}}',
        ),
        ("against", b'{"status": "optimal", "proven_optimal": true, "bound": "1e999999999"}'),
    ],
)
def test_known_hostile_inputs_stay_clear_errors(name: str, data: bytes) -> None:
    """The inputs that once crashed or hung a reader are clear errors, through the harness."""
    _check(TARGETS[name], data)


def _campaign(target: Target, inputs: st.SearchStrategy[bytes], count: int, tally: Tally) -> None:
    """Run ``count`` inputs of ``target`` (generation only, no shrinking) into the tally."""

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        suppress_health_check=QUIET,
        phases=[Phase.generate],
    )
    @given(inputs)
    def step(data: bytes) -> None:
        outcome = run_target(target, data)
        tally.add(target, judge(target, outcome), data, outcome)

    step()


@pytest.mark.fuzz
def test_fuzz_campaign(request: pytest.FixtureRequest) -> None:
    """Run the long campaign and print its figures (``pytest -m fuzz -s``)."""
    if "fuzz" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("the long fuzz campaign runs with -m fuzz")
    examples = int(os.environ.get("VDLT_FUZZ_EXAMPLES", "300"))
    tally = Tally()
    for target in TARGETS.values():
        count = max(examples // 4, 1) if target.name == "start" else examples
        _campaign(target, hostile_input(target), count, tally)
        if target.schema is not None:
            _campaign(target, schema_input(target), max(count // 5, 1), tally)
        print(f"after {target.name}: {tally.figures()}", flush=True)
    print()
    print(f"vdlt fuzz campaign ({examples} inputs per reader): {tally.figures()}")
    for target in TARGETS.values():
        per = {v: tally.counts[f"{target.name}:{v}"] for v in ("ok", "error", *FAILURES)}
        print(f"  {target.name:10} " + " ".join(f"{k}={n}" for k, n in per.items() if n))
    for verdict, kept in tally.examples.items():
        for example in kept:
            print(f"--- {verdict}: {example}")
    assert not any(tally.counts[v] for v in FAILURES), tally.figures()
