"""``audit oscal``: checklist modules as OSCAL catalogs and profiles, for plugin authors and
GRC tools that want the control definitions without running an assessment.

The documents themselves are built by ``audit.reports.oscal_chain``; this module only reads
the options, loads the checklist library and writes the result.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from audit.checklists import load_library
from audit.commands.options import complete_checklist, output_option
from audit.plugins import get_registry
from audit.reports.base import write_atomically
from audit.reports.oscal_chain import catalog, profile
from audit.reports.oscal_common import Json, dump


@click.group("oscal")
def oscal() -> None:
    """Export checklist modules as NIST OSCAL 1.1.2 catalogs and profiles."""


def _write(doc: Json, output: Path | None) -> None:
    if output is None:
        dump(doc, sys.stdout)
    else:
        write_atomically(output, lambda fh: dump(doc, fh), False)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@oscal.command("export-catalog")
@click.argument("module_id", shell_complete=complete_checklist)
@output_option("Write the catalog to this file (atomically); default: standard output.",
               dir_okay=False)
def export_catalog(module_id: str, output: Path | None) -> None:
    """One checklist module as an OSCAL catalog: requirements as controls (grouped by area),
    citations as parts and links, rule parameters as params."""
    checklist = load_library(get_registry()).get(module_id)
    _write(catalog(checklist, _now()), output)


@oscal.command("export-profile")
@click.argument("module_ids", nargs=-1, required=True, shell_complete=complete_checklist)
@click.option("--catalog-href", default="catalog-{id}.json", show_default=True,
              help="Where each imported catalog is, relative to the profile; {id} is the "
                   "module id.")
@output_option("Write the profile to this file (atomically); default: standard output.",
               dir_okay=False)
def export_profile(module_ids: tuple[str, ...], catalog_href: str,
                   output: Path | None) -> None:
    """A selection of checklist modules as an OSCAL profile importing each module's catalog
    (write the catalogs with export-catalog)."""
    if "{id}" not in catalog_href:
        raise click.BadParameter("must contain {id}", param_hint="--catalog-href")
    library = load_library(get_registry())
    repeated = sorted({m for m in module_ids if module_ids.count(m) > 1})
    if repeated:
        raise click.UsageError(f"checklist '{repeated[0]}' given twice")
    chosen = [library.get(m) for m in module_ids]
    _write(profile(chosen, _now(), href=lambda mid: catalog_href.replace("{id}", mid)), output)
