"""Talk to an implementation under test: in-process (the reference) or a JSON-lines subprocess.

The adapter protocol is language-neutral. The runner starts the implementation's command once
and writes one JSON request per line on its stdin::

    {"id": 7, "op": "cos.classify", "input": {"cos_byte": 224}}

and reads one JSON response per line from its stdout, either ``{"id": 7, "output": ...}`` or
``{"id": 7, "error": "REASON"}`` with a ``Reason`` name (``UNSUPPORTED_OPERATION`` for
operations it does not implement). ``vdlt conformance serve`` is the reference implementation
of this protocol.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shlex
import subprocess
import time
from dataclasses import dataclass
from typing import Any, Protocol

from vdlt_spec import serial
from vdlt_spec.conformance import operations
from vdlt_spec.errors import Reason, SpecError


@dataclass(frozen=True)
class Answer:
    """Hold an implementation's answer: a JSON output, or the name of the reason it rejected."""

    output: Any = None
    error: str | None = None


class Adapter(Protocol):
    """Answer conformance operations on behalf of one implementation."""

    name: str

    def call(self, op: str, payload: Any) -> Answer:
        """Run ``op`` on ``payload`` and return the implementation's answer."""
        ...

    def close(self) -> None:
        """Release whatever the adapter holds (a subprocess)."""
        ...


def reference_answer(op: str, payload: Any) -> Answer:
    """Answer ``op`` with the reference spec, turning ``SpecError`` into its reason name."""
    try:
        return Answer(output=serial.encode(operations.call(op, payload)))
    except SpecError as exc:
        return Answer(error=exc.reason.value)


class ReferenceAdapter:
    """Answer with this package's own spec, in process."""

    name = "reference"

    def call(self, op: str, payload: Any) -> Answer:
        """Run ``op`` with the reference spec."""
        return reference_answer(op, payload)

    def close(self) -> None:
        """Hold nothing; nothing to release."""


#: Seconds an adapter may take to answer one request before the run stops with its reason.
REQUEST_TIMEOUT = 30.0
#: The longest response line, in bytes, an adapter may write.
MAX_RESPONSE_LINE = 16 * 1024 * 1024


class SubprocessAdapter:
    """Drive an implementation that speaks the JSON-lines protocol on stdin/stdout.

    Each answer must arrive within ``timeout`` seconds, as one UTF-8 line of at most
    :data:`MAX_RESPONSE_LINE` bytes holding a strict JSON object with either ``output`` or
    ``error``; anything else stops the run with ``ADAPTER_FAILED`` and the cause.
    """

    def __init__(self, command: str, *, timeout: float = REQUEST_TIMEOUT) -> None:
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise SpecError(Reason.BAD_USAGE, f"the adapter command: {exc}") from None
        if not argv:
            raise SpecError(Reason.BAD_USAGE, "the adapter command is empty")
        self.name = command
        self._timeout = timeout
        try:
            self._process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except OSError as exc:
            raise SpecError(Reason.ADAPTER_FAILED, f"cannot start {argv[0]!r}: {exc}") from None
        self._next_id = 0
        self._buffer = b""
        self._stuck = False

    def _fail(self, detail: str) -> SpecError:
        """Return the ``ADAPTER_FAILED`` error for ``detail``, marking the peer as stuck."""
        self._stuck = True
        return SpecError(Reason.ADAPTER_FAILED, f"{self.name}: {detail}")

    def _read_line(self) -> bytes:
        """Read one response line within the timeout and the line cap; b"" at end of output."""
        process = self._process
        assert process.stdout is not None
        fd = process.stdout.fileno()
        deadline = time.monotonic() + self._timeout
        while b"\n" not in self._buffer:
            if len(self._buffer) > MAX_RESPONSE_LINE:
                raise self._fail(f"response line longer than {MAX_RESPONSE_LINE} bytes")
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise self._fail(f"no answer within {self._timeout:g} s")
            chunk = os.read(fd, 65536)
            if not chunk:
                line, self._buffer = self._buffer, b""
                return line
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        if len(line) > MAX_RESPONSE_LINE:
            raise self._fail(f"response line longer than {MAX_RESPONSE_LINE} bytes")
        return line + b"\n"

    def call(self, op: str, payload: Any) -> Answer:
        """Send one request and read its response line; a dead or garbled peer is an error."""
        process = self._process
        assert process.stdin is not None
        self._next_id += 1
        request = json.dumps({"id": self._next_id, "op": op, "input": payload}, sort_keys=True)
        try:
            process.stdin.write((request + "\n").encode("utf-8"))
            process.stdin.flush()
            raw = self._read_line()
        except OSError as exc:
            raise self._fail(str(exc)) from None
        if not raw:
            process.poll()
            raise self._fail(f"exited (code {process.returncode})")
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self._fail(f"response is not UTF-8: {raw[:80]!r}") from None
        try:
            response = serial.load_json(line)
        except SpecError as exc:
            raise self._fail(f"not JSON ({exc.detail}): {line[:80]!r}") from None
        if not isinstance(response, dict) or response.get("id") != self._next_id:
            raise self._fail(f"response out of step: {line[:80]!r}")
        if ("output" in response) == ("error" in response):
            raise self._fail(f"a response has exactly one of output and error: {line[:80]!r}")
        error = response.get("error")
        if "error" in response and not isinstance(error, str):
            raise self._fail("error must be a reason name")
        return Answer(output=response.get("output"), error=error)

    def close(self) -> None:
        """Close the implementation's stdin and wait for it to exit (kill it if stuck)."""
        process = self._process
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(timeout=0 if self._stuck else 10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def serve_line(line: str) -> str:
    """Answer one JSON-lines request with the reference spec (``vdlt conformance serve``)."""
    try:
        request = serial.load_json(line)
    except SpecError:
        return json.dumps({"id": None, "error": Reason.MALFORMED_JSON.value})
    if not isinstance(request, dict) or not isinstance(request.get("op"), str):
        ident = request.get("id") if isinstance(request, dict) else None
        return json.dumps({"id": ident, "error": Reason.SCHEMA_VIOLATION.value})
    answer = reference_answer(request["op"], request.get("input"))
    response: dict[str, Any] = {"id": request.get("id")}
    if answer.error is None:
        response["output"] = answer.output
    else:
        response["error"] = answer.error
    return json.dumps(response, sort_keys=True)
