"""The notice planner: one incident in, every notice the selected law requires out, each with
its deadline to the minute.

It asks the same deadline rules that ``audit assess`` judges a breaches log with: the incident
becomes a one-row breaches log (one per module, with the notices already sent for that
jurisdiction), and each rule's own measurement (``audit.logs.metrics.measure_deadline``, with
its dated versions, start columns, time zone, business days and holiday calendar) gives the
deadline of that row. So planning an incident, then assessing the log that records how it was
handled, gives the same deadlines (tests/test_notices.py holds them to it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import csv
import datetime as dt
import zoneinfo
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from audit.applicability import APPLIES, applicability
from audit.engine import create_engine
from audit.engine.base import LogEngine
from audit.engine.settings import EngineSettings
from audit.evaluators.base import rule_versions
from audit.evaluators.deadline import deadline_spec
from audit.evaluators.start_events import thresholds
from audit.i18n import _, format_date
from audit.incident import EU_MEMBERS, Incident, parse_time
from audit.ledger import scope_text
from audit.logs.filters import where_sql
from audit.logs.metrics import measure_deadline
from audit.model import Area, Checklist, ChecklistStatus, Requirement, Rule

INCIDENT_LOG = "breaches"  # the log the breach and incident clocks are written against
# the breaches log's columns the planner fills from an incident (others stay empty)
_FIXED_COLUMNS = ("incident_id", "kind", "occurred_at", "detected_at", "aware_at",
                  "assessed_at", "determined_at",
                  "authority_notified_at", "users_notified_at", "cert_notified_at",
                  "report_completed_at", "records_affected", "data_categories", "countries",
                  "high_risk", "critical_infrastructure")

DUE, OVERDUE, DONE, LATE, WAITING = "due", "overdue", "done", "late", "waiting"


@dataclass(frozen=True)
class Duty:
    """One notice owed (or, for a draft or a law not yet in force, one that would be)."""

    requirement: Requirement
    module: Checklist
    start_column: str
    end_column: str
    within: str  # the clock of the version in force, e.g. "72h", "3 business days"
    timezone: str
    threshold: Mapping[str, object]  # the rule's conditions on the incident besides countries
    version_from: dt.date | None
    started_at: dt.datetime | None  # None: the start event has not happened yet
    due: dt.datetime | None  # aware, UTC
    done_at: dt.datetime | None
    state: str  # DUE, OVERDUE, DONE, LATE or WAITING
    hours: float | None  # hours left (DUE), overdue (OVERDUE), late (LATE); else None
    # WAITING on another notice of the same module (Egypt: 3 working days from the report to
    # the Centre): the deadline if that notice is sent at its own deadline, the latest date
    latest_due: dt.datetime | None = None
    applicability: str = ""  # why it may not apply ("not established ..."); empty when it does
    next_day: bool = False  # the clock counts from the day after its start (Singapore)

    @property
    def is_law(self) -> bool:
        return _in_force(self.module, self.requirement)

    @property
    def legal_status(self) -> ChecklistStatus:
        if self.requirement.status is not ChecklistStatus.IN_FORCE:
            return self.requirement.status
        return self.module.status

    def local_due(self) -> dt.datetime | None:
        """The deadline in the law's own time zone."""
        return None if self.due is None else self.due.astimezone(zoneinfo.ZoneInfo(self.timezone))


@dataclass(frozen=True)
class Silence:
    """An affected country where no selected module sets a notice duty in force, with the
    breach-disclosure requirements only drafted, proposed, practised or enacted for it."""

    country: str
    not_law: tuple[Requirement, ...]


@dataclass(frozen=True)
class Plan:
    incident: Incident
    now: dt.datetime
    duties: tuple[Duty, ...]  # in force, by deadline (waiting ones last)
    not_law: tuple[Duty, ...]
    silent: tuple[Silence, ...]
    modules: tuple[Checklist, ...]
    set_aside: tuple[tuple[Requirement, str], ...]  # rules that do not concern this incident

    def overdue(self) -> list[Duty]:
        return [d for d in self.duties if d.state == OVERDUE]


def _in_force(module: Checklist, req: Requirement) -> bool:
    """Law in force, as opposed to a draft, proposal, practice or enacted-not-commenced text
    (those are listed apart, never as duties)."""
    return (module.status is ChecklistStatus.IN_FORCE
            and req.status is ChecklistStatus.IN_FORCE)


