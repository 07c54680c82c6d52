"""``audit notices INCIDENT``: every notice an incident owes, with its deadline, from the same
deadline rules ``audit assess`` judges breaches logs with (:mod:`audit.notices`), as a console
table, JSON, Markdown, a printable workbook or a calendar (docs/notices.md)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

import click

from audit.checklist_paths import select_checklists
from audit.checklists import load_library
from audit.commands.options import file_for_workbook, language_option, output_option
from audit.errors import OutputError, UsageError
from audit.evidence.loaders import read_profile
from audit.i18n import use_language
from audit.incident import parse_time, read_incident
from audit.notices import Plan, modules_for, plan
from audit.plugins import get_registry
from audit.reports.base import is_stdout, refuse_overwriting_inputs, write_atomically
from audit.reports.notices_ics import write_calendar
from audit.reports.notices_text import write_console, write_json, write_markdown
from audit.reports.notices_xlsx import write_workbook

TEXT_FORMATS: dict[str, Callable[[Plan, IO[str]], None]] = {
    "console": write_console, "json": write_json, "markdown": write_markdown}
BINARY_FORMATS: dict[str, Callable[[Plan, IO[bytes]], None]] = {
    "xlsx": write_workbook, "ics": write_calendar}
EXTENSIONS = {".json": "json", ".md": "markdown", ".txt": "console", ".xlsx": "xlsx",
              ".ics": "ics"}


@click.command("notices")
@click.argument("incident", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--checklist", "-c", "checklist_ids", multiple=True,
              help="Checklist module id, or a module file or folder of your own; default: "
                   "every bundled module of a jurisdiction with affected people.")
@click.option("--pack", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="An evidence pack whose platform.yaml decides which duties apply.")
@click.option("--profile", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A platform.yaml to decide which duties apply (instead of --pack).")
@click.option("--now", "now_text", metavar="TIME",
              help="The time to plan at, with its offset (default: the current time).")
@click.option("--format", "fmt", type=click.Choice([*TEXT_FORMATS, *BINARY_FORMATS]),
              help="Default from the -o extension (.json, .md, .xlsx, .ics), else console.")
@output_option("Write the plan to this file (atomically); '-' writes a text format to "
               "standard output.")
@click.option("--fail-on", "fail_on", type=click.Choice(["overdue"]),
              help="Exit 1 when a notice in force is overdue at --now.")
@language_option("en")
def notices(incident: Path, checklist_ids: tuple[str, ...], pack: Path | None,
            profile: Path | None, now_text: str | None, fmt: str | None, output: Path | None,
            fail_on: str | None, lang: str | None) -> None:
    """Plan the notices an incident owes: who must be told, by when, under which article.

    INCIDENT is a YAML or JSON file (docs/notices.md): when the incident occurred, was
    detected and assessed, the people affected per country and the notices already sent.
    """
    if pack is not None and profile is not None:
        raise click.UsageError("give --pack or --profile, not both")
    inputs = [p for p in (incident, pack, profile) if p is not None]
    refuse_overwriting_inputs(output, inputs)
    fmt = fmt or (EXTENSIONS.get(output.suffix.lower()) if output and not is_stdout(output)
                  else None) or "console"
    if fmt in BINARY_FORMATS:
        file_for_workbook(fmt, output)
    now = _now(now_text)
    the_incident = read_incident(incident)
    later = [(key, when) for key, when in the_incident.times() if when > now]
    if later:  # a plan states what has happened: a time after --now is a mistake in the file
        key, when = later[0]
        raise UsageError(f"{incident}: {key}: {when.isoformat()} is after the time planned at "
                         f"({now.isoformat()}); give --now, or correct the time")
    profile_file = pack / "platform.yaml" if pack is not None else profile
    facts = read_profile(profile_file) if profile_file is not None else {}
    registry = get_registry()
    if checklist_ids:
        _library, chosen = select_checklists(checklist_ids, registry)
    else:
        chosen = modules_for(the_incident, load_library(registry).all())
    with use_language(lang or "en"):  # the reasons the plan gives are in the report language
        the_plan = plan(the_incident, chosen, facts, now)
        _write(the_plan, fmt, output)
    if fail_on == "overdue" and the_plan.overdue():
        late = the_plan.overdue()
        click.echo(f"audit: gate failed: {len(late)} notice(s) overdue: "
                   + "; ".join(d.requirement.full_id for d in late), err=True)
        raise click.exceptions.Exit(1)


def _now(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    value = parse_time(text)
    if value is None:
        raise click.BadParameter(f"expected a time such as 2026-12-24T14:20+03:00, got "
                                 f"{text!r}", param_hint="--now")
    if value.utcoffset() is None:
        raise click.BadParameter("give the time's offset (+03:00 or Z)", param_hint="--now")
    return value


def _write(the_plan: Plan, fmt: str, output: Path | None) -> None:
    if fmt in BINARY_FORMATS:
        target = file_for_workbook(fmt, output)
        write_atomically(target, lambda fh: BINARY_FORMATS[fmt](the_plan, fh), True)
    elif output is not None and not is_stdout(output):
        write_atomically(output, lambda fh: TEXT_FORMATS[fmt](the_plan, fh), False)
    else:
        TEXT_FORMATS[fmt](the_plan, sys.stdout)
    if output is not None and not is_stdout(output):
        if fmt not in EXTENSIONS.values():
            raise OutputError(f"{output}: unknown format {fmt}")
        click.echo(f"wrote {output} ({fmt}): {len(the_plan.duties)} notice(s), "
                   f"{len(the_plan.overdue())} overdue", err=True)
