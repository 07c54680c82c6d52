"""``audit verify RESULT PACK``: re-hash an evidence pack and the installed checklists against
a JSON result and say what differs (exit 1 when anything does, or when a data-lake listing
could not be checked here). The checks are :mod:`audit.provenance`'s; this prints them."""

from __future__ import annotations

from pathlib import Path

import click

from audit.commands.options import engine_options
from audit.engine.settings import EngineSettings
from audit.comparison import load_result
from audit.i18n import _
from audit.plugins import get_registry, list_plugins
from audit.provenance import check_locations, compare, engine_line


@click.command("verify")
@click.argument("result", type=click.Path(path_type=Path))
@click.argument("pack", type=click.Path(path_type=Path, exists=True))
@click.option("--checklist", "-c", "local", multiple=True, type=click.Path(path_type=Path),
              help="A checklist file or folder of your own that the result was assessed "
                   "against (as given to assess -c). Repeatable.")
@engine_options(engine_help="The engine that lists data-lake locations again (spark re-lists "
                            "them where the cluster sees them; duckdb reports them as not "
                            "verified).")
def verify(result: Path, pack: Path, local: tuple[Path, ...], settings: EngineSettings) -> None:
    """Re-hash an evidence pack and the installed checklists against a JSON result.

    Exit 0 when every evidence file, checklist file and plugin version recorded in RESULT is
    the same here; 1 with one line per difference otherwise. A data-lake location the result
    was read from by Spark is listed again only with --engine spark; otherwise it is reported
    as not verified, and the exit status is 1.
    """
    data = load_result(result)
    registry = get_registry()
    diffs, same = compare(data, pack, registry, list_plugins(), local, name=str(result))
    lake_diffs, lake_same, unverified = check_locations(data, pack, settings, registry)
    diffs += lake_diffs
    same += lake_same
    for line in [*diffs, *unverified]:
        click.echo(line)
    computed_by = engine_line(data.get("provenance") or {})
    if diffs or unverified:
        if unverified:
            click.echo(_("{n} difference(s), {unverified} not verified here; {same} item(s) "
                         "the same", n=len(diffs), unverified=len(unverified), same=same))
        else:
            click.echo(_("{n} difference(s); {same} item(s) the same", n=len(diffs),
                         same=same))
        if computed_by:
            click.echo(computed_by)
        raise click.exceptions.Exit(1)
    click.echo(_("same: {same} item(s) (evidence files, checklist files, plugins) match "
                 "{result}", same=same, result=result))
    if computed_by:
        click.echo(computed_by)
