"""``--format remediation`` (``*.remediation.yaml``): the carried tracking as a plan file, the
text form of the gap workbook's owner / due date / tracking / comments columns."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from audit.assessment import Assessment
from audit.remediation import write_plan
from audit.reports.base import WriterBase


class RemediationPlanWriter(WriterBase):
    id = "remediation"
    description = "remediation.yaml plan: owner, due date, tracking, comments per gap"
    extensions = (".remediation.yaml",)
    binary = False

    def write(self, assessment: Assessment, stream: IO[Any],
              output: Path | None = None) -> None:
        stream.write(write_plan(assessment))
