"""``audit compare``: three platforms' results side by side, in every rendering, with what
the columns rest on (as-of date, module versions) checked and said."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# three messengers a regulator negotiates with: (pack, platform name, as-of)
PLATFORMS = (("before-negotiation", "Dijla Messenger", "2023-08-31"),
             ("after-remediation", "Rafidain Chat", "2024-12-31"),
             ("after-remediation", "Furat Talk", "2024-12-31"))


def _renamed_pack(tmp: Path, pack: str, name: str) -> Path:
    target = tmp / name.replace(" ", "-")
    shutil.copytree(EXAMPLES / pack, target)
    profile = target / "platform.yaml"
    text = profile.read_text("utf-8")
    profile.write_text(text.replace("name: Rafidain Chat", f"name: {name}", 1), "utf-8")
    return target


@pytest.fixture
def three_results(run: Any, tmp_path: Path) -> list[Path]:
    out = []
    for pack, name, _as_of in PLATFORMS:
        path = tmp_path / f"{name.split()[0].lower()}.json"
        code, _stdout, err = run("assess", _renamed_pack(tmp_path, pack, name), "-c", "eu.gdpr",
                                 "-c", "iq.telegram-2023", "-o", path, "-q")
        assert code in (0, 1), err
        out.append(path)
    return out


def test_three_platforms_in_one_json_matrix(run: Any, three_results: list[Path],
                                            tmp_path: Path) -> None:
    out = tmp_path / "matrix.json"
    code, _stdout, err = run("compare", *three_results, "-o", out)
    assert code == 0, err
    doc = json.loads(out.read_text("utf-8"))
    assert doc["schema"] == "platform-audit/comparison"
    assert [p["name"] for p in doc["platforms"]] == [name for _p, name, _d in PLATFORMS]
    assert [p["as_of"] for p in doc["platforms"]] == [d for _p, _n, d in PLATFORMS]
    assert doc["same_as_of"] is False and doc["same_module_versions"] is True
    assert any("different dates" in n for n in doc["notes"])
    sources = [json.loads(p.read_text("utf-8")) for p in three_results]
    for column, source in zip(doc["platforms"], sources, strict=True):
        assert column["score"] == source["scoring"]["with_waivers"]["score"]
        assert column["verdict"] == source["verdict"]
    # every requirement of every result is a row, each cell that result's status
    ids = {r["id"] for s in sources for r in s["requirements"]}
    assert {r["id"] for r in doc["requirements"]} == ids
    for row in doc["requirements"]:
        for cell, source in zip(row["cells"], sources, strict=True):
            wanted = next(r for r in source["requirements"] if r["id"] == row["id"])
            assert cell["status"] == wanted["status"] and cell["score"] == wanted["score"]
        assert row["differs"] == (len({c["status"] for c in row["cells"]}) > 1)
    breach = next(r for r in doc["requirements"] if r["id"] == "eu.gdpr:breach-notice-authority")
    source = next(r for r in sources[0]["requirements"] if r["id"] == breach["id"])
    assert breach["cells"][0]["figure"] == "share_on_time"
    assert breach["cells"][0]["value"] == source["figures"]["share_on_time"]


@pytest.mark.parametrize("suffix", [".md", ".html", ".txt"])
def test_text_renderings_name_every_platform(run: Any, three_results: list[Path],
                                             tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"matrix{suffix}"
    code, _stdout, err = run("compare", *three_results, "-o", out)
    assert code == 0, err
    text = out.read_text("utf-8")
    for _pack, name, _as_of in PLATFORMS:
        assert name in text
    assert "eu.gdpr:breach-notice-authority" in text and "partially met" in text
    if suffix == ".html":
        assert text.startswith("<!DOCTYPE html>") and "<script" not in text
        assert "http://" not in text and "https://" not in text


def test_workbook_cells(run: Any, three_results: list[Path], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "matrix.xlsx"
    code, _stdout, err = run("compare", *three_results, "-o", out)
    assert code == 0, err
    ws = load_workbook(out).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in rows if r[:2] == ["requirement", "severity"])
    assert header[2:] == [name for _p, name, _d in PLATFORMS]
    scores = next(r for r in rows if r[0] == "score")
    assert scores[2] == "29.3%"  # the before-negotiation pack, as its console report says
    breach = next(r for r in rows if r[0] == "eu.gdpr:breach-notice-authority")
    assert breach[2].startswith("not met\n") and breach[2].endswith("on time")
    assert breach[3].startswith("partially met\n")


def test_a_difference_of_module_versions_is_shown(run: Any, three_results: list[Path],
                                                  tmp_path: Path) -> None:
    data = json.loads(three_results[2].read_text("utf-8"))
    for c in data["checklists"]:
        if c["id"] == "eu.gdpr":
            c["version"] = 1
    edited = tmp_path / "older-module.json"
    edited.write_text(json.dumps(data), "utf-8")
    code, stdout, err = run("compare", three_results[0], three_results[1], edited,
                            "--format", "json")
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["same_module_versions"] is False
    assert any(n.startswith("checklist eu.gdpr is assessed at different versions") and
               "Furat Talk: 1" in n for n in doc["notes"])


def test_same_platform_twice_is_labelled_by_file(run: Any, three_results: list[Path],
                                                 tmp_path: Path) -> None:
    copy = tmp_path / "again.json"
    shutil.copy(three_results[1], copy)
    code, stdout, err = run("compare", three_results[1], copy)
    assert code == 0, err
    assert "Rafidain Chat (rafidain.json)" in stdout and "Rafidain Chat (again.json)" in stdout
    assert "use audit diff" in stdout
    code, md, err = run("compare", three_results[1], copy, "--format", "markdown")
    assert code == 0, err
    tables = [line for line in md.splitlines() if line.startswith("|  ")
              or line.startswith("| requirement")]
    assert len(tables) == 2  # the scores' header and the requirements' header
    for header in tables:
        assert "Rafidain Chat (rafidain.json)" in header and "Rafidain Chat (again.json)" in header


def test_bad_inputs_are_one_line(run: Any, three_results: list[Path], tmp_path: Path) -> None:
    code, _stdout, err = run("compare", three_results[0])
    assert code == 2 and "at least 2 results" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{}", "utf-8")
    code, _stdout, err = run("compare", three_results[0], bad)
    assert code == 2 and err.count("\n") == 1 and "bad.json: not a platform-audit result" in err
    code, _stdout, err = run("compare", *three_results, "-o", tmp_path / "m.pdf")
    assert code == 2 and "no compare format writes '.pdf'" in err
    code, _stdout, err = run("compare", *three_results, "--format", "xlsx")
    assert code == 2 and "needs an output file" in err
    code, _stdout, err = run("compare", *three_results, "-o", three_results[0])
    assert code == 2 and three_results[0].read_text("utf-8").startswith("{")


def test_diff_of_two_platforms_points_to_compare(run: Any, three_results: list[Path]) -> None:
    code, stdout, err = run("diff", three_results[1], three_results[2])
    assert code == 0, err
    assert ("the results are for different platforms ('Rafidain Chat' and 'Furat Talk'): this "
            "compares them as one platform changing; to compare platforms side by side use "
            "audit compare") in stdout


def test_columns_are_told_apart_by_path_when_file_names_repeat() -> None:
    from audit.platform_matrix import build_matrix

    base = {"schema": "platform-audit/result", "schema_version": "1.2", "as_of": "2024-12-31",
            "platform": {"name": "Same"}, "checklists": [{"id": "m", "version": 1}],
            "requirements": [{"id": "m:r", "status": "met", "score": 1.0}]}
    m = build_matrix([("2024/r.json", base), ("2025/r.json", base), ("other.json", base)])
    assert [p.label for p in m.platforms] == ["Same (2024/r.json)", "Same (2025/r.json)",
                                             "Same (other.json)"]
    assert m.same_as_of and m.same_module_versions
    assert [[c.status if c else None for c in r.cells] for r in m.rows] == [["met"] * 3]
