"""The gap workbook speaks the report language everywhere: detail sheets, rule types, themes,
data-quality severities and the auditor-decisions verdict; headers fit their columns."""

from __future__ import annotations

from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
BEFORE = ROOT / "examples" / "before-negotiation"
REVIEWS = """reviews:
  - requirement: iq.telegram-2023:leak-takedown
    decision: met
    reasoning: The full export shows 96 %.
    reviewer: A. Auditor
    date: 2023-09-10
"""


def _header_row(ws: object, row: int) -> list[str]:
    return [c.value for c in ws[row] if c.value is not None]  # type: ignore[index]


def test_arabic_gap_workbook_has_no_tokens(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from audit.i18n import _, use_language
    from audit.labels import detail_column_label, detail_status_label, rule_label

    book = tmp_path / "gaps-ar.xlsx"
    reviews = tmp_path / "reviews.yaml"
    reviews.write_text(REVIEWS, "utf-8")
    code, _out, err = run("assess", BEFORE, "-c", "iq.telegram-2023", "-c", "iq.law", "--lang",
                          "ar", "-q", "--reviews", reviews, "-o", book)
    assert code == 0, err
    wb = openpyxl.load_workbook(book)
    with use_language("ar"):
        ws = wb["D leak-takedown"]
        title, line = ws["A1"].value, ws["A2"].value
        assert "events handled" not in title and "أحداث عولجت متأخرة" in title
        assert "iq.telegram-2023:leak-takedown" in title  # the id stays, for tracing
        # (the count after "of" no longer decides the noun's number: issue 28)
        assert "offending" not in line and line.startswith("معروض 134 من أصل 134")
        # the title lines span the used columns, wrap, and have the height they need
        merged = {str(r) for r in ws.merged_cells.ranges}
        assert {"A1:F1", "A2:F2"} <= merged
        assert ws["A1"].alignment.wrap_text and ws.row_dimensions[1].height > 15
        columns = ["request_id", "received_at", "actioned_at", "deadline", "hours_taken",
                   "problem"]
        assert _header_row(ws, 3) == [detail_column_label(c) for c in columns]
        assert detail_column_label("hours_taken") == "الساعات المستغرقة"
        assert detail_column_label("queue_name") == "queue name"  # unknown: words
        problems = {ws.cell(row=r, column=6).value for r in range(4, ws.max_row + 1)}
        assert problems and problems <= {detail_status_label("late"),
                                         detail_status_label("not handled")}
        assert not problems & {"late", "not handled"}
        # the event values are appended as they are, isolated as left-to-right runs in the
        # right-to-left sheet (issue 28)
        assert str(ws["A4"].value).startswith("\u2066MOD-") and ws["A4"].value.endswith(
            "\u2069")
        # Requirements: rule type with the Metrics sheet's label, theme ids as words
        req = wb[_("Requirements")]
        head = _header_row(req, 1)
        rule, theme = head.index(_("rule")) + 1, head.index(_("theme")) + 1
        rules = {req.cell(row=r, column=rule).value for r in range(2, req.max_row + 1)}
        assert rule_label("deadline") == "مهلة زمنية" and rule_label("deadline") in rules
        assert not rules & {"deadline", "officer", "all_of", "attestation"}
        metrics = wb[_("Metrics")]
        assert metrics["B2"].value == rule_label("deadline")
        # (theme ids have no Arabic text: isolated as left-to-right runs, issue 28)
        themes = [str(req.cell(row=r, column=theme).value or "").strip("\u2066\u2069")
                  for r in range(2, req.max_row + 1)]
        assert "takedown personal data" in themes and not any("-" in t for t in themes if t)
        quality = wb[_("Data quality")]
        assert quality["A3"].value == "معلومة"
        decisions = wb[_("Auditor decisions")]
        note = " ".join(str(c.value) for c in decisions[1] if c.value)
        assert "compliant" not in note and "غير ممتثل" in note


def test_english_headers_fit_their_columns(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = tmp_path / "gaps.xlsx"
    code, _out, err = run("assess", BEFORE, "-c", "iq.telegram-2023", "-c", "iq.law", "-q",
                          "-o", book)
    assert code == 0, err
    wb = openpyxl.load_workbook(book)
    for name, row in (("Requirements", 1), ("Gaps", 1), ("Metrics", 1),
                      ("D leak-takedown", 3), ("Data quality", 2)):
        ws = wb[name]
        for c in ws[row]:
            if c.value is None:
                continue
            longest = max(len(w) for w in str(c.value).split())
            width = ws.column_dimensions[c.column_letter].width
            assert width >= longest * 1.2 + 2, (name, c.value, width)
    req = wb["Requirements"]
    column = next(c.column_letter for c in req[1] if c.value == "jurisdiction")
    assert req.column_dimensions[column].width >= len("jurisdiction") * 1.2 + 2
    assert wb["Data quality"]["A3"].value == "information"
    assert wb["D leak-takedown"]["C3"].value == "Actioned at"
