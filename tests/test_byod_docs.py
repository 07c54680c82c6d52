"""docs/bringing-your-own-data.md runs: every file it shows is the fixture under
tests/data/byod/, and every command it shows gives the finding it shows."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
DOC = ROOT / "docs" / "bringing-your-own-data.md"
DATA = ROOT / "tests" / "data" / "byod"


def blocks(kind: str) -> list[tuple[str, str]]:
    """(argument, fenced block text) after each ``<!-- byod:KIND ARG -->`` marker."""
    text = DOC.read_text(encoding="utf-8")
    found = re.findall(r"<!-- byod:" + kind + r" (\S+) -->\n```[a-z]*\n(.*?)```", text, re.DOTALL)
    return [(arg, body) for arg, body in found]


def test_the_page_is_linked_from_the_index_and_the_evidence_reference() -> None:
    for page in ("docs/index.md", "docs/reference/evidence-pack.md"):
        assert "bringing-your-own-data.md" in (ROOT / page).read_text("utf-8"), page


@pytest.mark.parametrize("rel,body", blocks("file"), ids=[a for a, _b in blocks("file")])
def test_shown_files_are_the_fixtures(rel: str, body: str) -> None:
    assert (DATA / rel).read_text(encoding="utf-8") == body


def _command(pack: str) -> str:
    (command,) = [body for arg, body in blocks("run") if arg == pack]
    assert shlex.split(command.strip())[:2] == ["audit", "assess"]
    return command


def _audit_args(pack: str) -> list[str]:
    """The page's ``audit assess`` arguments (the part before the pipe, JSON asked for)."""
    args = shlex.split(_command(pack).split("|", 1)[0].replace("\\\n", " "))
    assert args[-2:] == ["--format", "json"]
    return args[2:]


@pytest.mark.parametrize("pack", [a for a, _b in blocks("run")])
def test_walk_through_runs_and_finds_what_the_page_says(pack: str) -> None:
    """The shell command exactly as the page shows it (pipe included), with this venv's tools."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    if pack == "dsa-parts":
        pytest.importorskip("audit_dsa_transparency", reason="needs plugins/dsa-transparency")
        env["AUDIT_LOAD_PLUGINS"] = "dsa_transparency"
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", _command(pack)], cwd=DATA, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    printed = proc.stdout.splitlines()
    (expected,) = [body for arg, body in blocks("expect") if arg == pack]
    for line in filter(None, expected.splitlines()):
        assert any(s.startswith(line) for s in printed), (line, printed)


def test_every_walk_through_has_a_command_and_an_expectation() -> None:
    runs = [a for a, _b in blocks("run")]
    assert runs == ["dsa-parts", "us-breaches", "snap-orders", "dsa-template"]
    assert [a for a, _b in blocks("expect")] == runs


def test_error_examples_are_what_the_tool_prints(run, tmp_path: Path, monkeypatch) -> None:
    import shutil

    text = DOC.read_text(encoding="utf-8")
    shown = text.split("offending data rows, e.g.\n\n```text\n", 1)[1].split("```", 1)[0]
    unknown_column, unmapped = shown.strip().splitlines()
    pack = tmp_path / "us-breaches"
    shutil.copytree(DATA / "us-breaches", pack)
    mapping = pack / "logs" / "breaches.mapping.yaml"
    original = mapping.read_text("utf-8")
    monkeypatch.chdir(tmp_path)
    mapping.write_text(original.replace("from: Date of Discovery", "from: Discovery Date"))
    code, _out, err = run("assess", "us-breaches", "-c", "eu.gdpr")
    assert code == 2 and err.strip().startswith(unknown_column.split("(columns:")[0])
    assert err.strip().endswith(unknown_column.split("...")[1])
    mapping.write_text(original.replace("      Theft: theft\n", ""))
    code, _out, err = run("assess", "us-breaches", "-c", "eu.gdpr")
    assert (code, err.strip()) == (2, unmapped)


def test_the_colorado_module_counts_denver_days_and_passes_strict(run, monkeypatch) -> None:
    """The reported defect: the docs' own module had no time zone, so walk-through 2 carried a
    clock-in-utc warning and failed under --strict; the page shows the rule as the file has it."""
    module = (DATA / "checklists" / "us-co.breach-notice.yaml").read_text("utf-8")
    text = DOC.read_text(encoding="utf-8")
    shown = re.findall(r"```yaml\n(    rule:\n      type: deadline\n.*?)```", text, re.DOTALL)[0]
    assert shown.replace("      timezone: America/Denver\n", "") != shown
    assert all(line in module.splitlines() for line in shown.splitlines())
    monkeypatch.chdir(DATA)
    code, out, err = run("assess", *_audit_args("us-breaches"), "--strict")
    assert code in (0, 1), err
    result = json.loads(out)
    assert "clock-in-utc" not in [n["code"] for n in result["notes"]]
    assert result["requirements"][0]["summary"].startswith("1 of 4 breaches")
