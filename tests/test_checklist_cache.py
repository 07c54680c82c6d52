"""The per-user cache of checked checklist modules: used only when its key matches, a hit the
same as a fresh parse, plain JSON that cannot run code, read only from the user's own files."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from test_own_checklists import OWN, _module


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("AUDIT_NO_CACHE", raising=False)
    return tmp_path / "xdg" / "platform-audit" / "checklists"


def _library(monkeypatch: pytest.MonkeyPatch, local: tuple[Path, ...] = ()
             ) -> tuple[Any, list[str]]:
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
    return checklists.load_library(get_registry(), local), parsed


def _parse(path: Path, display: str = "m.yaml", owner: str = "local") -> Any:
    """``cached_parse`` of one module file, with the real parse behind it; and the calls."""
    from audit.checklist_cache import cached_parse
    from audit.checklist_parse import parse_module
    from audit.plugins import get_registry

    registry = get_registry()
    calls: list[int] = []

    def parse() -> Any:
        calls.append(1)
        return parse_module(path, owner, registry, display)

    return cached_parse(path, owner, registry, display, parse), calls


def test_second_load_comes_from_the_cache_and_is_equal(cache: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    first, parsed = _library(monkeypatch)
    assert len(parsed) >= 30 and len(list(cache.glob("*.json"))) == len(parsed)
    second, parsed_again = _library(monkeypatch)
    assert parsed_again == []
    assert first.ids() == second.ids()
    assert first.all() == second.all()  # every field: path, owner, extends, requirements


def test_entries_are_plain_json_in_a_private_folder(cache: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _library(monkeypatch)
    assert not list(cache.glob("*.pickle"))
    assert cache.stat().st_mode & 0o777 == 0o700
    for entry in cache.glob("*.json"):
        assert entry.stat().st_mode & 0o777 == 0o600
        assert set(json.loads(entry.read_text("utf-8"))) == {"key", "data", "lines"}


def test_an_entry_whose_key_differs_is_not_trusted(cache: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _library(monkeypatch)
    for entry in cache.glob("*.json"):
        stored = json.loads(entry.read_text("utf-8"))
        entry.write_text(json.dumps(dict(stored, key="another key")), "utf-8")
    _lib, parsed = _library(monkeypatch)
    assert len(parsed) >= 30  # every module parsed and checked afresh


def test_a_hit_is_the_same_as_a_fresh_parse(cache: Path, tmp_path: Path) -> None:
    rule = dict(OWN["requirements"][0]["rule"],
                versions=[{"from": dt.date(2020, 1, 1), "within": "48h", "target": 0.9}])
    path = _module(tmp_path / "own" / "m.yaml",
                   requirements=[dict(OWN["requirements"][0], rule=rule)])
    (raw, problems), calls = _parse(path)
    (hit, hit_problems), calls_again = _parse(path)
    assert calls == [1] and calls_again == [] and problems == hit_problems == []
    assert (hit.doc.data, hit.doc.lines, hit.doc.file, hit.owner, hit.source) == (
        raw.doc.data, raw.doc.lines, raw.doc.file, raw.owner, raw.source)
    assert hit.doc.data["requirements"][0]["rule"]["versions"][0]["from"] == dt.date(2020, 1, 1)


def test_the_same_module_in_another_folder_is_another_entry(cache: Path,
                                                            tmp_path: Path) -> None:
    """The reported defect: the key held the display name, the entry the first folder's path."""
    one = _module(tmp_path / "a" / "own.yaml")
    two = _module(tmp_path / "b" / "own.yaml")
    _parse(one, display="own.yaml")
    (raw, _), calls = _parse(two, display="own.yaml")
    assert calls == [1] and raw.source == two
    (hit, _), calls = _parse(two, display="own.yaml")
    assert calls == [] and hit.source == two


