"""The OSCAL plan of action and milestones (``--format oscal-poam``): one item per gap or
waived requirement, with the risks, findings and observations it rests on (docs/oscal.md)."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, Callable

from audit.assessment import Assessment
from audit.model import Status
from audit.reports.base import WriterBase
from audit.reports.oscal_doc import ResultDocument
from audit.reports.oscal_common import NS, dump, evidence_hrefs, prop, props, token
from audit.reports.xlsx_columns import priority


def plan_of_action(a: Assessment, ssp_href: str | None = None,
                   evidence_href: Callable[[str], str] | None = None) -> dict[str, Any]:
    """``ssp_href``: the chain's system security plan, imported; the POA&M always names the
    system by ``system-id`` too, which is what OSCAL asks for when no SSP is imported."""
    d = ResultDocument(a, evidence_href)
    planned = [r for r in a.gaps()] + [r for r in a.results if r.status is Status.WAIVED]
    items = []
    for r in planned:
        req = r.requirement
        remarks = [f"Status {r.status.value}, score {r.finding.score:.2f}."]
        if r.waiver is not None:
            remarks.append(r.waiver.note + ".")
        item: dict[str, Any] = {
            # per subject, not per run: the same gap keeps its item across assessments
            "uuid": d.uid("poam-item", req.full_id, per_run=False),
            "title": f"{req.full_id}: {req.title}",
            "description": " ".join(req.remediation.split()) or "No remediation given.",
            "props": props(prop("requirement-id", req.full_id), prop("priority", priority(r)),
                           prop("severity", req.severity.value), prop("status", r.status.value),
                           prop("jurisdiction", req.jurisdiction),
                           prop("deadline", r.waiver.waiver.expires.isoformat()
                                if r.waiver is not None and r.waiver.active else None)),
            "origins": [d.origin()],
            "related-findings": [{"finding-uuid": d.finding_id(r)}],
            "related-observations": [{"observation-uuid": d.req_observation_id(r)}],
            "related-risks": [{"risk-uuid": d.risk_id(r)}],
            "remarks": " ".join(remarks),
        }
        items.append(item)
    poam: dict[str, Any] = {
        "uuid": d.uid("poam", d.scope, per_run=False),
        "metadata": d.metadata(f"{d.platform}: plan of action and milestones as of {d.as_of} ("
                               + ", ".join(c.id for c in a.checklists) + ")"),
    }
    if ssp_href:
        poam["import-ssp"] = {"href": ssp_href}
    poam["system-id"] = {"identifier-type": NS, "id": token(d.platform)}
    if not items:
        # poam-items needs at least one entry: state plainly that nothing is open.
        poam["poam-items"] = [{
            "uuid": d.uid("poam-item", "none", per_run=False),
            "title": "No open items",
            "description": f"No requirement is unmet or waived as of {d.as_of}: nothing to "
                           "remediate.",
            "props": [{"name": "no-open-items", "ns": NS, "value": "true"}],
        }]
        return {"plan-of-action-and-milestones": poam}
    files: list[str] = []
    for r in planned:
        files += [p for p in d.proof_files(r) if p not in files]
    files = [p for p in d.files if p in files]
    observations = ([d.req_observation(r) for r in planned]
                    + [d.file_observation(p) for p in files])
    poam["observations"] = observations
    poam["risks"] = [d.risk(r) for r in planned]
    poam["findings"] = [d.finding(r, True) for r in planned]
    poam["poam-items"] = items
    poam["back-matter"] = d.back_matter(files)
    return {"plan-of-action-and-milestones": poam}


class OscalPoamWriter(WriterBase):
    id = "oscal-poam"
    description = "NIST OSCAL 1.1.2 plan of action and milestones for the gaps (JSON)"
    extensions = (".poam.json", ".oscal-poam.json")
    binary = False

    def write(self, assessment: Assessment, stream: IO[Any], output: Path | None = None) -> None:
        hrefs = evidence_hrefs(assessment, output.parent) if output is not None else None
        dump(plan_of_action(assessment, evidence_href=hrefs), stream)
