"""The OSCAL chain a GRC tool can resolve: catalog -> profile -> SSP -> plan -> results, POA&M.

- one **catalog** per checklist module: each requirement a control (id = the full requirement
  id as a token), its citation a part and a link to a back-matter resource for the legal
  source, its rule parameters params, its remediation the guidance part;
- one **profile** for the modules assessed together, importing each catalog;
- a minimal **system security plan** (the platform as ``this-system``) importing the profile,
  so that the plan and the POA&M have the system OSCAL requires them to import;
- the **assessment plan** importing the SSP and naming the controls reviewed;
- the **assessment results** (audit/reports/oscal.py) importing the plan, and the **POA&M**
  importing the SSP.

All hrefs between the documents, and to the evidence files, are relative to the directory the
chain is written to; or, for compliance-trestle (``hrefs="trestle"``), the links between the
documents are ``trestle://`` hrefs into a trestle workspace, where each document is imported
under its file name without ``.json`` and with ``_`` for ``.`` (:func:`trestle_name`): trestle
resolves an import from its workspace, never from the file's directory. See docs/oscal.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from audit.errors import OutputError
from audit.reports.base import write_atomically
from audit.reports.oscal import assessment_results, reviewed_controls
from audit.reports.oscal_common import (
    NS,
    OSCAL_VERSION,
    put_if_set,
    text_or_none,
    _when,
    dump,
    evidence_hrefs,
    prop,
    props,
    stable_uuid,
    token,
)
from audit.reports.oscal_poam import plan_of_action

if TYPE_CHECKING:  # pragma: no cover
    from audit.assessment import Assessment
    from audit.model import Checklist, Requirement

PROFILE = "profile.json"
SSP = "ssp.json"
PLAN = "assessment-plan.json"
RESULTS = "assessment-results.json"
POAM = "poam.json"


HREF_STYLES = ("relative", "trestle")
# the folder of a trestle workspace each kind of document is imported into, and its file there
TRESTLE_MODELS = {"catalog": ("catalogs", "catalog.json"),
                  "profile": ("profiles", "profile.json"),
                  "ssp": ("system-security-plans", "system-security-plan.json"),
                  "plan": ("assessment-plans", "assessment-plan.json")}


def catalog_file(module_id: str) -> str:
    return f"catalog-{module_id}.json"


def trestle_name(file_name: str) -> str:
    """The model name ``trestle import -o`` gives a chain file: trestle reads a dot in a
    model name as a file extension, so ``catalog-eu.gdpr.json`` becomes ``catalog-eu_gdpr``."""
    return file_name.removesuffix(".json").replace(".", "_")


def trestle_href(kind: str, file_name: str) -> str:
    """Where a chain file is once imported into a trestle workspace, as a ``trestle://`` href."""
    folder, model_file = TRESTLE_MODELS[kind]
    return f"trestle://{folder}/{trestle_name(file_name)}/{model_file}"


def _metadata(title: str, version: str, when: dt.datetime,
              remarks: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"title": title, "last-modified": _when(when), "version": version,
                           "oscal-version": OSCAL_VERSION}
    put_if_set(out, "remarks", remarks)
    return out


def _param_value(value: object) -> str:
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _params(control_id: str, req: Requirement) -> list[dict[str, Any]]:
    """Rule parameters as OSCAL params: scalars as values, structures (versions, where) as
    their JSON text, so nothing the rule measures against is lost."""
    out = []
    for key, value in sorted(req.rule.params.items()):
        text = text_or_none(_param_value(value))
        if text is None:
            continue
        out.append({"id": token(f"{control_id}_prm_{key}"), "label": key,
                    "props": [{"name": "rule-parameter", "ns": NS, "value": token(key)}],
                    "values": [text]})
    return out


