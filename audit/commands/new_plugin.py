"""``audit new-plugin NAME``: scaffold a plugin project ``audit-NAME`` to start from
(:mod:`audit.scaffold` writes it)."""

from __future__ import annotations

from pathlib import Path

import click

from audit.scaffold import Names, scaffold


@click.command("new-plugin")
@click.argument("name")
@click.option("--dir", "directory", default=".", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Directory in which to create audit-NAME/.")
def new_plugin(name: str, directory: Path) -> None:
    """Create a plugin project audit-NAME to start from (a jurisdiction, rules, loaders).

    NAME is lowercased; the distribution is audit-NAME and the module audit_NAME (hyphens
    become underscores). The project holds the entry point, an example checklist module and
    rule type, an example evidence pack and a passing test. An existing directory is never
    overwritten (exit 2).
    """
    target = scaffold(name, directory)
    names = Names(name)
    click.echo(f"created {target}")
    click.echo(f"next: pip install -e {target} && cd {target} && pytest")
    click.echo(f"      audit assess {target / 'example-pack'} --checklist {names.checklist_id}")
