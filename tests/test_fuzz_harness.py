"""Feed hostile documents to every ``vdlt`` reader and judge each run: the fuzzing harness.

A *target* is a command that reads a file (an instance, an allocation, a ``--start``, an
``--against`` report, a trace, a substrate, systems, a vector file) or the conformance adapter
(``vdlt conformance serve``'s request lines). Its inputs come from two sources: documents drawn
from the project's own JSON Schemas (hypothesis-jsonschema) and mutations of valid documents
(wrong types, missing and extra fields, huge and negative numbers, NaN, unicode, deep nesting,
broken text). Each input runs in a forked child with a wall-clock limit and a memory limit, so
a hang or a runaway allocation is caught and counted rather than stalling the suite.

The property, judged by :func:`judge`: exit code 0, 1 or 2; exit 2 is exactly one
``vdlt: error [REASON]: ...`` line; never a traceback, never a hang; an output file is either
whole (it parses) or absent, and no temporary file is left behind.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import resource
import select
import signal
import sys
import tempfile
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as conjecture_utils

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
INSTANCES = ROOT / "vdlt_spec" / "allocation" / "instances"
VECTORS = ROOT / "vdlt_spec" / "conformance" / "vectors"
TINY = INSTANCES / "tiny-exhaustive.json"
#: Seconds one input may run before it counts as a hang.
RUN_LIMIT = 30.0
#: Bytes of address space a child may add to the parent's before an allocation fails.
MEMORY_HEADROOM = 3 * 2**30


def _many_more(self: Any) -> bool:
    """Step a Hypothesis ``many`` the way hypothesis-jsonschema 0.23 expects (``more()``).

    Hypothesis 6.1xx replaced ``many.more()`` by the iterator protocol; hypothesis-jsonschema
    still calls ``more()`` when it draws an object, so the harness supplies it.
    """
    if self._depth is None:
        self.__enter__()
        self._fuzz_iterator = iter(self)
    try:
        next(self._fuzz_iterator)
    except StopIteration:
        self.__exit__(None)
        return False
    return True


if not hasattr(conjecture_utils.many, "more"):
    conjecture_utils.many.more = _many_more


# --- running one input ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """Hold what one run of a target did: exit code, streams, traceback, hang, files left."""

    code: int | None
    out: str = ""
    err: str = ""
    trace: str | None = None
    hang: bool = False
    leftovers: tuple[str, ...] = ()
    partial: tuple[str, ...] = ()


def _child(work: Callable[[], tuple[int, str, str]], write_fd: int) -> None:
    """Run ``work`` in the forked child and send its outcome through the pipe."""
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (size + MEMORY_HEADROOM, hard))
    except (OSError, ValueError):
        pass
    try:
        code, out, err = work()
        payload = {"code": code, "out": out[-20_000:], "err": err[-20_000:], "trace": None}
    except BaseException:  # every escape is the finding
        payload = {"code": None, "out": "", "err": "", "trace": traceback.format_exc()[-20_000:]}
    data = json.dumps(payload).encode()
    view = memoryview(data)
    with contextlib.suppress(OSError):  # the parent gave up on us (a hang): nobody reads
        while view:
            view = view[os.write(write_fd, view) :]
    os._exit(0)


def run_forked(work: Callable[[], tuple[int, str, str]], limit: float = RUN_LIMIT) -> Outcome:
    """Run ``work`` in a forked child, killed after ``limit`` seconds (then a hang)."""
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    with warnings.catch_warnings():
        # JAX (loaded by the DRL tests of the same session) warns on every fork: its threads
        # do not survive into the child. No target reads an agent or calls JAX, so the child
        # never waits on their locks, and a child that hung anyway is killed at ``limit``.
        warnings.filterwarnings("ignore", "os.fork", RuntimeWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns into the test session
        try:
            os.close(read_fd)
            _child(work, write_fd)
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = _now() + limit
    hang = False
    while True:
        left = deadline - _now()
        if left <= 0:
            hang = True
            break
        ready, _, _ = select.select([read_fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(read_fd, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    if hang:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(read_fd)
    if hang:
        return Outcome(code=None, hang=True)
    if not chunks:
        return Outcome(code=None, trace="the child died without an answer")
    payload = json.loads(b"".join(chunks))
    return Outcome(payload["code"], payload["out"], payload["err"], payload["trace"])


def _now() -> float:
    return os.times().elapsed


def cli_work(argv: list[str]) -> Callable[[], tuple[int, str, str]]:
    """Return a child's work: run ``vdlt argv`` in-process, capturing its streams."""

    def work() -> tuple[int, str, str]:
        from vdlt_spec.cli import main

        out, err = io.StringIO(), io.StringIO()
        sys.stdout, sys.stderr = out, err
        try:
            code = main(argv)
        finally:
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        return code, out.getvalue(), err.getvalue()

    return work


