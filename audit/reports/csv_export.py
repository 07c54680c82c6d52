"""CSV exports (``--format csv`` and ``--format csv-gaps``): one row per requirement, or per
gap, in the flat columns compliance scanners such as Prowler write, so a result can be loaded
into a spreadsheet, a SIEM or a GRC tool's importer. Cells are neutralised against formula
injection (:mod:`audit.reports.safe_csv`). docs/assess.md lists the columns."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from audit.assessment import Assessment, RequirementResult
from audit.model import Status
from audit.reports.base import WriterBase
from audit.reports.safe_csv import write_rows

# Prowler's compliance CSV names its columns in capitals, the result first; these are ours
COLUMNS = ("ASSESSMENT_DATE", "PLATFORM", "FRAMEWORK", "FRAMEWORK_VERSION", "REQUIREMENT_ID",
           "REQUIREMENT_TITLE", "JURISDICTION", "AREA", "SEVERITY", "RESULT", "STATUS",
           "STATUS_EXTENDED", "SCORE", "WEIGHT", "STATUS_WITHOUT_WAIVER", "WAIVER_EXPIRES",
           "CITATION", "SOURCE_URL", "LEGAL_STATUS", "RULE", "REMEDIATION")
# Prowler's PASS / FAIL / MANUAL / MUTED, from our statuses
RESULTS = {Status.MET: "PASS", Status.PARTIAL: "FAIL", Status.NOT_MET: "FAIL",
           Status.NO_EVIDENCE: "FAIL", Status.MANUAL_REVIEW: "MANUAL", Status.WAIVED: "MUTED",
           Status.NOT_APPLICABLE: "NOT_APPLICABLE"}


def requirement_row(a: Assessment, r: RequirementResult) -> list[object]:
    req = r.requirement
    version = next((c.version for c in a.checklists if c.id == r.checklist), "")
    return [a.as_of.isoformat(), a.platform.get("name", ""), r.checklist, version, req.full_id,
            req.title, req.jurisdiction, req.area.value, req.severity.value, RESULTS[r.status],
            r.status.value, " ".join(r.finding.summary.split()), r.finding.score, req.weight,
            r.underlying.status.value,
            r.waiver.waiver.expires.isoformat() if r.waiver is not None else None,
            a.citation(r), a.source_url(r), req.status.value, req.rule.type, req.remediation]


class CsvRequirementsWriter(WriterBase):
    id = "csv"
    description = "CSV, one row per requirement (Prowler-style columns)"
    extensions = (".csv",)
    binary = False

    def write(self, assessment: Assessment, stream: IO[Any],
              output: Path | None = None) -> None:
        write_rows(stream, COLUMNS, (requirement_row(assessment, r) for r in assessment.results))


class CsvGapsWriter(WriterBase):
    id = "csv-gaps"
    description = "CSV, one row per gap, worst first (Prowler-style columns)"
    extensions = (".gaps.csv",)
    binary = False

    def write(self, assessment: Assessment, stream: IO[Any],
              output: Path | None = None) -> None:
        write_rows(stream, COLUMNS, (requirement_row(assessment, r) for r in assessment.gaps()))