def modules_for(incident: Incident, library: Sequence[Checklist]) -> list[Checklist]:
    """The modules of every jurisdiction with affected people: the country's own, a
    subdivision's own where its code is given (US-TX), and the EU's for a member state."""
    codes = set(incident.affected) | set(incident.countries)
    if EU_MEMBERS & set(incident.countries):
        codes.add("EU")
    return [c for c in library if c.jurisdiction in codes
            and c.status is not ChecklistStatus.SUPERSEDED]


def plan(incident: Incident, checklists: Sequence[Checklist], profile: Mapping[str, object],
         now: dt.datetime, settings: EngineSettings | None = None) -> Plan:
    """Every notice the ``checklists`` require for ``incident``, with its state at ``now``."""
    duties: list[Duty] = []
    set_aside: list[tuple[Requirement, str]] = []
    as_of = max(now, incident.latest_time()).date()
    with tempfile.TemporaryDirectory(prefix="audit-notices-") as folder:
        for module in checklists:
            rules = [(req, rule) for req in module.requirements
                     for rule in _deadline_rules(req.rule) if rule.params["log"] == INCIDENT_LOG]
            if not rules:
                continue
            row = _row(incident, module, rules)
            with _engine_over(row, Path(folder) / f"{module.id}.csv", settings) as engine:
                found = []
                for req, rule in rules:
                    applies, why = applicability(req, profile, incident.detected_at.date())
                    if not applies:
                        set_aside.append((req, why))
                        continue
                    duty = _duty(engine, req, rule, module, row, as_of, now)
                    if isinstance(duty, str):
                        set_aside.append((req, duty))
                    else:
                        found.append((rule, dataclasses.replace(
                            duty, applicability="" if why == APPLIES else why)))
            duties += _with_latest(found, module, row, Path(folder), as_of, now, settings)
    in_force = sorted((d for d in duties if d.is_law), key=_by_deadline)
    not_law = sorted((d for d in duties if not d.is_law), key=_by_deadline)
    return Plan(incident, now, tuple(in_force), tuple(not_law),
                tuple(_silences(incident, in_force, checklists)), tuple(checklists),
                tuple(set_aside))


def _with_latest(found: Sequence[tuple[Rule, Duty]], module: Checklist, row: Mapping[str, str],
                 folder: Path, as_of: dt.date, now: dt.datetime,
                 settings: EngineSettings | None) -> list[Duty]:
    """Duties, those waiting on another notice of the module given their latest deadline: the
    one they have if that notice is sent at its own deadline (same rule, same clock)."""
    sent_by = {d.end_column: d.due for _rule, d in found if d.due is not None}
    out = []
    for rule, duty in found:
        before = sent_by.get(duty.start_column)
        if duty.state != WAITING or before is None:
            out.append(duty)
            continue
        projected = {**row, duty.start_column: before.isoformat()}
        path = folder / f"{module.id}-{duty.requirement.id}-latest.csv"
        with _engine_over(projected, path, settings) as engine:
            latest = _duty(engine, duty.requirement, rule, module, projected, as_of, now)
        out.append(dataclasses.replace(duty, latest_due=latest.due)
                   if isinstance(latest, Duty) else duty)
    return out


def _by_deadline(duty: Duty) -> tuple[int, dt.datetime, str]:
    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    return (duty.due is None, duty.due or far, duty.requirement.full_id)


def _deadline_rules(rule: Rule) -> Iterator[Rule]:
    """Deadline rules, also inside combinations (``all_of``, ``any_of``)."""
    if rule.type == "deadline":
        yield rule
    for nested in rule.params.get("rules") or ():
        if isinstance(nested, Rule):
            yield from _deadline_rules(nested)


def _row(incident: Incident, module: Checklist,
         rules: Sequence[tuple[Requirement, Rule]]) -> dict[str, str]:
    """The incident as one row of the breaches log, as this module's rules read it."""
    sent = {**incident.notified.get(module.jurisdiction, {}),
            **incident.notified.get(module.id, {})}
    countries = list(incident.regions)
    if EU_MEMBERS & set(countries):
        countries.append("EU")

    def stamp(value: dt.datetime | None) -> str:
        return "" if value is None else value.isoformat()

    row = {column: "" for column in _FIXED_COLUMNS}
    for _req, rule in rules:  # any further column a rule reads stays empty
        row.update({c: "" for c in (rule.params.get("where") or {}) if c not in row})
    row.update({
        "incident_id": incident.id, "kind": incident.kind,
        "occurred_at": stamp(incident.occurred_at), "detected_at": stamp(incident.detected_at),
        "aware_at": stamp(incident.aware_at or incident.detected_at),
        "assessed_at": stamp(incident.assessed_at),
        "determined_at": stamp(incident.determined_at),
        "records_affected": str(incident.total_affected),
        "data_categories": ";".join(incident.data_categories), "countries": ";".join(countries),
        "high_risk": _yes_no(incident.high_risk),
        "critical_infrastructure": _yes_no(incident.critical_infrastructure)})
    # people affected in one jurisdiction, for thresholds counted there (Texas: 250 residents)
    row.update({"affected_" + code.lower().replace("-", "_"): str(n)
                for code, n in incident.affected.items()})
    row.update({column: stamp(when) for column, when in sent.items()})
    return row


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


