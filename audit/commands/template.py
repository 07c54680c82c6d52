"""``audit template``: an evidence workbook an auditor fills by hand, read back by the
``workbook`` evidence loader (audit/evidence/workbook.py).

Sheets: Instructions; Profile (platform facts the chosen rules and applicability conditions
read, one ``field | value`` row each); Representatives (one row per officer role the rules ask
for); Answers (one row per answer key the evaluators read, with the requirement, the law and a
dropdown); Supply (the documents and logs the pack must hold besides the workbook); Reviews
(auditor decisions). What to ask is planned in ``audit.template_plan``, the workbook drawn in
``audit.reports.template_workbook``. See docs/template.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import click

from audit.checklist_paths import select_checklists
from audit.commands.options import checklist_option, language_option, output_option
from audit.errors import OutputError, UsageError
from audit.i18n import use_language
from audit.plugins import get_registry
from audit.reports.base import refuse_overwriting_inputs, write_atomically
from audit.template_plan import plan
from audit.translations import translate_checklists


def template_command(checklist_ids: Sequence[str], output: Path, force: bool = False,
                     language: str | None = None) -> str:
    """Write the template for ``checklist_ids`` to ``output``; returns the message printed."""
    from audit.reports.template_workbook import write_template  # deferred: openpyxl

    if not checklist_ids:
        raise UsageError("give at least one --checklist")

    refuse_overwriting_inputs(output, [Path(c) for c in checklist_ids if Path(c).exists()])
    if str(output) == "-":
        raise UsageError("-o -: the template is a binary workbook and cannot go to standard "
                         "output; give a file name")
    if output.suffix.lower() != ".xlsx":
        raise UsageError(f"{output}: the template is an .xlsx workbook; name it *.xlsx")
    if output.exists() and not force:
        raise OutputError(f"{output}: already exists (a filled template may be in it); "
                          "choose another name or add --force")
    registry = get_registry()
    _library, checklists = select_checklists(checklist_ids, registry)
    lang = language or ("ar" if any(c.language == "ar" for c in checklists) else "en")
    with use_language(lang):
        checklists = translate_checklists(checklists, lang)
        the_plan = plan(checklists, registry)
        write_atomically(output, lambda fh: write_template(the_plan, fh, registry), True)
    return (f"wrote {output}: {len(the_plan.answers)} answer(s), {len(the_plan.fields)} profile "
            f"field(s), {len(the_plan.roles)} role(s) to fill")


@click.command("template")
@checklist_option
@output_option("Workbook to write (refuses to overwrite without --force).",
               default=Path("evidence.xlsx"))
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@language_option("Arabic when a module is in Arabic, else English; sheet names and headers "
                 "stay as the reader expects")
def template(checklist_ids: tuple[str, ...], output: Path, force: bool,
             lang: str | None) -> None:
    """Write an evidence workbook to fill by hand (profile, representatives, answers).

    The filled workbook is evidence for `audit assess`, alone or beside a pack directory.
    """
    click.echo(template_command(checklist_ids, output, force, lang), err=True)
