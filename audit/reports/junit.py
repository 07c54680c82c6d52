"""JUnit XML (``--format junit``): one test case per requirement, so a CI system shows the
audit like a test run. Gaps are failures, waived and not-applicable requirements are skipped
(with the reason), and each case carries the legal citation and the finding."""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

from audit.assessment import Assessment
from audit.i18n import _
from audit.model import Status
from audit.reports.base import WriterBase


# What XML 1.0 forbids in a document (control characters but TAB, LF and CR; lone surrogates;
# U+FFFE and U+FFFF). ElementTree escapes markup but writes these as they are, and a CI
# system's parser then rejects the whole report.
XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (a BEL in an answer note)."""
    return XML_FORBIDDEN.sub("", text)


def _strip_forbidden(root: ET.Element) -> None:
    """Every text, tail and attribute value under ``root`` made XML 1.0, whatever wrote it."""
    for element in root.iter():
        if element.text:
            element.text = xml_text(element.text)
        if element.tail:
            element.tail = xml_text(element.tail)
        for name, value in element.attrib.items():
            element.attrib[name] = xml_text(value)


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
                                ("score", a.score.percent)):
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
                ET.SubElement(case, "system-out").text = _(
                    "{status}, score {score}: {summary} [{citation}]", status=r.status.value,
                    score=score, summary=summary, citation=a.citation(r))
        _strip_forbidden(suites)
        ET.indent(suites)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(ET.tostring(suites, encoding="unicode"))
        stream.write("\n")
