"""The HTML report in a real browser (headless Chromium, Debian's ``chromium`` package): no
request leaves the page, hostile evidence stays text, the filter works and the page reads
without script, English and Arabic screenshots are taken, and the page prints.

Skipped, with the reason shown, where Chromium is not installed (``.ci/run`` installs it).
Set ``AUDIT_SCREENSHOTS=DIR`` to keep the screenshots and the PDF for a look.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
import pytest

from test_html import assess_pack, hostile_pack, render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                                                         "(apt-get install chromium)")
ARABIC = {
    "{platform}: compliance assessment as of {date}": "{platform}: تقييم الامتثال بتاريخ {date}",
    "Verdict": "الحكم", "Non-compliant": "غير ممتثل", "Score ({model})": "الدرجة ({model})",
    "Requirements by status": "المتطلبات حسب الحالة", "Gaps, worst first": "الثغرات، الأخطر أولاً",
    "Scores by area and jurisdiction": "الدرجات حسب المجال والولاية القضائية",
    "Score by area": "الدرجة حسب المجال", "Area": "المجال", "Score": "الدرجة",
    "not met": "غير مستوفى", "partially met": "مستوفى جزئياً", "met": "مستوفى",
    "no evidence": "لا دليل", "Requirement": "المتطلب", "Severity": "الخطورة",
    "Status": "الحالة", "critical": "حرج", "high": "عالٍ", "medium": "متوسط",
}


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    command = [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-default-apps",
               "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=90,
                          env={**os.environ, "HOME": str(tmp_path)})


def keep(path: Path) -> None:
    target = os.environ.get("AUDIT_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    a = assess_pack(hostile_pack(tmp))
    out = tmp / "report.html"
    out.write_text(render(a, out), "utf-8")
    return out


def page_requests(netlog: Path) -> set[str]:
    """URLs the page asked for: request jobs with an initiator. The browser's own background
    calls (updater, clock) carry the initiator 'not an origin' and are not the page's."""
    log = json.loads(netlog.read_text("utf-8"))
    kinds = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    return {e["params"]["url"] for e in log["events"]
            if kinds.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in e.get("params", {})
            and e["params"].get("initiator") != "not an origin"
            and not e["params"]["url"].startswith(("file:", "data:", "about:"))}


def test_the_request_check_sees_requests(tmp_path: Path) -> None:
    """Control for the next test: a page that loads an image and a style sheet is caught."""
    page = tmp_path / "control.html"
    page.write_text('<img src="http://127.0.0.1:9/x.png">'
                    '<link rel="stylesheet" href="https://fonts.invalid/a.css">', "utf-8")
    netlog = tmp_path / "net.json"
    proc = chromium(tmp_path, f"--log-net-log={netlog}", "--dump-dom", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert page_requests(netlog) == {"http://127.0.0.1:9/x.png", "https://fonts.invalid/a.css"}


def test_no_request_and_hostile_text_stays_text(hostile_report: Path, tmp_path: Path) -> None:
    netlog = tmp_path / "net.json"
    proc = chromium(tmp_path, f"--log-net-log={netlog}", "--dump-dom", hostile_report.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    # the script ran (the filter box is shown) and nothing was injected
    assert '<div class="filters" id="filters">' in dom
    assert "<img" not in dom and dom.count("<script") == 1
    assert "&lt;script&gt;alert(\"x\")&lt;/script&gt;" in dom
    assert "\"&gt;&lt;img src=x onerror=alert(1)&gt;" in dom
    assert page_requests(netlog) == set()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_screenshots(language: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from audit import i18n

    monkeypatch.setattr(i18n, "_translate",
                        lambda message, lang: ARABIC.get(message, message) if lang == "ar"
                        else message)
    a = assess_pack(Path(__file__).resolve().parent.parent / "examples" / "before-negotiation")
    out = tmp_path / f"report-{language}.html"
    out.write_text(render(dataclasses.replace(a, language=language), out), "utf-8")
    png = tmp_path / f"report-{language}.png"
    proc = chromium(tmp_path, "--window-size=1280,1600", f"--screenshot={png}", out.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000
    keep(png)
    html = out.read_text("utf-8")
    if language == "ar":
        assert '<html lang="ar" dir="rtl">' in html and "الحكم" in html
    else:
        assert '<html lang="en" dir="ltr">' in html


def test_page_prints_and_reads_without_script(hostile_report: Path, tmp_path: Path) -> None:
    """Printed with the script removed (what a reader with script disabled gets): every
    requirement is there, the filter controls are not."""
    html = hostile_report.read_text("utf-8")
    page = tmp_path / "no-script.html"
    page.write_text(re.sub(r"<script>.*?</script>", "", html, flags=re.S), "utf-8")
    pdf = tmp_path / "report.pdf"
    proc = chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    keep(pdf)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text is not checked")
    # -raw keeps the order of the page's text; ids broken at a hyphen across lines are
    # compared without white space and hyphens
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True,
                          text=True, timeout=60).stdout
    squeezed = re.sub(r"[\s\-]+", "", text)
    ids = set(re.findall(r'<tr data-status="\w+">\s*<td><bdi><code>([^<]+)</code>', html))
    assert len(ids) == 17
    assert [i for i in ids if i.replace("-", "") not in squeezed] == []
    assert "Gaps, worst first" in text and "<script>" in text
    assert "Search" not in text  # the filter controls are not printed
