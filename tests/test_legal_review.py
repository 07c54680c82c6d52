"""The yearly legal review: `audit checklists list` flags modules not reviewed in 12 months."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner
from test_evaluators import HEAD, requirement

from audit.cli import cli
from audit.legal_review import review_due

D = dt.date


@pytest.mark.parametrize("reviewed,today,due", [
    (None, D(2026, 11, 29), True),                 # never reviewed
    (D(2026, 11, 29), D(2026, 11, 29), False),
    (D(2025, 12, 1), D(2026, 11, 30), False),      # 12 months end on 1 Dec 2026
    (D(2025, 12, 1), D(2026, 12, 1), True),
    (D(2024, 2, 29), D(2025, 2, 27), False),       # from a leap day: due on 28 Feb
    (D(2024, 2, 29), D(2025, 2, 28), True),
])
def test_review_due_after_twelve_calendar_months(reviewed: dt.date | None, today: dt.date,
                                                 due: bool) -> None:
    assert review_due(reviewed, today) is due


@pytest.fixture
def stale_module(tmp_path: Path) -> Iterator[None]:
    """A library with one extra module last reviewed two years ago and one never reviewed."""
    from audit import checklists, plugins
    from audit.plugins import get_registry

    mods = tmp_path / "mods"
    mods.mkdir()
    body = requirement("r", "{type: attestation, key: t-r}")
    (mods / "t.yaml").write_text(HEAD.format(jur="IQ").replace(
        "\nversion: 1\n", f"\nversion: 1\nreviewed: {D.today().year - 2}-01-15\n") + body,
        "utf-8")
    (mods / "u.yaml").write_text(HEAD.format(jur="IQ").replace("id: t.rules", "id: u.rules")
                                 + body, "utf-8")
    plugins.reset()
    checklists._LIBRARY.clear()
    get_registry().checklist_dirs.append((mods, "tests"))
    yield
    plugins.reset()
    checklists._LIBRARY.clear()


def test_list_flags_modules_not_reviewed_in_twelve_months(stale_module: None) -> None:
    table = CliRunner().invoke(cli, ["checklists", "list"])
    assert table.exit_code == 0, table.output
    lines = {line.split()[0]: line for line in table.output.splitlines() if line.strip()}
    assert lines["t.rules"].rstrip().endswith("review due")
    assert f"{D.today().year - 2}-01-15" in lines["t.rules"]
    assert lines["u.rules"].rstrip().endswith("review due")
    assert not lines["vn.pdp"].rstrip().endswith("review due")
    assert "2 modules were not reviewed in the last 12 months." in table.output
    rows = {r["id"]: r for r in json.loads(
        CliRunner().invoke(cli, ["checklists", "list", "--format", "json"]).output)}
    assert (rows["t.rules"]["review_due"], rows["u.rules"]["reviewed"]) == (True, "")
    assert (rows["vn.pdp"]["reviewed"], rows["vn.pdp"]["review_due"]) == ("2026-11-29", False)


def test_list_shows_the_new_and_updated_modules() -> None:
    output = CliRunner().invoke(cli, ["checklists", "list"]).output
    for module in ("gb.online-safety", "gb.uk-gdpr", "eg.pdpl", "jo.pdpl", "vn.pdp",
                   "tr.law-5651", "tr.law-5651-art9", "tr.proposals-2025"):
        assert module in output


def test_show_prints_the_review_date() -> None:
    output = CliRunner().invoke(cli, ["checklists", "show", "jo.pdpl"]).output
    assert "last legal review 2026-11-29" in output.splitlines()[2]
