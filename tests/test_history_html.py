"""`audit history` as one self-contained HTML page: the table of every submission, a line
chart drawn in SVG (one line per series), nothing from the network, markup in evidence inert."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BEFORE = ROOT / "examples" / "before-negotiation"
AFTER = ROOT / "examples" / "after-remediation"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & Co'


@pytest.fixture
def results(run, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Three results of one platform whose name carries markup (evidence is untrusted)."""
    folder = tmp_path / "results"
    folder.mkdir()
    for name, source, as_of in (("1.json", BEFORE, None), ("2.json", AFTER, None),
                                ("3.json", AFTER, "2025-06-30")):
        pack = tmp_path / f"pack-{name}"
        shutil.copytree(source, pack)
        platform = pack / "platform.yaml"
        platform.write_text(platform.read_text("utf-8").replace(
            "name: Rafidain Chat", f"name: {json.dumps(HOSTILE)}"), "utf-8")
        args = ["assess", pack, "-c", "iq.telegram-2023", "-c", "eu.gdpr", "-q",
                "-o", folder / name]
        code, _out, err = run(*args, *(["--as-of", as_of] if as_of else []))
        assert code == 0, err
    return folder


def test_history_page(run, results: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run("history", results, "--format", "json")
    assert code == 0, err
    rows = json.loads(out)["results"]
    assert [r["as_of"] for r in rows] == ["2023-08-31", "2024-12-31", "2025-06-30"]
    page_path = tmp_path / "history.html"
    code, out, err = run("history", results, "-o", page_path)
    assert code == 0, err
    page = page_path.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'dir="ltr"' in page
    table = page[page.index("<tbody>"):page.index("</tbody>")]
    body_rows = re.findall(r"<tr>(.*?)</tr>", table)
    assert len(body_rows) == 3
    labels = {"non_compliant": "Non-compliant", "partially_compliant": "Partially compliant",
              "compliant": "Compliant", "review_needed": "Review needed"}
    for row, line in zip(rows, body_rows, strict=True):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", line)
        assert cells[0] == f"<bdi>{row['as_of']}</bdi>" and cells[1] == labels[row["verdict"]]
        assert cells[2] == f"{row['score']:.1f}"
    assert rows[0]["score"] != rows[1]["score"]  # the chart has something to show
    # one line per series: the overall score and each area
    areas = {a for r in rows for a in r["by_area"]}
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert len(re.findall(r"<path class=\"series\"", svg)) == 1 + len(areas)
    assert len(re.findall(r"<circle ", svg)) == sum(
        (r["score"] is not None) + sum(v is not None for v in r["by_area"].values())
        for r in rows)
    # self-contained: no resource is fetched, no script runs
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "url(" not in page and "@import" not in page and "<script" not in page
    assert "<img" not in page and "&lt;script&gt;" in page and "&amp; Co" in page


def test_history_page_language_and_inputs(run, results: Path,  # type: ignore[no-untyped-def]
                                          tmp_path: Path) -> None:
    page_path = tmp_path / "h.htm"
    code, _out, err = run("history", results, "-o", page_path, "--lang", "ar")
    assert code == 0, err
    page = page_path.read_text("utf-8")
    assert 'lang="ar" dir="rtl"' in page and "غير ممتثل" in page
    code, _out, err = run("history", results, "--format", "html", "-o", results / "1.json")
    assert code == 2 and "is one of the inputs" in err
    assert json.loads((results / "1.json").read_text("utf-8"))["as_of"] == "2023-08-31"
    code, _out, err = run("history", results, "--lang", "xx")
    assert code == 2 and "--lang" in err


def test_history_to_standard_output(run, results: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """`-o -` writes text formats to standard output and refuses the workbook (no file '-')."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run("history", results, "-o", "-", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["schema"] == "platform-audit/history"
    code, out, err = run("history", results, "-o", "-", "--format", "xlsx")
    assert code == 2 and "standard output" in err and out == ""
    assert not (tmp_path / "-").exists()
    code, out, err = run("history", results, "-o", tmp_path / "h.xlsx")
    assert code == 0 and "wrote" in err and "wrote" not in out
