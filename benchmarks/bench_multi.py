"""The multi-rule case: every bundled module on a platform active in every bundled
jurisdiction, against ONE hand-written DuckDB scan of the moderation log computing every
moderation rule's figures with the same checks (see bench_floors.py) and, per rule, ids unique
among the events it judges.

The rules are transcribed by hand from checklists/*/*.yaml (each ``rule: {type: deadline,
log: moderation}``): id, the legal time zone of its jurisdiction (audit.logs.metrics), its
``where``, and its versions as (in force from, until, hours allowed); a version runs until the
next one starts. The benchmark stops when the tool reports figures for a different set of
rules, or different figures, so a module changed since is noticed, not mismeasured.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench_floors import COLUMNS, FIGURES, bad_text, bad_typed, csv_reader, parsed

AS_OF = "2024-12-31"
CUT = "2025-01-01"  # the day after the as-of date: events starting before its midnight count
EU = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
      "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"]
AUTH = {"requester": "authority"}
Where = dict[str, "str | list[str]"]
RULES: list[tuple[str, str, Where, list[tuple[str | None, str | None, int]]]] = [
    ("au.online-safety:class1-removal-24h", "Australia/Sydney",
     {"country": "AU", **AUTH, "category": ["csam", "terrorist_content", "illegal_content"]},
     [(None, None, 24)]),
    ("au.online-safety:ncii-removal-24h", "Australia/Sydney",
     {"country": "AU", **AUTH, "category": "ncii"}, [(None, None, 24)]),
    ("au.online-safety:cyber-abuse-removal-24h", "Australia/Sydney",
     {"country": "AU", **AUTH, "category": "cyber_abuse"}, [(None, None, 24)]),
    ("au.online-safety:cyber-abuse-complaints-48h", "Australia/Sydney",
     {"country": "AU", "requester": "user", "category": "cyber_abuse"}, [(None, None, 48)]),
    ("de.netzdg-2017:manifestly-unlawful-24h", "Europe/Berlin",
     {"country": "DE", "requester": "user", "category": ["illegal_content", "hate_speech"]},
     [("2017-10-01", "2024-05-14", 24)]),
    ("de.netzdg-2017:unlawful-7d", "Europe/Berlin", {"country": "DE", "requester": "user"},
     [("2017-10-01", "2024-05-14", 7 * 24)]),
    ("eu.tco:removal-1h", "Europe/Brussels",
     {"category": "terrorist_content", **AUTH, "country": EU}, [("2022-06-07", None, 1)]),
    ("id.mr5:takedown-24h", "Asia/Jakarta", {"country": "ID", **AUTH, "urgency": "normal"},
     [(None, None, 24)]),
    ("id.mr5:takedown-urgent-4h", "Asia/Jakarta",
     {"country": "ID", **AUTH, "urgency": "emergency"}, [(None, None, 4)]),
    ("in.it-rules:ncii-removal", "Asia/Kolkata", {"country": "IN", "category": "ncii"},
     [("2021-02-25", None, 24), ("2026-02-20", None, 2)]),
    ("in.it-rules:grievance-removal-complaints", "Asia/Kolkata",
     {"country": "IN", "requester": "user"},
     [("2021-02-25", None, 15 * 24), ("2023-03-01", None, 72), ("2026-02-20", None, 36)]),
    ("in.it-rules:takedown-authority-order", "Asia/Kolkata",
     {"country": "IN", "category": ["court_order", "government_order"]},
     [("2021-02-25", None, 36), ("2026-02-20", None, 3)]),
    ("intl.baseline:takedown-authority-order", "UTC", {"requester": ["authority", "court"]},
     [(None, None, 24)]),
    ("iq.telegram-2023:leak-takedown", "Asia/Baghdad",
     {"category": "personal_data_leak", **AUTH, "country": "IQ"}, [("2023-08-13", None, 24)]),
    ("jp.information-distribution-platform-act:removal-decision-notice-7d", "Asia/Tokyo",
     {"country": "JP", "requester": "user"}, [("2025-04-01", None, 7 * 24)]),
    ("kz.online-platforms:authorised-body-requests-24h", "Asia/Almaty",
     {"country": "KZ", **AUTH}, [("2023-09-10", None, 24)]),
    ("ng.nitda-code:removal-24h", "Africa/Lagos", {"country": "NG", **AUTH},
     [(None, None, 24)]),
    ("pk.rules-2020:takedown-24h", "Asia/Karachi",
     {"country": "PK", **AUTH, "urgency": "normal"}, [(None, None, 24)]),
    ("pk.rules-2020:takedown-emergency-6h", "Asia/Karachi",
     {"country": "PK", **AUTH, "urgency": "emergency"}, [(None, None, 6)]),
    ("pk.rules-2021:pta-directions-48h", "Asia/Karachi",
     {"country": "PK", **AUTH, "urgency": "normal"}, [("2021-10-16", None, 48)]),
    ("pk.rules-2021:pta-emergency-12h", "Asia/Karachi",
     {"country": "PK", **AUTH, "urgency": "emergency"}, [("2021-10-16", None, 12)]),
    ("tr.law-5651:personal-rights-replies-48h", "Europe/Istanbul",
     {"country": "TR", "requester": "user"}, [("2020-10-01", None, 48)]),
    ("tr.law-5651:urgent-orders-4h", "Europe/Istanbul",
     {"country": "TR", **AUTH, "urgency": "emergency"}, [(None, None, 4)]),
    ("tr.proposals-2025:court-removal-24h", "Europe/Istanbul",
     {"country": "TR", "requester": "court"}, [(None, None, 24)]),
    ("tr.proposals-2025:emergency-harmful-content-1h", "Europe/Istanbul",
     {"country": "TR", **AUTH, "urgency": "emergency"}, [(None, None, 1)]),
    ("vn.cybersecurity:takedown-24h", "Asia/Ho_Chi_Minh", {"country": "VN", **AUTH},
     [("2024-12-25", None, 24)]),
]
# the rules in force on the as-of date: the tool measures no other, nor does the scan
ACTIVE = [r for r in RULES if r[3][0][0] is None or r[3][0][0] <= AS_OF]


def _midnight(day: str, tz: str) -> str:
    """The instant the day starts in ``tz``, as a UTC literal (a constant per rule)."""
    start = dt.datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(tz))
    return f"TIMESTAMPTZ '{start.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M:%S}+00'"


def _match(where: Where) -> str:
    return " AND ".join(f"{c} IN ({', '.join(repr(v) for v in vs)})" if isinstance(vs, list)
                        else f"{c} = {vs!r}" for c, vs in where.items())


def _rules_table() -> str:
    """One row per rule in force: k, the as-of cut, and up to three versions (start, end,
    hours), each bound a UTC instant (NULL: open)."""
    rows = []
    for k, (_id, tz, _where, versions) in enumerate(ACTIVE):
        cells = [str(k), _midnight(CUT, tz)]
        for i in range(3):
            if i < len(versions):
                start, until, hours = versions[i]
                end = until or (versions[i + 1][0] if i + 1 < len(versions) else None)
                cells += [_midnight(start, tz) if start else "NULL::TIMESTAMPTZ",
                          _midnight(end, tz) if end else "NULL::TIMESTAMPTZ", str(hours)]
            else:
                cells += ["NULL::TIMESTAMPTZ", "NULL::TIMESTAMPTZ", "NULL::INTEGER"]
        rows.append(f"({', '.join(cells)})")
    return (f"(VALUES {', '.join(rows)}) r(k, cut, f0, u0, h0, f1, u1, h1, f2, u2, h2)")


def _in(s: str, start: str, end: str) -> str:
    return f"({start} IS NULL OR {s} >= {start}) AND ({end} IS NULL OR {s} < {end})"


def multi_sql(log: Path, fmt: str) -> str:
    """One scan: each row is paired with the rules whose filter selects it (a list of rule
    numbers, unnested) and with -1, which carries the log's own checks; the pairs are joined
    to the rules' constants, and one grouped aggregate gives every rule's figures and
    duplicate check."""
    if fmt == "csv":
        reader = csv_reader(log, [*COLUMNS, "urgency"])
        s, e = parsed("received_at"), parsed("actioned_at")
        bad = f"{bad_text('received_at')} OR {bad_text('actioned_at')}"
    else:
        reader, s, e = f"read_parquet('{log}')", "received_at", "actioned_at"
        bad = f"{bad_typed('received_at')} OR {bad_typed('actioned_at')}"
    matches = ", ".join(f"CASE WHEN {_match(where)} THEN {k} END"
                        for k, (_id, _tz, where, _v) in enumerate(ACTIVE))
    hours = ("CASE WHEN " + _in("s", "f0", "u0") + " THEN h0 WHEN " + _in("s", "f1", "u1")
             + " THEN h1 WHEN " + _in("s", "f2", "u2") + " THEN h2 END")
    return f"""
