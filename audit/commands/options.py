"""Options several commands share, each declared once: the engine and its Spark flags (and
DuckDB's memory settings), the checklist modules, the report language, the output file, the
assessment date and the gates.

Each turns what was typed into a checked, typed value (``EngineSettings``, a language code, a
date) before any evidence is read, so a bad option fails at once with click's usage error.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar, cast

import click
from click.shell_completion import CompletionItem

from audit.checklists import load_library
from audit.engine.settings import ENGINES, PERCENTILE_METHODS, UNIQUE_ID_SCOPES, settings_for
from audit.errors import OutputError, UsageError
from audit.gates import GATES
from audit.i18n import available_languages, base_language, normalise
from audit.limits import date_problem
from audit.logs.locations import ENV_VAR as LOCATIONS_ENV_VAR
from audit.plugins import get_registry

F = TypeVar("F", bound=Callable[..., object])
R = TypeVar("R")  # a comparison's renderer


_ENGINE_FLAGS = ("engine", "spark_master", "spark_remote", "memory_limit", "temp_dir",
                 "unique_ids", "allow_location", "spark_conf", "spark_percentiles")


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def engine_options(*, tuning: bool = False, engine_help: str | None = None) -> Callable[[F], F]:
    """``--engine``, ``--spark-master``, ``--spark-remote``, ``--spark-conf`` (and with
    ``tuning`` DuckDB's ``--memory-limit``, ``--temp-dir``, ``--unique-ids`` and
    ``--spark-percentiles``), handed to the command as one checked ``settings:
    EngineSettings`` argument instead of the separate flags."""
    flags = [
        click.option("--engine", type=click.Choice(list(ENGINES)), default="duckdb",
                     show_default=True,
                     help=engine_help or "Where the rules run over the logs; spark needs the "
                                         "spark extra and Java (docs/spark.md)."),
        click.option("--spark-master", default=None, help="Spark master URL for --engine "
                     "spark, e.g. spark://host:7077 (default: spark-defaults.conf's "
                     "spark.master, else local[*])."),
        click.option("--spark-remote", default=None, help="Spark Connect URL for --engine "
                     "spark, e.g. sc://host:15002."),
        click.option("--spark-conf", "spark_conf", multiple=True, metavar="KEY=VALUE",
                     help="A Spark setting for --engine spark, over the cluster's "
                          "spark-defaults.conf, e.g. spark.sql.shuffle.partitions=400. "
                          "Repeatable."),
        click.option("--allow-location", "allow_location", multiple=True,
                     envvar=LOCATIONS_ENV_VAR, metavar="PREFIX",
                     help="A data-lake location prefix (s3a://bucket/path/, hdfs://...) under "
                          "which a pack's mapping may name data for --engine spark to read, "
                          "or table:catalog.db for its catalog tables; a pack cannot allow "
                          "its own. Repeatable; or "
                          f"{LOCATIONS_ENV_VAR}, prefixes separated by spaces.")]
    if tuning:
        flags += [
            click.option("--memory-limit", default=None,
                         callback=lambda c, p, v: memory_size(v),
                         help="DuckDB memory limit for logs, e.g. 2GB (default 768MB, at "
                              "least 64MB; larger logs spill to disk)."),
            click.option("--temp-dir", type=click.Path(path_type=Path, exists=True,
                                                        file_okay=False, writable=True),
                         default=None, help="Where DuckDB spills when a log exceeds "
                                            "--memory-limit (default: a temporary directory)."),
            click.option("--unique-ids", type=click.Choice(list(UNIQUE_ID_SCOPES)),
                         default="judged", show_default=True,
                         help="Where event ids must be unique: among the events each rule "
                              "judges, or across the whole log (one more distinct count per "
                              "log)."),
            click.option("--spark-percentiles", type=click.Choice(list(PERCENTILE_METHODS)),
                         default="exact", show_default=True,
                         help="Percentiles on --engine spark: exact (one task merges every "
                              "distinct duration), or approximate (percentile_approx, rank "
                              "within 1/10000 of the judged events; recorded in the "
                              "result).")]

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def with_settings(**kwargs: object) -> object:
            given = {name: kwargs.pop(name, None) for name in _ENGINE_FLAGS}
            temp_dir = given["temp_dir"]
            try:
                kwargs["settings"] = settings_for(
                    str(given["engine"] or "duckdb"),
                    spark_master=_text(given["spark_master"]),
                    spark_remote=_text(given["spark_remote"]),
                    memory_limit=_text(given["memory_limit"]),
                    temp_directory=str(temp_dir) if temp_dir else None,
                    unique_ids=str(given["unique_ids"] or "judged"),
                    allow_locations=[str(p) for p in cast(tuple[str, ...],
                                                          given["allow_location"] or ())],
                    spark_conf=[str(c) for c in cast(tuple[str, ...], given["spark_conf"] or ())],
                    spark_percentiles=str(given["spark_percentiles"] or "exact"),
                    spelling=lambda name: _flag({"allow_locations": "allow_location"}
                                                .get(name, name)))
            except UsageError as e:
                raise click.UsageError(str(e)) from None
            return command(**kwargs)

        decorated = with_settings
        for flag in reversed(flags):
            decorated = flag(decorated)
        return cast(F, decorated)
    return decorate


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def checked_language(value: str | None) -> str | None:
    """--lang: a language with a report catalogue (checked before anything is read)."""
    if value is None:
        return None
    if base_language(value) not in available_languages():
        raise click.BadParameter(f"no report catalogue for {value!r} (available: "
                                 f"{', '.join(available_languages())})", param_hint="--lang")
    return normalise(value)


def language_option(default: str = "the pack's language when a catalogue exists for it, "
                                   "else the modules' common language, else en"
                    ) -> Callable[[F], F]:
    """``--lang``: the report language, checked against the catalogues before any work;
    ``default`` says in the help what a command uses when it is not given."""
    return click.option(
        "--lang", "lang", callback=lambda c, p, v: checked_language(v),
        help=f"Report language ({', '.join(available_languages())}); default: {default}.")


def complete_checklist(ctx: click.Context, param: click.Parameter,
                       incomplete: str) -> list[CompletionItem]:
    """Shell completion of a checklist: the installed module ids that start with what was
    typed, and the shell's own file completion (a module file or folder of one's own)."""
    try:
        ids = load_library(get_registry()).ids()
    except Exception:  # a broken plugin must not break the shell; the command will say why
        ids = []
    items = [CompletionItem(i) for i in ids if i.startswith(incomplete)]
    return items + [CompletionItem(incomplete, type="file")]


def checklist_option(command: F) -> F:
    """``--checklist``/``-c``: bundled module ids, or module files and folders of one's own."""
    return click.option(
        "--checklist", "-c", "checklist_ids", multiple=True, required=True,
        shell_complete=complete_checklist,
        help="Checklist module id, or a module file or folder of your own (repeat for "
             "several jurisdictions).")(command)


