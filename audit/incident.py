"""One incident, read from its file and checked: the input of the notice planner.

Everything that can be wrong with an incident file is found here, before any rule runs: a
missing detection time, a time without an offset (a deadline "to the minute" needs one), an
unknown country (with a did-you-mean), a negative count, a notice sent before the incident was
detected. Each is one located line (file, key, line), as for every other input.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from audit.errors import EvidenceError, Problem
from audit.schemas.common import validate
from audit.schemas.incident import INCIDENT, NOTICE_KINDS
from audit.yamlio import YamlDocument, YamlProblem, load_yaml

# codes people write for a country whose ISO 3166-1 code differs
COMMON_MISTAKES = {"UK": "GB", "EL": "GR", "KS": "XK"}
_NOTICE_KEY = {column: key for key, column in NOTICE_KINDS.items()}
EU_MEMBERS = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO "
                       "SK SI ES SE".split())


@dataclass(frozen=True)
class Incident:
    """A checked incident. Times are aware datetimes; ``affected`` maps a country (or a
    subdivision such as ``US-TX``) to people affected; ``notified`` maps a jurisdiction code
    or module id to the breaches-log columns of notices already sent, with their times."""

    id: str
    kind: str
    detected_at: dt.datetime
    affected: Mapping[str, int]
    occurred_at: dt.datetime | None = None
    aware_at: dt.datetime | None = None  # None: at detection
    assessed_at: dt.datetime | None = None
    determined_at: dt.datetime | None = None
    data_categories: tuple[str, ...] = ()
    high_risk: bool | None = None
    critical_infrastructure: bool | None = None
    notified: Mapping[str, Mapping[str, dt.datetime]] = field(default_factory=dict)
    file: str = ""

    @property
    def regions(self) -> tuple[str, ...]:
        """Affected countries and the subdivisions given (``US``, ``US-TX``), in order: the
        values a rule's ``countries`` filter may name."""
        return tuple(dict.fromkeys(code for given in self.affected
                                   for code in (given.split("-")[0], given)))

    @property
    def countries(self) -> tuple[str, ...]:
        """Affected countries (a subdivision counts for its country), in order."""
        return tuple(dict.fromkeys(code.split("-")[0] for code in self.affected))

    @property
    def total_affected(self) -> int:
        """People affected in all, counting each country once (its own figure, else the sum
        of its subdivisions')."""
        total = 0
        for country in self.countries:
            own = self.affected.get(country)
            total += own if own is not None else sum(
                n for code, n in self.affected.items() if code.startswith(country + "-"))
        return total

    def times(self) -> list[tuple[str, dt.datetime]]:
        """Every time the file gives, with its key (``notified.EU.authority``)."""
        given = [("detected_at", self.detected_at), ("occurred_at", self.occurred_at),
                 ("aware_at", self.aware_at), ("assessed_at", self.assessed_at),
                 ("determined_at", self.determined_at)]
        given += [(f"notified.{key}.{_NOTICE_KEY[column]}", when)
                  for key, sent in self.notified.items() for column, when in sent.items()]
        return [(key, when) for key, when in given if when is not None]

    def latest_time(self) -> dt.datetime:
        times = [self.detected_at, self.occurred_at, self.aware_at, self.assessed_at,
                 self.determined_at,
                 *(t for sent in self.notified.values() for t in sent.values())]
        return max(t for t in times if t is not None)


def read_incident(path: Path, display: str | None = None) -> Incident:
    """The incident in ``path`` (YAML or JSON), or an ``EvidenceError`` naming each problem."""
    try:
        doc = load_yaml(path, display or str(path))
    except YamlProblem as exc:
        raise EvidenceError(problems=[exc.problem]) from None
    problems = [doc.problem(p, m) for p, m in validate(doc.data, INCIDENT)]
    if problems:
        raise EvidenceError(problems=problems)
    return _checked(doc)