WITH pairs AS (
  SELECT id, s, e, bad, unnest(list_filter([-1, {matches}], lambda x: x IS NOT NULL)) AS k
  FROM (SELECT request_id AS id, {s} AS s, {e} AS e, {bad} AS bad, category, requester,
               country, urgency FROM {reader})),
judged AS (
  SELECT p.k, p.id, p.e, p.bad, p.s, r.cut,
         CASE WHEN p.k >= 0 AND p.s < r.cut THEN p.s + to_hours(CAST({hours} AS BIGINT)) END
             AS due,
         (epoch_us(p.e) - epoch_us(p.s)) / 1000000.0 / 3600.0 AS h
  FROM pairs p LEFT JOIN {_rules_table()} ON r.k = p.k)
SELECT k, count(*) FILTER (WHERE k = -1 AND bad) AS bad,
       count(*) FILTER (WHERE k = -1 AND id IS NULL) AS noid,
       count(*) FILTER (WHERE k = -1 AND e < s) AS disorder,
       count(due) - count(*) FILTER (WHERE e IS NULL AND due >= cut) AS events,
       count(*) FILTER (WHERE e <= due) AS on_time, count(*) FILTER (WHERE e > due) AS late,
       count(*) FILTER (WHERE e IS NULL AND due < cut) AS missing,
       count(*) FILTER (WHERE e IS NULL AND due >= cut) AS pending,
       quantile_cont(CASE WHEN due IS NOT NULL THEN h END, [0.5, 0.9, 0.99]) AS q,
       count(CASE WHEN due IS NOT NULL THEN id END)
           - count(DISTINCT CASE WHEN due IS NOT NULL THEN id END) AS dup
