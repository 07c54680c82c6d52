"""What the Spark tests compare, shared by local Spark (tests/test_spark_parity.py) and a live
Spark Connect server (tests/test_spark_connect.py): the same packs, the same comparison."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from packs import MODERATION, moderation_rows, write_pack

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
README_CHECKLISTS = ("iq.telegram-2023", "iq.law", "eu.gdpr")
RULE_TYPES_CHECKLISTS = ("iq.telegram-2023", "br.lgpd", "eu.gdpr")


def assess_json(run: Any, tmp_path: Path, pack: Path, checklists: Sequence[str], engine: str,
                spark: Sequence[str] = ("--spark-master", "local[2]"),
                as_of: str | None = None) -> dict[str, Any]:
    """``audit assess`` through the CLI; ``spark`` is where Spark runs (a master or a remote)."""
    out = tmp_path / f"{engine}.json"
    args = ["assess", pack, *[a for c in checklists for a in ("-c", c)], "--format", "json",
            "-o", out, "-q", "--engine", engine]
    if engine == "spark":
        args += list(spark)
    if as_of:
        args += ["--as-of", as_of]
    code, _out, err = run(*args)
    assert code in (0, 1), err
    return json.loads(out.read_text("utf-8"))


def figures(result: dict[str, Any]) -> dict[str, Any]:
    """Per requirement: status, score, summary text, figures and parts."""
    return {r["id"]: (r["status"], r["score"], r["summary"], r["figures"], r["parts"])
            for r in result["requirements"]}


def assert_same(run: Any, tmp_path: Path, pack: Path, checklists: Sequence[str],
                spark: Sequence[str] = ("--spark-master", "local[2]"),
                as_of: str | None = None) -> dict[str, Any]:
    """The pack assessed by both engines gives the same result; DuckDB's is returned."""
    duck = assess_json(run, tmp_path, pack, checklists, "duckdb", as_of=as_of)
    on_spark = assess_json(run, tmp_path, pack, checklists, "spark", spark, as_of)
    assert figures(on_spark) == figures(duck)
    assert on_spark["counts"] == duck["counts"] and on_spark["verdict"] == duck["verdict"]
    assert on_spark["logs"] == duck["logs"] and on_spark["evidence"] == duck["evidence"]
    return duck


def assert_measured(duck: dict[str, Any], at_least: int = 4) -> None:
    """Not vacuous: deadline and share rules over the logs measured events."""
    measured = [r for r in duck["requirements"] if (r.get("figures") or {}).get("events")]
    assert len(measured) >= at_least


def one_line(err: str) -> str:
    """A refusal is one line, without a Python or JVM stack trace."""
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "\tat " not in err and "SparkException" not in err
    return lines[0]


def _breach_rows(n: int, seed: int) -> list[list[str]]:
    """Incidents around weekends and Brazilian holidays, naive local times (no offset)."""
    rng = random.Random(seed)
    rows = []
    t0 = dt.datetime(2024, 4, 1, 8, 0)
    for i in range(n):
        detected = t0 + dt.timedelta(hours=rng.randrange(0, 24 * 200))
        occurred = detected - dt.timedelta(hours=rng.randrange(0, 48))
        late = detected + dt.timedelta(hours=rng.choice([5, 30, 70, 100, 200]))
        notified = "" if rng.random() < 0.1 else late.isoformat(sep=" ")
        rows.append([f"B{i:04d}", occurred.isoformat(sep=" "), detected.isoformat(sep=" "),
                     notified, notified, str(rng.randrange(1, 5000)), "contact", "BR",
                     "yes" if rng.random() < 0.5 else "no"])
    return rows


def rule_types_pack(root: Path) -> Path:
    """Business days (BR holidays: the engine's holiday table), timestamps without offset read
    in the pack's zone, rule versions in force per event, calendar months, percentiles and
    share rules; assess it with ``RULE_TYPES_CHECKLISTS``."""
    rng = random.Random(15)
    delays = [rng.choice([None, 1, 5, 23, 25, 80, 24 * 40]) for _ in range(400)]
    moderation = moderation_rows(delays, start="2023-07-20T00:00:00+03:00", step_hours=7)
    for i, row in enumerate(moderation):  # a third written without an offset
        if i % 3 == 0:
            row[1] = row[1][:19]
            row[2] = row[2][:19]
    requests = []
    for i in range(300):
        received = dt.datetime(2023, 1, 31, 12) + dt.timedelta(hours=37 * i)
        done = received + dt.timedelta(days=rng.choice([10, 29, 30, 31, 45]))
        requests.append([f"D{i:04d}", received.isoformat(), done.isoformat(), "erasure",
                         "done", "DE", ""])
    return write_pack(root, platform={
        "name": "Parity Messenger", "timezone": "Asia/Baghdad", "users": {"IQ": 10, "BR": 10},
        "as_of": "2024-12-31"}, logs={
        "moderation": (MODERATION, moderation),
        "breaches": (["incident_id", "occurred_at", "detected_at", "authority_notified_at",
                      "users_notified_at", "records_affected", "data_categories", "countries",
                      "high_risk"], _breach_rows(300, 15)),
        "data_requests": (["request_id", "received_at", "completed_at", "kind", "outcome",
                           "country", "extended"], requests)})


def assert_rule_types_measured(duck: dict[str, Any]) -> None:
    """The rule-types pack exercised business days and rule versions, not vacuously."""
    business = [r for r in duck["requirements"]
                if "business" in str((r["figures"] or {}).get("calendar", ""))]
    assert business and any(r["figures"]["events"] for r in business)
    versioned = [r for r in duck["requirements"] if len((r["figures"] or {}).get("versions", []))]
    assert any(r["figures"]["outside_period"] for r in versioned)