def _checked(doc: YamlDocument) -> Incident:
    data = doc.data
    problems: list[Problem] = []

    def time(path: tuple[str, ...], value: object) -> dt.datetime | None:
        if value is None:
            return None
        parsed = value if isinstance(value, dt.datetime) else parse_time(str(value))
        if parsed is None:
            problems.append(doc.problem(path, f"expected a time such as "
                                              f"2026-12-03T14:20:00+03:00, got {value!r}"))
        elif parsed.utcoffset() is None:
            problems.append(doc.problem(path, "a time needs its offset (+03:00, Z): the "
                                              "deadlines are computed to the minute"))
            return None
        return parsed

    detected = time(("detected_at",), data["detected_at"])
    occurred = time(("occurred_at",), data.get("occurred_at"))
    assessed = time(("assessed_at",), data.get("assessed_at"))
    aware = time(("aware_at",), data.get("aware_at"))
    determined = time(("determined_at",), data.get("determined_at"))
    notified: dict[str, dict[str, dt.datetime]] = {}
    for key, sent in (data.get("notified") or {}).items():
        for kind, value in (sent or {}).items():
            when = time(("notified", key, kind), value)
            if when is None:
                continue
            if detected is not None and when < detected:
                problems.append(doc.problem(("notified", key, kind),
                                            "sent before the incident was detected "
                                            f"({detected.isoformat()})"))
            notified.setdefault(key, {})[NOTICE_KINDS[kind]] = when
    for key, when in (("assessed_at", assessed), ("determined_at", determined)):
        if detected is not None and when is not None and when < detected:
            problems.append(doc.problem((key,), "before the incident was detected "
                                                f"({detected.isoformat()})"))
    for code in data["affected"]:
        if why := _region_problem(code):
            problems.append(doc.problem(("affected", code), why))
    if problems or detected is None:
        raise EvidenceError(problems=problems)
    return Incident(
        id=str(data["incident"]), kind=data.get("kind") or "personal_data_breach",
        detected_at=detected, occurred_at=occurred, aware_at=aware, assessed_at=assessed,
        determined_at=determined,
        affected={str(k): int(v) for k, v in data["affected"].items()},
        data_categories=tuple(data.get("data_categories") or ()),
        high_risk=data.get("high_risk"), critical_infrastructure=data.get(
            "critical_infrastructure"), notified=notified, file=doc.file)


def parse_time(text: str) -> dt.datetime | None:
    """An ISO 8601 time (``Z`` for UTC accepted), or None when it is not one."""
    try:
        return dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _region_problem(code: str) -> str | None:
    """Why ``code`` names no country (or no subdivision of one), with the closest known."""
    country, _, part = code.partition("-")
    known = countries()
    if country not in known and country in COMMON_MISTAKES:
        meant = COMMON_MISTAKES[country]
        return (f"unknown country code {country!r} (ISO 3166-1 alpha-2); did you mean "
                f"{meant} ({known[meant]})?")
    if country not in known:
        close = difflib.get_close_matches(country, sorted(known), n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]} ({known[close[0]]})?" if close else ""
        return f"unknown country code {country!r} (ISO 3166-1 alpha-2){hint}"
    subdivisions = _subdivisions(country)
    if part and subdivisions and part not in subdivisions:
        close = difflib.get_close_matches(part, sorted(subdivisions), n=1, cutoff=0.5)
        hint = f"; did you mean {country}-{close[0]}?" if close else ""
        return f"unknown subdivision {code!r} of {known[country]}{hint}"
    return None


@cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 codes and English names, from Babel's CLDR data (already a
    dependency for the report languages), so no country list is kept by hand."""
    import babel  # deferred: babel loads its locale data on first use

    territories = babel.Locale("en").territories
    return {code: name for code, name in territories.items()
            if len(code) == 2 and code.isalpha() and code not in ("EU", "EZ", "UN", "QO", "ZZ")}


@cache
def _subdivisions(country: str) -> frozenset[str]:
    """Subdivision codes the holiday calendars know for ``country`` (empty when none)."""
    import holidays  # deferred: its calendars load in ~60 ms

    try:
        return frozenset(holidays.country_holidays(country).subdivisions)
    except NotImplementedError:
        return frozenset()