def control(checklist: Checklist, req: Requirement, source_ids: dict[str, str]) -> dict[str, Any]:
    cid = token(req.full_id)
    citation = req.citation.render(checklist.sources)
    parts: list[dict[str, Any]] = [
        {"id": f"{cid}_smt", "name": "statement",
         "prose": text_or_none(req.description) or text_or_none(req.title) or req.full_id},
        {"id": f"{cid}_cit", "name": "citation", "ns": NS, "title": "Legal citation",
         "prose": text_or_none(citation) or req.citation.source}]
    if text_or_none(req.remediation):
        parts.append({"id": f"{cid}_gdn", "name": "guidance", "prose": text_or_none(req.remediation)})
    if text_or_none(req.question):
        parts.append({"id": f"{cid}_obj", "name": "assessment-objective",
                      "prose": text_or_none(req.question)})
    links = []
    if req.citation.source in source_ids:
        links.append({"href": f"#{source_ids[req.citation.source]}", "rel": "reference",
                      "text": text_or_none(req.citation.article) or req.citation.source})
    if req.citation.url:
        links.append({"href": req.citation.url, "rel": "reference",
                      "text": text_or_none(citation) or req.citation.source})
    out: dict[str, Any] = {
        "id": cid, "class": token(req.rule.type), "title": text_or_none(req.title) or req.full_id,
        "props": props(prop("requirement-id", req.full_id), prop("label", req.id),
                       prop("jurisdiction", req.jurisdiction), prop("area", req.area.value),
                       prop("severity", req.severity.value), prop("weight", req.weight),
                       prop("rule", req.rule.type), prop("legal-status", req.status.value),
                       prop("confidence", req.confidence.value),
                       prop("effective-from", req.effective_from),
                       prop("effective-until", req.effective_until))}
    put_if_set(out, "params", _params(cid, req))
    put_if_set(out, "links", links)
    out["parts"] = parts
    return out


def catalog(checklist: Checklist, when: dt.datetime) -> dict[str, Any]:
    """One checklist module as an OSCAL catalog, controls grouped by area."""
    source_ids = {sid: stable_uuid("source", checklist.id, sid) for sid in checklist.sources}
    groups: dict[str, list[dict[str, Any]]] = {}
    for req in checklist.requirements:
        groups.setdefault(req.area.value, []).append(control(checklist, req, source_ids))
    resources = []
    for sid, src in checklist.sources.items():
        res: dict[str, Any] = {"uuid": source_ids[sid], "title": text_or_none(src.title) or sid,
                               "props": props(prop("source-id", sid),
                                              prop("legal-status", src.status.value
                                                   if src.status else None),
                                              prop("date", src.date),
                                              *(prop("legal-ref", r) for r in src.legal_ref))}
        put_if_set(res, "description", text_or_none(src.note))
        if src.url:
            res["rlinks"] = [{"href": src.url}]
        resources.append(res)
    doc: dict[str, Any] = {
        "uuid": stable_uuid("catalog", checklist.id, checklist.version),
        "metadata": {**_metadata(text_or_none(checklist.title) or checklist.id, str(checklist.version),
                                 when, "Requirements of the platform-audit checklist module "
                                       f"{checklist.id}; texts are the module's own summaries, "
                                       "not the law's wording."),
                     "props": props(prop("checklist", checklist.id),
                                    prop("jurisdiction", checklist.jurisdiction),
                                    prop("legal-status", checklist.status.value),
                                    prop("language", checklist.language))},
        "groups": [{"id": token(f"{checklist.id}_{area}"), "title": area.replace("_", " "),
                    "controls": controls} for area, controls in groups.items()],
    }
    put_if_set(doc, "back-matter", {"resources": resources} if resources else None)
    return {"catalog": doc}


def profile(checklists: Iterable[Checklist], when: dt.datetime,
            href: Callable[[str], str] = catalog_file) -> dict[str, Any]:
    """The modules assessed together, as one profile importing each module's catalog."""
    chosen = list(checklists)
    scope = ";".join(f"{c.id}@{c.version}" for c in chosen)
    return {"profile": {
        "uuid": stable_uuid("profile", scope),
        "metadata": _metadata("platform-audit selection: " + ", ".join(c.id for c in chosen),
                              scope, when),
        "imports": [{"href": href(c.id), "include-all": {}} for c in chosen],
        "merge": {"as-is": True},
    }}


class _System:
    """The platform as OSCAL sees it: ids shared by the SSP, the plan and the POA&M."""

    def __init__(self, a: Assessment) -> None:
        self.a = a
        self.name = text_or_none(a.platform.get("name")) or "(unnamed platform)"
        self.scope = ";".join(f"{c.id}@{c.version}" for c in a.checklists)
        self.component = stable_uuid("component", self.name)
        self.system_id = token(self.name)

    def controls(self) -> list[str]:
        return [token(r.requirement.full_id) for r in self.a.results]


