"""Verifiable results: what a run rested on (checklist files, plugins, mappings, evidence, each
hashed, and the engine that computed the figures) is recorded in the JSON result's
``provenance``, and checked again against a pack and the installation here, so two parties can
show they ran the same audit on the same evidence (``audit verify``, audit/commands/verify.py).

This module is the domain of both halves, recording and checking, without a command line: the
assessment records through :func:`collect` and :func:`input_files`; ``audit verify`` compares
through :func:`compare` and :func:`check_locations` and prints what they return.

A data-lake location read by Spark is not hashed (its bytes never reach this process): the
result records Spark's listing of it, which only Spark can list again. Without Spark the
check says so, one line per listing: "not verified" must not pass for "the same".
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from audit import __version__
from audit.checklist_paths import pack_checklist_path
from audit.checklists import load_library
from audit.engine.base import public_url
from audit.engine.settings import EngineSettings
from audit.engine.spark_session import DEFAULT_MASTER, session_identity
from audit.errors import EvidenceError
from audit.evidence.loaders import load_evidence
from audit.evidence.pack import sha256_of
from audit.i18n import _
from audit.logs.sources import folder_files, is_location
from audit.registry import Registry
from audit.result_file import DiffError
from audit.verify_paths import OutsidePack, check_recorded, pack_file

if TYPE_CHECKING:  # pragma: no cover
    from audit.checklists import ChecklistLibrary
    from audit.evidence.pack import EvidencePack, FileRecord
    from audit.model import Checklist
    from audit.plugins import PluginInfo

# (mapping file as recorded without the pack folder, its locations) -> Spark's listing record
Listings = dict[tuple[str, tuple[str, ...]], dict[str, Any]]


def _sha256(path: Path) -> str | None:
    try:
        return sha256_of(path)[0]
    except OSError:
        return None


def evidence_digest(files: Sequence[FileRecord] | Sequence[dict[str, Any]]) -> str:
    """One SHA-256 over every evidence file's (path, hash), sorted: equal packs, equal digest."""
    pairs = sorted((f["path"], f["sha256"]) if isinstance(f, dict) else (f.path, f.sha256)
                   for f in files)
    return hashlib.sha256("".join(f"{p}\t{h}\n" for p, h in pairs).encode()).hexdigest()


def checklist_files(checklists: Sequence[Checklist],
                    library: ChecklistLibrary) -> list[dict[str, Any]]:
    """Each assessed module and the modules it extends: id, version, file and its SHA-256."""
    seen: dict[str, dict[str, Any]] = {}
    todo = list(checklists)
    while todo:
        c = todo.pop()
        if c.id in seen:
            continue
        seen[c.id] = {"id": c.id, "version": c.version, "file": Path(c.path).name,
                      "sha256": _sha256(Path(c.path)), "provider": c.owner}
        if c.extends:
            try:
                todo.append(library.get(c.extends))
            except Exception:  # an unresolvable parent is reported by the loader, not here
                pass
    return [seen[k] for k in sorted(seen)]


def engine_record(pack: EvidencePack) -> dict[str, str]:
    """Which engine computed the figures: its name and version, and for Spark the master or
    the Spark Connect server. Both engines give the same figures (tests/test_spark_parity.py);
    this says which one did, for whoever has to re-run it. Nothing secret: a Connect URL's
    parameters (a token) are dropped. The started engine describes itself; when no log was
    read, none started, and the record says what was asked for."""
    if pack.started_engine is not None:
        return pack.started_engine.identity()
    settings = pack.engine_settings
    if not settings.is_spark:
        return {"name": "duckdb", "version": version("duckdb")}
    if settings.spark_session is not None:  # a notebook's session, given to the API
        return session_identity(settings.spark_session, settings.spark_remote)
    record = {"name": "spark", "version": version("pyspark")}
    if settings.spark_remote:
        record["remote"] = public_url(settings.spark_remote)
    else:
        record["master"] = public_url(settings.spark_master or DEFAULT_MASTER)
    return record


