"""``audit diff OLD.json NEW.json`` (audit/comparison.py, audit/commands/diff.py): the before/after example results read as
the story of the remediation, regressions are caught (and gate with --fail-on-regression),
every output format works, and bad inputs give one clear line and exit 2."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CHECKLISTS = ("iq.telegram-2023", "eu.gdpr")


def result_of(pack: str, checklists: tuple[str, ...] = CHECKLISTS) -> dict[str, Any]:
    from audit.pipeline.score import assess
    from audit.checklists import load_library
    from audit.evidence.loaders import load_evidence, needed_log_columns
    from audit.plugins import get_registry
    from audit.reports.jsonout import assessment_dict
    from audit.schemas.common import as_date

    registry = get_registry()
    library = load_library(registry)
    chosen = [library.get(c) for c in checklists]
    ev = load_evidence([EXAMPLES / pack], registry, needed_log_columns(chosen, registry))
    a = assess(ev, chosen, library, registry, as_date(ev.profile["as_of"]))
    return json.loads(json.dumps(assessment_dict(a)))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("results")
    out = {}
    for key, pack, checklists in (("before", "before-negotiation", CHECKLISTS),
                                  ("after", "after-remediation", CHECKLISTS),
                                  ("before-iq", "before-negotiation", ("iq.telegram-2023",))):
        path = root / f"{key}.json"
        path.write_text(json.dumps(result_of(pack, checklists), indent=2), "utf-8")
        out[key] = path
    return out


@pytest.fixture
def diff_cli(run: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """``audit diff`` through audit.cli.main, registered for the test unless cli.py has it."""
    from audit.cli import cli
    from audit.commands.diff import diff as diff_cmd

    added = "diff" not in cli.commands
    if added:
        cli.add_command(diff_cmd)
    try:
        yield lambda *args: run("diff", *args)
    finally:
        if added:
            cli.commands.pop("diff", None)


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2), "utf-8")
    return path


# -- the example story -------------------------------------------------------------------------

def test_before_after_improvements(results: dict[str, Path]) -> None:
    from audit.comparison import diff_files

    d = diff_files(results["before"], results["after"]).to_dict()
    assert d["schema"] == "platform-audit/diff" and d["schema_version"] == "1.1"
    assert d["partial"] is False
    assert d["overall"]["verdict"] == {"old": "non_compliant", "new": "partially_compliant",
                                       "direction": "better"}
    # 0.2928 since calendar months end with the corresponding day (Reg. 1182/71 Art. 3(2)(c)):
    # one more of the pack's GDPR requests counts as answered within 1 month (was 0.2926)
    assert d["overall"]["score"]["old"] == pytest.approx(0.2928, abs=1e-4)
    assert d["overall"]["score"]["new"] == pytest.approx(0.9967, abs=1e-4)
    assert d["regression"] is False and d["regressions"] == []
    by_id = {r["id"]: r for r in d["requirements"]}
    leak = by_id["iq.telegram-2023:leak-takedown"]
    assert leak["labels"][0] == "newly_met"
    assert leak["status"] == {"old": "not_met", "new": "met", "direction": "better"}
    share = leak["figures"]["share_on_time"]
    assert share["old"] == pytest.approx(0.449, abs=1e-3)
    assert share["new"] == pytest.approx(0.977, abs=1e-3)
    assert share["delta"] == pytest.approx(share["new"] - share["old"], abs=1e-6)
    contact = by_id["iq.telegram-2023:official-contact"]
    assert contact["status"]["new"] == "waived" and contact["waiver"]["change"] == "added"
    assert by_id["iq.telegram-2023:privacy-policy-ar"]["waiver"]["change"] == "expired"
    erasure = by_id["eu.gdpr:erasure"]
    assert erasure["labels"] == ["score_up", "figures_changed"]  # partial then and now
    assert d["counts"]["newly_met"] == 13 and d["counts"]["newly_failing"] == 0
    assert "eu.gdpr:dpo" not in by_id  # unchanged requirements are counted, not listed
    assert d["counts"]["compared"] == 17


def test_console_report_reads_well(diff_cli: Callable[..., Any],
                                   results: dict[str, Path]) -> None:
    code, out, err = diff_cli(results["before"], results["after"], "--fail-on-regression")
    assert code == 0, err
    assert "Verdict: NON-COMPLIANT -> PARTIALLY COMPLIANT (better)" in out
    assert "Score: 29.3 % -> 99.7 % (+70.4 points)" in out
    assert "Regressions: 0" in out
    line = next(ln for ln in out.splitlines() if ln.startswith("iq.telegram-2023:leak-takedown"))
    assert "newly met" in line and "not met -> met" in line
    assert "share_on_time 0.449 -> 0.977" in line
    assert err == ""


def test_regression_gate(diff_cli: Callable[..., Any], results: dict[str, Path]) -> None:
    code, out, err = diff_cli(results["after"], results["before"])
    assert code == 0  # no gate asked for
    assert "newly failing" in out and "(worse)" in out
    code, out, err = diff_cli(results["after"], results["before"], "--fail-on-regression")
    assert code == 1
    assert err.startswith("audit: gate failed:") and len(err.strip().splitlines()) == 1
    assert "iq.telegram-2023:leak-takedown: status met -> not_met" in err
    assert "verdict partially_compliant -> non_compliant" in err


def test_score_drop_alone_is_a_regression(tmp_path: Path, results: dict[str, Path]) -> None:
    from audit.comparison import diff_files

    new = load(results["after"])
    erasure = next(r for r in new["requirements"] if r["id"] == "eu.gdpr:erasure")
    erasure["score"] = 0.5  # still partial, lower score
    d = diff_files(results["after"], write(tmp_path, "new.json", new))
    change = next(c for c in d.common if c.id == "eu.gdpr:erasure")
    assert change.labels == ["score_down"]
    assert d.regressions() == ["eu.gdpr:erasure: score 0.972 -> 0.500"]


def test_same_result_has_no_changes(results: dict[str, Path]) -> None:
    from audit.comparison import diff_files

    d = diff_files(results["after"], results["after"])
    assert d.changed() == [] and d.regressions() == []
    out = io.StringIO()
    from audit.reports.diff_text import render_console

    render_console(d, out)
    assert "No requirement changed." in out.getvalue()


# -- formats -----------------------------------------------------------------------------------

def test_json_and_markdown_output(diff_cli: Callable[..., Any], results: dict[str, Path],
                                  tmp_path: Path) -> None:
    code, out, err = diff_cli(results["before"], results["after"], "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"schema", "schema_version", "old", "new", "partial", "notes",
                         "checklists", "overall", "by_area", "counts", "movements",
                         "regression", "regressions", "requirements", "only_in_old",
                         "only_in_new"}
    assert data["old"]["as_of"] == "2023-08-31" and data["new"]["as_of"] == "2024-12-31"
    md = tmp_path / "changes.md"
    code, out, err = diff_cli(results["before"], results["after"], "-o", md)
    assert code == 0, err
    text = md.read_text("utf-8")
    assert text.startswith("# Rafidain Chat: changes from 2023-08-31")
    assert "| iq.telegram-2023:leak-takedown" in text


def test_xlsx_changes_sheet(diff_cli: Callable[..., Any], results: dict[str, Path],
                            tmp_path: Path) -> None:
    from openpyxl import load_workbook

    code, out, err = diff_cli(results["before"], results["after"], "--format", "xlsx")
    assert code == 2 and "needs an output file" in err
    path = tmp_path / "changes.xlsx"
    code, out, err = diff_cli(results["before"], results["after"], "-o", path)
    assert code == 0, err
    ws = load_workbook(path)["Changes"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r[0] == "requirement"))
    assert rows[header][:5] == ("requirement", "severity", "change", "old status", "new status")
    body = {r[0]: r for r in rows[header + 1:] if r[0]}
    assert body["iq.telegram-2023:leak-takedown"][3:5] == ("not met", "met")
    assert "Verdict: NON-COMPLIANT -> PARTIALLY COMPLIANT (better)" in [r[0] for r in rows]


# -- partial comparisons and checklist changes -------------------------------------------------

def test_different_checklists_give_a_partial_comparison(diff_cli: Callable[..., Any],
                                                        results: dict[str, Path]) -> None:
    from audit.comparison import diff_files

    d = diff_files(results["before-iq"], results["after"])
    data = d.to_dict()
    assert data["partial"] is True
    assert data["checklists"]["only_in_new"] == ["eu.gdpr"]
    assert data["counts"]["compared"] == 4 and data["counts"]["only_in_new"] == 13
    assert all(r["reason"] == "checklist eu.gdpr not assessed in the old result"
               for r in data["only_in_new"])
    assert data["overall"]["comparable"] is False
    assert "partial comparison" in data["notes"][0]
    code, out, err = diff_cli(results["after"], results["before-iq"], "--fail-on-regression")
    # the verdict and score cover different requirements: not a regression by themselves,
    # but the common requirements that got worse are
    assert code == 1
    assert "verdict" not in err and "iq.telegram-2023:leak-takedown" in err
    assert "not comparable: different checklists" in out
    assert "Only in old (13):" in out


def test_checklist_version_change_and_removed_requirement(tmp_path: Path,
                                                          results: dict[str, Path]) -> None:
    from audit.comparison import diff_files

    new = load(results["after"])
    next(c for c in new["checklists"] if c["id"] == "eu.gdpr")["version"] = 3
    new["requirements"] = [r for r in new["requirements"] if r["id"] != "eu.gdpr:dpia"]
    extra = copy.deepcopy(new["requirements"][-1])
    extra.update(id="eu.gdpr:new-duty", requirement="new-duty")
    new["requirements"].append(extra)
    d = diff_files(results["after"], write(tmp_path, "new.json", new)).to_dict()
    assert d["checklists"]["version_changes"] == [{"id": "eu.gdpr", "old": 2, "new": 3}]
    assert d["partial"] is False
    assert [r["id"] for r in d["only_in_old"]] == ["eu.gdpr:dpia"]
    assert [r["id"] for r in d["only_in_new"]] == ["eu.gdpr:new-duty"]
    assert d["only_in_old"][0]["reason"] == ("requirement not in checklist eu.gdpr as assessed "
                                             "in the new result")
    assert any("eu.gdpr changed from version 2 to 3" in n for n in d["notes"])


# -- bad inputs --------------------------------------------------------------------------------

def _one_line_error(code: int, err: str) -> str:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_incompatible_schema_version(diff_cli: Callable[..., Any], results: dict[str, Path],
                                     tmp_path: Path) -> None:
    new = load(results["after"])
    new["schema_version"] = "2.0"
    path = write(tmp_path, "v2.json", new)
    line = _one_line_error(*diff_cli(results["before"], path)[::2])
    assert line == (f"audit: error: {path}: result schema version 2.0 is not compatible with "
                    "this platform-audit (reads 1.x)")
    new["schema_version"] = "1.7"  # a newer minor version only adds keys: accepted
    code, out, err = diff_cli(results["before"], write(tmp_path, "v17.json", new))
    assert code == 0, err


def test_not_a_result(diff_cli: Callable[..., Any], results: dict[str, Path],
                      tmp_path: Path) -> None:
    for name, data in (("list.json", [1, 2]), ("other.json", {"schema": "something/else"}),
                       ("oscal.json", {"assessment-results": {}})):
        path = write(tmp_path, name, data)
        line = _one_line_error(*diff_cli(path, results["after"])[::2])
        assert line.startswith(f"audit: error: {path}: not a platform-audit result")
    broken = load(results["after"])
    broken["requirements"][0]["status"] = "great"
    line = _one_line_error(*diff_cli(results["after"], write(tmp_path, "b.json", broken))[::2])
    assert "unknown status 'great'" in line


def test_malformed_json_names_file_and_line(diff_cli: Callable[..., Any],
                                            results: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "schema": "platform-audit/result",\n  "schema_version": "1.0",,\n}\n',
                    "utf-8")
    line = _one_line_error(*diff_cli(results["before"], path)[::2])
    assert line.startswith(f"audit: error: {path}:3: malformed JSON:")
    missing = tmp_path / "missing.json"
    line = _one_line_error(*diff_cli(missing, results["after"])[::2])
    assert line == f"audit: error: {missing}: no such file"


def test_results_the_gate_cannot_trust_are_refused(tmp_path: Path,
                                                   results: dict[str, Path]) -> None:
    import json as _json

    from audit.comparison import DiffError, check_result

    good = _json.loads(results["after"].read_text())
    for mutate, expected in [
        (lambda d: d["requirements"][0].__setitem__("score", "0.1"), "score must be a number"),
        (lambda d: d["requirements"][0].__setitem__("score", float("inf")), "score must be"),
        (lambda d: d.__setitem__("verdict", "non-compliant"), "unknown verdict"),
        (lambda d: d["requirements"].append(dict(d["requirements"][0])), "appears twice"),
        (lambda d: d["scoring"]["with_waivers"].__setitem__("score", "high"),
         "scoring.with_waivers.score"),
    ]:
        data = _json.loads(_json.dumps(good))
        mutate(data)
        with pytest.raises(DiffError) as exc:
            check_result(data, "new.json")
        assert expected in str(exc.value)


@pytest.mark.parametrize("lang, words", [
    ("ar", ("التغييرات من", "الحكم:", "الدرجة:", "المتطلبات المقارَنة", "مقارنة جزئية",
            "غير مُقيَّمة في النتيجة")),
    ("tr", ("arasındaki değişiklikler", "Sonuç:", "Puan:", "Karşılaştırılan gereklilikler",
            "kısmi karşılaştırma", "değerlendirilmedi")),
])
@pytest.mark.parametrize("fmt", ["console", "markdown"])
def test_diff_sentences_follow_the_report_language(diff_cli: Callable[..., Any],
                                                   results: dict[str, Path], tmp_path: Path,
                                                   lang: str, words: tuple[str, ...],
                                                   fmt: str) -> None:
    """Headline, notes and reasons are translated; the JSON comparison stays English."""
    code, out, _err = diff_cli(results["before-iq"], results["after"], "--lang", lang,
                               "--format", fmt)
    assert code == 0
    for word in words:
        assert word in out, (lang, fmt, word)
    assert "Verdict:" not in out and "partial comparison" not in out
    code, _out, _err = diff_cli(results["before-iq"], results["after"], "--lang", lang,
                                "-o", str(tmp_path / "d.json"))
    data = load(tmp_path / "d.json")
    assert code == 0 and data["notes"][0].startswith("partial comparison: the results cover")
    assert data["only_in_new"][0]["reason"] == "checklist eu.gdpr not assessed in the old result"


def test_diff_and_baseline_count_in_one_vocabulary(run, tmp_path: Path) -> None:
    """The same pair of results: `audit diff`'s headline and `--baseline`'s summary give the
    same counts in the same words, though one requirement improved by score only."""
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    examples = Path(__file__).resolve().parent.parent / "examples"
    for pack, out in (("before-negotiation", before), ("after-remediation", after)):
        code, _out, err = run("assess", examples / pack, "-c", "eu.gdpr", "-c",
                              "iq.telegram-2023", "-o", out, "-q")
        assert code == 0, err
    code, out, err = run("diff", before, after, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    moved = {k: v for k, v in doc["movements"].items() if v}
    assert moved["improved"] > doc["counts"]["better"]  # a score-only improvement counts
    code, text, err = run("diff", before, after)
    words = ", ".join(f"{n} {label}" for label, n in moved.items())
    assert f"Requirements compared: {doc['counts']['compared']}: {words};" in text
    code, md, err = run("assess", examples / "after-remediation", "-c", "eu.gdpr", "-c",
                        "iq.telegram-2023", "--baseline", before, "--format", "markdown")
    assert code == 0, err
    assert f"Since baseline ({before}, as of 2023-08-31): {words};" in md
