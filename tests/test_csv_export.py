"""CSV exports of requirements and gaps: Prowler-style columns, the same figures as the JSON
result, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from audit.reports.safe_csv import FORMULA_STARTS as FORMULA_TRIGGERS
from audit.reports.safe_csv import neutral as neutralise
from audit.reports.safe_csv import write_rows as write_csv

ROOT = Path(__file__).resolve().parent.parent
BEFORE = ROOT / "examples" / "before-negotiation"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_requirements_and_gaps_match_the_json_result(run: Any, tmp_path: Path) -> None:
    args = ("assess", BEFORE, "-c", "eu.gdpr", "-c", "iq.telegram-2023", "-q")
    for name in ("all.csv", "gaps.gaps.csv", "r.json"):
        code, _stdout, err = run(*args, "-o", tmp_path / name)
        assert code == 0, err
    result = json.loads((tmp_path / "r.json").read_text("utf-8"))
    every, gaps = _rows(tmp_path / "all.csv"), _rows(tmp_path / "gaps.gaps.csv")
    assert [r["REQUIREMENT_ID"] for r in every] == [r["id"] for r in result["requirements"]]
    by_id = {r["id"]: r for r in result["requirements"]}
    for row in every:
        source = by_id[row["REQUIREMENT_ID"]]
        assert row["STATUS"] == source["status"] and float(row["SCORE"]) == source["score"]
        assert row["SEVERITY"] == source["severity"]
        assert row["ASSESSMENT_DATE"] == result["as_of"]
        assert row["RESULT"] == {"met": "PASS", "manual_review": "MANUAL", "waived": "MUTED",
                                 "not_applicable": "NOT_APPLICABLE"}.get(row["STATUS"], "FAIL")
    gap_ids = {r["id"] for r in result["requirements"]
               if r["status"] in ("partial", "not_met", "no_evidence", "manual_review")}
    assert {r["REQUIREMENT_ID"] for r in gaps} == gap_ids
    severities = [r["SEVERITY"] for r in gaps]
    order = ["critical", "high", "medium", "low"]
    assert severities == sorted(severities, key=order.index)  # worst first


def test_hostile_text_is_neutralised(run: Any, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(BEFORE, pack)
    profile = pack / "platform.yaml"
    profile.write_text(profile.read_text("utf-8").replace(
        "name: Rafidain Chat", "name: '=HYPERLINK(\"http://evil.invalid\",\"x\")'", 1), "utf-8")
    code, _stdout, err = run("assess", pack, "-c", "eu.gdpr", "-o", tmp_path / "g.gaps.csv",
                             "-q")
    assert code == 0, err
    rows = _rows(tmp_path / "g.gaps.csv")
    assert rows and {r["PLATFORM"] for r in rows} == {"'=HYPERLINK(\"http://evil.invalid\",\"x\")"}
    for row in rows:
        assert not any(v.startswith(FORMULA_TRIGGERS) for v in row.values())


@given(st.lists(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none()),
                min_size=1, max_size=6))
def test_no_cell_reads_back_as_a_formula(values: list[object]) -> None:
    buffer = io.StringIO()
    write_csv(buffer, [f"c{i}" for i in range(len(values))], [values])
    row = next(csv.reader(io.StringIO(buffer.getvalue().split("\r\n", 1)[1], newline="")))
    for cell, value in zip(row, values, strict=True):
        if isinstance(value, str):
            assert not cell.startswith(FORMULA_TRIGGERS)
            # the value is kept: only a leading apostrophe is added, and only when needed
            assert cell == value or (cell == "'" + value and value.startswith(FORMULA_TRIGGERS))
        elif value is None:
            assert cell == ""
        else:
            assert cell == str(value)  # numbers stay numbers, negative ones included
    assert neutralise(-1.5) == -1.5 and neutralise("-1.5") == "'-1.5"
