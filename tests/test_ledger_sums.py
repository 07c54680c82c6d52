"""The row ledger's sums hold exactly for every bundled example pack (examples/) and every
docs walk-through that assesses logs: each line adds up, agrees with the log's rows and with
the figures of the rule that counted it (issue 23)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "data" / "ledger" / "breach-register"


def _data_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        return sum(1 for _row in csv.reader(fh)) - 1


def assert_ledger_holds(result: dict[str, Any], pack: Path | None = None) -> None:
    """Every line of the JSON result's ledger adds up, agrees with the log's rows and with
    the figures of the rule that counted it; a plain CSV log's rows are its file's data rows."""
    ledger = result["ledger"]
    assert ledger["balanced"] is True
    tables = {t["log"]: t for t in ledger["tables"]}
    assert set(tables) == set(result["logs"])
    for log, t in tables.items():
        assert t["read"] == t["rows"] + sum(s["rows"] for s in t["set_aside"]), t
        assert all(s["rows"] >= 0 for s in t["set_aside"]) and t["rows"] >= 0
        assert t["rows"] == result["logs"][log]["rows"]
        if t["file_rows"]:  # counted per file: the files add up to the rows read
            assert sum(f["rows"] for f in t["file_rows"]) == t["read"], t
        if pack is not None and result["logs"][log]["format"] == "csv":
            assert t["read"] == _data_rows(pack / "logs" / f"{log}.csv"), log
    requirements = {r["id"]: r for r in result["requirements"]}
    for r in ledger["rules"]:
        parts = (r["out_of_scope"] + r["outside_period"] + r["no_start"] + r["pending"]
                 + sum(o["rows"] for o in r["other_set_aside"]) + r["judged"])
        assert parts == r["rows"] == tables[r["log"]]["rows"], r
        figures = requirements[r["requirement"]]["figures"]
        if r["rule"] == "deadline" and "versions" in figures:
            assert (figures["events"], figures["pending"], figures["outside_period"]) == (
                r["judged"], r["pending"], r["outside_period"])
            assert figures.get("without_start", 0) == r["no_start"]
        elif r["rule"] == "share" and "matched" in figures:
            assert figures["events"] == r["judged"]
        elif r["rule"] == "count" and "counts" in figures:
            assert sum(figures["counts"]) == r["judged"]
        elif r["rule"] == "reported" and "figures" in figures:
            aside = {o["reason"]: o["rows"] for o in r["other_set_aside"]}
            assert figures.get("no_events", 0) == aside.get("no_events", 0), r
            assert figures.get("other_periods", 0) == aside.get("other_periods", 0), r
            # a figure is one row, a sum's figure several: never more figures than rows
            assert figures.get("unreadable", 0) <= aside.get("unreadable", 0), r
            assert figures["figures"] <= r["judged"], r


# -- every bundled example and walk-through ------------------------------------------------

def _examples() -> list[tuple[str, list[str], Path]]:
    cases = [(f"example-{p.name}", [str(p), "-c", "iq.telegram-2023"], p)
             for p in sorted((ROOT / "examples").iterdir()) if (p / "platform.yaml").exists()]
    cases.append(("docs-data-quality", [str(EXAMPLE), "-c", "eu.gdpr", "--as-of",
                                        "2024-12-31"], EXAMPLE))
    return cases


@pytest.mark.parametrize("args,pack", [(a, p) for _n, a, p in _examples()],
                         ids=[n for n, _a, _p in _examples()])
def test_the_sums_hold_for_every_example(run, args: list[str], pack: Path) -> None:
    code, out, err = run("assess", *args, "--format", "json")
    assert code in (0, 1), err
    result = json.loads(out)
    assert result["ledger"]["rules"], "an example that assesses logs"
    assert_ledger_holds(result, pack)


def _walk_throughs() -> list[str]:
    from test_byod_docs import blocks

    return [arg for arg, _b in blocks("run")]


@pytest.mark.parametrize("walk", _walk_throughs())
def test_the_sums_hold_for_every_docs_walk_through(run, walk: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from test_byod_docs import DATA, _audit_args

    if walk == "dsa-parts":
        monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "dsa_transparency")
    monkeypatch.chdir(DATA)
    code, out, err = run("assess", *_audit_args(walk))
    assert code in (0, 1), err
    result = json.loads(out)
    assert result["ledger"]["tables"]
    assert_ledger_holds(result)


def test_the_sums_hold_for_the_own_checklists_walk_through(run, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from test_own_checklists_doc import DOC as OWN, _commands, _files

    text = OWN.read_text(encoding="utf-8")
    for name, content in _files(text):
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    checked = 0
    for env, args, _expected in _commands(text):
        if args[0] != "assess" or {"-o", "--output", "--format", "-f"} & set(args):
            continue
        with monkeypatch.context() as m:
            for key, value in env.items():
                m.setenv(key, value)
            code, out, err = run(*args, "--format", "json")
        if code == 2:  # the page's own error examples
            continue
        result = json.loads(out)
        if result["logs"]:
            assert_ledger_holds(result)
            checked += 1
    assert checked
