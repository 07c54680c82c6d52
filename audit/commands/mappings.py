"""``audit mappings``: check a pack's log mappings before assessing, or print their schema."""

from __future__ import annotations

import json
from pathlib import Path

import click

from audit.commands.options import engine_options
from audit.engine.settings import EngineSettings
from audit.evidence.loaders import load_evidence
from audit.plugins import get_registry
from audit.schemas.export import mapping_json_schema, mapping_markdown


@click.group()
def mappings() -> None:
    """Check log mappings (logs/*.mapping.yaml) or export their schema."""


@mappings.command("schema")
@click.option("--format", "fmt", type=click.Choice(["json", "markdown"]), default="json",
              show_default=True, help="JSON Schema (for editors) or the Markdown reference.")
def mappings_schema(fmt: str) -> None:
    """Print the log mapping format as JSON Schema, or as the reference page in docs/."""
    if fmt == "json":
        click.echo(json.dumps(mapping_json_schema(), indent=2))
    else:
        click.echo(mapping_markdown(), nl=False)


@mappings.command("check")
@click.argument("pack", type=click.Path(path_type=Path, exists=True, file_okay=False))
@engine_options()
def mappings_check(pack: Path, settings: EngineSettings) -> None:
    """Read a pack's profile and logs, mapped ones included, and print each table's rows.

    With --engine spark, a mapping that names a data-lake location (s3a://, hdfs://) is
    checked where the data lies, before an assessment."""
    loaded = load_evidence([pack], get_registry(), engine=settings)
    for name, info in loaded.logs.logs.items():
        mapped = ", ".join(m["file"] for m in info.extra.get("mappings", [])) or "no mapping"
        click.echo(f"{name}: {info.rows:,} row(s), columns {', '.join(info.columns)} "
                   f"({mapped})")
        for found in info.extra.get("mappings", []):
            located = found.get("locations")
            if located:
                click.echo(f"  read in place: {', '.join(located['paths'])} "
                           f"({located['files_listed']:,} file(s) listed, listing SHA-256 "
                           f"{located['listing_sha256'][:16]})")
        for entry in info.extra.get("set_aside") or []:  # what the mapping left out, and why
            rows = f" (first at data row(s) {', '.join(map(str, entry['first_rows']))})" \
                if entry["first_rows"] else ""
            click.echo(f"  set aside ({entry['stage']}: {entry['detail']}): "
                       f"{entry['rows']:,} row(s){rows}")
