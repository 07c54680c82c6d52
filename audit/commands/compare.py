"""``audit compare R1.json R2.json ...``: several platforms' results side by side
(:mod:`audit.platform_matrix`), written in one of the renderings of
:mod:`audit.reports.compare_formats`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from audit.commands.options import language_option, output_option, rendering_for
from audit.i18n import available_languages, base_language, use_language
from audit.platform_matrix import MIN_RESULTS, matrix_files
from audit.reports.base import is_stdout, refuse_overwriting_inputs, write_output
from audit.reports.compare_formats import EXTENSIONS, RENDERERS


@click.command("compare")
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)),
              help="console, html, json, markdown or xlsx; default from the -o extension, "
                   "else console.")
@output_option("Write the matrix to this file (atomically); '-' writes a text format to "
               "standard output.")
@language_option("the first result's language")
def compare(results: tuple[Path, ...], fmt: str | None, output: Path | None,
            lang: str | None = None) -> None:
    """Compare platforms: JSON results (R1.json R2.json ...) of `audit assess --format json`
    side by side.

    One column per platform, one row per requirement, each cell the status and its measured
    figure, with the verdicts and scores above. Notes say whether every result was assessed
    as of the same date and against the same checklist versions (see docs/compare.md). To
    follow one platform over time, use `audit diff`.
    """
    if len(results) < MIN_RESULTS:
        raise click.UsageError(f"give at least {MIN_RESULTS} results to compare")
    refuse_overwriting_inputs(output, list(results))
    fmt, render, binary = rendering_for(fmt, output, RENDERERS, EXTENSIONS, "compare")
    matrix = matrix_files(results)
    language = lang or matrix.platforms[0].language
    if base_language(language) not in available_languages():
        language = "en"
    with use_language(language):
        if output is not None:
            write_output(output, lambda fh: render(matrix, fh), binary, sys.stdout)
            if not is_stdout(output):
                click.echo(f"wrote {output} ({fmt}): {len(matrix.platforms)} platform(s), "
                           f"{len(matrix.rows)} requirement(s)", err=True)
        else:
            render(matrix, sys.stdout)
