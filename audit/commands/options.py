"""Options several commands share, each declared once: the engine and its Spark flags, the
report language, the assessment date and DuckDB's memory limit.

Each turns what was typed into a checked, typed value (``EngineSettings``, a language code, a
date) before any evidence is read, so a bad option fails at once with click's usage error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TypeVar

import click

from audit.engine.settings import ENGINES, UNIQUE_ID_SCOPES, EngineSettings
from audit.i18n import available_languages, base_language, normalise
from audit.limits import date_problem

F = TypeVar("F", bound=Callable[..., object])


def engine_flags(command: F) -> F:
    """``--engine``, ``--spark-master``, ``--spark-remote``: the same on every command that
    reads logs (assess, mappings check, verify)."""
    for option in reversed([
            click.option("--engine", type=click.Choice(list(ENGINES)), default="duckdb",
                         show_default=True, help="Where the rules run over the logs; spark "
                         "needs the spark extra and Java (docs/spark.md)."),
            click.option("--spark-master", default=None, help="Spark master URL for --engine "
                         "spark, e.g. spark://host:7077 (default local[*])."),
            click.option("--spark-remote", default=None, help="Spark Connect URL for --engine "
                         "spark, e.g. sc://host:15002.")]):
        command = option(command)
    return command


def engine_settings(engine: str, master: str | None, remote: str | None, *,
                    memory_limit: str | None = None, temp_directory: str | None = None,
                    unique_ids: str = "judged") -> EngineSettings:
    """The typed engine choice from the flags; the Spark ones only with ``--engine spark``."""
    if engine != "spark":
        if master or remote:
            raise click.UsageError("--spark-master and --spark-remote need --engine spark")
        return EngineSettings(engine, memory_limit=memory_limit,
                              temp_directory=temp_directory, unique_ids=unique_ids)
    if master and remote:
        raise click.UsageError("give --spark-master or --spark-remote, not both")
    if unique_ids not in UNIQUE_ID_SCOPES:
        raise click.BadParameter(f"expected one of {', '.join(UNIQUE_ID_SCOPES)}",
                                 param_hint="--unique-ids")
    return EngineSettings("spark", unique_ids=unique_ids, spark_master=master,
                          spark_remote=remote)


def checked_language(value: str | None) -> str | None:
    """--lang: a language with a report catalogue (checked before anything is read)."""
    if value is None:
        return None
    if base_language(value) not in available_languages():
        raise click.BadParameter(f"no report catalogue for {value!r} (available: "
                                 f"{', '.join(available_languages())})", param_hint="--lang")
    return normalise(value)


def language_option(command: F) -> F:
    """``--lang``: the report language, checked against the catalogues before any work."""
    return click.option(
        "--lang", "lang", callback=lambda c, p, v: checked_language(v),
        help="Report language (en, ar, tr); default: the pack's language when a catalogue "
             "exists for it, else the modules' common language, else en.")(command)


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
