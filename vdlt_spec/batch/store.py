"""Keep batch results on disk safely: atomic writes, strict JSON reads and file hashes.

A batch run may be stopped at any moment (Ctrl-C, a killed process); every file it writes goes
to a temporary file in the same folder and is renamed into place, so a reader sees the old file
or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Any

from vdlt_spec import serial
from vdlt_spec.errors import Reason, SpecError

__all__ = ["atomic_write", "read_document", "sha256_of"]


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a temporary file, fsync, rename)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def read_document(path: Path) -> Any:
    """Read a strict JSON document; an unreadable file is ``BAD_INPUT_FILE`` naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SpecError(Reason.BAD_INPUT_FILE, f"{path}: {reason}") from None
    try:
        return serial.load_json(text)
    except SpecError as exc:
        raise SpecError(exc.reason, f"{path}: {exc.detail}") from None


def sha256_of(path: Path) -> str:
    """Return the sha256 of a file's bytes, in hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
