"""JUnit XML (``--format junit``): one test case per requirement, so a CI system shows the
audit like a test run, each case carrying the legal citation and the finding.

Which requirements are failures follows the run's gates (docs/over-time.md has the table):
without ``--fail-on`` every gap is a failure (so any partially met requirement marks a Jenkins
build unstable); with ``--fail-on`` only what a chosen gate fails on is, and the other gaps are
skipped with the reason, so the CI page and the exit status agree. Waived and not-applicable
requirements are always skipped; met ones pass. Messages are in words (status and severity
labels in the report language), never raw tokens.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

from audit.assessment import Assessment, RequirementResult
from audit.gates import gated_requirements
from audit.i18n import _
from audit.labels import severity_label, status_label
from audit.ledger import rule_words
from audit.model import Status
from audit.quality import warnings_of
from audit.reports.base import WriterBase

SKIPPED_STATUSES = (Status.WAIVED, Status.NOT_APPLICABLE)


def outcome(r: RequirementResult, gated: dict[str, list[str]] | None) -> str:
    """``failure``, ``skipped`` or ``passed`` for one requirement; ``gated`` is what the
    chosen gates fail on, or None without ``--fail-on``."""
    if gated is not None and r.requirement.full_id in gated:
        return "failure"
    if r.status in SKIPPED_STATUSES:
        return "skipped"
    if r.status.is_gap:
        return "failure" if gated is None else "skipped"
    return "passed"


def _headline(r: RequirementResult) -> str:
    return _("{status} ({severity}): {title}", status=status_label(r.status),
             severity=severity_label(r.requirement.severity), title=r.requirement.title)


# What XML 1.0 forbids in a document (control characters but TAB, LF and CR; lone surrogates;
# U+FFFE and U+FFFF). ElementTree escapes markup but writes these as they are, and a CI
# system's parser then rejects the whole report. Listed as they are rather than as the
# complement of what XML allows: the same characters (tests/test_junit_forbidden.py checks
# every code point), compiled in under 1 ms at every start where the complement took 7.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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
        gated = gated_requirements(a, a.gates) if a.gates else None
        gates = ", ".join(a.gates)
        suites = ET.Element("testsuites", name=_("platform-audit {name} as of {as_of}",
                                                  name=a.platform.get("name", ""),
                                                  as_of=a.as_of))
        for checklist in a.checklists:
            results = [r for r in a.results if r.checklist == checklist.id]
            outcomes = [outcome(r, gated) for r in results]
            suite = ET.SubElement(suites, "testsuite", name=checklist.id,
                                  tests=str(len(results)),
                                  failures=str(outcomes.count("failure")),
                                  errors="0", skipped=str(outcomes.count("skipped")),
                                  timestamp=a.generated_at.replace(tzinfo=None).isoformat())
            props = ET.SubElement(suite, "properties")
            for name, value in (("version", checklist.version), ("verdict", a.verdict.value),
                                ("score", a.score.percent), ("fail-on", gates or "-"),
                                ("data_warnings", len(warnings_of(a)))):
                ET.SubElement(props, "property", name=name, value=str(value))
            for r, result in zip(results, outcomes, strict=True):
                self._case(a, suite, r, result, gated, gates)
        _strip_forbidden(suites)
        ET.indent(suites)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(ET.tostring(suites, encoding="unicode"))
        stream.write("\n")

    @staticmethod
    def _case(a: Assessment, suite: ET.Element, r: RequirementResult, result: str,
              gated: dict[str, list[str]] | None, gates: str) -> None:
        req = r.requirement
        case = ET.SubElement(suite, "testcase", name=req.full_id,
                             classname=f"{r.checklist}.{req.area.value}")
        summary = " ".join(r.finding.summary.split())
        if result == "failure":
            failure = ET.SubElement(case, "failure", type=r.status.value,
                                    message=_headline(r))
            failure.text = f"{summary}\n{a.citation(r)}"
            if gated is not None:
                failure.text += "\n" + _("fails --fail-on {gates}",
                                         gates=", ".join(gated[req.full_id]))
        elif result == "skipped" and r.status.is_gap:
            ET.SubElement(case, "skipped", message=_(
                "{finding} (not failed: --fail-on {gates} does not fail on it)",
                finding=_headline(r), gates=gates))
        elif result == "skipped":
            ET.SubElement(case, "skipped", message=_("{status}: {summary}",
                                                     status=status_label(r.status),
                                                     summary=summary))
        score = format(r.finding.score, ".2f")
        out = _("{status}, score {score}: {summary} [{citation}]",
                status=status_label(r.status), score=score, summary=summary,
                citation=a.citation(r))
        # the rows behind a log figure, in words (the row ledger)
        rows = [rule_words(part) for part in a.ledger.for_requirement(req.full_id)]
        ET.SubElement(case, "system-out").text = "\n".join([out, *rows])
