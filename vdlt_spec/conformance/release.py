"""Pin vector releases: write an archive with a manifest, and read a release back, checked.

A release is the ``<suite>.vectors.json`` files plus ``manifest.json``::

    {"format_version": 1, "spec_version": "0.1.0",
     "files": [{"file": "cos.vectors.json", "suite": "cos", "count": 358, "sha256": "…"}]}

written as a ``.tar.gz`` (``.tgz``) or ``.zip`` archive with fixed timestamps, so the same
vectors give the same bytes. Reading a release (an archive, a folder or one vector file) checks
everything before a vector runs: a truncated or unreadable archive is ``BAD_INPUT_FILE``, a
file or manifest of another format version is ``UNSUPPORTED_VECTOR_FORMAT``, and a file whose
sha256 or vector count differs from the manifest, one missing or one not listed, is
``VECTOR_DIGEST_MISMATCH``.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from vdlt_spec import __version__, serial
from vdlt_spec.conformance.suite import VECTOR_SUFFIX, render
from vdlt_spec.conformance.vector import FORMAT_VERSION, VectorFile
from vdlt_spec.errors import Reason, SpecError

MANIFEST = "manifest.json"
TAR_SUFFIXES = (".tar.gz", ".tgz")
ZIP_SUFFIXES = (".zip",)
#: The largest file, in bytes, a release may hold (the bundled vectors are well under 1 MiB).
MAX_MEMBER_BYTES = 64 * 1024 * 1024
#: The most files a release may hold.
MAX_MEMBERS = 1000
#: The most bytes all files of a release may hold together, unpacked.
MAX_RELEASE_BYTES = 256 * 1024 * 1024
#: The timestamp written into archives: zip's earliest, so a release's bytes are reproducible.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ManifestEntry:
    """Describe one file of a release: its name, suite, vector count and sha256 (hex)."""

    file: str
    suite: str
    count: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """List the files of a vector release with the format version they are written in."""

    format_version: int
    spec_version: str
    files: tuple[ManifestEntry, ...]


def release_files(files: Iterable[VectorFile]) -> dict[str, bytes]:
    """Return the release's files by name: each suite's vector file and the manifest."""
    contents: dict[str, bytes] = {}
    entries = []
    for vector_file in sorted(files, key=lambda f: f.suite):
        name = f"{vector_file.suite}{VECTOR_SUFFIX}"
        data = render(vector_file).encode("utf-8")
        contents[name] = data
        entries.append(
            ManifestEntry(
                name, vector_file.suite, len(vector_file.vectors), hashlib.sha256(data).hexdigest()
            )
        )
    manifest = Manifest(FORMAT_VERSION, __version__, tuple(entries))
    contents[MANIFEST] = (serial.dumps(manifest, indent=1) + "\n").encode("utf-8")
    return contents


def archive_kind(path: Path) -> str | None:
    """Return ``"tar"`` or ``"zip"`` for an archive name, ``None`` for anything else."""
    name = path.name.lower()
    if name.endswith(TAR_SUFFIXES):
        return "tar"
    if name.endswith(ZIP_SUFFIXES):
        return "zip"
    return None


def _zip_bytes(contents: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(contents):
            entry = zipfile.ZipInfo(name, ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, contents[name])
    return buffer.getvalue()


def _tar_bytes(contents: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as packed,
        tarfile.open(fileobj=packed, mode="w", format=tarfile.PAX_FORMAT) as archive,
    ):
        for name in sorted(contents):
            member = tarfile.TarInfo(name)
            member.size = len(contents[name])
            member.mode = 0o644
            archive.addfile(member, io.BytesIO(contents[name]))
    return buffer.getvalue()


def archive_bytes(contents: Mapping[str, bytes], kind: str) -> bytes:
    """Pack ``contents`` as a reproducible ``tar`` (gzip) or ``zip`` archive, names sorted."""
    if kind == "zip":
        return _zip_bytes(contents)
    if kind == "tar":
        return _tar_bytes(contents)
    raise SpecError(Reason.BAD_USAGE, f"unknown archive kind {kind!r} (tar or zip)")


class _Members:
    """Collect the plain files of an archive in memory, refusing paths and oversize members."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.files: dict[str, bytes] = {}
        self.total = 0

    def add(self, name: str, size: int, read: Callable[[], bytes]) -> None:
        """Keep one member, a plain name (``./`` allowed), within the size and count limits."""
        where = self.where
        name = name.removeprefix("./")
        if "/" in name or "\\" in name or name in ("", ".", ".."):
            raise SpecError(Reason.BAD_INPUT_FILE, f"{where}: member {name!r} is not a plain name")
        self.total += size
        too_big = size > MAX_MEMBER_BYTES or self.total > MAX_RELEASE_BYTES
        if too_big or len(self.files) >= MAX_MEMBERS:
            raise SpecError(Reason.BAD_INPUT_FILE, f"{where}: too large or too many members")
        if name in self.files:
            raise SpecError(Reason.BAD_INPUT_FILE, f"{where}: member {name!r} appears twice")
        self.files[name] = read()


def _unzip(data: bytes, members: _Members) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for entry in archive.infolist():
            if not entry.is_dir():
                members.add(entry.filename, entry.file_size, functools.partial(archive.read, entry))


def _untar(data: bytes, members: _Members) -> None:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive:
            if member.isdir():
                continue
            stream = archive.extractfile(member) if member.isfile() else None
            if stream is None:
                raise SpecError(
                    Reason.BAD_INPUT_FILE, f"{members.where}: {member.name!r} is not a plain file"
                )
            members.add(member.name, member.size, stream.read)