def collect(checklists: Sequence[Checklist], library: ChecklistLibrary,
            pack: EvidencePack, installed: Sequence[PluginInfo]) -> dict[str, Any]:
    """The ``provenance`` block of the JSON result (``installed``: the plugins loaded)."""
    plugins = [{"name": i.name, "version": i.version} for i in installed if not i.default]
    files = list(pack.files)
    return {
        "tool": {"name": "platform-audit", "version": __version__},
        "checklists": checklist_files(checklists, library),
        "plugins": sorted(plugins, key=lambda p: p["name"]),
        "mappings": [{"path": f.path, "sha256": f.sha256} for f in files
                     if f.role == "mapping"],
        "evidence_sha256": evidence_digest(files),
        "engine": engine_record(pack),
    }


def input_files(files: Sequence[tuple[Path, str]],
                pack: EvidencePack | None) -> list[dict[str, str | None]]:
    """Baselines and auditor decisions a run read besides the evidence, hashed."""
    out: list[dict[str, str | None]] = []
    for path, role in files:
        name = pack.display(path) if pack is not None else str(path)
        out.append({"path": name, "role": role, "sha256": _sha256(path)})
    return sorted(out, key=lambda f: (f["role"] or "", f["path"] or ""))


def _not_data(result: dict[str, Any], pack: Path, name: str) -> set[Path]:
    """Files in the pack's mapped folders that are not data (``_SUCCESS``, ``.crc``
    checksums, a ``_delta_log``): assess neither reads nor hashes them, so verify does not
    look for them in the result. The rule is assess's own (``folder_files``)."""
    skipped: set[Path] = set()
    for table, log in (result.get("logs") or {}).items():
        for i, mapping in enumerate((log or {}).get("mappings") or []):
            for j, shown in enumerate(mapping.get("files") or []):
                if not shown.endswith("/") or is_location(shown):
                    continue  # a file, or a location Spark read (nothing local)
                folder = _inside(shown.rstrip("/"), pack, f"logs.{table}.mappings[{i}]."
                                                          f"files[{j}]", name, folder=True)
                if folder is None:
                    continue
                data = {Path(f).resolve() for f in folder_files(str(folder), "")}
                skipped.update(f.resolve() for f in folder.rglob("*")
                               if f.is_file() and f.resolve() not in data)
    return skipped


def _inside(recorded: str, pack: Path, place: str, name: str,
            folder: bool = False) -> Path | None:
    """:func:`pack_file`, with a path leading out of the pack refused at its place in the
    result (exit 2): it is never read or hashed."""
    try:
        return pack_file(recorded, pack, folder=folder)
    except OutsidePack:
        raise DiffError(f"{name}: {place}: {recorded!r} is not a path inside the pack; "
                        "refused (nothing outside the pack is read)") from None


def _evidence_differences(result: dict[str, Any], pack: Path,
                          name: str) -> tuple[list[str], int]:
    """Each recorded evidence file and input against the pack, and the pack's files the
    result does not name. An input kept outside the pack (a baseline, a reviews file given
    on the command line) is not looked for: only the pack is verified."""
    diffs: list[str] = []
    same = 0
    listed = set()
    prov = result.get("provenance") or {}
    entries = [(f"evidence[{i}]", f) for i, f in enumerate(result.get("evidence") or [])]
    entries += [(f"provenance.inputs[{i}]", f) for i, f in enumerate(prov.get("inputs") or [])]
    for place, f in entries:
        kept_elsewhere = f.get("role") in ("baseline", "reviews")
        try:
            found = pack_file(f["path"], pack)
        except OutsidePack:
            if kept_elsewhere:
                continue
            found = _inside(f["path"], pack, place + ".path", name)
        if found is not None:
            listed.add(found.resolve())
        digest = _sha256(found) if found else None
        if found is None:
            if not kept_elsewhere:  # kept elsewhere, often
                diffs.append(_("evidence {path}: missing here", path=f["path"]))
        elif digest != f["sha256"]:
            diffs.append(_("evidence {path}: SHA-256 {now} here, {then} in the result",
                           path=f["path"], now=digest[:12] if digest else "?",
                           then=(f["sha256"] or "?")[:12]))
        else:
            same += 1
    if pack.is_dir():
        listed |= _not_data(result, pack, name)
        for file in sorted(p for p in pack.rglob("*") if p.is_file()):
            if file.resolve() not in listed and not file.name.startswith("."):
                diffs.append(_("evidence {path}: in the pack but not in the result",
                               path=file.relative_to(pack.parent).as_posix()))
    return diffs, same