@contextlib.contextmanager
def _engine_over(row: Mapping[str, str], path: Path,
                 settings: EngineSettings | None) -> Iterator[LogEngine]:
    """An engine (DuckDB unless told otherwise) over the one-row breaches log in ``path``."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(dict(row))
    engine = create_engine(settings or EngineSettings())
    engine.load(INCIDENT_LOG, path, f"incident ({path.stem})")
    yield engine


def _duty(engine: LogEngine, req: Requirement, rule: Rule, module: Checklist,
          row: Mapping[str, str], as_of: dt.date, now: dt.datetime) -> Duty | str:
    """The duty this rule sets for the incident, or why it sets none."""
    spec = deadline_spec(req, rule, as_of)
    selected = engine.query(f"SELECT count(*) FROM {engine.relation(INCIDENT_LOG)} "
                            f"WHERE {where_sql(engine, INCIDENT_LOG, spec.where)}")[0][0]
    threshold = {k: v for k, v in spec.where.items() if k != "countries"}
    if not selected:
        return _("the incident is outside the rule's scope: {conditions}",
                 conditions=_("; ").join(thresholds(threshold)) or scope_text(spec.where))
    versions = rule_versions(rule)
    start_column = spec.start
    started = _time(row.get(start_column))
    if started is None:
        version = versions[-1]
        return Duty(req, module, start_column, spec.end, str(version.params["within"]),
                    spec.timezone, threshold, version.valid_from, None, None,
                    _time(row.get(spec.end)), WAITING, None, next_day=spec.from_next_day)
    # the judged period must reach the start (a projected one may lie beyond the plan's date)
    result = measure_deadline(engine, dataclasses.replace(spec, as_of=max(as_of,
                                                                          started.date())))
    judged = engine.query(result.due_sql)
    if not judged:
        first = versions[0].valid_from
        return _("no version of this clock was in force when its start event happened "
                 "({date}); the first applies from {first}", date=format_date(started.date()),
                 first=format_date(first))
    _id, index, due_text = judged[0]
    version = versions[int(index)]
    own_start = version.params.get("start") or spec.start
    started = _time(row.get(own_start))
    due = dt.datetime.fromisoformat(str(due_text))
    done_at = _time(row.get(spec.end))
    if done_at is not None:
        state = DONE if done_at <= due else LATE
        hours = None if state == DONE else (done_at - due).total_seconds() / 3600
    else:
        left = (due - now).total_seconds() / 3600
        state, hours = (DUE, left) if left >= 0 else (OVERDUE, -left)
    return Duty(req, module, own_start, spec.end, str(version.params["within"]), spec.timezone,
                threshold, version.valid_from, started, due, done_at, state, hours,
                next_day=spec.from_next_day)


def _time(text: str | None) -> dt.datetime | None:
    return parse_time(text) if text else None


def _silences(incident: Incident, in_force: Sequence[Duty],
              checklists: Sequence[Checklist]) -> Iterator[Silence]:
    """Affected countries without a duty in force, with what is only drafted for them."""
    def covers(jurisdiction: str, country: str) -> bool:
        return jurisdiction.split("-")[0] == country or (jurisdiction == "EU"
                                                         and country in EU_MEMBERS)

    for country in incident.countries:
        if any(covers(d.module.jurisdiction, country) for d in in_force):
            continue
        drafted = tuple(req for module in checklists if covers(module.jurisdiction, country)
                        for req in module.requirements if req.area is Area.BREACH_DISCLOSURE
                        and not _in_force(module, req))
        yield Silence(country, drafted)


__all__ = ["DONE", "DUE", "Duty", "LATE", "OVERDUE", "Plan", "Silence", "WAITING",
           "modules_for", "plan"]
