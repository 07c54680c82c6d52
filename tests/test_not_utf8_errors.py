"""A byte that is not UTF-8 is reported on its own line, with the mapping key that fixes it."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).parent.parent
BYOD = ROOT / "tests" / "data" / "byod"


def _spoil(path: Path, line: int) -> None:
    """Put a Latin-1 'é' into the given 1-based line of a file."""
    rows = path.read_bytes().split(b"\n")
    rows[line - 1] = rows[line - 1][:2] + b"\xe9" + rows[line - 1][2:]
    path.write_bytes(b"\n".join(rows))


def test_plain_log_names_the_data_row_not_the_header(run, tmp_path: Path, monkeypatch) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "examples" / "before-negotiation", pack)
    log = pack / "logs" / "breaches.csv"
    monkeypatch.chdir(tmp_path)
    for line in (3, 40):
        shutil.copy(ROOT / "examples" / "before-negotiation" / "logs" / "breaches.csv", log)
        _spoil(log, line)
        code, _out, err = run("assess", "pack", "-c", "iq.telegram-2023", "--as-of",
                              "2024-12-31", "-q")
        assert (code, err.strip()) == (
            2, f"pack/logs/breaches.csv: cannot read log: line {line}: not UTF-8 text")


def test_header_byte_is_line_1(run, tmp_path: Path, monkeypatch) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "examples" / "before-negotiation", pack)
    _spoil(pack / "logs" / "breaches.csv", 1)
    monkeypatch.chdir(tmp_path)
    code, _out, err = run("assess", "pack", "-c", "iq.telegram-2023", "--as-of", "2024-12-31")
    assert (code, err.strip()) == (2, "pack/logs/breaches.csv: line 1: not UTF-8 text")


def test_mapped_latin1_file_gets_the_encoding_hint(run, tmp_path: Path, monkeypatch) -> None:
    pack = tmp_path / "us-breaches"
    shutil.copytree(BYOD / "us-breaches", pack)
    _spoil(pack / "logs" / "breach_report.csv", 4)
    monkeypatch.chdir(tmp_path)
    args = ("assess", "us-breaches", "-c", str(BYOD / "checklists" / "us-co.breach-notice.yaml"),
            "--as-of", "2025-01-31", "-q")
    code, _out, err = run(*args)
    assert (code, err.strip()) == (
        2, "us-breaches/logs/breach_report.csv: cannot read: line 4: not UTF-8 text; declare "
        "the file's encoding in the mapping (`encoding: latin-1`)")
    mapping = pack / "logs" / "breaches.mapping.yaml"
    mapping.write_text(mapping.read_text("utf-8") + "encoding: latin-1\n", encoding="utf-8")
    code, _out, err = run(*args)
    assert code in (0, 1), err
