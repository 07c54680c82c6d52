"""The OSCAL objects an assessment's results and its POA&M share: metadata, evidence-file
and requirement observations, findings and risks, each with a stable UUID.

``audit.reports.oscal`` (assessment results) and ``audit.reports.oscal_poam`` (plan of action
and milestones) both build their documents from one :class:`ResultDocument`.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from audit.assessment import Assessment, RequirementResult
from audit.model import Finding, Proof, Status
from audit.reports.oscal_common import (NS, OSCAL_VERSION, ROLE_ASSESSOR, end_of_day, put_if_set, text_or_none,
                                        _start_of_day, _when, prop, props,
                                        stable_uuid, token)
from audit.reports.process_json import milestone_tasks
from audit.reports.xlsx_columns import priority


class ResultDocument:
    """What both documents share: ids, parties, observations, findings and risks."""

    def __init__(self, a: Assessment, evidence_href: Callable[[str], str] | None = None) -> None:
        self.a = a
        # evidence links: the pack-relative path, or (in the chain) relative to the OSCAL file
        self.evidence_href = evidence_href or (lambda path: path)
        self.platform = text_or_none(a.platform.get("name")) or "(unnamed platform)"
        self.scope = ";".join(f"{c.id}@{c.version}" for c in a.checklists)
        self.as_of = a.as_of.isoformat()
        self.when = _when(a.generated_at)
        self.party = stable_uuid("party", self.platform)
        self.tool = stable_uuid("tool", "platform-audit")
        self.files = {f.path: f for f in a.evidence_files}
        self.by_role: dict[str, list[str]] = {}
        for f in a.evidence_files:
            self.by_role.setdefault(f.role, []).append(f.path)

    # -- ids -------------------------------------------------------------------------------

    def uid(self, kind: str, *parts: object, per_run: bool = True) -> str:
        return stable_uuid(kind, self.platform, *((self.as_of,) if per_run else ()), *parts)

    def resource_id(self, path: str) -> str:
        return self.uid("resource", path)

    def file_observation_id(self, path: str) -> str:
        return self.uid("evidence-observation", path)

    def req_observation_id(self, r: RequirementResult) -> str:
        return self.uid("requirement-observation", r.requirement.full_id)

    def finding_id(self, r: RequirementResult) -> str:
        return self.uid("finding", r.requirement.full_id)

    def risk_id(self, r: RequirementResult) -> str:
        return self.uid("risk", r.requirement.full_id)

    # -- metadata and back-matter ----------------------------------------------------------

    def metadata(self, title: str) -> dict[str, Any]:
        a = self.a
        org: dict[str, Any] = {"uuid": self.party, "type": "organization", "name": self.platform}
        if a.platform.get("legal_name"):
            org["short-name"] = self.platform
            org["name"] = a.platform["legal_name"]
        return {
            "title": title,
            "last-modified": self.when,
            "version": f"{self.as_of}",
            "oscal-version": OSCAL_VERSION,
            "props": props(prop("tool", f"platform-audit {a.tool_version}"),
                           prop("as-of", self.as_of),
                           prop("scoring-model", a.scoring_model)),
            "roles": [{"id": ROLE_ASSESSOR, "title": "Assessor (platform-audit run)"},
                      {"id": "assessed-platform", "title": "Platform assessed"}],
            "parties": [org, {"uuid": self.tool, "type": "organization",
                              "name": "platform-audit (automated assessment tool)"}],
            "responsible-parties": [
                {"role-id": ROLE_ASSESSOR, "party-uuids": [self.tool]},
                {"role-id": "assessed-platform", "party-uuids": [self.party]}],
        }

    def plan_resource_id(self) -> str:
        return stable_uuid("assessment-plan", self.platform, self.scope)

    def back_matter(self, paths: Iterable[str] | None = None,
                    plan: bool = True) -> dict[str, Any]:
        a = self.a
        plan_resource: dict[str, Any] = {
            "uuid": self.plan_resource_id(),
            "title": "Assessment plan: platform-audit checklist modules",
            "description": ("platform-audit does not write a separate OSCAL assessment plan: "
                            "the plan is the checklist modules below, at these versions, "
                            f"evaluated against the evidence pack as of {self.as_of}. "
                            + "; ".join(f"{c.id} version {c.version} ({c.jurisdiction}, "
                                        f"{c.status}): {c.title}" for c in a.checklists)),
            "props": props(*(prop("checklist", f"{c.id}@{c.version}") for c in a.checklists)),
        }
        resources = [plan_resource] if plan else []
        wanted = self.files if paths is None else {p: self.files[p] for p in paths}
        for path, f in wanted.items():
            resources.append({
                "uuid": self.resource_id(path),
                "title": path,
                "description": f"Evidence file ({f.role}), {f.size} bytes, as read by "
                               "platform-audit; the hash is of the exact bytes judged.",
                "props": props(prop("role", f.role), prop("size", f.size)),
                "rlinks": [{"href": self.evidence_href(path), "hashes": [{"algorithm": "SHA-256",
                                                      "value": f.sha256}]}],
            })
        return {"resources": resources}

    # -- observations ----------------------------------------------------------------------

    def file_observation(self, path: str) -> dict[str, Any]:
        f = self.files[path]
        return {
            "uuid": self.file_observation_id(path),
            "title": f"Evidence: {path}",
            "description": f"Evidence file {path} ({f.role}, {f.size} bytes) read from the "
                           f"evidence pack; SHA-256 {f.sha256}.",
            "props": props(prop("evidence-role", f.role), prop("sha256", f.sha256)),
            "methods": ["EXAMINE"],
            "types": ["historic"],
            "origins": [self.origin()],
            "relevant-evidence": [{
                "href": f"#{self.resource_id(path)}",
                "description": f"{path} ({f.role})",
                "props": props(prop("path", path), prop("sha256", f.sha256),
                               prop("size", f.size)),
            }],
            "collected": self.when,
        }

    def origin(self) -> dict[str, Any]:
        return {"actors": [{"type": "tool", "actor-uuid": self.tool}]}

    def proof_files(self, r: RequirementResult) -> list[str]:
        """Evidence files a finding rests on, in evidence order."""
        found: set[str] = set()

        def walk(finding: Finding) -> None:
            for p in finding.proof:
                ref = re.sub(r":\d+$", "", p.ref)
                if ref in self.files:
                    found.add(ref)
                elif p.kind == "profile":
                    found.update(self.by_role.get("profile", []))
                elif p.kind == "waiver":
                    found.update(self.by_role.get("waivers", []))
                elif p.kind == "log":
                    log = self.a.logs.get(p.ref)
                    if log and log.get("path") in self.files:
                        found.add(log["path"])
            for child in finding.children:
                walk(child)

        walk(r.finding)
        return [p for p in self.files if p in found]

    def req_observation(self, r: RequirementResult) -> dict[str, Any]:
        req, f = r.requirement, r.finding
        method = {"attestation": "INTERVIEW", "document": "EXAMINE", "officer": "EXAMINE"}.get(
            req.rule.type, "TEST")
        figures = [prop(k, v, "figure") for k, v in sorted(dict(f.figures).items())
                   if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
        proof = [{"description": f"{p.kind}: {p.ref}" + (f" ({p.detail})" if p.detail else ""),
                  **({"href": f"#{self.resource_id(re.sub(r':[0-9]+$', '', p.ref))}"}
                     if re.sub(r":\d+$", "", p.ref) in self.files else {}),
                  "props": props(prop("proof-kind", p.kind), prop("ref", p.ref))}
                 for p in _all_proof(f)]
        obs: dict[str, Any] = {
            "uuid": self.req_observation_id(r),
            "title": f"{req.full_id}: {req.title}",
            "description": f.summary.strip() or f"status {f.status.value}",
            "props": props(prop("requirement-id", req.full_id), prop("rule", req.rule.type),
                           prop("status", f.status.value), prop("score", f.score), *figures),
            "methods": [method],
            "types": ["finding"],
            "origins": [self.origin()],
            "collected": self.when,
        }
        put_if_set(obs, "relevant-evidence", proof)
        return obs

    # -- findings and risks ----------------------------------------------------------------

    def finding(self, r: RequirementResult, with_risk: bool) -> dict[str, Any]:
        req, f = r.requirement, r.finding
        satisfied = f.status is Status.MET
        reason = ("pass" if satisfied else
                  "fail" if f.status in (Status.NOT_MET, Status.PARTIAL, Status.NO_EVIDENCE)
                  else "other")
        remarks = f"platform-audit status: {f.status.value}, score {f.score:.2f}."
        if r.waiver is not None:
            remarks += f" {r.waiver.note}."
        if r.applicability != "applies":
            remarks += f" {r.applicability}."
        out: dict[str, Any] = {
            "uuid": self.finding_id(r),
            "title": f"{req.full_id}: {req.title}",
            "description": f.summary.strip() or f"status {f.status.value}",
            "props": props(prop("requirement-id", req.full_id), prop("checklist", r.checklist),
                           prop("jurisdiction", req.jurisdiction), prop("area", req.area.value),
                           prop("severity", req.severity.value), prop("weight", req.weight),
                           prop("status", f.status.value), prop("score", f.score),
                           prop("status-without-waivers", r.underlying.status.value),
                           prop("citation", self.a.citation(r)),
                           prop("legal-status", req.status.value),
                           prop("confidence", req.confidence.value)),
            "origins": [self.origin()],
            "target": {
                "type": "objective-id",
                "target-id": token(req.full_id),
                "title": req.title,
                "status": {"state": "satisfied" if satisfied else "not-satisfied",
                           "reason": reason, "remarks": remarks},
            },
            "related-observations": [{"observation-uuid": self.req_observation_id(r)}]
            + [{"observation-uuid": self.file_observation_id(p)} for p in self.proof_files(r)],
        }
        url = self.a.source_url(r)
        if url:
            out["links"] = [{"href": url, "rel": "reference", "text": self.a.citation(r)}]
        if with_risk:
            out["related-risks"] = [{"risk-uuid": self.risk_id(r)}]
        return out

    def risk(self, r: RequirementResult) -> dict[str, Any]:
        req, f = r.requirement, r.finding
        waived = f.status is Status.WAIVED
        risk: dict[str, Any] = {
            "uuid": self.risk_id(r),
            "title": f"{req.full_id}: {req.title}",
            "description": f.summary.strip() or f"status {f.status.value}",
            "statement": (f"{req.title} ({self.a.citation(r)}) is not met: "
                          f"{r.underlying.summary.strip() or r.underlying.status.value}. "
                          f"Severity {req.severity.value}."),
            "props": props(prop("requirement-id", req.full_id),
                           prop("priority", priority(r)),
                           prop("status", f.status.value)),
            "status": "deviation-approved" if waived else "open",
            "characterizations": [{
                "origin": self.origin(),
                "facets": [{"name": "severity", "system": NS, "value": req.severity.value},
                           {"name": "priority", "system": NS, "value": priority(r)},
                           {"name": "score", "system": NS, "value": f"{r.underlying.score:.2f}"}],
            }],
            "remediations": [{
                "uuid": self.uid("remediation", req.full_id),
                "lifecycle": "recommendation",
                "title": f"Remediate {req.full_id}",
                "description": " ".join(req.remediation.split()) or "No remediation given.",
                "origins": [self.origin()],
            }],
            "related-observations": [{"observation-uuid": self.req_observation_id(r)}],
        }
        put_if_set(risk["remediations"][0], "tasks", milestone_tasks(self.a, req.full_id, self.uid))
        if r.waiver is not None and r.waiver.active:
            risk["deadline"] = end_of_day(r.waiver.waiver.expires)
            risk["risk-log"] = {"entries": [{
                "uuid": self.uid("risk-log", req.full_id),
                "title": "Deviation approved (waiver)",
                "description": (f"Waived until {r.waiver.waiver.expires} by "
                                f"{r.waiver.waiver.approved_by}: "
                                f"{' '.join(r.waiver.waiver.justification.split())}"),
                "start": (_start_of_day(r.waiver.waiver.granted)
                          if r.waiver.waiver.granted else self.when),
                "status-change": "deviation-approved",
            }]}
        return risk


def _all_proof(finding: Finding) -> list[Proof]:
    out, seen = [], set()

    def walk(f: Finding) -> None:
        for p in f.proof:
            key = (p.kind, p.ref, p.detail)
            if key not in seen:
                seen.add(key)
                out.append(p)
        for child in f.children:
            walk(child)

    walk(finding)
    return out


def planned(r: RequirementResult) -> bool:
    """In the POA&M: every gap, and every waived requirement (an approved deviation)."""
    return r.status.is_gap or r.status is Status.WAIVED
