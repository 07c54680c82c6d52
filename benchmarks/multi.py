"""The multi-rule case: every bundled module on a platform active in every bundled
jurisdiction, against ONE hand-written DuckDB scan of the moderation log computing every
moderation rule's figures with the same checks (see floors.py) and, per rule, ids unique
among the events it judges.

The rules are transcribed by hand from checklists/*/*.yaml (each ``rule: {type: deadline,
log: moderation}``): id, the legal time zone of its jurisdiction (audit.logs.metrics), its
``where``, and its versions as (in force from, until, hours allowed); a version runs until the
next one starts. The benchmark stops when the tool reports figures for a different set of
rules, or different figures, so a module changed since is noticed, not mismeasured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from floors import COLUMNS, FIGURES, bad_text, bad_typed, csv_reader, parsed

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
    return f"timezone('{tz}', TIMESTAMP '{day} 00:00:00')"


def _match(where: Where) -> str:
    return " AND ".join(f"{c} IN ({', '.join(repr(v) for v in vs)})" if isinstance(vs, list)
                        else f"{c} = {vs!r}" for c, vs in where.items())


def _version_and_due(k: int, tz: str, where: Where,
                     versions: list[tuple[str | None, str | None, int]]) -> str:
    """Columns v{k} (the version judging the row, NULL when none) and due{k}."""
    cases = [f"WHEN s IS NULL OR NOT ({_match(where)}) OR s >= {_midnight(CUT, tz)} THEN NULL"]
    for i, (start, until, _hours) in enumerate(versions):
        nxt = versions[i + 1][0] if i + 1 < len(versions) else None
        end = until or nxt
        cond = [f"s >= {_midnight(start, tz)}" if start else "TRUE"]
        if end:
            cond.append(f"s < {_midnight(end, tz)}")
        cases.append(f"WHEN {' AND '.join(cond)} THEN {i}")
    due = " ".join(f"WHEN {i} THEN s + INTERVAL {h} HOUR"
                   for i, (_a, _b, h) in enumerate(versions))
    return (f"CASE {' '.join(cases)} END AS v{k}, "
            f"CASE (CASE {' '.join(cases)} END) {due} END AS due{k}")


def multi_sql(log: Path, fmt: str) -> str:
    if fmt == "csv":
        reader = csv_reader(log, [*COLUMNS, "urgency"])
        s, e = parsed("received_at"), parsed("actioned_at")
        bad = f"{bad_text('received_at')} OR {bad_text('actioned_at')}"
    else:
        reader, s, e = f"read_parquet('{log}')", "received_at", "actioned_at"
        bad = f"{bad_typed('received_at')} OR {bad_typed('actioned_at')}"
    cols = ", ".join(_version_and_due(k, tz, where, versions)
                     for k, (_id, tz, where, versions) in enumerate(ACTIVE))
    aggs = ["count(*) FILTER (WHERE bad)", "count(*) FILTER (WHERE id IS NULL)",
            "count(*) FILTER (WHERE e < s)"]
    hours = "(epoch_us(e) - epoch_us(s)) / 1000000.0 / 3600.0"
    for k, (_id, tz, _where, _versions) in enumerate(ACTIVE):
        cut, j, due = _midnight(CUT, tz), f"v{k} IS NOT NULL", f"due{k}"
        aggs += [f"count(*) FILTER (WHERE {j} AND NOT (e IS NULL AND {due} >= {cut}))",
                 f"count(*) FILTER (WHERE {j} AND e <= {due})",
                 f"count(*) FILTER (WHERE {j} AND e > {due})",
                 f"count(*) FILTER (WHERE {j} AND e IS NULL AND {due} < {cut})",
                 f"count(*) FILTER (WHERE {j} AND e IS NULL AND {due} >= {cut})",
                 f"quantile_cont({hours}, [0.5, 0.9, 0.99]) FILTER (WHERE {j} AND e IS NOT NULL)",
                 f"count(id) FILTER (WHERE {j}) - count(DISTINCT CASE WHEN {j} THEN id END)"]
    return (f"WITH t AS (SELECT request_id AS id, {s} AS s, {e} AS e, {bad} AS bad, category, "
            f"requester, country, urgency FROM {reader}), "
            f"j AS (SELECT id, s, e, bad, {cols} FROM t) "
            f"SELECT {', '.join(aggs)} FROM j")


MULTI_CODE = """
import duckdb, json, sys
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
con.execute("SET enable_progress_bar = false")
r = con.execute(sys.argv[1]).fetchone()
assert r[0] == r[1] == r[2] == 0, r[:3]
out = {}
for k, rule in enumerate(IDS):
    f = r[3 + 7 * k:3 + 7 * (k + 1)]
    assert f[6] == 0, (rule, "duplicate ids among its judged events")
    q = f[5] or [None] * 3
    out[rule] = dict(zip(FIGURES, [*f[:5], *[None if x is None else round(x, 3) for x in q]]))
print(json.dumps(out))
""".replace("FIGURES", repr(FIGURES)).replace("IDS", repr([r[0] for r in ACTIVE]))


def assess_all_figures(doc: dict[str, Any]) -> dict[str, dict[str, object]]:
    """The figures of every deadline rule the tool measured in its JSON result (a rule not
    yet in force on the as-of date has none)."""
    return {req["id"]: {k: req["figures"].get(k) for k in FIGURES}
            for req in doc["requirements"]
            if "events" in (req.get("figures") or {}) and "p50_hours" in req["figures"]}
