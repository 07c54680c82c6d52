"""The example on docs/python-api.md runs as written."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def test_python_api_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    code = re.findall(r"```python\n(.*?)```", text, flags=re.S)[0]
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    scope: dict[str, object] = {}
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/python-api.md", "exec"), scope)
    lines = out.getvalue().splitlines()
    assert lines[0] == "partially_compliant 99.7 %"
    assert any(line.startswith("eu.gdpr:erasure partial ") for line in lines)
    from openpyxl import load_workbook

    assert "Gaps" in load_workbook(tmp_path / "gaps.xlsx").sheetnames
    assert str(scope["markdown"]).startswith("# Rafidain Chat")