def compare(result: dict[str, Any], pack: Path, registry: Registry,
            installed: Sequence[PluginInfo], local: Sequence[Path] = (),
            name: str = "the result") -> tuple[list[str], int]:
    """Differences between a recorded result and the pack and installation here (``registry``
    and ``installed``: the plugins loaded), and how many items agreed. ``local`` are checklist
    files or folders of one's own (as given to ``assess -c``); the pack's ``audit.yaml`` and
    ``AUDIT_CHECKLIST_PATH`` count too. The result (called ``name`` in errors) is first held
    to the shape assess writes, its paths to the pack (:mod:`audit.verify_paths`)."""
    check_recorded(result, name)
    diffs, same = _evidence_differences(result, pack, name)
    prov = result.get("provenance") or {}
    if not prov:
        diffs.append(_("the result records no provenance (written before platform-audit "
                       "recorded it): checklists and plugins cannot be compared"))
        return diffs, same
    library = load_library(registry, [*pack_checklist_path([pack], local), *local])
    for c in prov.get("checklists", []):
        try:
            here = checklist_files([library.get(c["id"])], library)[0]
        except Exception:
            diffs.append(_("checklist {id}: not installed here", id=c["id"]))
            continue
        if here["version"] != c["version"] or here["sha256"] != c["sha256"]:
            diffs.append(_("checklist {id}: v{now} (SHA-256 {now_hash}) here, v{then} "
                           "({then_hash}) in the result", id=c["id"], now=here["version"],
                           now_hash=(here["sha256"] or "?")[:12], then=c["version"],
                           then_hash=(c["sha256"] or "?")[:12]))
        else:
            same += 1
    versions = {i.name: i.version for i in installed if not i.default}
    for p in prov.get("plugins", []):
        if versions.get(p["name"], "missing") != p["version"]:
            diffs.append(_("plugin {name}: {now} here, {then} in the result", name=p["name"],
                           now=versions.get(p["name"], _("not installed")),
                           then=p["version"]))
        else:
            same += 1
    tool = (prov.get("tool") or {}).get("version")
    if tool and tool != __version__:
        diffs.append(_("platform-audit {now} here, {then} in the result", now=__version__,
                       then=tool))
    return diffs, same


