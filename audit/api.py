"""The Python API for notebooks and scripts: assess a pack and write reports without the CLI.

``audit.assess(...)`` returns the same ``Assessment`` every writer renders, and
``audit.write(...)`` renders it in any installed format; ``audit assess`` on the command line
is built from the same two steps (``prepare`` then ``run``), so the CLI and a script cannot
judge the same evidence differently. See docs/python-api.md.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from audit.assessment import Assessment
from audit.engine.settings import EngineSettings, settings_for
from audit.errors import UsageError
from audit.i18n import use_language
from audit.pipeline.load import PathLike, Prepared, load
from audit.pipeline.load import prepare as prepare_stage
from audit.pipeline.render import write_to
from audit.pipeline.score import assess as assess_stage
from audit.plugins import get_registry
from audit.progress import TerminalProgress
from audit.reports.base import writer_for

__all__ = ["Prepared", "assess", "close", "prepare", "render", "run", "write"]


def prepare(evidence: PathLike | Sequence[PathLike], checklists: Sequence[PathLike],
            scoring: str = "weighted", engine: EngineSettings | None = None) -> Prepared:
    """Resolve the checklists (ids, module files, folders; plus ``AUDIT_CHECKLIST_PATH`` and
    the pack's ``audit.yaml``) and check the scoring model, without reading any log."""
    return prepare_stage(evidence, checklists, get_registry(), scoring, engine)


def run(prepared: Prepared, as_of: dt.date | str | None = None,
        progress: TerminalProgress | None = None, language: str | None = None) -> Assessment:
    """Load the evidence (each log once, only the columns the rules read) and assess it.

    ``as_of`` defaults to the pack's own ``as_of``, else today. ``language`` is the report
    language (findings' sentences, translated checklist texts); default: the pack's language
    when a catalogue exists for it, else the modules' common one, else English.
    """
    loaded = load(prepared, as_of, progress, language)
    with use_language(loaded.language):
        return assess_stage(loaded.pack, loaded.checklists, prepared.library,
                            prepared.registry, loaded.as_of, prepared.scoring, loaded.language)


def assess(evidence: PathLike | Sequence[PathLike], checklists: Sequence[PathLike], *,
           as_of: dt.date | str | None = None, scoring: str = "weighted",
           memory_limit: str | None = None, temp_dir: PathLike | None = None,
           language: str | None = None, engine: str = "duckdb", spark: object | None = None,
           spark_master: str | None = None, spark_remote: str | None = None,
           spark_conf: Mapping[str, object] | None = None,
           spark_percentiles: str = "exact",
           allow_locations: Sequence[str] = ()) -> Assessment:
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
        one, as ``--spark-master``/``--spark-remote`` do. A session given is lent: the
        settings the figures need are on it only while the run's queries run; call
        :func:`close` after writing the reports to drop the run's temporary views.
    :param spark_conf: Spark settings (``{"spark.sql.shuffle.partitions": 400}``), as
        ``--spark-conf``: over ``spark-defaults.conf`` for a session started here; on a
        given session only while the run's queries run (SQL settings only).
    :param spark_percentiles: ``exact`` (default) or ``approximate`` (``percentile_approx``,
        recorded in the result's provenance), as ``--spark-percentiles``.
    :param allow_locations: data-lake location prefixes (``"s3a://lake/statements/"``) under
        which the pack's mappings may name data for Spark to read, as ``--allow-location``;
        a location no prefix covers is refused (docs/spark.md).
    :raises audit.AuditError: for bad input (its ``lines`` say where), as the CLI would print.
    """
    settings = settings_for(engine, spark_master=spark_master, spark_remote=spark_remote,
                            spark_session=spark, memory_limit=memory_limit,
                            temp_directory=str(temp_dir) if temp_dir else None,
                            allow_locations=allow_locations, spark_conf=spark_conf or {},
                            spark_percentiles=spark_percentiles,
                            spelling=lambda name: {"spark_session": "spark"}.get(name, name))
    return run(prepare(evidence, checklists, scoring, settings), as_of, language=language)


def close(assessment: Assessment) -> None:
    """Give the Spark session lent to :func:`assess` (``spark=``) back as it was: the
    temporary views and tables the run made are dropped, and its settings are those it had
    before (they already are between queries). Call it after the last :func:`write`: a gap
    workbook reads its offending rows from those views when it is written. Nothing to do
    for DuckDB or a session the run started itself (it ends with the process)."""
    engine = assessment.evidence.started_engine if assessment.evidence else None
    release = getattr(engine, "close", None)  # the Spark engine's; DuckDB's needs none
    if callable(release):
        release()


def write(assessment: Assessment, target: PathLike | IO[Any],  # Any: text or bytes stream
          format: str | None = None) -> None:
    """Write ``assessment`` as a report: to a file path (atomically; the format from
    ``format``, else the file's extension) or to an open stream (``format`` default
    ``console``; binary formats such as ``xlsx`` need a binary stream)."""
    registry = get_registry()
    if isinstance(target, (str, os.PathLike)):
        path = Path(target)
        write_to(writer_for(registry, format, path), assessment, path)
        return
    write_to(writer_for(registry, format, None), assessment, None, target)


def render(assessment: Assessment, format: str = "console") -> str:
    """A text report as a string (console, json, markdown, ...), e.g. to show in a notebook."""
    writer = writer_for(get_registry(), format, None)
    if writer.binary:
        raise UsageError(f"the {writer.id} format is binary; use audit.write(assessment, path)")
    buffer = io.StringIO()
    write_to(writer, assessment, None, buffer)
    return buffer.getvalue()