def output_option(help: str, *, default: Path | None = None,
                  dir_okay: bool = True) -> Callable[[F], F]:
    """``-o``/``--output``: where the command writes (atomically; '-' for standard output
    where the format is text)."""
    return click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=dir_okay),
                        default=default, show_default=default is not None, help=help)


def as_of_option(command: F) -> F:
    """``--as-of``: the assessment date, checked (and turned into a date) before any work."""
    return click.option(
        "--as-of", "as_of", callback=lambda c, p, v: parse_as_of(v),
        help="Date to assess on (YYYY-MM-DD); default: the pack's as_of, else today. Rule "
             "versions and waivers use it.")(command)


def gate_options(command: F) -> F:
    """``--fail-under``, ``--strict`` and ``--fail-on``: when a finished run exits 1."""
    for option in reversed([
            click.option("--fail-under", type=click.FloatRange(0, 100),
                         help="Exit 1 when the score (percent, with waivers) is below this."),
            click.option("--strict", is_flag=True,
                         help="Exit 1 when the report carries a data-quality warning "
                              "(docs/data-quality.md)."),
            click.option("--fail-on", "fail_on", multiple=True, type=click.Choice(list(GATES)),
                         help="Exit 1 when the verdict is non-compliant, a critical "
                              "requirement is not met, anything regressed since --baseline, "
                              "or evidence is stale. Repeatable; combines with "
                              "--fail-under.")]):
        command = option(command)
    return command


def file_for_workbook(format_id: str, output: Path | None) -> Path:
    """The file a binary format is written to: a workbook cannot go to the terminal or a
    pipe, so no file (or '-') is one usage error, before any work."""
    if output is None or str(output) == "-":
        raise click.UsageError(f"the {format_id} format is a binary workbook: it needs an "
                               "output file (-o FILE), not standard output")
    return output


def rendering_for(fmt: str | None, output: Path | None,
                  renderers: Mapping[str, tuple[R, bool]], extensions: Mapping[str, str],
                  command: str) -> tuple[str, R, bool]:
    """The rendering a comparison command (``diff``, ``compare``) writes: ``--format``, else
    the one ``-o``'s extension names, else the console; a workbook needs a file. Returns the
    format name, its renderer and whether it writes bytes."""
    if fmt is None and output is not None and str(output) != "-":
        fmt = extensions.get(output.suffix.lower())
        if fmt is None:
            raise OutputError(f"{output}: no {command} format writes '{output.suffix}' files; "
                              f"choose one with --format ({', '.join(sorted(renderers))})")
    fmt = fmt or "console"
    render, binary = renderers[fmt]
    if binary:
        file_for_workbook(fmt, output)
    return fmt, render, binary


def parse_as_of(value: str | None) -> dt.date | None:
    """--as-of: a date in the years every other date may take (docs/limits.md)."""
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date YYYY-MM-DD, got {value!r}",
                                 param_hint="--as-of") from None
    if why := date_problem(day):
        raise click.BadParameter(why, param_hint="--as-of")
    return day


def memory_size(value: str | None) -> str | None:
    """A DuckDB size such as 768MB or 2GB; at least 64 MB, or DuckDB cannot load anything."""
    if value is None:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", value,
                     flags=re.I)
    if not m:
        raise click.BadParameter(f"expected a size such as 768MB or 2GB, got {value!r}",
                                 param_hint="--memory-limit")
    scale = {"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "kib": 2**10, "mib": 2**20,
             "gib": 2**30, "tib": 2**40}[m.group(2).lower()]
    if float(m.group(1)) * scale < 64e6:
        raise click.BadParameter(f"{value} is too small; give at least 64MB",
                                 param_hint="--memory-limit")
    return f"{m.group(1)}{m.group(2)}"
