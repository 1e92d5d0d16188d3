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

import json
import shlex
import subprocess
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


class SubprocessAdapter:
    """Drive an implementation that speaks the JSON-lines protocol on stdin/stdout."""

    def __init__(self, command: str) -> None:
        argv = shlex.split(command)
        if not argv:
            raise SpecError(Reason.BAD_USAGE, "the adapter command is empty")
        self.name = command
        try:
            self._process = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
        except OSError as exc:
            raise SpecError(Reason.ADAPTER_FAILED, f"cannot start {argv[0]!r}: {exc}") from None
        self._next_id = 0

    def call(self, op: str, payload: Any) -> Answer:
        """Send one request and read its response line; a dead or garbled peer is an error."""
        process = self._process
        assert process.stdin is not None and process.stdout is not None
        self._next_id += 1
        request = json.dumps({"id": self._next_id, "op": op, "input": payload}, sort_keys=True)
        try:
            process.stdin.write(request + "\n")
            process.stdin.flush()
            line = process.stdout.readline()
        except OSError as exc:
            raise SpecError(Reason.ADAPTER_FAILED, f"{self.name}: {exc}") from None
        if not line:
            raise SpecError(Reason.ADAPTER_FAILED, f"{self.name}: exited (code {process.poll()})")
        try:
            response = json.loads(line)
        except json.JSONDecodeError:
            raise SpecError(
                Reason.ADAPTER_FAILED, f"{self.name}: not JSON: {line[:80]!r}"
            ) from None
        if not isinstance(response, dict) or response.get("id") != self._next_id:
            raise SpecError(
                Reason.ADAPTER_FAILED, f"{self.name}: response out of step: {line[:80]!r}"
            )
        error = response.get("error")
        if error is not None and not isinstance(error, str):
            raise SpecError(Reason.ADAPTER_FAILED, f"{self.name}: error must be a reason name")
        return Answer(output=response.get("output"), error=error)

    def close(self) -> None:
        """Close the implementation's stdin and wait for it to exit."""
        process = self._process
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def serve_line(line: str) -> str:
    """Answer one JSON-lines request with the reference spec (``vdlt conformance serve``)."""
    try:
        request = json.loads(line)
    except json.JSONDecodeError:
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
