"""Stage 5, render: the ``Assessment`` written by a report writer, to a file or a stream.

Every output goes through a ``ReportWriter`` from the registry (built-in writers are
registered through the same hook as a plugin's). A file is written atomically; a report that
reads offending rows from the engine while it is written first checks the engine is still up.
The command line's fuller path (files beside the report, the refusal to overwrite an input,
``-o -``) is ``audit.reports.base.write_report``, reached through ``publish``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from audit.assessment import Assessment
from audit.reports.base import ReportWriter, write_atomically, write_report


def _engine_ready(assessment: Assessment) -> None:
    """Detail rows are read from the engine while writing: a stopped Spark session is said
    in one line before a report is half written."""
    pack = assessment.evidence
    if pack is not None and pack.started_engine is not None:
        pack.started_engine.check_ready()


def write_to(writer: ReportWriter, assessment: Assessment, path: Path | None,
             stream: IO[Any] | None = None) -> None:  # Any: a text or a binary stream
    """``assessment`` to ``path`` (atomically) or, without one, to ``stream``."""
    _engine_ready(assessment)
    if path is not None:
        write_atomically(path, lambda fh: writer.write(assessment, fh), writer.binary)
        return
    writer.write(assessment, stream if stream is not None else sys.stdout)


def publish(writer: ReportWriter, assessment: Assessment, output: Path | None,
            inputs: Sequence[Path]) -> None:
    """The command line's report: ``output`` (a file, ``-`` or None for standard output)
    with any files the writer puts beside it, none of them over an input."""
    _engine_ready(assessment)
    write_report(writer, assessment, output, inputs, sys.stdout)
