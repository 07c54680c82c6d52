"""``audit assess``: an evidence pack judged against checklist modules, the gaps reported.

The command only turns options into typed values and calls the pipeline in order: prepare
(checks before any log is read), the history files (read before the evidence, so a bad one
fails fast), run (load, measure, score), apply history, render, then the gates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

import click

from audit import api
from audit.commands.options import (as_of_option, checklist_option, engine_options,
                                    gate_options, language_option, output_option,
                                    file_for_workbook)
from audit.engine.settings import EngineSettings
from audit.gates import failed
from audit.i18n import use_language
from audit.pipeline.history import apply_history, load_history
from audit.logs.details import listing
from audit.pipeline.render import publish, write_to
from audit.progress import progress_for
from audit.quality import warnings_of
from audit.reports.base import is_stdout, refuse_overwriting_inputs, writer_for
from audit.reports.oscal_chain import HREF_STYLES, write_chain
from audit.scoring import ScoreResult


@click.command("assess")
@click.argument("evidence", nargs=-1, required=True, type=click.Path(path_type=Path))
@checklist_option
@as_of_option
@click.option("--scoring", default="weighted", show_default=True,
              help="Scoring model: weighted, flat, strict, or one from a plugin.")
@click.option("--format", "fmt", help="console, json, markdown, xlsx, html, oscal, oscal-poam, "
                                      "junit, csv, csv-gaps, or a plugin's format; default "
                                      "from the -o extension, else console.")
@output_option("Write the report to this file (atomically); '-' writes a text format to "
               "standard output.")
@gate_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no 'wrote' line.")
@engine_options(tuning=True)
@click.option("--baseline", "baselines", multiple=True, type=click.Path(path_type=Path),
              help="An earlier JSON result or gap workbook (mark each gap new, worse, "
                   "improved or unchanged; docs/diff.md), or remediation.yaml: owner, due "
                   "date, tracking and comments are carried forward (docs/over-time.md). "
                   "Repeatable.")
@click.option("--reviews", "reviews", multiple=True, type=click.Path(path_type=Path),
              help="Auditor decisions (reviews.yaml or a workbook's Reviews sheet); a pack's "
                   "own reviews.yaml is read too. Repeatable.")
@click.option("--oscal-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Also write the whole OSCAL chain into this directory: a catalog per "
                   "checklist module, the profile, a system security plan, the assessment "
                   "plan, the results and the POA&M, each importing the one before; see "
                   "docs/oscal.md.")
@click.option("--oscal-hrefs", type=click.Choice(HREF_STYLES), default="relative",
              show_default=True,
              help="How the --oscal-dir documents link to each other: file names relative to "
                   "the directory, or trestle:// hrefs for a compliance-trestle workspace "
                   "(import each file under its name, dots as underscores; docs/oscal.md).")
@language_option()
def assess(evidence: tuple[Path, ...], checklist_ids: tuple[str, ...], as_of: dt.date | None,
           scoring: str, fmt: str | None, output: Path | None, fail_under: float | None,
           quiet: bool, settings: EngineSettings, baselines: tuple[Path, ...] = (),
           reviews: tuple[Path, ...] = (), fail_on: tuple[str, ...] = (), strict: bool = False,
           lang: str | None = None, oscal_dir: Path | None = None,
           oscal_hrefs: str = "relative") -> None:
    """Assess an evidence pack against checklist modules and report the gaps.

    EVIDENCE is a pack directory (platform.yaml, answers.yaml, documents/, logs/, waivers.yaml)
    or another input a loader reads; several may be given and are merged.
    """
    # everything that can be checked before the (possibly long) log loading is checked first;
    # the options' own checks (engine, date, language, sizes) ran before this line
    if oscal_hrefs != "relative" and oscal_dir is None:
        raise click.UsageError("--oscal-hrefs needs --oscal-dir (the chain it links)")
    prepared = api.prepare(evidence, checklist_ids, scoring, settings)
    registry = prepared.registry
    # checklist files, baselines and review files given by path are inputs too
    input_paths = [*evidence, *baselines, *reviews,
                   *(Path(c) for c in checklist_ids if Path(c).exists())]
    refuse_overwriting_inputs(output, input_paths)
    refuse_overwriting_inputs(oscal_dir, input_paths)
    writer = writer_for(registry, fmt, None if is_stdout(output) else output)
    if writer.binary:
        file_for_workbook(writer.id, output)
    # read first: a bad baseline or review file fails before the long part
    history = load_history(baselines, reviews, evidence)
    if "regression" in fail_on and not history.has_baseline_result:
        raise click.UsageError("--fail-on regression needs a JSON result or gap workbook as "
                               "--baseline")
    # the gap workbook and the HTML report show offending rows: the log's pass lists them
    with listing(writer.sibling_suffix is not None):
        result = api.run(prepared, as_of, progress=progress_for(quiet), language=lang)
    with use_language(result.language):  # decisions and tracking speak the report language
        result = apply_history(result, history, prepared.library, registry)
    if fail_on:  # the JUnit report fails what the gates fail on (audit/reports/junit.py)
        result = dataclasses.replace(result, gates=tuple(dict.fromkeys(fail_on)))
    if output is not None:
        publish(writer, result, output, input_paths)
        if not quiet and not is_stdout(output):
            # the auditor sees the summary on screen and hands over the file
            if writer.id != "console":
                write_to(registry.writers.get("console"), result, None, sys.stdout)
                click.echo()
            # status on stderr: stdout carries only the report
            click.echo(f"wrote {output} ({writer.id}): verdict {result.verdict.value}, "
                       f"score {result.score.percent}, {len(result.gaps())} gap(s)", err=True)
    else:
        write_to(writer, result, None, sys.stdout)
    if oscal_dir is not None:
        written = write_chain(result, prepared.checklists, oscal_dir, hrefs=oscal_hrefs,
                              refuse=lambda p: refuse_overwriting_inputs(p, input_paths))
        if not quiet:
            click.echo(f"wrote the OSCAL chain to {oscal_dir}: {', '.join(written)}", err=True)
    messages = _score_gate(result.score, fail_under)
    if strict:
        warned = warnings_of(result)
        if warned:
            messages.append(f"--strict and {len(warned)} data-quality warning(s), first: "
                            f"{warned[0].message}")
    messages += failed(result, fail_on)
    for message in messages:
        click.echo(f"audit: gate failed: {message}", err=True)
    if messages:
        raise click.exceptions.Exit(1)


def _score_gate(score: ScoreResult, fail_under: float | None) -> list[str]:
    """``--fail-under``: the score (percent, with waivers) at least this."""
    if fail_under is None:
        return []
    value = score.score
    if value is None or value * 100 < fail_under:
        shown = "n/a (nothing scored)" if value is None else f"{value * 100:.3f} %"
        return [f"score {shown} is under --fail-under {fail_under:g}"]
    return []