def serve_work(line: str) -> Callable[[], tuple[int, str, str]]:
    """Return a child's work: answer one request line as ``vdlt conformance serve`` does."""

    def work() -> tuple[int, str, str]:
        from vdlt_spec.conformance.adapter import serve_line

        return 0, serve_line(line), ""

    return work


# --- targets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Name a reader: how to run it on an input file, its seed documents, its schema."""

    name: str
    argv: Callable[[Path, Path], list[str]] | None  # (input file, output file) -> argv
    seeds: tuple[Any, ...]
    schema: Callable[[], dict[str, Any]] | None = None
    lines: bool = False  # JSON lines (a trace), one document per line
    writes: bool = False  # the command writes the output file given to ``argv``


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def _jsonl(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


TINY_OPTIMUM = {
    "assignments": [
        {
            "control_ghz": "1/2",
            "replicas": [{"node": "n0", "rate_ghz": "1"}, {"node": "n1", "rate_ghz": "1"}],
            "transaction": "t0",
        },
        {"control_ghz": "1/2", "replicas": [{"node": "n3", "rate_ghz": "2"}], "transaction": "t2"},
    ]
}
TINY_REPORT = {
    "status": "optimal",
    "proven_optimal": True,
    "bound": "12500013/500000",
    "objective": "25",
    "instance": "tiny-exhaustive",
    "allocation": TINY_OPTIMUM,
}


def _vector_seeds() -> tuple[dict[str, Any], ...]:
    """Return a small vector file per suite: its first two vectors of each operation."""
    files = []
    for suite in ("cos", "crypto", "economy", "governance", "queuing", "virtualization"):
        document = _json(VECTORS / f"{suite}.vectors.json")
        kept: dict[str, int] = Counter()
        vectors = []
        for vector in document["vectors"]:
            if kept[vector["op"]] < 2:
                kept[vector["op"]] += 1
                vectors.append(vector)
        files.append({**document, "vectors": vectors})
    return tuple(files)


def _requests() -> tuple[dict[str, Any], ...]:
    """Return ``conformance serve`` requests: one per vector of the seed files."""
    return tuple(
        {"id": k, "op": v["op"], "input": v["input"]}
        for k, v in enumerate(v for f in _vector_seeds() for v in f["vectors"])
    )


def _mine(tmp: Path) -> str:
    mine = tmp / "mine.json"
    if not mine.exists():
        mine.write_text(json.dumps(TINY_OPTIMUM))
    return str(mine)


def targets() -> tuple[Target, ...]:
    """Return every reader of the tool, with its seeds and, where there is one, its schema."""
    from vdlt_spec.allocation.schema import allocation_schema, instance_schema

    return (
        Target(
            "instance",
            lambda f, o: ["allocation", "baseline", str(f), "--out", str(o)],
            (_json(TINY), _json(INSTANCES / "small-welfare.json")),
            schema=lambda: capped(instance_schema()),
            writes=True,
        ),
        Target(
            "allocation",
            lambda f, o: ["allocation", "evaluate", str(TINY), str(f), "--json"],
            (TINY_OPTIMUM,),
            schema=allocation_schema,
        ),
        Target(
            "start",
            lambda f, o: [
                *("allocation", "solve", str(TINY), "--start", str(f), "--out", str(o)),
                *("--threads", "1", "--time-limit", "20"),
            ],
            (TINY_OPTIMUM,),
            writes=True,
        ),
        Target(
            "against",
            lambda f, o: [
                "allocation",
                "evaluate",
                str(TINY),
                _mine(o.parent),
                "--against",
                str(f),
            ],
            (TINY_REPORT,),
        ),
        Target(
            "trace",
            lambda f, o: ["audit", str(f), "--json"],
            (_jsonl(EXAMPLES / "consensus-trace.jsonl"),),
            lines=True,
        ),
        Target(
            "substrate",
            lambda f, o: ["virtualization", "place", str(f), str(EXAMPLES / "systems.json")],
            (_json(EXAMPLES / "substrate.json"),),
        ),
        Target(
            "systems",
            lambda f, o: ["virtualization", "place", str(EXAMPLES / "substrate.json"), str(f)],
            (_json(EXAMPLES / "systems.json"), _json(EXAMPLES / "systems-with-rejection.json")),
        ),
        Target(
            "vectors",
            lambda f, o: ["conformance", "run", "--vectors", str(f), "--json"],
            _vector_seeds(),
        ),
        Target("serve", None, _requests()),
    )


def capped(schema: Any) -> Any:
    """Return a schema with arrays of at most 3 items and short free strings (quick to draw)."""
    if isinstance(schema, list):
        return [capped(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: capped(v) for k, v in schema.items()}
    if out.get("type") == "array":
        out["maxItems"] = min(out.get("maxItems", 3), 3)
    if out.get("type") == "string" and "pattern" not in out and "enum" not in out:
        out["maxLength"] = 12
    return out


# --- judging --------------------------------------------------------------------------------------


def run_target(target: Target, data: bytes) -> Outcome:
    """Run ``target`` on the input bytes in a fresh folder and judge the files it leaves."""
    if target.argv is None:
        return run_forked(serve_work(data.decode("utf-8", errors="surrogateescape")))
    with tempfile.TemporaryDirectory(prefix="vdlt-fuzz-") as folder:
        tmp = Path(folder)
        given, out = tmp / "input.json", tmp / "out.json"
        given.write_bytes(data)
        argv = target.argv(given, out)
        before = {p.name for p in tmp.iterdir()}
        outcome = run_forked(cli_work(argv))
        after = {p.name for p in tmp.iterdir()}
        leftovers = tuple(sorted(n for n in after - before if n != "out.json"))
        partial: tuple[str, ...] = ()
        if out.exists():
            try:
                json.loads(out.read_text())
            except (ValueError, UnicodeDecodeError):
                partial = ("out.json",)
            if outcome.code == 2:
                partial = ("out.json",)
        return Outcome(
            outcome.code, outcome.out, outcome.err, outcome.trace, outcome.hang, leftovers, partial
        )


def judge(target: Target, outcome: Outcome) -> str:
    """Classify an outcome: "ok", "error" (a clear one-line error), or the failure's kind."""
    if outcome.hang:
        return "hang"
    if outcome.trace is not None:
        return "traceback"
    if outcome.partial or outcome.leftovers:
        return "partial"
    if target.argv is None:
        return _judge_answer(outcome.out)
    if outcome.code not in (0, 1, 2) or "Traceback" in outcome.err:
        return "traceback"
    if outcome.code == 2:
        lines = outcome.err.strip().splitlines()
        ok = len(lines) == 1 and lines[0].startswith("vdlt: error [")
        return "error" if ok else "bad-error"
    return "ok"


def _judge_answer(line: str) -> str:
    """Judge one ``serve`` answer: one line of JSON with an id and output xor error."""
    if "\n" in line:
        return "bad-error"
    try:
        answer = json.loads(line)
    except ValueError:
        return "bad-error"
    if not isinstance(answer, dict) or "id" not in answer:
        return "bad-error"
    if ("output" in answer) == ("error" in answer):
        return "bad-error"
    return "error" if "error" in answer else "ok"


FAILURES = ("traceback", "hang", "partial", "bad-error")


@dataclass
class Tally:
    """Count the outcomes of a campaign: inputs tried, clear errors, and each failure kind."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, target: Target, verdict: str, data: bytes, outcome: Outcome) -> None:
        """Count one verdict, keeping the first few failing inputs of each kind."""
        self.counts["tried"] += 1
        self.counts[verdict] += 1
        self.counts[f"{target.name}:{verdict}"] += 1
        if verdict in FAILURES:
            kept = self.examples.setdefault(verdict, [])
            if len(kept) < 5:
                why = (outcome.trace or outcome.err or outcome.out)[-600:]
                kept.append(f"{target.name}: {data[:200]!r}\n{why}")
                print(f"--- {verdict} (as found): {kept[-1]}", flush=True)

    def figures(self) -> str:
        """Return the campaign's figures line."""
        c = self.counts
        return (
            f"inputs tried {c['tried']} / accepted {c['ok']} / clear errors {c['error']} / "
            f"tracebacks {c['traceback']} / hangs {c['hang']} / partial files {c['partial']} / "
            f"malformed errors {c['bad-error']}"
        )


# --- inputs ---------------------------------------------------------------------------------------

HOSTILE_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    2**63,
    10**30,
    -(10**30),
    10**4000,
    0.5,
    -0.0,
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    "",
    "x" * 10_000,
    "١٢",
    "1e999999999",
    "1/0",
    "-1/3",
    "[/bold]x",
    "\x1b[31mred\x1b]8;;http://x\x1b\\",
    "\ud800",
    [],
    {},
    [[[[[[[[[[[[]]]]]]]]]]]],
)


def hostile_value() -> st.SearchStrategy[Any]:
    """Draw a value a reader must survive: listed pathological ones or random JSON scalars."""
    return st.one_of(
        st.sampled_from(HOSTILE_VALUES),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=30),
        st.booleans(),
    )


