"""The HTML report (audit/reports/html*.py): one self-contained file from the one Assessment,
every string routed through audit.i18n, right-to-left for Arabic, hostile evidence inert,
offending events capped with the full list beside it. The browser checks are in
tests/test_html_browser.py."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from markupsafe import escape

from audit.assessment import DataNote, DetailQuery
from audit.model import Status

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TEMPLATE = ROOT / "audit" / "reports" / "templates" / "report.html.j2"
HOSTILE = ('<script>alert("x")</script> "><img src=x onerror=alert(1)> '
           "javascript:alert(2) \u202etxt.exe")


def assess_pack(pack: Path, checklists: tuple[str, ...] = ("iq.telegram-2023", "eu.gdpr")) -> Any:
    from audit.pipeline.score import assess
    from audit.checklists import load_library
    from audit.evidence.loaders import load_evidence, needed_log_columns
    from audit.plugins import get_registry
    from audit.schemas.common import as_date

    registry = get_registry()
    library = load_library(registry)
    chosen = [library.get(c) for c in checklists]
    ev = load_evidence([pack], registry, needed_log_columns(chosen, registry))
    return assess(ev, chosen, library, registry, as_date(ev.profile["as_of"]))


def render(assessment: Any, output: Path | None = None) -> str:
    import io

    from audit.reports.html import HtmlWriter

    out = io.StringIO()
    HtmlWriter().write(assessment, out, output=output)
    return out.getvalue()


def hostile_pack(tmp_path: Path) -> Path:
    """The before-negotiation example with markup, script and a bidi override in evidence."""
    pack = tmp_path / "hostile"
    shutil.copytree(EXAMPLES / "before-negotiation", pack)
    profile = yaml.safe_load((pack / "platform.yaml").read_text("utf-8"))
    profile["name"] = "Evil " + HOSTILE
    (pack / "platform.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True), "utf-8")
    answers = yaml.safe_load((pack / "answers.yaml").read_text("utf-8"))
    answers["security-measures"]["note"] = HOSTILE
    (pack / "answers.yaml").write_text(yaml.safe_dump(answers, allow_unicode=True), "utf-8")
    return pack


@pytest.fixture(scope="module")
def before() -> Any:
    return assess_pack(EXAMPLES / "before-negotiation")


def external_references(html: str) -> list[str]:
    """Anything that would make a browser fetch, read from the parsed elements: src, srcset,
    poster, data or action attributes, <link>, <iframe>/<object>/<embed>/<img>, CSS url() and
    @import, meta refresh, and hrefs other than http(s) links (followed only when clicked)
    and the relative CSV files beside the report."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("link", "iframe", "object", "embed", "img", "base", "frame"):
                found.append(f"<{tag}>")
            for name, value in attrs:
                if name in ("src", "srcset", "poster", "data", "action", "formaction",
                            "background", "ping"):
                    found.append(f"{tag} {name}={value}")
                if name == "http-equiv" and (value or "").lower() == "refresh":
                    found.append("meta refresh")
                if name == "href" and not (
                        (value or "").startswith(("https://", "http://"))
                        or re.fullmatch(r"[\w.\-]+\.events\.csv", value or "")):
                    found.append(f"href={value}")

    Parser().feed(html)
    style = "".join(re.findall(r"<style>(.*?)</style>", html, re.S))
    found += re.findall(r"url\(|@import", style)
    return found


def test_report_has_every_section(before: Any) -> None:
    html = render(before)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en" dir="ltr">' in html
    for section in ("scores", "gaps", "requirements", "figures", "waivers", "decisions",
                    "evidence"):
        assert f'<section id="{section}">' in html
    assert "Non-compliant" in html and before.score.percent in html
    assert str(escape(before.score.formula)) in html
    # gaps worst first, with the citation as a link to the source
    gaps = before.gaps()
    positions = [html.index(g.requirement.full_id) for g in gaps]
    assert positions == sorted(positions)
    assert 'href="https://eur-lex.europa.eu/' in html
    # every evidence file with its hash, every requirement in the table
    for f in before.evidence_files:
        assert f.sha256 in html
    assert html.count("<tr data-status=") == len(before.results)
    # the area chart is inline SVG, one bar per area
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') >= 1
    assert external_references(html) == []


