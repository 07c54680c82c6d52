"""The JSON result keys and docs/reference/result-schema.md list exactly the same keys."""

from __future__ import annotations

import json
import re
from pathlib import Path

from packs import MODERATION, moderation_rows, write_pack

DOC = Path(__file__).parent.parent / "docs" / "reference" / "result-schema.md"


def _documented(section: str) -> set[str]:
    text = DOC.read_text(encoding="utf-8").split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", text, flags=re.M))


def test_every_key_is_documented(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, moderation_rows([1, 40]))})
    code, out, err = run("assess", pack, "-c", "iq.telegram-2023", "--as-of", "2024-12-31",
                         "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == _documented("Top level")
    assert set(result["requirements"][0]) == _documented("Requirement object")
    assert result["schema_version"] == "1.3"
    assert set(result["ledger"]) == _documented("Ledger object")
