#!/usr/bin/env python3
"""A minimal implementation under test: it speaks the adapter protocol and knows one operation.

Run it through the conformance runner (docs/conformance.md):

    vdlt conformance run --adapter "python examples/my_impl.py" --only cos

It reads one JSON request per line on stdin and writes one JSON response per line on stdout.
It implements ``cos.classify`` (Table II of the whitepaper) without importing the spec, and
answers ``UNSUPPORTED_OPERATION`` to everything else, which the runner counts as unknown, not as
a failure. Replace the body of ``answer`` with calls into your own implementation.
"""

from __future__ import annotations

import json
import sys
from typing import Any

CLASSES = (
    "SCAVENGER",
    "BEST_EFFORT",
    "PRIVATE",
    "MANAGEMENT_CONTROL",
    "LOW_COST",
    "STORAGE_INTENSIVE",
    "COMPUTATION_INTENSIVE",
    "FAST_CONFIRMATION",
)


def answer(op: str, data: Any) -> dict[str, Any]:
    """Answer one request: {"output": ...} or {"error": REASON}."""
    if op != "cos.classify":
        return {"error": "UNSUPPORTED_OPERATION"}
    byte = data.get("cos_byte") if isinstance(data, dict) else None
    if not isinstance(byte, int) or isinstance(byte, bool):
        return {"error": "SCHEMA_VIOLATION"}
    if not 0 <= byte <= 0xFF:
        return {"error": "COS_BYTE_OUT_OF_RANGE"}
    bits = byte >> 5
    return {"output": {"class": CLASSES[bits], "class_bits": bits, "reserved": byte & 0x1F}}


def main() -> None:
    """Serve requests until stdin ends."""
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        response = {"id": request.get("id"), **answer(request.get("op", ""), request.get("input"))}
        sys.stdout.write(json.dumps(response) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
