"""The members of a ``.zip`` a mapping reads: one named, one alone, or every part a glob picks.

Published dumps come zipped in parts: the DSA Transparency Database's daily dump is one zip
holding zips of CSV parts (``sor-global-<date>-full.zip`` > ``...-00000.csv.zip`` >
``...-00000-00000.csv``). ``members: "*.csv"`` reads every part as one table: a member that
is itself a zip is opened (one level) and its members are named ``inner.zip/part.csv``, so a
glob matches paths at any depth (``*`` crosses ``/``). Each chosen member is streamed once into
the run's temporary folder, after the zip-bomb check, and is named in messages as
``<zip>/<member>``.
"""

from __future__ import annotations

import fnmatch
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from audit.errors import Problem
from audit.limits import MAX_LOG_ZIP_RATIO
from audit.logs.mapping_file import LogMapping, input_error

MAX_SHOWN = 5


def unpack(mapping: LogMapping, file: Path, display: str, workdir: Path,
           prefix: str) -> list[tuple[str, str]]:
    """``(staged path, display)`` of each member the mapping reads from ``file``."""
    spec = mapping.spec
    with zipfile.ZipFile(file) as archive:
        if spec.get("members") is not None:
            return _globbed(mapping, archive, display, workdir, prefix)
        members = [i for i in archive.infolist() if not i.is_dir()]
        wanted = spec.get("member")
        if wanted is not None:
            chosen = next((i for i in members if i.filename == wanted), None)
            if chosen is None:
                names = ", ".join(i.filename for i in members[:MAX_SHOWN])
                raise mapping.problem(("member",), f"{display} has no member {wanted!r} "
                                                   f"(it holds: {names})")
        elif len(members) == 1:
            chosen = members[0]
        else:
            names = ", ".join(i.filename for i in members[:MAX_SHOWN])
            raise mapping.problem(("member",), f"{display} holds {len(members)} files "
                                               f"({names}); name the one to read, or give "
                                               "'members' (a glob) to read several as one "
                                               "table")
        target = workdir / f"{prefix}-{Path(chosen.filename).name}"
        _copy(archive, chosen, display, target)
    return [(str(target), display)]


def _globbed(mapping: LogMapping, archive: zipfile.ZipFile, display: str, workdir: Path,
             prefix: str) -> list[tuple[str, str]]:
    given = mapping.spec["members"]
    patterns = [given] if isinstance(given, str) else list(given)
    out: list[tuple[str, str]] = []
    seen: list[str] = []
    with ExitStack() as stack:
        for name, source, info in _members(archive, display, workdir, prefix, stack):
            seen.append(name)
            if not any(fnmatch.fnmatchcase(name, p) for p in patterns):
                continue
            target = workdir / f"{prefix}-{len(out)}-{Path(info.filename).name}"
            _copy(source, info, f"{display}/{name}", target)
            out.append((str(target), f"{display}/{name}"))
    if not out:
        shown = ", ".join(seen[:MAX_SHOWN]) + (", ..." if len(seen) > MAX_SHOWN else "")
        raise mapping.problem(("members",), f"no member of {display} matches "
                                            f"{', '.join(patterns)} (it holds: {shown})")
    return out


def _members(archive: zipfile.ZipFile, display: str, workdir: Path, prefix: str,
             stack: ExitStack) -> Iterator[tuple[str, zipfile.ZipFile, zipfile.ZipInfo]]:
    """Every file of the archive, in order, and of each zip inside it (one level)."""
    for info in archive.infolist():
        if info.is_dir():
            continue
        if not info.filename.lower().endswith(".zip"):
            yield info.filename, archive, info
            continue
        inner_file = workdir / f"{prefix}-inner-{Path(info.filename).name}"
        _copy(archive, info, f"{display}/{info.filename}", inner_file)
        inner = stack.enter_context(zipfile.ZipFile(inner_file))
        for part in inner.infolist():
            if not part.is_dir():
                yield f"{info.filename}/{part.filename}", inner, part


def _copy(archive: zipfile.ZipFile, info: zipfile.ZipInfo, display: str, target: Path) -> None:
    """Stream one member to ``target``, refusing a likely zip bomb before unpacking."""
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > 1 << 20 and ratio > MAX_LOG_ZIP_RATIO:
        raise input_error(Problem(display, info.filename, (
            f"compressed {ratio:,.0f}:1, more than {MAX_LOG_ZIP_RATIO:,}:1; "
            "refused as a possible zip bomb (docs/limits.md)")))
    source: IO[bytes]
    with archive.open(info) as source, target.open("wb") as out:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            out.write(chunk)
