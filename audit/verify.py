"""Verifiable results: what a run rested on (checklist files, plugins, mappings, evidence, each
hashed) is recorded in the JSON result's ``provenance``, and ``audit verify RESULT PACK``
re-hashes the pack and the installed checklists and says what differs (exit 1 when anything
does), so two parties can show they ran the same audit on the same evidence.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import click

from audit.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    from audit.checklists import ChecklistLibrary
    from audit.evidence.pack import EvidencePack, FileRecord
    from audit.model import Checklist


def _sha256(path: Path) -> str | None:
    from audit.evidence.pack import sha256_of

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


def collect(checklists: Sequence[Checklist], library: ChecklistLibrary,
            pack: EvidencePack) -> dict[str, Any]:
    """The ``provenance`` block of the JSON result."""
    from audit import __version__
    from audit.plugins import list_plugins

    plugins = [{"name": i.name, "version": i.version} for i in list_plugins()
               if not i.default]
    files = list(pack.files)
    return {
        "tool": {"name": "platform-audit", "version": __version__},
        "checklists": checklist_files(checklists, library),
        "plugins": sorted(plugins, key=lambda p: p["name"]),
        "mappings": [{"path": f.path, "sha256": f.sha256} for f in files
                     if f.role == "mapping"],
        "evidence_sha256": evidence_digest(files),
    }


def input_files(files: Sequence[tuple[Path, str]], pack: Any) -> list[dict[str, Any]]:
    """Baselines and auditor decisions a run read besides the evidence, hashed."""
    out = []
    for path, role in files:
        name = pack.display(path) if pack is not None else str(path)
        out.append({"path": name, "role": role, "sha256": _sha256(path)})
    return sorted(out, key=lambda f: (f["role"], f["path"]))


def _locate(path: str, pack: Path) -> Path | None:
    """Where a recorded file is now. Paths inside the pack were recorded as
    ``<pack folder name>/<path in the pack>``, so they are looked up under PACK whatever its
    folder is called now; a workbook pack is the file itself; others are taken as written."""
    recorded = Path(path)
    candidates = []
    if pack.is_dir() and not recorded.is_absolute() and len(recorded.parts) > 1:
        candidates.append(pack.joinpath(*recorded.parts[1:]))
    elif pack.is_file() and recorded.name == pack.name:
        candidates.append(pack)
    if recorded.is_absolute() or not pack.is_dir():
        candidates.append(recorded)
    return next((c for c in candidates if c.is_file()), None)


def compare(result: dict[str, Any], pack: Path,
            local: Sequence[Path] = ()) -> tuple[list[str], int]:
    """Differences between a recorded result and the pack and installation here, and how
    many items agreed. ``local`` are checklist files or folders of one's own (as given to
    ``assess -c``); the pack's ``audit.yaml`` and ``AUDIT_CHECKLIST_PATH`` count too."""
    from audit.checklist_paths import pack_checklist_path
    from audit.checklists import load_library
    from audit.plugins import get_registry, list_plugins

    diffs: list[str] = []
    same = 0
    listed = set()
    prov = result.get("provenance") or {}
    for f in [*result.get("evidence", []), *prov.get("inputs", [])]:
        found = _locate(f["path"], pack)
        if found is not None:
            listed.add(found.resolve())
        digest = _sha256(found) if found else None
        if found is None:
            if f.get("role") not in ("baseline", "reviews"):  # kept elsewhere, often
                diffs.append(_("evidence {path}: missing here", path=f["path"]))
        elif digest != f["sha256"]:
            diffs.append(_("evidence {path}: SHA-256 {now} here, {then} in the result",
                           path=f["path"], now=digest[:12] if digest else "?",
                           then=f["sha256"][:12]))
        else:
            same += 1
    if pack.is_dir():
        for file in sorted(p for p in pack.rglob("*") if p.is_file()):
            if file.resolve() not in listed and not file.name.startswith("."):
                diffs.append(_("evidence {path}: in the pack but not in the result",
                               path=file.relative_to(pack.parent).as_posix()))
    if not prov:
        diffs.append(_("the result records no provenance (written before platform-audit "
                       "recorded it): checklists and plugins cannot be compared"))
        return diffs, same
    library = load_library(get_registry(), [*pack_checklist_path([pack]), *local])
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
    installed = {i.name: i.version for i in list_plugins() if not i.default}
    for p in prov.get("plugins", []):
        if installed.get(p["name"], "missing") != p["version"]:
            diffs.append(_("plugin {name}: {now} here, {then} in the result", name=p["name"],
                           now=installed.get(p["name"], _("not installed")),
                           then=p["version"]))
        else:
            same += 1
    tool = (prov.get("tool") or {}).get("version")
    from audit import __version__

    if tool and tool != __version__:
        diffs.append(_("platform-audit {now} here, {then} in the result", now=__version__,
                       then=tool))
    return diffs, same


@click.command("verify")
@click.argument("result", type=click.Path(path_type=Path))
@click.argument("pack", type=click.Path(path_type=Path, exists=True))
@click.option("--checklist", "-c", "local", multiple=True, type=click.Path(path_type=Path),
              help="A checklist file or folder of your own that the result was assessed "
                   "against (as given to assess -c). Repeatable.")
def verify_cmd(result: Path, pack: Path, local: tuple[Path, ...]) -> None:
    """Re-hash an evidence pack and the installed checklists against a JSON result.

    Exit 0 when every evidence file, checklist file and plugin version recorded in RESULT is
    the same here; 1 with one line per difference otherwise.
    """
    from audit.diff import load_result

    data = load_result(result)
    diffs, same = compare(data, pack, local)
    for line in diffs:
        click.echo(line)
    if diffs:
        click.echo(_("{n} difference(s); {same} item(s) the same", n=len(diffs), same=same))
        raise click.exceptions.Exit(1)
    click.echo(_("same: {same} item(s) (evidence files, checklist files, plugins) match "
                 "{result}", same=same, result=result))
