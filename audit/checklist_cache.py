"""A per-user cache of checked checklist modules, so start-up does not re-validate 30+ files.

Parsing a module's YAML and checking it against the schema and the rule types costs ~20 ms a
module; every command that loads the library pays it for every installed module. A module that
passed is stored (pickled) under ``$XDG_CACHE_HOME/platform-audit/checklists/`` (default
``~/.cache``), keyed by the SHA-256 of its bytes, its display name and owner, the tool's and
Python's versions and a fingerprint of the installed rule types. An entry is used only when
its stored key equals the key computed now; anything else (missing, unreadable, another
version, a changed plugin) is parsed and checked afresh. A cache directory that cannot be
written is silently skipped. Modules with problems are never cached. ``AUDIT_NO_CACHE=1``
turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from audit import __version__

Raw = TypeVar("Raw")  # what a parse yields for a clean module (a checklist_parse.RawModule)
Found = TypeVar("Found")  # one problem it reports (an errors.Problem)


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
                 parse: Callable[[], tuple[Raw | None, list[Found]]]
                 ) -> tuple[Raw | None, list[Found]]:
    """``parse()``'s result for this module, from the cache when its key matches (an entry
    found holds no problems: only clean modules are stored). ``registry`` is read only for
    its rule types (``evaluators``), which are part of the key."""
    directory = cache_dir()
    if directory is None:
        return parse()
    try:
        content = path.read_bytes()
    except OSError:
        return parse()
    key = "\n".join([hashlib.sha256(content).hexdigest(), display, owner, __version__,
                     sys.version, _registry_fingerprint(registry)])
    entry = directory / (hashlib.sha256(key.encode()).hexdigest() + ".pickle")
    found = _read(entry)
    if found is not None and found[0] == key:
        return found[1], []
    raw, problems = parse()
    if raw is not None and not problems:
        _store(directory, entry, key, raw)
    return raw, problems


# What a missing, truncated or foreign entry may raise while being read: it is then ignored.
_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
               IndexError, TypeError, ValueError)


def _read(entry: Path) -> tuple[str, Any] | None:
    try:
        with entry.open("rb") as fh:
            found = pickle.load(fh)
    except _UNREADABLE:
        return None
    if not (isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], str)):
        return None
    return found


def _store(directory: Path, entry: Path, key: str, raw: object) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".entry-", dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((key, raw), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return  # an unwritable cache directory only costs the time it would have saved