def test_the_two_folders_walk_through_passes_with_the_cache_on(tmp_path: Path) -> None:
    """``cd F && audit assess pack -c F/own.yaml``, in two folders, as real processes."""
    from packs import MODERATION, moderation_rows, write_pack

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    env.pop("AUDIT_NO_CACHE", None)
    for name in ("first", "second"):
        folder = tmp_path / name
        write_pack(folder / "pack", logs={"moderation": (MODERATION, moderation_rows([1]))})
        _module(folder / "own.yaml")
        proc = subprocess.run([sys.executable, "-m", "audit", "assess", "pack", "-c",
                               str(folder / "own.yaml"), "--as-of", "2024-12-31", "-q"],
                              cwd=folder, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
    assert len(list((tmp_path / "xdg").rglob("*.json"))) > 30


def test_a_changed_module_is_parsed_again(cache: Path, tmp_path: Path) -> None:
    path = _module(tmp_path / "m.yaml")
    assert _parse(path)[1] == [1] and _parse(path)[1] == []
    _module(path, title="Another title")
    (raw, _), calls = _parse(path)
    assert calls == [1] and raw.doc.data["title"] == "Another title"


def test_problems_are_never_cached_and_broken_entries_ignored(cache: Path,
                                                             tmp_path: Path) -> None:
    bad = _module(tmp_path / "bad.yaml",
                  requirements=[dict(OWN["requirements"][0], severity="huge")])
    (raw, problems), _ = _parse(bad)
    assert raw is None and problems
    assert not cache.exists() or not list(cache.glob("*.json"))
    path = _module(tmp_path / "m.yaml")
    _parse(path)
    (entry,) = cache.glob("*.json")
    for broken in (b'{"key": "trunc', b"[1, 2]", b'{"key": 1}', b"\xff\xfe",
                   b'{"key": null, "data": {"$nope": 1}, "lines": []}'):
        entry.write_bytes(broken)
        assert _parse(path)[1] == [1]


def test_a_pickle_planted_in_the_cache_is_never_loaded(cache: Path, tmp_path: Path) -> None:
    """Whoever can write the cache folder must not run code in the auditor's process."""
    path = _module(tmp_path / "m.yaml")
    _parse(path)
    (entry,) = cache.glob("*.json")
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[Any, ...]:
            return (marker.write_text, ("code ran",))

    entry.write_bytes(pickle.dumps(Payload()))
    assert _parse(path)[1] == [1] and not marker.exists()
    entry.with_suffix(".pickle").write_bytes(pickle.dumps(Payload()))
    assert not marker.exists()


def test_entries_of_another_account_or_writable_by_others_are_not_read(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _module(tmp_path / "m.yaml")
    _parse(path)
    (entry,) = cache.glob("*.json")
    entry.chmod(0o666)
    assert _parse(path)[1] == [1]  # writable by others: parsed afresh ...
    entry.chmod(0o600)
    assert _parse(path)[1] == []
    monkeypatch.setattr(os, "getuid", lambda: os.stat(entry).st_uid + 1)
    assert _parse(path)[1] == [1]  # ... and so is another account's entry or folder
    assert json.loads(entry.read_text("utf-8"))["key"]  # not overwritten in a foreign folder


def test_a_group_writable_folder_of_the_user_is_made_private(cache: Path,
                                                             tmp_path: Path) -> None:
    path = _module(tmp_path / "m.yaml")
    _parse(path)
    cache.chmod(0o775)
    assert _parse(path)[1] == [] and cache.stat().st_mode & 0o777 == 0o700


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


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
    | st.dates() | st.datetimes(timezones=st.none() | st.just(dt.timezone.utc)) | st.binary(),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=4) | st.integers() | st.dates(), inner, max_size=4),
    max_leaves=25)


@given(YAML_VALUES)
def test_every_value_a_safe_yaml_load_gives_round_trips(value: Any) -> None:
    from audit.checklist_cache import _decode, _encode

    assert _decode(json.loads(json.dumps(_encode(value)))) == value


@given(st.recursive(st.none() | st.integers() | st.text(max_size=6),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["$map", "$date", "$set", "key", "x"]),
                                      inner, max_size=2), max_leaves=10))
def test_reading_any_json_entry_gives_data_or_nothing(stored: Any) -> None:
    """A forged entry's worst is to be ignored: the reader never raises."""
    import tempfile

    from audit.checklist_cache import _read

    with tempfile.TemporaryDirectory() as folder:
        entry = Path(folder) / "e.json"
        entry.write_text(json.dumps({"key": "k", "data": stored, "lines": []}), "utf-8")
        entry.chmod(0o600)
        found = _read(entry, "k")
        assert found is None or found[1] == {}


def test_the_parse_function_is_a_partial_of_the_real_one(cache: Path, tmp_path: Path) -> None:
    """What ``checklists._collect`` passes: the cache calls it only on a miss."""
    from audit.checklist_cache import cached_parse
    from audit.checklist_parse import parse_module
    from audit.plugins import get_registry

    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(OWN, sort_keys=False), "utf-8")
    registry = get_registry()
    parse = partial(parse_module, path, "local", registry, "m.yaml")
    first = cached_parse(path, "local", registry, "m.yaml", parse)
    second = cached_parse(path, "local", registry, "m.yaml", parse)
    assert first[0] is not None and second[0] is not None
    assert first[0].doc.data == second[0].doc.data