def _lake_records(result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(mapping file, ``locations`` record) of each mapping that read a data-lake location."""
    return [(m["file"], m["locations"]) for log in (result.get("logs") or {}).values()
            for m in (log or {}).get("mappings") or [] if m.get("locations")]


def _in_pack(shown: str) -> str:
    """A path as recorded, without the pack folder's name (the pack may be renamed)."""
    return Path(*Path(shown).parts[1:]).as_posix() if len(Path(shown).parts) > 1 else shown


def _listings_now(pack: Path, settings: EngineSettings,
                  registry: Registry) -> tuple[Listings, list[str]]:
    """The pack read with Spark as assess reads it (its mappings, through the evidence
    loaders): each lake mapping's listing now, by (mapping file, locations); or the reasons
    the pack cannot be read, each a difference (the data the result rests on is not there)."""
    try:
        loaded = load_evidence([pack], registry, engine=settings)
    except EvidenceError as exc:
        return {}, [_("data-lake locations cannot be listed here: {problem}", problem=line)
                    for line in exc.lines]
    now: Listings = {}
    for info in loaded.logs.logs.values():
        for found in info.extra.get("mappings", []):
            if found.get("locations"):
                key = (_in_pack(found["file"]), tuple(found["locations"]["paths"]))
                now[key] = found["locations"]
    return now, []


def check_locations(result: dict[str, Any], pack: Path, settings: EngineSettings,
                    registry: Registry) -> tuple[list[str], int, list[str]]:
    """Differences, agreements and what cannot be checked here, for the data-lake locations
    the result's figures were read from. Only Spark can list a location again (``settings``:
    the engine's, as for assess); without it each listing is reported as not verified."""
    recorded = _lake_records(result)
    if not recorded:
        return [], 0, []
    if not settings.is_spark:
        return [], 0, [_("not verified here: {locations} was read in place by Spark "
                         "({count} file(s) listed, listing SHA-256 {digest}); add --engine "
                         "spark to list it again and compare",
                         locations=", ".join(then["paths"]), count=then["files_listed"],
                         digest=then["listing_sha256"][:16]) for _file, then in recorded]
    now, diffs = _listings_now(pack, settings, registry)
    if diffs:
        return diffs, 0, []
    same = 0
    for file, then in recorded:
        here = now.get((_in_pack(file), tuple(then["paths"])))
        where = ", ".join(then["paths"])
        if here is None:
            diffs.append(_("location {locations}: not read by the pack's mappings here",
                           locations=where))
        elif (here["files_listed"], here["listing_sha256"]) != (then["files_listed"],
                                                                then["listing_sha256"]):
            diffs.append(_("location {locations}: {now} file(s) listed here (listing SHA-256 "
                           "{now_hash}), {then} in the result ({then_hash})", locations=where,
                           now=here["files_listed"], now_hash=here["listing_sha256"][:16],
                           then=then["files_listed"], then_hash=then["listing_sha256"][:16]))
            diffs += _rewritten(where, then, here)  # parts kept by name may have changed too
        else:
            changed = _rewritten(where, then, here) + _delta_moved(where, then, here)
            diffs += changed
            same += not changed
    return diffs, same, []


# at most this many rewritten parts are named, one line each, then how many more
SHOWN_REWRITES = 10


def _rewritten(where: str, then: dict[str, Any], here: dict[str, Any]) -> list[str]:
    """A line per part listed under the same name both times whose content changed: its
    size, else its checksum or ETag where both runs had one (equal checksums are the same
    content, whatever the time), else its modification time. A result that recorded names
    only (before sizes were listed, or over Spark Connect) is compared by names alone."""
    now = {f["path"]: f for f in here.get("listed") or []}
    lines = []
    for old in then.get("listed") or []:
        new = now.get(old["path"])
        if new is None or old.get("size") is None or new.get("size") is None:
            continue
        sums = old.get("checksum"), new.get("checksum")
        if old["size"] == new["size"] and (sums[0] == sums[1] if None not in sums
                                           else old.get("modified") == new.get("modified")):
            continue
        lines.append(_("location {locations}: {path} rewritten under the same name (size "
                       "{now_size}, modified {now_time}, checksum {now_sum} here; size "
                       "{then_size}, modified {then_time}, checksum {then_sum} in the result)",
                       locations=where, path=old["path"], now_size=new["size"],
                       now_time=new.get("modified") or "-", now_sum=(sums[1] or "-")[:16],
                       then_size=old["size"], then_time=old.get("modified") or "-",
                       then_sum=(sums[0] or "-")[:16]))
    if len(lines) > SHOWN_REWRITES:
        more = len(lines) - SHOWN_REWRITES
        lines = lines[:SHOWN_REWRITES] + [_("location {locations}: {count} more file(s) "
                                            "rewritten under the same name",
                                            locations=where, count=more)]
    return lines


def _delta_moved(where: str, then: dict[str, Any], here: dict[str, Any]) -> list[str]:
    """A Delta table read without a pin whose version moved on: the listing may still
    agree (a commit that only changed metadata), the table is not the one the result read."""
    old, new = then.get("delta_version"), here.get("delta_version")
    if old is None or new is None or old == new:
        return []
    return [_("location {locations}: Delta version {now} here, {then} in the result (give "
              "version: {then} in the mapping to read the version the result read)",
              locations=where, now=new, then=old)]


def engine_line(prov: dict[str, Any]) -> str | None:
    """Which engine computed the recorded figures (for information: verify recomputes none,
    and both engines give the same figures)."""
    engine = prov.get("engine") or {}
    if not engine.get("name"):
        return None
    name, version = engine["name"], engine.get("version") or "?"
    if engine.get("remote"):
        return _("figures computed by {name} {version} (Spark Connect {remote})", name=name,
                 version=version, remote=engine["remote"])
    if engine.get("master"):
        return _("figures computed by {name} {version} (master {master})", name=name,
                 version=version, master=engine["master"])
    return _("figures computed by {name} {version}", name=name, version=version)
