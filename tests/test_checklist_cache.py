"""The per-user cache of checked checklist modules: used only when its key matches."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("AUDIT_NO_CACHE", raising=False)
    return tmp_path / "xdg" / "platform-audit" / "checklists"


def _library(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[str]]:
    """A fresh library load, recording which modules were parsed (not taken from the cache)."""
    from audit import checklists
    from audit.plugins import get_registry, reset

    parsed: list[str] = []
    real = checklists.parse_module

    def counting(path: Path, *args: Any, **kwargs: Any) -> Any:
        parsed.append(path.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(checklists, "parse_module", counting)
    reset()
    checklists._LIBRARY.clear()
    return checklists.load_library(get_registry()), parsed


def test_second_load_comes_from_the_cache_and_is_equal(cache: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    first, parsed = _library(monkeypatch)
    assert len(parsed) >= 30 and len(list(cache.glob("*.pickle"))) == len(parsed)
    second, parsed_again = _library(monkeypatch)
    assert parsed_again == []
    assert first.ids() == second.ids()
    assert [c.requirements for c in first.all()] == [c.requirements for c in second.all()]


def test_an_entry_whose_key_differs_is_not_trusted(cache: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _library(monkeypatch)
    for entry in cache.glob("*.pickle"):
        _key, raw = pickle.loads(entry.read_bytes())
        entry.write_bytes(pickle.dumps(("another key", raw)))
    _lib, parsed = _library(monkeypatch)
    assert len(parsed) >= 30  # every module parsed and checked afresh


def test_a_changed_module_is_parsed_again(cache: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from audit.checklist_cache import cached_parse

    calls: list[int] = []
    path = tmp_path / "m.yaml"
    path.write_text("id: a\n", "utf-8")

    def parse() -> tuple[Any, list[Any]]:
        calls.append(1)
        return {"text": path.read_text("utf-8")}, []

    class Registry:
        evaluators = None

    assert cached_parse(path, "me", Registry(), "m.yaml", parse)[0] == {"text": "id: a\n"}
    assert cached_parse(path, "me", Registry(), "m.yaml", parse)[0] == {"text": "id: a\n"}
    assert len(calls) == 1
    path.write_text("id: b\n", "utf-8")
    assert cached_parse(path, "me", Registry(), "m.yaml", parse)[0] == {"text": "id: b\n"}
    assert len(calls) == 2


def test_problems_are_never_cached_and_broken_entries_ignored(
        cache: Path, tmp_path: Path) -> None:
    from audit.checklist_cache import cached_parse

    path = tmp_path / "m.yaml"
    path.write_text("id: a\n", "utf-8")

    class Registry:
        evaluators = None

    assert cached_parse(path, "me", Registry(), "m.yaml", lambda: (None, ["bad"])) == (
        None, ["bad"])
    assert not cache.exists() or not list(cache.glob("*.pickle"))
    cached_parse(path, "me", Registry(), "m.yaml", lambda: ("raw", []))
    (entry,) = cache.glob("*.pickle")
    entry.write_bytes(b"\x80\x04 truncated")
    assert cached_parse(path, "me", Registry(), "m.yaml", lambda: ("fresh", [])) == ("fresh", [])


def test_an_unwritable_cache_is_skipped_silently(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", "utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    library, parsed = _library(monkeypatch)
    assert library.ids() and parsed
    monkeypatch.setenv("AUDIT_NO_CACHE", "1")
    from audit.checklist_cache import cache_dir

    assert cache_dir() is None
