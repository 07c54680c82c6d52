"""A loader written from docs/plugins/hooks.md alone is used, and `audit plugins` lists it."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from packs import MODERATION, moderation_rows, write_pack

DOC = Path(__file__).parent.parent / "docs" / "plugins" / "hooks.md"


def _loader_example() -> str:
    section = DOC.read_text(encoding="utf-8").split("## audit_register_loaders", 1)[1]
    section = section.split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    return code


@pytest.fixture
def docs_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    module = "docs_tsv_loader"
    (tmp_path / f"{module}.py").write_text(_loader_example(), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", module)
    yield module
    sys.modules.pop(module, None)


def test_a_loader_from_the_docs_is_used(docs_loader: str, run, tmp_path: Path) -> None:
    assert "kind" not in _loader_example()  # the example relies on the documented default
    pack = write_pack(tmp_path / "pack")
    rows = moderation_rows([1, 2, 30])
    (pack / "logs").mkdir()
    (pack / "logs" / "moderation.tsv").write_text(
        "\n".join("\t".join(r) for r in [MODERATION, *rows]) + "\n", encoding="utf-8")
    code, out, err = run("assess", pack, "-c", "iq.telegram-2023", "--as-of", "2024-12-31",
                         "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["logs"]["moderation"]["rows"] == 3
    leak = next(r for r in result["requirements"] if r["requirement"] == "leak-takedown")
    assert leak["figures"]["events"] == 3 and leak["figures"]["on_time"] == 2


def test_plugins_lists_loaders_with_their_kind(docs_loader: str, run) -> None:
    code, out, err = run("plugins")
    assert code == 0, err
    (plugin,) = [p for p in json.loads(out) if p["name"] == docs_loader]
    assert plugin["loaders"] == [{"id": "tsv-moderation", "kind": "pack and log",
                                  "priority": 50}]
    code, out, err = run("plugins", "--all")
    builtin = {p["name"]: p for p in json.loads(out)}["audit.default_plugins.loaders"]
    assert {ld["id"]: ld["kind"] for ld in builtin["loaders"]} == {
        "log-file": "log", "pack-directory": "pack", "workbook": "pack"}