def test_month_chart_per_rule_version(tmp_path: Path) -> None:
    """Share within the clock per month, coloured by the rule version in force (hand-checked:
    January under a 36 h clock, all 3 on time; February under 3 h, 0 of 2 on time)."""
    from packs import MODERATION, moderation_rows, write_pack
    from test_evaluators import requirement, run_rules

    rule = ("{type: deadline, log: moderation, start: received_at, end: actioned_at, "
            "versions: [{from: 2024-01-01, within: 36h, target: 0.9}, "
            "{from: 2024-02-01, within: 3h, target: 0.95}]}")
    rows = moderation_rows([10] * 5, start="2024-01-10T00:00:00+00:00", step_hours=24)
    rows[3][1], rows[3][2] = "2024-02-10T06:00:00+00:00", "2024-02-10T16:00:00+00:00"
    rows[4][1], rows[4][2] = "2024-02-11T06:00:00+00:00", "2024-02-11T16:00:00+00:00"
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    a = run_rules(tmp_path, [requirement("v", rule)], pack, as_of="2024-03-31")["_assessment"]
    html = render(a)
    assert "t.rules:v: share handled within the clock, by month of receipt" in html
    bars = re.findall(r'<rect [^>]*fill="(#\w+)"><title>(\d{4}-\d\d): (\d+) of (\d+) within',
                      html)
    assert [(m, int(o), int(t)) for _c, m, o, t in bars] == [("2024-01", 3, 3),
                                                            ("2024-02", 0, 2)]
    assert bars[0][0] != bars[1][0]  # one colour per rule version
    # the rule's date and clock in the report's words (issue 28: no ISO dates, no raw "36h")
    assert "rule from 1 Jan 2024: within 36 hours; target 90.0 %" in html
    assert "rule from 1 Feb 2024: within 3 hours; target 95.0 %" in html


def test_no_month_chart_within_one_month(before: Any) -> None:
    html = render(before)
    assert "iq.telegram-2023:leak-takedown: share handled within the clock" not in html
    assert "eu.gdpr:erasure: share handled within the clock" in html


def test_notes_waivers_and_decisions(tmp_path: Path) -> None:
    a = assess_pack(EXAMPLES / "after-remediation")
    note = DataNote("end-column-empty", "the actioned_at column is empty in 12 rows",
                    log="moderation")

    @dataclasses.dataclass(frozen=True)
    class Review:  # the shape audit.reviews.Review has on the over-time branch
        requirement: str
        decision: Any
        reasoning: str
        reviewer: str
        date: dt.date
        location: str

    a = dataclasses.replace(a, notes=[note])
    dpia = next(i for i, r in enumerate(a.results) if r.requirement.full_id == "eu.gdpr:dpia")
    reviewed = a.results[dpia]
    a.results[dpia] = dataclasses.replace(reviewed)
    object.__setattr__(a.results[dpia], "review", Review(
        "eu.gdpr:dpia", Status.MET, "DPIA seen on site", "A. Auditor", dt.date(2025, 1, 10),
        "reviews.yaml:3"))
    object.__setattr__(a.results[dpia], "computed", reviewed.finding)
    a = dataclasses.replace(a, score_without_reviews=a.score)  # a frozen value: a new one
    html = render(a)
    assert "Data-quality notes" in html and "the actioned_at column is empty in 12 rows" in html
    decisions = html[html.index('<section id="decisions">'):html.index('<section id="evidence">')]
    assert "DPIA seen on site" in decisions and "reviews.yaml:3" in decisions
    assert "<td>met</td>" in decisions and "A. Auditor" in decisions
    from audit.reports.html_view import status_label

    assert f"<td>{status_label(reviewed.finding.status.value)}</td>" in decisions
    assert "Without auditor decisions:" in html
    waived = [w for w in a.waivers if w.active]
    assert waived and all(w.waiver.justification.split()[0] in html for w in waived)


