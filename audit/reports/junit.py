"""JUnit XML (``--format junit``): one test case per requirement, so a CI system shows the
audit like a test run. Gaps are failures, waived and not-applicable requirements are skipped
(with the reason), and each case carries the legal citation and the finding."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

from audit.assessment import Assessment
from audit.i18n import _
from audit.ledger import rule_words
from audit.model import Status
from audit.quality import warnings_of
from audit.reports.base import WriterBase


class JunitWriter(WriterBase):
    id = "junit"
    description = "JUnit XML, one test case per requirement (for CI test reports)"
    extensions = (".junit.xml", ".xml")
    binary = False

    def write(self, assessment: Assessment, stream: IO[Any],
              output: Path | None = None) -> None:
        a = assessment
        suites = ET.Element("testsuites", name=_("platform-audit {name} as of {as_of}",
                                                  name=a.platform.get("name", ""),
                                                  as_of=a.as_of))
        for checklist in a.checklists:
            results = [r for r in a.results if r.checklist == checklist.id]
            gaps = [r for r in results if r.status.is_gap]
            skipped = [r for r in results if r.status in (Status.WAIVED, Status.NOT_APPLICABLE)]
            suite = ET.SubElement(suites, "testsuite", name=checklist.id,
                                  tests=str(len(results)), failures=str(len(gaps)),
                                  errors="0", skipped=str(len(skipped)),
                                  timestamp=a.generated_at.replace(tzinfo=None).isoformat())
            props = ET.SubElement(suite, "properties")
            for name, value in (("version", checklist.version), ("verdict", a.verdict.value),
                                ("score", a.score.percent),
                                ("data_warnings", len(warnings_of(a)))):
                ET.SubElement(props, "property", name=name, value=str(value))
            for r in results:
                req = r.requirement
                case = ET.SubElement(suite, "testcase", name=req.full_id,
                                     classname=f"{checklist.id}.{req.area.value}")
                summary = " ".join(r.finding.summary.split())
                if r.status.is_gap:
                    failure = ET.SubElement(case, "failure", type=r.status.value,
                                            message=_("{status} ({severity}): {title}",
                                                      status=r.status.value,
                                                      severity=req.severity.value,
                                                      title=req.title))
                    failure.text = f"{summary}\n{a.citation(r)}"
                elif r.status in (Status.WAIVED, Status.NOT_APPLICABLE):
                    ET.SubElement(case, "skipped", message=summary)
                score = format(r.finding.score, ".2f")
                out = _("{status}, score {score}: {summary} [{citation}]",
                        status=r.status.value, score=score, summary=summary,
                        citation=a.citation(r))
                # the rows behind a log figure, in words (the row ledger)
                rows = [rule_words(part) for part in a.ledger.for_requirement(req.full_id)]
                ET.SubElement(case, "system-out").text = "\n".join([out, *rows])
        ET.indent(suites)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(ET.tostring(suites, encoding="unicode"))
        stream.write("\n")
