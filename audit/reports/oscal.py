"""NIST OSCAL 1.1.2 output: assessment results (``--format oscal``) and a plan of action and
milestones for the gaps (``--format oscal-poam``). See docs/oscal.md.

OSCAL documents have one root each, so the two are two writers over the same ``Assessment``:

- ``oscal`` (``*.oscal.json``): ``assessment-results`` with one result holding an observation
  per evidence file (SHA-256 in props and in a back-matter resource), an observation per
  requirement (the measured finding and its figures), a finding per requirement (target
  ``objective-id``, ``satisfied`` / ``not-satisfied``) and a risk per gap (with the remediation).
- ``oscal-poam`` (``*.poam.json``, audit/reports/oscal_poam.py):
  ``plan-of-action-and-milestones`` with one poam-item per gap or waived requirement
  (remediation, priority P1..P4, deadline = waiver expiry where one is given), with the risks,
  findings and observations they rest on.
- the whole chain (catalog, profile, SSP, plan; ``assess --oscal-dir``) is
  audit/reports/oscal_chain.py.

UUIDs are version-5 UUIDs in a fixed project namespace, derived from the platform name, the
checklist and requirement ids (and the as-of date for per-assessment objects), so two runs over
the same evidence differ only in their timestamps.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, Callable

from audit.assessment import Assessment
from audit.model import Status
from audit.reports.base import WriterBase
from audit.reports.oscal_common import put_if_set, dump, evidence_hrefs, prop, props, token
from audit.reports.oscal_doc import ResultDocument, planned


def reviewed_controls(a: Assessment) -> dict[str, Any]:
    """Every assessed requirement included, the not-applicable ones excluded (with why)."""
    assessed = [r for r in a.results if r.status is not Status.NOT_APPLICABLE]
    excluded = [r for r in a.results if r.status is Status.NOT_APPLICABLE]
    selection: dict[str, Any] = {
        "description": "Requirements of the checklist modules "
                       + ", ".join(f"{c.id} v{c.version}" for c in a.checklists)
                       + "; each requirement is a control objective (target-id is the full "
                         "requirement id with ':' written as '_').",
    }
    put_if_set(selection, "include-controls", [{"control-id": token(r.requirement.full_id)}
                                         for r in assessed])
    put_if_set(selection, "exclude-controls", [{"control-id": token(r.requirement.full_id)}
                                         for r in excluded])
    if "include-controls" not in selection and "exclude-controls" not in selection:
        selection["include-all"] = {}
    if excluded:
        selection["remarks"] = "Excluded as not applicable: " + "; ".join(
            f"{r.requirement.full_id} ({r.applicability})" for r in excluded)
    return {"control-selections": [selection]}


def assessment_results(a: Assessment, plan_href: str | None = None,
                       evidence_href: Callable[[str], str] | None = None) -> dict[str, Any]:
    """``plan_href``: the assessment plan file of the chain (audit/reports/oscal_chain.py);
    without it, ``import-ap`` points at a back-matter resource naming the modules."""
    d = ResultDocument(a, evidence_href)
    assessed = [r for r in a.results if r.status is not Status.NOT_APPLICABLE]
    risky = [r for r in assessed if planned(r)]
    s = a.score
    result: dict[str, Any] = {
        "uuid": d.uid("result", d.scope),
        "title": f"{d.platform}: assessment as of {d.as_of}",
        "description": (f"Automated assessment by platform-audit {a.tool_version} of the "
                        f"evidence pack for {d.platform} as of {d.as_of} against "
                        + ", ".join(f"{c.id} v{c.version}" for c in a.checklists)
                        + f". Verdict {a.verdict.value}; score ({a.scoring_model}) "
                          f"{s.percent} = {s.numerator:g} / {s.denominator:g} over "
                          f"{s.counted} requirement(s). Formula: {s.formula}."),
        "start": d.when,
        "end": d.when,
        "props": props(prop("as-of", d.as_of), prop("verdict", a.verdict.value),
                       prop("verdict-without-waivers", a.verdict_without_waivers.value),
                       prop("scoring-model", a.scoring_model),
                       prop("score", "n/a" if s.score is None else s.score),
                       prop("score-without-waivers",
                            "n/a" if a.score_without_waivers.score is None
                            else a.score_without_waivers.score),
                       *(prop(f"count-{k}", v, "count") for k, v in a.counts().items() if v)),
        "reviewed-controls": reviewed_controls(a),
    }
    enacted = [r.requirement.full_id for r in a.results
               if r.requirement.status.value == "enacted"]
    if enacted:  # not assessed, so no finding: named here as never law in force
        result["remarks"] = ("Enacted but not yet in force (legal-status enacted), not "
                             "assessed: " + ", ".join(enacted) + ".")
    observations = ([d.file_observation(p) for p in d.files]
                    + [d.req_observation(r) for r in assessed])
    put_if_set(result, "observations", observations)
    put_if_set(result, "risks", [d.risk(r) for r in risky])
    put_if_set(result, "findings", [d.finding(r, planned(r)) for r in assessed])
    return {"assessment-results": {
        "uuid": d.uid("assessment-results", d.scope),
        "metadata": d.metadata(f"{d.platform}: assessment results as of {d.as_of} ("
                               + ", ".join(c.id for c in a.checklists) + ")"),
        "import-ap": ({"href": plan_href} if plan_href else
                      {"href": f"#{d.plan_resource_id()}",
                       "remarks": "Written without the OSCAL chain (assess --oscal-dir): the "
                                  "referenced back-matter resource names the checklist "
                                  "modules and versions that make up the plan."}),
        "results": [result],
        "back-matter": d.back_matter(plan=not plan_href),
    }}


class OscalResultsWriter(WriterBase):
    id = "oscal"
    description = "NIST OSCAL 1.1.2 assessment results (JSON)"
    extensions = (".oscal.json",)
    binary = False

    def write(self, assessment: Assessment, stream: IO[Any], output: Path | None = None) -> None:
        hrefs = evidence_hrefs(assessment, output.parent) if output is not None else None
        dump(assessment_results(assessment, evidence_href=hrefs), stream)
