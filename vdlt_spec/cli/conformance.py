"""``vdlt conformance``: run the vectors against an implementation, serve the reference."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vdlt_spec.cli.common import (
    FAILURES_SHOWN,
    JsonFlag,
    check_outputs,
    console,
    deprecated_option,
    emit_json,
    fail,
    given,
    only_option,
    shown,
    verdict_text,
    write_output,
)
from vdlt_spec.verdict import Verdict

__all__ = ["conformance_app"]

conformance_app = typer.Typer(
    help="Run the conformance vectors against an implementation, export a pinned release, or"
    " serve the reference.",
    no_args_is_help=True,
)


@conformance_app.command("run", short_help="Run the vectors against an adapter.")
def conformance_run(
    adapter: Annotated[
        str | None,
        typer.Option(help="Command of the implementation under test (JSON-lines protocol)."),
    ] = None,
    vectors: Annotated[
        Path | None,
        typer.Option(
            metavar="ARCHIVE_OR_DIR",
            help="A pinned release (.tar.gz or .zip with its manifest), a folder, or one vector"
            " file, run instead of the bundled vectors; checked before anything runs.",
        ),
    ] = None,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Suite, operation or vector id.")
    ] = None,
    coverage: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Write a JSON coverage report: every vector pass / fail / unsupported, by"
            " operation and section.",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run conformance vectors; exit 0 all pass, 1 any fails, 2 any unsupported or none run.

    A release that is truncated, of another format version, or whose files differ from its
    manifest's sha256 is refused in one line (exit 2) before any vector runs.
    """
    from vdlt_spec import serial
    from vdlt_spec.conformance import suite
    from vdlt_spec.conformance.adapter import Adapter, ReferenceAdapter, SubprocessAdapter
    from vdlt_spec.conformance.coverage import coverage_report
    from vdlt_spec.conformance.release import load_release

    check_outputs([coverage], [vectors])
    files = load_release(vectors) if vectors else tuple(suite.bundled().values())
    selected = list(suite.iter_vectors(files, only or []))
    impl: Adapter = SubprocessAdapter(adapter) if adapter is not None else ReferenceAdapter()
    try:
        report = suite.run(impl, selected)
    finally:
        impl.close()
    if coverage is not None:
        write_output(coverage, serial.dumps(coverage_report(report, files), indent=1) + "\n")
    if as_json:
        emit_json(report)
    else:
        failures = [r for r in report.results if r.verdict is not Verdict.VALID]
        if failures:
            table = Table(title="vectors not passed")
            for column in ("vector", "operation", "section", "verdict", "detail"):
                table.add_column(column)
            for r in failures[:FAILURES_SHOWN]:
                table.add_row(
                    *map(shown, (r.id, r.op, r.section)), verdict_text(r.verdict), shown(r.detail)
                )
            console.print(table)
            if len(failures) > FAILURES_SHOWN:
                console.print(f"... and {len(failures) - FAILURES_SHOWN} more (see --json)")
        console.print(
            f"conformance of {shown(report.adapter)}: {verdict_text(report.verdict)} "
            f"({report.passed} passed, {report.failed} failed, {report.unsupported} unsupported)"
        )
    raise typer.Exit(report.verdict.exit_code)


@conformance_app.command("export", short_help="Write a pinned release archive of the vectors.")
def conformance_export(
    out: Annotated[
        Path,
        typer.Option(
            metavar="ARCHIVE", help="The archive to write: NAME.tar.gz, NAME.tgz or NAME.zip."
        ),
    ],
    only: Annotated[list[str] | None, only_option("suite")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write the bundled vectors and their manifest (file, suite, count, sha256, format version).

    The archive is reproducible: the same vectors give the same bytes. Run it later with
    conformance run --vectors ARCHIVE; --json prints the manifest.
    """
    from vdlt_spec import serial
    from vdlt_spec.conformance import suite
    from vdlt_spec.conformance.release import (
        MANIFEST,
        archive_bytes,
        archive_kind,
        release_files,
    )

    kind = archive_kind(out)
    if kind is None:
        fail(f"{out}: the archive name must end in .tar.gz, .tgz or .zip")
    check_outputs([out], [])
    bundled = suite.bundled()
    names = only or list(bundled)
    unknown = sorted(set(names) - set(bundled))
    if unknown:
        fail(f"no vector suite named {', '.join(unknown)}; known: {', '.join(bundled)}")
    contents = release_files(bundled[name] for name in names)
    write_output(out, archive_bytes(contents, kind))
    manifest = serial.load_json(contents[MANIFEST].decode("utf-8"))
    if as_json:
        emit_json({"out": str(out), "manifest": manifest})
    else:
        count = sum(entry["count"] for entry in manifest["files"])
        console.print(
            f"wrote {out} ({len(manifest['files'])} files, {count} vectors,"
            f" format {manifest['format_version']})",
            markup=False,
        )


@conformance_app.command("serve", short_help="Serve the reference spec as an adapter.")
def conformance_serve() -> None:
    """Answer JSON-lines requests on stdin with the reference spec (the adapter protocol).

    One request per line in, one response per line out, until stdin ends: the protocol itself
    is JSON, so the command has no --json. Try it as the adapter of conformance run.
    """
    from vdlt_spec.conformance.adapter import serve_line

    for raw in sys.stdin.buffer:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            line = "\ufffd"  # not UTF-8: answered as malformed JSON, like any garbled line
        if line.strip():
            sys.stdout.write(serve_line(line) + "\n")
            sys.stdout.flush()


@conformance_app.command("generate", short_help="Regenerate the vector files.")
def conformance_generate(
    folder: Annotated[
        str,
        typer.Option(
            "--out", metavar="DIR", help="Folder to write <suite>.vectors.json files into."
        ),
    ],
    only: Annotated[list[str] | None, only_option("suite")] = None,
    suite_name: Annotated[list[str] | None, deprecated_option("--suite", "--only")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Regenerate vector files from the reference spec (for releases and drift checks).

    Writes one <suite>.vectors.json per suite into --out and names each file written; --json
    prints {"out": DIR, "files": [{"suite", "path", "vectors"}, ...]}.
    """
    from vdlt_spec.conformance import suite

    if not folder.strip():
        fail("--out needs a folder name (use --out . for the current folder)")
    out = Path(folder)
    names = given(only, suite_name) or list(suite.suites())
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create {out}: {exc.strerror or exc}")
    written: list[dict[str, object]] = []
    for name in names:
        target = out / f"{name}{suite.VECTOR_SUFFIX}"
        vector_file = suite.generate(name)
        write_output(target, suite.render(vector_file))
        written.append({"suite": name, "path": str(target), "vectors": len(vector_file.vectors)})
        if not as_json:
            console.print(f"wrote {target} ({len(vector_file.vectors)} vectors)", markup=False)
    if as_json:
        emit_json({"out": str(out), "files": written})
