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


def test_the_shipped_json_schema_is_valid_and_refuses_a_broken_result(run, tmp_path: Path) -> None:
    """The JSON Schema integrators check results with: itself valid draft 2020-12, naming the
    version it describes, and refusing what no reader could rely on."""
    import jsonschema

    from audit.schemas.result import result_json_schema

    schema = result_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith("result-1.3.json")
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, moderation_rows([1, 40]))})
    code, out, err = run("assess", pack, "-c", "iq.telegram-2023", "--as-of", "2024-12-31",
                         "--format", "json")
    assert code == 0, err
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    result = json.loads(out)
    assert list(validator.iter_errors(result)) == []
    broken = json.loads(out)
    broken["requirements"][0]["status"] = "fine"
    broken["scoring"]["with_waivers"]["score"] = 1.5
    broken["as_of"] = "31/12/2024"
    del broken["verdict"]
    problems = {"/".join(map(str, e.absolute_path)) or e.validator
                for e in validator.iter_errors(broken)}
    assert problems == {"requirements/0/status", "scoring/with_waivers/score", "as_of",
                        "required"}
