"""docs/limits.md states every limit of audit/limits.py with its value, and every exit code."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from audit import limits
from audit.errors import ExitCode

PAGE = Path(__file__).resolve().parent.parent / "docs" / "limits.md"


def test_every_limit_is_on_the_page_with_its_value() -> None:
    text = PAGE.read_text("utf-8")
    rows = {m.group(1): line for line in text.splitlines()
            if line.startswith("| ") and (m := re.search(r"`(M(?:AX|IN)_\w+)`", line))}
    for name in dir(limits):
        value = getattr(limits, name)
        if not name.isupper() or isinstance(value, dt.date):
            continue
        assert name in rows, f"docs/limits.md does not state {name}"
        assert f"{value:,}" in rows[name] or f"{value}" in rows[name], (name, rows[name])


def test_every_exit_code_is_on_the_page() -> None:
    text = PAGE.read_text("utf-8")
    for code in ExitCode:
        assert f"\n| {int(code)} |" in text, code