FROM judged GROUP BY k ORDER BY k"""


MULTI_CODE = """
import duckdb, json, sys
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
con.execute("SET enable_progress_bar = false")
rows = con.execute(sys.argv[1]).fetchall()
assert rows[0][0] == -1 and rows[0][1:4] == (0, 0, 0), rows[0]
out = {rule: dict(zip(FIGURES, [0, 0, 0, 0, 0, None, None, None])) for rule in IDS}
for k, _bad, _noid, _disorder, *f, q, dup in rows[1:]:
    assert dup == 0, (IDS[k], "duplicate ids among its judged events")
    q = q or [None] * 3
    out[IDS[k]] = dict(zip(FIGURES, [*f, *[None if x is None else round(x, 3) for x in q]]))
print(json.dumps(out))
""".replace("FIGURES", repr(FIGURES)).replace("IDS", repr([r[0] for r in ACTIVE]))


def assess_all_figures(doc: dict[str, Any]) -> dict[str, dict[str, object]]:
    """The figures of every deadline rule the tool measured in its JSON result (a rule not
    yet in force on the as-of date has none)."""
    return {req["id"]: {k: req["figures"].get(k) for k in FIGURES}
            for req in doc["requirements"]
            if "events" in (req.get("figures") or {}) and "p50_hours" in req["figures"]}