def test_hostile_evidence_is_inert(tmp_path: Path) -> None:
    a = assess_pack(hostile_pack(tmp_path))
    key = next(k for k in a.sources)
    a.sources[key] = {"title": "Evil source", "url": "javascript:alert(3)"}
    html = render(a)
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript:" not in re.sub(r"<[^>]*>", "", html) or "href=\"javascript" not in html
    assert not re.search(r"href=\"\s*javascript", html, re.I)
    assert "\u202e" not in html and "[U+202E]txt.exe" in html
    assert html.count("<script>") == 1  # the report's own filter script
    assert external_references(html) == []


def test_safe_url_and_neutralise() -> None:
    from audit.reports.html import safe_url
    from audit.reports.html_text import neutralise

    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", " JAVASCRIPT:x", "data:text/html,x", "file:///etc",
                "//evil.example", "vbscript:x", "http://", None, 3):
        assert safe_url(bad) is None
    assert neutralise("a\u202eb\u2066c\u0007d") == "a[U+202E]b[U+2066]c d"


def test_offending_events_are_capped_and_listed_beside(before: Any, tmp_path: Path) -> None:
    """100,000 offending events: the page shows the cap and stays small; the CSV has all."""
    from audit.reports.html import SAMPLE_CAP, HtmlWriter

    full_id = "iq.telegram-2023:leak-takedown"
    details = dict(before.details)
    details[full_id] = DetailQuery(
        "SELECT 'REQ-' || i AS request_id, '<b>' || i || '</b>' AS note "
        "FROM range(100000) t(i) ORDER BY i", ("request_id", "note"), "moderation")
    a = dataclasses.replace(before, details=details)
    output = tmp_path / "report.html"
    html = render(a, output)
    assert len(html.encode("utf-8")) < 400_000
    # parameters are isolated (<bdi>) so numbers keep their direction in an Arabic sentence
    assert "<bdi>100,000</bdi> offending events" in html
    assert f"The report shows at most <bdi>{SAMPLE_CAP}</bdi> per requirement" in html
    assert f"here <bdi>{SAMPLE_CAP}</bdi>" in html
    name = "report.iq.telegram-2023_leak-takedown.events.csv"
    assert f'<a href="{name}">' in html and "&lt;b&gt;1&lt;/b&gt;" in html
    siblings = dict(HtmlWriter().siblings(a, output))
    path = output.with_name(name)
    with path.open("w", encoding="utf-8", newline="") as fh:
        siblings[path](fh)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["request_id", "note"] and len(rows) == 100_001


