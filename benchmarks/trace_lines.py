"""Run ``python -m MODULE ARGS`` and write which lines of the named files it executed.

Run: ``python benchmarks/trace_lines.py OUT FILE[,FILE...] -m MODULE [ARGS...]``.

``OUT`` receives one JSON object, ``{file: [line, ...]}``, for the listed files (paths relative
to the current directory), whatever the module's exit status; the exit status is the module's.
The mutation benchmark uses it to tell a survivor in code that no killer runs from one that a
killer runs and does not notice. Only the standard library is imported before the module runs,
so every listed file's import is traced too.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import threading
from types import FrameType
from typing import Any


def main(argv: list[str]) -> int:
    """Trace the lines of the wanted files while the module runs; write them to ``OUT``."""
    if len(argv) < 4 or argv[2] != "-m":
        print("usage: trace_lines.py OUT FILE[,FILE...] -m MODULE [ARGS...]", file=sys.stderr)
        return 2
    out, files, module, args = argv[0], argv[1], argv[3], argv[4:]
    wanted = {os.path.abspath(f): f for f in files.split(",") if f}
    seen: dict[str, set[int]] = {f: set() for f in wanted.values()}

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            seen[wanted[frame.f_code.co_filename]].add(frame.f_lineno)
        return local

    def on_call(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename in wanted else None

    sys.argv = [module, *args]
    threading.settrace(on_call)
    sys.settrace(on_call)
    code = 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    finally:
        sys.settrace(None)
        threading.settrace(None)
        with open(out, "w", encoding="utf-8") as handle:
            json.dump({f: sorted(lines) for f, lines in seen.items()}, handle)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
