"""A per-user cache of checked checklist modules, so start-up does not re-validate 30+ files.

Parsing a module's YAML and checking it against the schema and the rule types costs ~20 ms a
module; every command that loads the library pays it for every installed module. A module that
passed is stored under ``$XDG_CACHE_HOME/platform-audit/checklists/`` (default ``~/.cache``)
as plain data: JSON of its parsed YAML and line numbers, rebuilt into a
:class:`~audit.checklist_parse.RawModule` when read. Nothing in an entry can run code, unlike
the pickles this cache held before; and since an entry still decides what a module says, one
is read only from a folder and a file the user owns that no one else may write.

The key is the SHA-256 of the module's bytes, its absolute path, its display name and owner,
the tool's and Python's versions and a fingerprint of the installed rule types. An entry is
used only when its stored key equals the key computed now, and a hit is rebuilt with the path,
display name and owner of this call, so it cannot be told from a fresh parse (the same file
in two project folders is two entries). Anything else (missing, unreadable, foreign, another
version, a changed plugin) is parsed and checked afresh. A cache folder that cannot be
written is silently skipped. Modules with problems are never cached. ``AUDIT_NO_CACHE=1``
turns the cache off.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from audit import __version__
from audit.checklist_parse import RawModule
from audit.errors import Problem
from audit.limits import MAX_YAML_BYTES
from audit.yamlio import YamlDocument

# An entry is JSON of at most one module file: a few times the YAML's size at worst
MAX_ENTRY_BYTES = 8 * MAX_YAML_BYTES


def cache_dir() -> Path | None:
    if os.environ.get("AUDIT_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "platform-audit" / "checklists"


def _registry_fingerprint(registry: object) -> str:
    """Rule types and the files that define them: a changed plugin invalidates its entries."""
    parts = []
    evaluators = getattr(registry, "evaluators", None)
    for rule_type, evaluator in sorted(evaluators.items() if evaluators else [],
                                       key=lambda item: item[0]):
        module = sys.modules.get(type(evaluator).__module__)
        stamp = ""
        source = getattr(module, "__file__", None)
        if source:
            try:
                st = os.stat(source)
                stamp = f"{st.st_size}:{st.st_mtime_ns}"
            except OSError:
                pass
        parts.append(f"{rule_type}={type(evaluator).__module__}.{type(evaluator).__qualname__}"
                     f"@{stamp}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cached_parse(path: Path, owner: str, registry: object, display: str,
                 parse: Callable[[], tuple[RawModule | None, list[Problem]]]
                 ) -> tuple[RawModule | None, list[Problem]]:
    """``parse()``'s result for this module, from the cache when its key matches (an entry
    found holds no problems: only clean modules are stored). ``registry`` is read only for
    its rule types (``evaluators``), which are part of the key."""
    directory = cache_dir()
    if directory is None:
        return parse()
    try:
        if path.stat().st_size > MAX_YAML_BYTES:  # refused by the parse, unread here
            return parse()
        content = path.read_bytes()
    except OSError:
        return parse()
    key = "\n".join([hashlib.sha256(content).hexdigest(), str(path.resolve()), display, owner,
                     __version__, sys.version, _registry_fingerprint(registry)])
    entry = directory / (hashlib.sha256(key.encode()).hexdigest() + ".json")
    trusted = _trusted_folder(directory)
    found = _read(entry, key) if trusted else None
    if found is not None:
        data, lines = found
        return RawModule(YamlDocument(data, lines, display), owner, path), []
    raw, problems = parse()
    if raw is not None and not problems and trusted is not False:
        _store(directory, entry, key, raw)
    return raw, problems


def _owned_privately(st: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (where the system has owners)."""
    uid = getattr(os, "getuid", None)
    return (uid is None or st.st_uid == uid()) and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted_folder(directory: Path) -> bool | None:
    """Whether entries may be read from ``directory``: True when it is the user's own folder
    (made private if an older version left it group-writable; each entry is checked on its
    own too), None when it does not exist yet (nothing to read; it is created private),
    False otherwise (a link, or another account's folder: neither read nor written)."""
    try:
        st = directory.lstat()
        if not stat.S_ISDIR(st.st_mode):
            return False
        if not _owned_privately(st):
            uid = getattr(os, "getuid", None)
            if uid is not None and st.st_uid != uid():
                return False
            directory.chmod(0o700)
    except OSError:
        return None if not directory.exists() else False
    return True


def _read(entry: Path, key: str) -> tuple[Any, dict[tuple[Any, ...], int]] | None:
    """The data and line numbers of an entry stored under ``key``; None for a missing,
    foreign, oversized, malformed or other-keyed one."""
    try:
        fd = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not (stat.S_ISREG(st.st_mode) and _owned_privately(st)
                    and st.st_size <= MAX_ENTRY_BYTES):
                return None
            # decoded as the JSON parser builds it (_untag), not in a second walk
            stored = json.loads(fh.read(), object_hook=_untag)
        if not (isinstance(stored, dict) and stored.get("key") == key):
            return None
        lines = {tuple(where): int(line) for where, line in stored["lines"]}
        return stored["data"], lines
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _store(directory: Path, entry: Path, key: str, raw: RawModule) -> None:
    try:
        stored = {"key": key, "data": _encode(raw.doc.data),
                  "lines": [[[_encode(p) for p in where], line]
                            for where, line in raw.doc.lines.items()]}
        if _decode(stored["data"]) != raw.doc.data:  # e.g. a NaN, unequal to itself
            return
        text = json.dumps(stored, ensure_ascii=False, separators=(",", ":"))
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".entry-", dir=directory)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, entry)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except (OSError, TypeError, ValueError):
        return  # an unwritable cache folder only costs the time it would have saved


# Plain JSON cannot say every value YAML's safe loader gives (a date, a mapping with number
# keys, a set), so every mapping and such value is a one-key object naming its kind.
_TAGS = ("$map", "$date", "$datetime", "$bytes", "$set", "$tuple")


def _encode(value: Any) -> Any:  # Any: whatever a safe YAML loader builds
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"$map": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, (set, frozenset)):
        return {"$set": [_encode(v) for v in value]}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    raise TypeError(f"cannot store a {type(value).__name__}")


_ENTRY_FIELDS = {"key", "data", "lines"}


def _untag(found: dict[str, Any]) -> Any:  # Any: what a tagged object stood for
    """One JSON object of an entry as it is parsed, innermost first: a tagged value (whose
    body is decoded already) becomes what it stood for, as :func:`_decode` gives it; the
    entry itself stays as it is; any other object is a malformed entry."""
    if found.keys() == _ENTRY_FIELDS:
        return found
    ((tag, body),) = found.items()
    if tag == "$map":
        return {k: v for k, v in body}
    if tag == "$set":
        return set(body)
    if tag == "$tuple":
        return tuple(body)
    return _decode(found)  # the scalar tags (dates, bytes), or an unknown one refused there


def _decode(value: Any) -> Any:  # Any: the JSON read, and what it stood for
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    ((tag, body),) = value.items()
    if tag == "$map":
        return {_decode(k): _decode(v) for k, v in body}
    if tag == "$datetime":
        return dt.datetime.fromisoformat(body)
    if tag == "$date":
        return dt.date.fromisoformat(body)
    if tag == "$bytes":
        return base64.b64decode(body)
    if tag == "$set":
        return {_decode(v) for v in body}
    if tag == "$tuple":
        return tuple(_decode(v) for v in body)
    raise ValueError(f"unknown tag {tag!r}; expected one of {', '.join(_TAGS)}")
