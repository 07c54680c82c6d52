"""The Python API for notebooks and scripts: assess a pack and write reports without the CLI.

``audit.assess(...)`` returns the same ``Assessment`` every writer renders, and
``audit.write(...)`` renders it in any installed format; ``audit assess`` on the command line
is built from the same two steps (``prepare`` then ``run``), so the CLI and a script cannot
judge the same evidence differently. See docs/python-api.md.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Sequence, Union

from audit.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from audit.assessment import Assessment
    from audit.checklists import ChecklistLibrary
    from audit.model import Checklist
    from audit.registry import Registry

PathLike = Union[str, "os.PathLike[str]"]


@dataclass
class Prepared:
    """Everything checked before the (possibly long) log loading: inputs exist, checklists
    resolve, the scoring model is known."""

    evidence: list[Path]
    registry: Registry
    library: ChecklistLibrary
    checklists: list[Checklist]
    scoring: str
    store_options: dict[str, Any] = field(default_factory=dict)


def _paths(value: PathLike | Sequence[PathLike]) -> list[Path]:
    if isinstance(value, (str, os.PathLike)):
        return [Path(value)]
    return [Path(v) for v in value]


def prepare(evidence: PathLike | Sequence[PathLike], checklists: Sequence[PathLike],
            scoring: str = "weighted", **store_options: Any) -> Prepared:
    """Resolve the checklists (ids, module files, folders; plus ``AUDIT_CHECKLIST_PATH`` and
    the pack's ``audit.yaml``) and check the scoring model, without reading any log."""
    from audit.checklist_paths import pack_checklist_path, select_checklists
    from audit.plugins import get_registry

    paths = _paths(evidence)
    specs = [str(c) for c in ([checklists] if isinstance(checklists, (str, os.PathLike))
                              else checklists)]
    if not paths:
        raise UsageError("give at least one evidence input (a pack directory or workbook)")
    if not specs:
        raise UsageError("give at least one checklist (a module id, file or folder)")
    registry = get_registry()
    library, chosen = select_checklists(specs, registry, pack_checklist_path(paths))
    if scoring not in registry.scoring_models:
        raise UsageError(f"unknown scoring model '{scoring}' (known: "
                         f"{', '.join(registry.scoring_models.ids())})")
    return Prepared(paths, registry, library, chosen, scoring, dict(store_options))


def run(prepared: Prepared, as_of: dt.date | str | None = None,
        progress: Any = None, language: str | None = None) -> Assessment:
    """Load the evidence (each log once, only the columns the rules read) and assess it.

    ``as_of`` defaults to the pack's own ``as_of``, else today. ``language`` is the report
    language (findings' sentences, translated checklist texts); default: the pack's language
    when a catalogue exists for it, else the modules' common one, else English.
    """
    from audit.assessment import assess as assess_pack
    from audit.engine.settings import EngineSettings
    from audit.evidence.loaders import load_evidence, needed_log_columns
    from audit.quality import with_platform_columns
    from audit.schemas.common import as_date

    needed = needed_log_columns(prepared.checklists, prepared.registry)
    pack = load_evidence(prepared.evidence, prepared.registry, with_platform_columns(needed),
                         progress=progress, engine=EngineSettings(**prepared.store_options))
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"as_of: expected a date YYYY-MM-DD, got {as_of!r}") from None
    day = as_of or (as_date(pack.profile["as_of"]) if pack.profile.get("as_of")
                    else dt.date.today())
    from audit.limits import date_problem

    if why := date_problem(day):  # the same years as every other date (docs/limits.md)
        raise UsageError(f"as_of: {why}")
    from audit.i18n import report_language, use_language
    from audit.translations import translate_checklists

    language = language or report_language(pack.profile.get("language"),
                                           [c.language for c in prepared.checklists])
    with use_language(language):
        result = assess_pack(pack, translate_checklists(prepared.checklists, language),
                             prepared.library, prepared.registry, day, prepared.scoring)
    result.language = language
    return result


def assess(evidence: PathLike | Sequence[PathLike], checklists: Sequence[PathLike], *,
           as_of: dt.date | str | None = None, scoring: str = "weighted",
           memory_limit: str | None = None, temp_dir: PathLike | None = None,
           language: str | None = None, engine: str = "duckdb", spark: Any = None,
           spark_master: str | None = None, spark_remote: str | None = None) -> Assessment:
    """Assess an evidence pack against checklist modules and return the ``Assessment``.

    :param evidence: a pack directory or filled workbook, or several (merged).
    :param checklists: module ids (``"eu.dsa"``), module files or folders of your own.
    :param as_of: the date to assess on (rule versions and waivers use it); default the pack's
        ``as_of``, else today.
    :param scoring: ``weighted``, ``flat``, ``strict`` or a plugin's model.
    :param memory_limit: DuckDB memory limit such as ``"2GB"`` (default 768MB).
    :param temp_dir: where DuckDB spills beyond the memory limit.
    :param language: report language (``en``, ``ar``, ``tr``; docs/translations.md).
    :param engine: ``duckdb`` (default) or ``spark`` (docs/spark.md).
    :param spark: a running ``SparkSession`` to use (a notebook's ``spark``, on the cluster
        where the logs live); otherwise ``spark_master`` or ``spark_remote`` start or reach
        one, as ``--spark-master``/``--spark-remote`` do.
    :raises audit.AuditError: for bad input (its ``lines`` say where), as the CLI would print.
    """
    options: dict[str, Any] = {"memory_limit": memory_limit,
                               "temp_directory": str(temp_dir) if temp_dir else None}
    if engine != "duckdb" or spark is not None or spark_master or spark_remote:
        if engine != "spark":
            raise UsageError("spark, spark_master and spark_remote need engine='spark'")
        options = {"engine": "spark", "spark_session": spark, "spark_master": spark_master,
                   "spark_remote": spark_remote}
    return run(prepare(evidence, checklists, scoring, **options), as_of, language=language)


def write(assessment: Assessment, target: PathLike | IO[Any], format: str | None = None) -> None:
    """Write ``assessment`` as a report: to a file path (atomically; the format from
    ``format``, else the file's extension) or to an open stream (``format`` default
    ``console``; binary formats such as ``xlsx`` need a binary stream)."""
    from audit.plugins import get_registry
    from audit.reports.base import write_atomically, writer_for

    registry = get_registry()
    engine = assessment.evidence.started_engine if assessment.evidence else None
    if engine is not None:  # detail rows are read from the engine while writing
        engine.check_ready()
    if isinstance(target, (str, os.PathLike)):
        path = Path(target)
        writer = writer_for(registry, format, path)
        write_atomically(path, lambda fh: writer.write(assessment, fh), writer.binary)
        return
    writer = writer_for(registry, format, None)
    writer.write(assessment, target)


def render(assessment: Assessment, format: str = "console") -> str:
    """A text report as a string (console, json, markdown, ...), e.g. to show in a notebook."""
    import io

    from audit.plugins import get_registry
    from audit.reports.base import writer_for

    writer = writer_for(get_registry(), format, None)
    if writer.binary:
        raise UsageError(f"the {writer.id} format is binary; use audit.write(assessment, path)")
    buffer = io.StringIO()
    writer.write(assessment, buffer)
    return buffer.getvalue()
