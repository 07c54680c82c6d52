"""A number a rule compares in a plain CSV log has the integer limit of YAML and mappings."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

ROOT = Path(__file__).parent.parent
MODULE = ROOT / "tests" / "data" / "byod" / "checklists" / "us-co.breach-notice.yaml"


def _pack(tmp_path: Path, values: dict[int, str]) -> Path:
    """The example pack with records_affected replaced on the given data rows."""
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "examples" / "before-negotiation", pack)
    log = pack / "logs" / "breaches.csv"
    with log.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("records_affected")
    for row, value in values.items():
        rows[row][col] = value
    with log.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    module = MODULE.read_text("utf-8").replace(
        "    applies_if: {field: platform.users.US-CO, gte: 1}\n", "")
    (tmp_path / "module.yaml").write_text(module, encoding="utf-8")
    return pack


def _assess(run, tmp_path: Path, monkeypatch) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    code, _out, err = run("assess", "pack", "-c", "module.yaml", "--as-of", "2024-12-31", "-q")
    return code, err.strip()


def test_too_many_digits_and_text_are_refused(run, tmp_path: Path, monkeypatch) -> None:
    _pack(tmp_path, {2: "1" * 43, 5: "many", 6: "-5", 7: "12.5"})
    assert _assess(run, tmp_path, monkeypatch) == (
        2, "pack/logs/breaches.csv: column records_affected: 3 value(s) are not a count (0 or "
        "more) of at most 30 digits, as 'records_affected' is compared as a number by a rule; "
        "first at data row(s) 2, 5, 6")


def test_thirty_digits_are_accepted(run, tmp_path: Path, monkeypatch) -> None:
    _pack(tmp_path, {2: "9" * 30, 3: ""})
    code, err = _assess(run, tmp_path, monkeypatch)
    assert code in (0, 1), err


def test_the_sql_limits_plain_and_exponent_forms() -> None:
    import duckdb

    from audit.logs.numbers import bad_number_sql

    values = ["9" * 30, "1" + "0" * 30, "1e42", "inf", "-5", "x", "", None, "007", "+12.5"]
    rows = duckdb.execute(
        f"SELECT v, {bad_number_sql('v', 30)} FROM (SELECT unnest(?::VARCHAR[]) AS v)",
        [values]).fetchall()
    assert [v for v, bad in rows if bad] == ["1" + "0" * 30, "1e42", "inf", "x"]