def test_cli_writes_report_and_csvs(run: Any, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    code, stdout, err = run("assess", EXAMPLES / "before-negotiation", "-c",
                            "iq.telegram-2023", "-c", "eu.gdpr", "-o", out)
    assert code == 0, err
    assert "wrote" in err and out.read_text("utf-8").startswith("<!DOCTYPE html>")
    csvs = sorted(p.name for p in tmp_path.glob("*.events.csv"))
    assert "report.iq.telegram-2023_leak-takedown.events.csv" in csvs
    html = out.read_text("utf-8")
    for name in csvs:
        assert f'href="{name}"' in html


def test_sibling_over_an_input_is_refused(before: Any, tmp_path: Path) -> None:
    """No input can sit where a CSV would go with today's loaders (a pack directory holding the
    output is refused first), so the guard is exercised directly: nothing is written."""
    import sys

    from audit.errors import OutputError
    from audit.reports.base import write_report
    from audit.reports.html import HtmlWriter

    out = tmp_path / "r.html"
    victim = tmp_path / "r.iq.telegram-2023_leak-takedown.events.csv"
    victim.write_text("keep me\n", "utf-8")
    with pytest.raises(OutputError, match="is one of the inputs"):
        write_report(HtmlWriter(), before, out, [victim], sys.stdout)
    assert victim.read_text("utf-8") == "keep me\n"
    assert not out.exists() and list(tmp_path.glob("*.events.csv")) == [victim]


def test_template_text_is_routed_through_i18n() -> None:
    """Nothing a reader sees is literal template text: strip expressions, statements,
    comments, tags, style and script, and only punctuation may remain."""
    text = TEMPLATE.read_text("utf-8")
    text = re.sub(r"<style>.*?</style>|<script>.*?</script>", "", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", text, flags=re.S)
    text = re.sub(r"<[^>]*>", "", text)
    leftovers = set(re.findall(r"[^\W\d_]{2,}", text)) - {"SHA"}
    assert leftovers == set(), leftovers


def test_arabic_is_right_to_left_and_translated(before: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from audit import i18n

    arabic = {"Verdict": "الحكم", "Gaps, worst first": "الثغرات، الأخطر أولاً"}
    seen: list[str] = []

    def translate(message: str, language: str) -> str:
        seen.append(message)
        return arabic.get(message, message) if language == "ar" else message

    monkeypatch.setattr(i18n, "_translate", translate)
    html = render(dataclasses.replace(before, language="ar"))
    assert '<html lang="ar" dir="rtl">' in html
    assert "الحكم" in html and "الثغرات، الأخطر أولاً" in html
    # the charts and the view's labels go through the same machinery
    assert "Score by area" in seen and "not met" in seen


def test_arabic_report_uses_the_real_catalogue(before: Any) -> None:
    """With the shipped catalogue (no stub): the template's own headings, the scoring model
    and the formula are Arabic; the English source sentences are gone."""
    html = render(dataclasses.replace(before, language="ar"))
    for arabic in ("الفجوات، الأسوأ أولاً", "الدرجات حسب المجال والولاية القضائية",
                   "الإسناد القانوني", "<bdi>مرجّح</bdi>", "ملفات الأدلة", "الصيغة:"):
        assert arabic in html, arabic
    for english in ("Gaps, worst first", "Legal citation", "Evidence files", "(weighted)",
                    "sum(weight x requirement score)"):
        assert english not in html, english


def test_citation_shows_confidence_below_high(before: Any) -> None:
    """A requirement whose legal reference is not of high confidence carries the same
    ``[confidence: ...]`` mark as the console and Markdown; a high one carries none."""
    from audit.reports.summary import citation_text

    html = render(before)
    low = [r for r in before.results
           if r.requirement.confidence.value not in ("high", "high_text")]
    high = [r for r in before.results if r not in low]
    assert low and high
    for r in low:
        assert str(escape(citation_text(before, r))) in html
        assert "[confidence:" in citation_text(before, r)
    assert "[confidence:" not in citation_text(before, high[0])
    assert html.count("[confidence: ") >= len(low)


def test_measured_figures_are_labelled_and_formatted(before: Any) -> None:
    """The figures table shows the Metrics sheet's labels and locale-formatted values (shares
    as percentages, hours as durations, counts grouped), never raw keys or raw numbers."""
    from audit.reports.xlsx_columns import FIGURE_COLUMNS, METRIC_HEADERS

    assert set(FIGURE_COLUMNS.values()) <= set(METRIC_HEADERS)
    html = render(before)
    table = "".join(re.findall(r'<table class="figures">(.*?)</table>', html, re.S))
    rows = dict(re.findall(r"<tr><th>([^<]*)</th><td class=\"num\"><bdi>([^<]*)</bdi>", table))
    for raw in ("share_on_time", "on_time", "p50_hours", "outside_period", "0.44856",
                "21.526"):
        assert raw not in table, raw
    assert {"share", "on time", "median time", "outside the measured period"} <= set(rows)
    assert "<th>share</th><td class=\"num\"><bdi>44.9%</bdi>" in table
    assert "<th>median time</th><td class=\"num\"><bdi>21.5 h</bdi>" in table
    assert "<th>90th percentile time</th><td class=\"num\"><bdi>4.8 days</bdi>" in table
    turkish = "".join(re.findall(r'<table class="figures">(.*?)</table>',
                                 render(dataclasses.replace(before, language="tr")), re.S))
    assert "%44,9" in turkish and "21,5 sa" in turkish
    assert "ölçülen dönemin dışında" in turkish


def test_figure_values_group_counts() -> None:
    from audit.i18n import use_language
    from audit.reports.html_view import figure_label, figure_value

    with use_language("en"):
        assert figure_value("events", 1234567) == "1,234,567"
        assert figure_value("p50_hours", 100.8) == "4.2 days"
        assert figure_label("share_on_time") == "share"
        assert figure_label("closed_within") == "closed within"
    with use_language("tr"):
        assert figure_value("events", 1234567) == "1.234.567"

