"""docs/own-checklists.md runs as written: every file it shows, every command it gives."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

DOC = Path(__file__).parent.parent / "docs" / "own-checklists.md"
FILE_RE = re.compile(r"<!-- file: (\S+) -->\n```\w+\n(.*?)```", re.S)
COMMAND_RE = re.compile(r"^\$ (.*)$", re.M)


def _files(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FILE_RE.finditer(text)]


def _commands(text: str) -> list[tuple[dict[str, str], list[str], int]]:
    """(environment, audit arguments, expected exit status) per ``$ audit ...`` line."""
    out = []
    for line in COMMAND_RE.findall(text):
        command, _, comment = line.partition("#")
        expected = re.search(r"exit status (\d+)", comment)
        words = shlex.split(command)
        env = {}
        while "=" in words[0]:
            key, value = words.pop(0).split("=", 1)
            env[key] = value
        assert words[0] == "audit", line
        out.append((env, words[1:], int(expected.group(1)) if expected else 0))
    return out


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One checked-module cache for both rounds of the walk-through."""
    return tmp_path_factory.mktemp("walk-through-cache")


@pytest.mark.parametrize("round_", ["fresh cache", "cache filled by the first round"])
def test_the_walk_through_runs_as_written(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          shared_cache: Path, round_: str) -> None:
    """Twice, each time in a new folder, with the cache on: the second round's modules come
    from entries the first wrote for files of the same name and bytes in another folder, and
    must behave as freshly parsed ones (issue 29)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache))
    monkeypatch.delenv("AUDIT_NO_CACHE", raising=False)
    text = DOC.read_text(encoding="utf-8")
    files, commands = _files(text), _commands(text)
    assert len(files) >= 5 and len(commands) >= 8
    for name, content in files:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for env, args, expected in commands:
        with monkeypatch.context() as m:
            for key, value in env.items():
                m.setenv(key, value)
            code, out, err = run(*args)
        assert code == expected, (args, out, err)
    # what the page says the first assessment finds
    code, out, _err = run("assess", "pack", "-c", "acme/us-co.breach.yaml", "--format", "json")
    import json

    result = json.loads(out)
    (req,) = result["requirements"]
    assert req["status"] == "partial"
    assert req["summary"].startswith("2 of 3 breaches notified to residents within 30 days "
                                     "= 66.7%; target 100%")
    assert result["checklists"][0]["owner"] == "local"
    assert not [n for n in result["notes"] if n["severity"] == "warning"]
    code, out, _err = run("assess", "pack", "-c", "acme/iq.overlay.yaml", "--format", "json")
    result = json.loads(out)
    leak = next(r for r in result["requirements"] if r["requirement"] == "leak-takedown")
    assert leak["summary"].startswith("2 of 3 leak-channel requests actioned within 12 hours "
                                      "= 66.7%")
    assert "several-platforms" not in [n["code"] for n in result["notes"]]
    # ... and that without the rule's time zone the day clock is flagged
    module = tmp_path / "acme" / "us-co.breach.yaml"
    module.write_text(module.read_text().replace("      timezone: America/Denver\n", ""))
    code, out, err = run("assess", "pack", "-c", "acme/us-co.breach.yaml", "--strict")
    assert code == 1 and "[clock-in-utc]" in out and "--strict" in err
    # the audit.yaml error the page quotes
    (tmp_path / "pack" / "audit.yaml").write_text("checklist_path: [../acmee]\n")
    code, _out, err = run("assess", "pack", "-c", "acme.iq-overlay")
    assert code == 2
    assert err.strip() == ("pack/audit.yaml:1: checklist_path[0]: no such file or folder "
                           "pack/../acmee")
    assert err.strip().split(": ", 1)[1] in text.replace("`", "")
