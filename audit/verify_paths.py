"""What ``audit verify`` may take from a result before it reads anything it names.

A result is another party's file, possibly forged. Verify reads the files it lists and hashes
them, so a path in it must not lead out of the pack (``x/../../../etc/passwd`` would have its
hash printed) and each value read must have the type assess wrote (a numeric path was a
``TypeError``). :func:`check_recorded` holds the result to that shape, one located line per
refusal (exit 2); :func:`pack_file` says where a recorded path is inside the pack, or that it
is not inside it, without touching any file outside.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from audit.result_file import DiffError

Check = Callable[[Any], bool]


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _text_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _version(value: Any) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count_or_none(value: Any) -> bool:
    return value is None or _count(value)


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


_EVIDENCE: dict[str, Check] = {"path": _text, "sha256": _text}
_INPUT: dict[str, Check] = {"path": _text, "sha256": _text_or_none, "role": _text_or_none}
_CHECKLIST: dict[str, Check] = {"id": _text, "version": _version, "sha256": _text_or_none}
_PLUGIN: dict[str, Check] = {"name": _text, "version": _text}
_MAPPING: dict[str, Check] = {"file": _text, "files": _texts}
_LOCATIONS: dict[str, Check] = {"paths": _texts, "files_listed": _count, "listing_sha256": _text,
                                "delta_version": _count_or_none}
_LISTED: dict[str, Check] = {"path": _text, "size": _count_or_none,
                             "modified": _text_or_none, "checksum": _text_or_none}
_KINDS: dict[Check, str] = {_text: "text", _text_or_none: "text or null", _version: "a version",
          _count: "a count", _texts: "a list of text", _count_or_none: "a count or null"}


def _entries(value: Any, where: str, name: str) -> list[tuple[str, dict[str, Any]]]:
    """(place, entry) of a list of objects; anything else is refused at ``where``."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise DiffError(f"{name}: {where}: expected a list, got {type(value).__name__}")
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise DiffError(f"{name}: {where}[{i}]: expected an object, got "
                            f"{type(entry).__name__}")
    return [(f"{where}[{i}]", entry) for i, entry in enumerate(value)]


def _fields(entry: dict[str, Any], place: str, fields: dict[str, Check], name: str,
            required: tuple[str, ...] = ()) -> None:
    for key, check in fields.items():
        if key not in entry and key not in required:
            continue
        if not check(entry.get(key)):
            got = entry.get(key)
            raise DiffError(f"{name}: {place}.{key}: expected {_KINDS[check]}, got "
                            f"{type(got).__name__} {got!r:.40}")


def check_recorded(result: dict[str, Any], name: str) -> None:
    """Hold what verify reads from ``result`` (called ``name`` in messages) to the types
    assess writes: the evidence and input paths and hashes, the recorded checklists, plugins
    and mappings. A ``DiffError`` names the first value that is not."""
    for place, entry in _entries(result.get("evidence"), "evidence", name):
        _fields(entry, place, _EVIDENCE, name, required=("path", "sha256"))
    prov = result.get("provenance")
    if prov is not None and not isinstance(prov, dict):
        raise DiffError(f"{name}: provenance: expected an object, got {type(prov).__name__}")
    prov = prov or {}
    for place, entry in _entries(prov.get("inputs"), "provenance.inputs", name):
        _fields(entry, place, _INPUT, name, required=("path", "sha256"))
    for place, entry in _entries(prov.get("checklists"), "provenance.checklists", name):
        _fields(entry, place, _CHECKLIST, name, required=("id", "version", "sha256"))
    for place, entry in _entries(prov.get("plugins"), "provenance.plugins", name):
        _fields(entry, place, _PLUGIN, name, required=("name", "version"))
    tool = prov.get("tool")
    if tool is not None and not (isinstance(tool, dict) and _text_or_none(tool.get("version"))):
        raise DiffError(f"{name}: provenance.tool: expected an object with a text version")
    logs = result.get("logs")
    if logs is not None and not isinstance(logs, dict):
        raise DiffError(f"{name}: logs: expected an object, got {type(logs).__name__}")
    for table, log in (logs or {}).items():
        if log is not None and not isinstance(log, dict):
            raise DiffError(f"{name}: logs.{table}: expected an object, got "
                            f"{type(log).__name__}")
        for place, entry in _entries((log or {}).get("mappings"), f"logs.{table}.mappings",
                                     name):
            _fields(entry, place, _MAPPING, name, required=("file",))
            locations = entry.get("locations")
            if locations:
                if not isinstance(locations, dict):
                    raise DiffError(f"{name}: {place}.locations: expected an object")
                _fields(locations, f"{place}.locations", _LOCATIONS, name,
                        required=("paths", "files_listed", "listing_sha256"))
                for at, listed in _entries(locations.get("listed"), f"{place}.locations."
                                                                      "listed", name):
                    _fields(listed, at, _LISTED, name, required=("path",))


class OutsidePack(Exception):
    """A recorded path that leads out of the pack (``..``, an absolute path, a link)."""


def pack_file(recorded: str, pack: Path, folder: bool = False) -> Path | None:
    """Where a recorded file (or ``folder``) is in ``pack`` now, or None when it is not there.

    Paths inside a pack folder were recorded as ``<pack folder name>/<path in the pack>``,
    so they are looked up under ``pack`` whatever the folder is called now; a workbook pack
    is the file itself. A path with ``..`` or an absolute one, or one that reaches a file
    outside the pack through a link, raises :class:`OutsidePack`: nothing outside the pack is
    read or hashed on a result's word."""
    parts = PurePosixPath(recorded).parts
    if PurePosixPath(recorded).is_absolute() or Path(recorded).is_absolute() or ".." in parts:
        if pack.is_file() and Path(recorded) == pack:
            return pack  # the workbook given, named as it was given
        raise OutsidePack(recorded)
    if pack.is_file():
        return pack if len(parts) == 1 and parts[0] == pack.name else None
    if len(parts) < 2:
        return None  # another evidence input of that run (a workbook beside the pack)
    candidate = pack.joinpath(*parts[1:])
    if not candidate.resolve().is_relative_to(pack.resolve()):
        raise OutsidePack(recorded)
    found = candidate.is_dir() if folder else candidate.is_file()
    return candidate if found else None
