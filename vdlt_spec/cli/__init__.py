"""Parse the ``vdlt`` command line, call the library, print the result (thin by design).

The grammar is ``vdlt <component> <verb>`` (``vdlt consensus simulate``, ``vdlt allocation
solve``); ``vdlt verify``, ``vdlt prove`` and ``vdlt audit`` span every component and stand at
the top. Every command offers ``--json``. Bad usage or bad input prints one line on stderr and
exits 2; verdicts exit 0 (valid), 1 (invalid) or 2 (unknown). Commands import their library
lazily so that ``vdlt --version`` stays instant.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from vdlt_spec import __version__
from vdlt_spec.cli import aliases, batch, drl
from vdlt_spec.cli.allocation import allocation_app
from vdlt_spec.cli.audit import AuditCommand, audit_command
from vdlt_spec.cli.common import run_app
from vdlt_spec.cli.conformance import conformance_app
from vdlt_spec.cli.consensus import consensus_app
from vdlt_spec.cli.governance import governance_app
from vdlt_spec.cli.prove import prove_command
from vdlt_spec.cli.queuing import queuing_app
from vdlt_spec.cli.system import system_app
from vdlt_spec.cli.verify import verify_command
from vdlt_spec.cli.virtualization import virtualization_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="vdlt",
    help="vdlt-spec: executable reference specification and verification suite of vDLT.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vdlt-spec {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """vdlt-spec: executable reference specification and verification suite of vDLT."""


app.command("verify", short_help="Run the self-checks of every component.")(verify_command)
app.command("prove", short_help="Discharge the Z3 proof obligations.")(prove_command)
app.command("audit", cls=AuditCommand, short_help="Audit a recorded trace.")(audit_command)
app.add_typer(queuing_app, name="queuing", short_help="Class-based weighted fair queuing.")
app.add_typer(consensus_app, name="consensus", short_help="iPBFT and classic PBFT.")
app.add_typer(governance_app, name="governance", short_help="Token economy and governance.")
drl.register(allocation_app)
app.add_typer(allocation_app, name="allocation", short_help="Resource allocation of Eq. (1).")
app.add_typer(conformance_app, name="conformance", short_help="Conformance vectors and adapters.")
app.add_typer(
    virtualization_app, name="virtualization", short_help="Virtual DLT systems and the hierarchy."
)
batch.register(allocation_app, consensus_app, governance_app, system_app)
app.add_typer(system_app, name="system", short_help="The vDLT system end to end (Fig. 3).")
aliases.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the ``vdlt`` command; turn usage errors and ``SpecError`` into one line and exit 2."""
    return run_app(app, argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