def _unpack(data: bytes, kind: str, where: str) -> dict[str, bytes]:
    """Read the plain files of an archive into memory; a damaged archive is one clear error."""
    members = _Members(where)
    try:
        (_unzip if kind == "zip" else _untar)(data, members)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        raise SpecError(
            Reason.BAD_INPUT_FILE, f"{where}: not a readable {kind} archive (truncated?): {exc}"
        ) from None
    return members.files


def parse_vector_file(data: bytes, where: str) -> VectorFile:
    """Parse one vector file, checking its format version before its shape (§ conformance)."""
    try:
        document = serial.load_json(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise SpecError(Reason.BAD_INPUT_FILE, f"{where}: not UTF-8 text") from None
    except SpecError as exc:
        raise SpecError(exc.reason, f"{where}: {exc.detail}") from None
    if not isinstance(document, dict) or "version" not in document:
        raise SpecError(Reason.SCHEMA_VIOLATION, f"{where}: not a vector file (no version)")
    if document["version"] != FORMAT_VERSION:
        raise SpecError(
            Reason.UNSUPPORTED_VECTOR_FORMAT,
            f"{where}: vector format {document['version']!r} (this runner reads {FORMAT_VERSION})",
        )
    try:
        vector_file: VectorFile = serial.decode(VectorFile, document)
    except SpecError as exc:
        raise SpecError(exc.reason, f"{where}: {exc.detail}") from None
    return vector_file


def _parse_manifest(data: bytes, where: str) -> Manifest:
    """Parse a manifest, checking its format version first."""
    try:
        document = serial.load_json(data.decode("utf-8"))
    except (UnicodeDecodeError, SpecError):
        raise SpecError(Reason.BAD_INPUT_FILE, f"{where}: {MANIFEST} is not JSON") from None
    version = document.get("format_version") if isinstance(document, dict) else None
    if version != FORMAT_VERSION:
        raise SpecError(
            Reason.UNSUPPORTED_VECTOR_FORMAT,
            f"{where}: release format {version!r} (this runner reads {FORMAT_VERSION})",
        )
    try:
        manifest: Manifest = serial.decode(Manifest, document)
    except SpecError as exc:
        raise SpecError(exc.reason, f"{where}: {MANIFEST}: {exc.detail}") from None
    return manifest


def check_release(members: Mapping[str, bytes], where: str) -> tuple[VectorFile, ...]:
    """Check a release's files against its manifest and return its vector files, in order."""
    if MANIFEST not in members:
        raise SpecError(Reason.BAD_INPUT_FILE, f"{where}: no {MANIFEST}")
    manifest = _parse_manifest(members[MANIFEST], where)
    listed = {entry.file for entry in manifest.files}
    extra = sorted(set(members) - listed - {MANIFEST})
    if extra or len(listed) != len(manifest.files):
        raise SpecError(
            Reason.VECTOR_DIGEST_MISMATCH,
            f"{where}: files not listed once in the manifest: {extra}",
        )
    files = []
    for entry in manifest.files:
        data = members.get(entry.file)
        if data is None:
            raise SpecError(Reason.VECTOR_DIGEST_MISMATCH, f"{where}: {entry.file} is missing")
        digest = hashlib.sha256(data).hexdigest()
        if digest != entry.sha256:
            raise SpecError(
                Reason.VECTOR_DIGEST_MISMATCH,
                f"{where}: {entry.file} has sha256 {digest}, the manifest says {entry.sha256}",
            )
        vector_file = parse_vector_file(data, f"{where}: {entry.file}")
        if vector_file.suite != entry.suite or len(vector_file.vectors) != entry.count:
            raise SpecError(
                Reason.VECTOR_DIGEST_MISMATCH,
                f"{where}: {entry.file} holds {len(vector_file.vectors)} vectors of suite"
                f" {vector_file.suite}, the manifest says {entry.count} of {entry.suite}",
            )
        files.append(vector_file)
    return checked_set(files, where)


def checked_set(files: Iterable[VectorFile], where: str) -> tuple[VectorFile, ...]:
    """Refuse two files of one suite, or one vector id in two files."""
    chosen = tuple(files)
    suites = [f.suite for f in chosen]
    ids = [v.id for f in chosen for v in f.vectors]
    if len(set(suites)) != len(suites) or len(set(ids)) != len(ids):
        raise SpecError(Reason.SCHEMA_VIOLATION, f"{where}: a suite or a vector id appears twice")
    return chosen


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SpecError(Reason.BAD_INPUT_FILE, f"{path}: {exc.strerror or exc}") from None


def load_release(path: Path) -> tuple[VectorFile, ...]:
    """Load the vectors of an archive, a folder or one vector file, checked (see module doc).

    A folder with a manifest is checked like an archive; one without holds its
    ``*.vectors.json`` files.
    """
    where = str(path)
    if path.is_dir():
        if (path / MANIFEST).is_file():
            names = [p for p in sorted(path.iterdir()) if p.is_file()]
            return check_release({p.name: _read(p) for p in names}, where)
        vector_paths = sorted(path.glob(f"*{VECTOR_SUFFIX}"))
        if not vector_paths:
            raise SpecError(Reason.BAD_INPUT_FILE, f"{where}: no {MANIFEST} and no vector files")
        return checked_set((parse_vector_file(_read(p), str(p)) for p in vector_paths), where)
    kind = archive_kind(path)
    if kind is not None:
        return check_release(_unpack(_read(path), kind, where), where)
    return (parse_vector_file(_read(path), where),)
