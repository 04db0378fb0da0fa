"""The `contracts` and `cartridges` command groups; their commands live in modules of their own
(`contracts_import`, `contracts_export`, `cartridges_import`, ...), each adding itself to a group here."""

from __future__ import annotations

import typer

contracts = typer.Typer(
    help="Contract devices: import and export workbooks, link them to polled printers.",
    no_args_is_help=True,
)
cartridges = typer.Typer(help="Cartridge reference data.", no_args_is_help=True)
