"""A third-party plugin adding a checklist directory and a CLI command through the hooks."""

from pathlib import Path

import click

from audit import hookimpl


@hookimpl
def audit_register_checklists(registry):
    registry.add_checklists(Path(__file__).parent / "extra_checklists")


@hookimpl
def audit_register_commands(cli):
    @cli.command(name="hello-extra")
    def hello():
        """Say hello from a plugin."""
        click.echo("hello from extra")