def system_security_plan(a: Assessment, profile_href: str = PROFILE) -> dict[str, Any]:
    """A minimal SSP: it describes the platform and claims no implementation; OSCAL needs one
    for the assessment plan and the POA&M to import."""
    s = _System(a)
    when = a.generated_at
    description = (f"{s.name} as assessed by platform-audit. This plan is generated so the "
                   "assessment plan and the POA&M have a system to refer to; it states no "
                   "implementation: what the platform does is in the assessment results.")
    return {"system-security-plan": {
        "uuid": stable_uuid("ssp", s.name, s.scope),
        "metadata": _metadata(f"{s.name}: system description for platform-audit", s.scope,
                              when),
        "import-profile": {"href": profile_href},
        "system-characteristics": {
            "system-ids": [{"identifier-type": NS, "id": s.system_id}],
            "system-name": s.name,
            "description": description,
            "system-information": {"information-types": [{
                "uuid": stable_uuid("information-type", s.name),
                "title": "User data and communications",
                "description": "Personal data and messages of the platform's users, and the "
                               "records of requests and incidents the checklists ask about."}]},
            "status": {"state": "operational"},
            "authorization-boundary": {"description": "The messaging platform named above, as "
                                                      "described by its evidence pack."},
        },
        "system-implementation": {
            "users": [{"uuid": stable_uuid("user", s.name), "title": "Platform users"}],
            "components": [{"uuid": s.component, "type": "this-system", "title": s.name,
                            "description": "The whole platform.",
                            "status": {"state": "operational"}}],
        },
        "control-implementation": {
            "description": "Every requirement of the profile; how each is met is assessed, "
                           "not claimed, here.",
            "implemented-requirements": [
                {"uuid": stable_uuid("implemented-requirement", s.name, cid), "control-id": cid,
                 "remarks": "See the assessment results for the finding."}
                for cid in s.controls()],
        },
    }}


def assessment_plan(a: Assessment, ssp_href: str = SSP) -> dict[str, Any]:
    """The plan the results import: the controls reviewed, the platform as the subject."""
    s = _System(a)
    return {"assessment-plan": {
        "uuid": stable_uuid("assessment-plan", s.name, s.scope),
        "metadata": _metadata(f"{s.name}: assessment plan (" + ", ".join(
            c.id for c in a.checklists) + ")", s.scope, a.generated_at),
        "import-ssp": {"href": ssp_href},
        "reviewed-controls": reviewed_controls(a),
        "assessment-subjects": [{"type": "component", "include-subjects": [
            {"subject-uuid": s.component, "type": "component"}]}],
        "terms-and-conditions": {"parts": [{
            "name": "method", "ns": NS, "title": "Method",
            "prose": "platform-audit evaluates every requirement against the evidence pack "
                     "(answers, documents, logs measured on DuckDB, waivers) as of the "
                     "assessment date and scores it; see the assessment results."}]},
    }}


def write_chain(a: Assessment, checklists: Iterable[Checklist], directory: Path,
                refuse: Callable[[Path], None] | None = None, hrefs: str = "relative"
                ) -> list[str]:
    """Write every document of the chain into ``directory`` (atomically, file by file);
    ``checklists`` are the modules assessed (bundled, from plugins or from paths); ``hrefs``
    one of ``HREF_STYLES``. Returns the file names written, in the order to import them."""
    chosen = list(checklists)
    evidence_href = evidence_hrefs(a, directory)
    if hrefs == "trestle":
        def link(kind: str, name: str) -> str:
            return trestle_href(kind, name)
    else:
        def link(kind: str, name: str) -> str:
            return name
    docs: dict[str, dict[str, Any]] = {catalog_file(c.id): catalog(c, a.generated_at)
                                       for c in chosen}
    docs[PROFILE] = profile(chosen, a.generated_at,
                            href=lambda mid: link("catalog", catalog_file(mid)))
    docs[SSP] = system_security_plan(a, profile_href=link("profile", PROFILE))
    docs[PLAN] = assessment_plan(a, ssp_href=link("ssp", SSP))
    docs[RESULTS] = assessment_results(a, plan_href=link("plan", PLAN),
                                       evidence_href=evidence_href)
    docs[POAM] = plan_of_action(a, ssp_href=link("ssp", SSP), evidence_href=evidence_href)
    for name in docs:
        if refuse is not None:
            refuse(directory / name)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{directory}: cannot create the directory: "
                          f"{exc.strerror or exc}") from None
    for name, doc in docs.items():
        write_atomically(directory / name, functools.partial(dump, doc), False)
    return list(docs)