def seeded_log(path: Path, rows: int, seed: int = 2026) -> Path:
    """A seeded moderation log, about 3% of the requests never actioned."""
    rng = random.Random(seed)
    t0 = dt.datetime(2023, 6, 1, tzinfo=dt.timezone.utc)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(MODERATION)
        for i in range(rows):
            start = t0 + dt.timedelta(seconds=rng.randrange(0, 200 * 86400))
            end = "" if rng.random() < 0.03 else (
                start + dt.timedelta(seconds=rng.randrange(0, 72 * 3600))).isoformat()
            out.writerow([f"R{i:07d}", start.isoformat(), end, rng.choice(["spam", "csam",
                          "personal_data_leak"]), rng.choice(["authority", "user"]), "removed",
                          rng.choice(["IQ", "DE"])])
    return path


def assert_deadline_and_rows_same(engines: Sequence[Any], path: Path) -> dict[str, Any]:
    """One deadline rule (two versions, percentiles) on each engine: the same figures, and
    the same offending rows streamed as the gap workbook's detail sheet reads them."""
    from audit.durations import parse_duration
    from audit.logs.metrics import DeadlineSpec, measure_deadline

    spec = DeadlineSpec("moderation", {"country": "IQ", "category": "personal_data_leak"},
                        "received_at", "actioned_at",
                        [(None, dt.date(2023, 8, 13), parse_duration("48 hours"), 0.9),
                         (dt.date(2023, 8, 13), None, parse_duration("24 hours"), 0.95)],
                        "IQ", None, dt.date(2023, 11, 30), "r", "Asia/Baghdad")
    results, offending = [], []
    for engine in engines:
        engine.load("moderation", path, "moderation.csv", {"country", "category"})
        result = measure_deadline(engine, spec)
        # the row ledger too (audit.ledger): counted in the same scan on every engine
        results.append({**result.figures(), "ledger": (result.rows, result.out_of_scope,
                                                       result.no_start)})
        offending.append(list(engine.stream(result.detail_sql, batch=500)))
    first = results[0]
    assert all(r == first for r in results[1:])
    assert first["late"] > 0
    rows, out_of_scope, no_start = first["ledger"]
    assert rows > out_of_scope > 0 and no_start == 0
    assert len(offending[0]) == first["late"] + first["missing"]
    # Same events, same order, same timestamps; hours_taken (display only, 2 decimals) may
    # differ by 0.01 on an exact decimal tie such as 71.975 h (docs/spark.md).
    for other in offending[1:]:
        assert [r[:4] + r[5:] for r in offending[0]] == [r[:4] + r[5:] for r in other]
        hours = [(a[4], b[4]) for a, b in zip(offending[0], other, strict=True)]
        assert all((a is None) == (b is None) for a, b in hours)
        assert all(abs(a - b) <= 0.0100001 for a, b in hours if a is not None)
    return first


def assert_mapped_pack_same(run: Any, tmp_path: Path, spark: Sequence[str]) -> None:
    """Two mappings into one table (a CSV export with lines before its header and ``;``
    fields; records nested in a JSON document), dates in a local format: the same figures
    on both engines; then a date that fits no format: the same located line on both."""
    import yaml

    pack = write_pack(tmp_path / "mapped", platform={"name": "Test Messenger",
                                                     "users": {"IQ": 1_000_000},
                                                     "timezone": "Asia/Baghdad"})
    logs = pack / "logs"
    logs.mkdir()
    (logs / "export.csv").write_text(
        "Exported 2024-02-01\n\nCase;Opened;Closed;Kind\n"
        "C1;05.01.2024 10:00;06.01.2024 09:00;personal_data_leak\n"
        "C2;07.01.2024 08:30;10.01.2024 08:30;personal_data_leak\n", "utf-8")
    (logs / "more.json").write_text(json.dumps({"data": {"items": [
        {"Case": "J1", "Opened": "08.01.2024 10:00", "Closed": "08.01.2024 12:00",
         "Kind": "personal_data_leak"}]}}), "utf-8")
    local = "%d.%m.%Y %H:%M"
    columns = {"request_id": "Case", "received_at": {"from": "Opened", "format": local},
               "actioned_at": {"from": "Closed", "format": local},
               "category": "Kind", "requester": {"value": "authority"},
               "action": {"value": "channel_closed"}, "country": {"value": "IQ"}}
    (logs / "moderation.a.mapping.yaml").write_text(yaml.safe_dump(
        {"schema_version": 1, "table": "moderation", "files": "export.csv", "skip": 2,
         "delimiter": ";", "columns": columns}), "utf-8")
    (logs / "moderation.b.mapping.yaml").write_text(yaml.safe_dump(
        {"schema_version": 1, "table": "moderation", "files": "more.json",
         "records": "data.items", "columns": columns}), "utf-8")
    duck = assess_json(run, tmp_path, pack, ["iq.telegram-2023"], "duckdb", as_of="2024-03-31")
    on_spark = assess_json(run, tmp_path, pack, ["iq.telegram-2023"], "spark", spark,
                           as_of="2024-03-31")
    assert figures(on_spark) == figures(duck)
    assert duck["logs"]["moderation"]["rows"] == 3
    (logs / "export.csv").write_text(
        "Exported 2024-02-01\n\nCase;Opened;Closed;Kind\n"
        "C1;05.01.2024 10:00;2024-01-06;personal_data_leak\n", "utf-8")
    lines = []
    for engine in ("duckdb", "spark"):
        code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--as-of", "2024-03-31",
                              "--engine", engine, *(spark if engine == "spark" else ()))
        assert code == 2
        lines.append(one_line(err))
    assert lines[0] == lines[1]
    assert "export.csv" in lines[0] and "'2024-01-06'" in lines[0] and "row(s) 1" in lines[0]
