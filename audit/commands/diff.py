"""``audit diff OLD.json NEW.json``: compare two results (:mod:`audit.comparison`) and write
the comparison in one of the renderings of :mod:`audit.reports.diff_formats`; with
``--fail-on-regression`` it is a gate (exit 1 when anything got worse)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from audit.commands.options import language_option, output_option, rendering_for
from audit.comparison import diff_files
from audit.i18n import available_languages, base_language, use_language
from audit.reports.base import is_stdout, refuse_overwriting_inputs, write_output
from audit.reports.diff_formats import EXTENSIONS, RENDERERS


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)),
              help="console, json, markdown or xlsx; default from the -o extension, else "
                   "console.")
@output_option("Write the comparison to this file (atomically); '-' writes a text format to "
               "standard output.")
@click.option("--fail-on-regression", is_flag=True,
              help="Exit 1 when anything got worse: a requirement's status (by the roll-up "
                   "order) or score, the overall score or the verdict.")
@language_option("the new result's language")
def diff(old: Path, new: Path, fmt: str | None, output: Path | None,
         fail_on_regression: bool, lang: str | None = None) -> None:
    """Compare two JSON results (OLD.json, NEW.json) of `audit assess --format json`.

    Lists requirements newly met, newly failing, with a changed status, score or measured
    figures, waivers added or expired, checklist version changes and requirements only in one
    result, with the verdict and overall score change. Results for different checklists are
    compared on their common requirements only (see docs/diff.md).
    """
    refuse_overwriting_inputs(output, [old, new])
    fmt, render, binary = rendering_for(fmt, output, RENDERERS, EXTENSIONS, "diff")
    d = diff_files(old, new)
    language = lang or str(d.new.get("language") or "en")
    if base_language(language) not in available_languages():
        language = "en"  # the result's own language has no catalogue here
    with use_language(language):
        if output is not None:
            write_output(output, lambda fh: render(d, fh), binary, sys.stdout)
            n = d.counts()
            if not is_stdout(output):
                click.echo(f"wrote {output} ({fmt}): {n['changed']} changed requirement(s), "
                           f"{len(d.regressions())} regression(s)", err=True)
        else:
            render(d, sys.stdout)
    if fail_on_regression:
        regressions = d.regressions()
        if regressions:
            click.echo(f"audit: gate failed: {len(regressions)} regression(s): "
                       + "; ".join(regressions), err=True)
            raise click.exceptions.Exit(1)
