"""``audit checklists``: list, show, validate checklist modules, or print their schema."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import click
from tabulate import tabulate

from audit.checklist_docs import requirement_facts
from audit.checklist_paths import select_checklists
from audit.checklists import load_library, validate_files
from audit.commands.options import complete_checklist
from audit.errors import ChecklistError
from audit.i18n import _, ngettext
from audit.legal_review import review_due
from audit.model import Checklist
from audit.plugins import get_registry
from audit.schemas.export import checklist_json_schema, checklist_markdown
from audit.serialize import checklist_to_dict
from audit.checklist_files import is_translation_file
from audit.translations import coverage, translation_problems


def echo_table(rows: Sequence[Mapping[str, object]], headers: Sequence[str]) -> None:
    """Rows as a plain text table, the columns in ``headers`` order."""
    click.echo(tabulate([[r.get(h, "") for h in headers] for r in rows], headers=headers))


@click.group()
def checklists() -> None:
    """List, show, validate checklist modules, or export their schema."""


@checklists.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def checklists_list(fmt: str) -> None:
    """List every checklist module the installed plugins provide (and AUDIT_CHECKLIST_PATH)."""
    library = load_library(get_registry())
    today = dt.date.today()
    shares = {c.id: {lang: round(share, 3) for lang, share in coverage(c).items()}
              for c in library.all()}
    rows: list[dict[str, object]] = [
        {"id": c.id, "jurisdiction": c.jurisdiction, "title": c.title,
         "status": c.status.value, "version": c.version,
         "requirements": len(c.requirements), "extends": c.extends or "",
         "owner": c.owner, "path": c.path,  # owner "local": a user's own file
         "reviewed": c.reviewed.isoformat() if c.reviewed else "",
         "review_due": review_due(c.reviewed, today),
         "translations": shares[c.id]}
        for c in library.all()]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row, c in zip(rows, library.all(), strict=True):
        row["review"] = _("review due") if row["review_due"] else ""
        row["translations"] = ", ".join(f"{lang} {share:.0%}" for lang, share
                                        in shares[c.id].items())
    echo_table(rows, ["id", "jurisdiction", "title", "status", "version", "requirements",
                      "reviewed", "review", "translations"])
    due = sum(1 for row in rows if row["review_due"])
    if due:
        click.echo(ngettext("{count} module was not reviewed in the last 12 months.",
                            "{count} modules were not reviewed in the last 12 months.",
                            due, count=due))


@checklists.command("show")
@click.argument("module_id", shell_complete=complete_checklist)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def checklists_show(module_id: str, fmt: str) -> None:
    """Show a module's resolved requirements (after extends, overrides, unselect).

    Each requirement with its legal status, citation, clock, start event, per-event threshold
    and applicability. MODULE_ID is a module id, or a module file or folder of your own.
    """
    _library, chosen = select_checklists([module_id], get_registry())
    if fmt == "json":
        data = [checklist_to_dict(c) for c in chosen]
        click.echo(json.dumps(data[0] if len(data) == 1 else data, indent=2,
                              ensure_ascii=False))
        return
    for i, checklist in enumerate(chosen):
        if i:
            click.echo()
        _show_table(checklist)


def _show_table(checklist: Checklist) -> None:
    click.echo(f"{checklist.id} v{checklist.version}: {checklist.title}")
    click.echo(f"jurisdiction {checklist.jurisdiction}, status {checklist.status.value}"
               + (f", extends {checklist.extends}" if checklist.extends else ""))
    if checklist.reviewed:
        due = review_due(checklist.reviewed, dt.date.today())
        click.echo(_("last legal review {date}; review due", date=checklist.reviewed.isoformat())
                   if due else _("last legal review {date}", date=checklist.reviewed.isoformat()))
    # One block per requirement: a reviewer checks each clock, start event and threshold
    # against the law's text, which a one-line table cannot hold.
    for r in checklist.requirements:
        click.echo()
        click.echo(f"{r.id}: {r.title}")
        for label, text in requirement_facts(r, checklist):
            click.echo(f"  {label}: {text}")
    click.echo()
    for u in checklist.unselected:
        click.echo(f"unselected {u.id}: {u.reason}")


@checklists.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def checklists_validate(paths: tuple[Path, ...]) -> None:
    """Check checklist files (or directories of them) and print every problem found."""
    registry = get_registry()
    modules = tuple(p for p in paths if not (p.is_file() and is_translation_file(p)))
    problems = validate_files(modules, registry) if modules else []
    if problems:
        raise ChecklistError(problems=problems)
    problems = translation_problems(paths, registry)
    if problems:
        raise ChecklistError(problems=problems)
    click.echo(f"ok: {', '.join(str(p) for p in paths)}")


@checklists.command("schema")
@click.option("--format", "fmt", type=click.Choice(["json", "markdown"]), default="json",
              show_default=True, help="JSON Schema (for editors) or the Markdown reference.")
def checklists_schema(fmt: str) -> None:
    """Print the checklist format as JSON Schema, or as the reference page in docs/."""
    registry = get_registry()
    if fmt == "json":
        click.echo(json.dumps(checklist_json_schema(registry), indent=2))
    else:
        click.echo(checklist_markdown(registry), nl=False)