def _paths(document: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Return the path of every node of a document, the root included."""
    found = [here]
    if isinstance(document, dict):
        for key, value in document.items():
            found.extend(_paths(value, (*here, key)))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.extend(_paths(value, (*here, index)))
    return found


def _get(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


def _put(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _get(document, path[:-1])[path[-1]] = value
    return document


def _tweaked(node: Any) -> st.SearchStrategy[Any]:
    """Draw a near miss of a leaf that keeps its type: a number nudged, scaled or negated."""
    if isinstance(node, bool):
        return st.just(not node)
    if isinstance(node, int):
        return st.sampled_from([node + 1, node - 1, -node, 0, node * 1000, node * 10**20])
    if isinstance(node, float):
        return st.sampled_from([node * 2, -node, 0.0, node / 1000])
    if isinstance(node, str):
        variants = [node + "0", "-" + node, node[:-1], node.upper(), node + "/0", "0", "-1/2"]
        return st.sampled_from(variants)
    return st.just(node)


@st.composite
def mutated(draw: st.DrawFn, seed: Any) -> Any:
    """Draw a document made from ``seed`` by one to three structural mutations."""
    document = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(document)))
        node = _get(document, path)
        kind = draw(
            st.sampled_from(
                ["tweak", "tweak", "replace", "delete", "extra", "wrap", "nest", "repeat", "swap"]
            )
        )
        if kind == "tweak":
            document = _put(document, path, draw(_tweaked(node)))
        elif kind == "replace":
            document = _put(document, path, draw(hostile_value()))
        elif kind == "delete" and path:
            parent = _get(document, path[:-1])
            del parent[path[-1]]
        elif kind == "extra" and isinstance(node, dict):
            node[draw(st.sampled_from(["extra", "", "__proto__", "id"]) | st.text(max_size=8))] = (
                draw(hostile_value())
            )
        elif kind == "wrap":
            document = _put(document, path, [node])
        elif kind == "nest":
            deep: Any = node
            for _ in range(draw(st.sampled_from([50, 255, 300]))):
                deep = [deep]
            document = _put(document, path, deep)
        elif kind == "repeat" and isinstance(node, list) and node:
            document = _put(document, path, node + node[:1] * draw(st.integers(1, 5000)))
        elif kind == "swap":
            other = draw(st.sampled_from(_paths(document)))
            document = _put(document, path, copy.deepcopy(_get(document, other)))
    return document


def encoded(document: Any, lines: bool) -> bytes:
    """Serialise a document the way a careless writer might (NaN allowed, surrogates kept)."""
    if lines and isinstance(document, list):
        text = "\n".join(json.dumps(d, allow_nan=True) for d in document) + "\n"
    else:
        text = json.dumps(document, allow_nan=True)
    return text.encode("utf-8", errors="surrogatepass")


@st.composite
def text_damage(draw: st.DrawFn, data: bytes) -> bytes:
    """Damage serialised input: truncation, invalid UTF-8, a BOM, duplicate keys, junk."""
    kind = draw(st.sampled_from(["none", "truncate", "utf8", "bom", "duplicate", "junk", "empty"]))
    if kind == "truncate" and data:
        return data[: draw(st.integers(0, len(data) - 1))]
    if kind == "utf8":
        at = draw(st.integers(0, len(data)))
        return data[:at] + b"\xff\xfe\xc3" + data[at:]
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    if kind == "duplicate" and data.startswith(b"{") and len(data) > 2:
        return b'{"name": 1, "name": 2, ' + data[1:]
    if kind == "junk":
        return data + draw(st.binary(min_size=1, max_size=20))
    if kind == "empty":
        return b""
    return data


@st.composite
def hostile_input(draw: st.DrawFn, target: Target) -> bytes:
    """Draw one input for ``target``: a mutated seed, then maybe damaged text."""
    seed = draw(st.sampled_from(target.seeds))
    document = draw(mutated(seed))
    return draw(text_damage(encoded(document, target.lines)))


def schema_input(target: Target) -> st.SearchStrategy[bytes]:
    """Draw a schema-valid document of ``target`` (hypothesis-jsonschema), serialised."""
    from hypothesis_jsonschema import from_schema

    assert target.schema is not None
    return from_schema(target.schema()).map(lambda d: encoded(d, target.lines))
