"""The HTML report's offending-events tables: labelled columns, times in the report's locale
and time zone (audit/reports/html_view.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from test_html import EXAMPLES, assess_pack, render


@pytest.fixture(scope="module")
def before() -> Any:
    return assess_pack(EXAMPLES / "before-negotiation")


def test_events_tables_show_labels_and_local_times(before: Any) -> None:
    """The columns carry the workbook's labels, not the log's names; times are in words in
    the report's language and the zone is named."""
    html = render(before)
    assert "<th>Request id</th>" in html and "<code>request_id</code>" not in html
    assert "Times are shown in the <bdi>UTC</bdi> time zone." in html
    assert "2023-08-14T02:17:34+00:00" not in html
    assert "14 Aug 2023, 02:17" in html  # a leak-takedown event received at 02:17 UTC
    arabic = render(dataclasses.replace(before, language="ar"))
    assert "14 آب 2023" in arabic and "2023-08-14T02:17:34" not in arabic


def test_event_values_follow_the_zone_and_locale() -> None:
    from audit.i18n import use_language
    from audit.reports.html_view import event_value

    with use_language("en"):
        # the time zone moves the clock; a timestamp without an offset stays as recorded
        assert event_value("received_at", "2023-08-14T02:17:34+00:00", "Asia/Baghdad") \
            == "14 Aug 2023, 05:17"
        assert event_value("received_at", "2023-08-14T02:17:34", "Asia/Baghdad") \
            == "14 Aug 2023, 02:17"
        assert event_value("hours_taken", 49.5, "UTC") == "49.5 h"
        assert event_value("problem", "not handled", "UTC") == "not handled"
        assert event_value("request_id", "MOD-1", "UTC") == "MOD-1"
    with use_language("ar"):
        assert event_value("received_at", "2023-08-14T02:17:34+00:00", "UTC").startswith(
            "14 آب 2023")
