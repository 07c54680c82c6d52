"""Translated checklist content: sibling files such as ``iq.law.ar.yaml`` beside ``iq.law.yaml``.

A translation gives, per field, the translated ``text`` and the ``source`` hash of the English
text it was made from (:func:`source_hash`). When the English text changes, the hash no longer
matches: ``audit checklists validate`` reports the field as stale and reports fall back to the
English text for it, so a regulator never reads an outdated rendering of a requirement.
Translations are unofficial unless ``official`` names the source of an official text.
See docs/translations.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from audit.checklist_files import TRANSLATION_NAME, is_translation_file
from audit.checklists import load_library
from audit.errors import Problem
from audit.i18n import base_language
from audit.model import Checklist, Rule
from audit.registry import Registry
from audit.schemas.common import validate
from audit.yamlio import YamlProblem, load_yaml

LANGUAGE = r"^[a-z]{2,3}(_[A-Z]{2})?$"
_TEXT = {"type": "dict", "schema": {"text": {"type": "string", "required": True, "empty": False},
                                    "source": {"type": "string", "required": True,
                                               "regex": r"^[0-9a-f]{12}$"}}}
TRANSLATION_SCHEMA: dict[str, Any] = {
    "schema_version": {"type": "integer", "allowed": [1], "required": True},
    "translation_of": {"type": "string", "required": True},
    "language": {"type": "string", "required": True, "regex": LANGUAGE},
    "official": {"type": ["boolean", "string"], "required": True,
                 "meta": {"doc": "false, or the URL/name of the official text translated"}},
    "translator": {"type": "string"},
    "title": _TEXT,
    "description": _TEXT,
    "sources": {"type": "dict", "keysrules": {"type": "string"},
                "valuesrules": {"type": "dict", "schema": {"title": _TEXT}}},
    "terms": {"type": "dict", "keysrules": {"type": "string"},
              "valuesrules": {"type": "string", "empty": False},
              "meta": {"doc": "the rules' report words (events, done, matched, label), "
                              "English -> translation"}},
    "requirements": {"type": "dict", "keysrules": {"type": "string"},
                     "valuesrules": {"type": "dict", "schema": {
                         "title": _TEXT, "description": _TEXT, "remediation": _TEXT,
                         "article": _TEXT}}},
}
REQUIREMENT_FIELDS = ("title", "description", "remediation")
TERM_PARAMS = ("events", "done", "matched", "label")  # rule parameters that words a finding


def source_hash(text: str) -> str:
    """12 hex digits of SHA-256 of the text with its whitespace normalised (re-wrapping a
    YAML paragraph does not make a translation stale; changing a word does)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:12]


def translation_path(checklist: Checklist, language: str) -> Path:
    return Path(checklist.path).with_name(f"{checklist.id}.{language}.yaml")


@dataclass(frozen=True)
class Field:
    """One translatable field of a module: where it is, its English text, its translation."""

    place: tuple[Any, ...]  # YAML path in the translation file
    english: str
    entry: dict[str, Any] | None  # {"text", "source"} or None when untranslated

    @property
    def state(self) -> str:
        if self.entry is None:
            return "missing"
        return "current" if self.entry["source"] == source_hash(self.english) else "stale"


def fields(checklist: Checklist, data: dict[str, Any]) -> Iterator[Field]:
    """Every translatable field of ``checklist`` with its entry in translation ``data``."""
    yield Field(("title",), checklist.title, data.get("title"))
    if checklist.description:
        yield Field(("description",), checklist.description, data.get("description"))
    for sid, src in checklist.sources.items():
        yield Field(("sources", sid, "title"), src.title,
                    ((data.get("sources") or {}).get(sid) or {}).get("title"))
    for req in checklist.requirements:
        if req.module != checklist.id:  # inherited: translated with the module defining it
            continue
        entry = (data.get("requirements") or {}).get(req.id) or {}
        for name in REQUIREMENT_FIELDS:
            english = getattr(req, name)
            if english:
                yield Field(("requirements", req.id, name), english, entry.get(name))
        yield Field(("requirements", req.id, "article"), req.citation.article,
                    entry.get("article"))


def load(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        doc = load_yaml(path, str(path))
    except YamlProblem as exc:
        return None, [exc.problem]
    problems = [doc.problem(p, m) for p, m in validate(doc.data, TRANSLATION_SCHEMA)]
    return (None if problems else dict(doc.data)), problems


def check(path: Path, checklist: Checklist) -> list[Problem]:
    """Problems with one translation file: schema, wrong module or language, entries for
    things the module does not have, and stale entries (the English text changed)."""
    data, problems = load(path)
    if data is None:
        return problems
    m = TRANSLATION_NAME.match(path.name)
    if data["translation_of"] != checklist.id:
        problems.append(Problem(str(path), "translation_of",
                                f"expected {checklist.id!r} (the module beside it)"))
    if m and data["language"] != m.group("lang"):
        problems.append(Problem(str(path), "language",
                                f"expected {m.group('lang')!r} (from the file name)"))
    known = {f.place for f in fields(checklist, data)}
    for sid in data.get("sources") or {}:
        if ("sources", sid, "title") not in known:
            problems.append(Problem(str(path), f"sources.{sid}", "no such source in the module"))
    for rid, entry in (data.get("requirements") or {}).items():
        for name in entry:
            if ("requirements", rid, name) not in known:
                problems.append(Problem(str(path), f"requirements.{rid}.{name}",
                                        "no such requirement text in the module"))
    used = {t for req in checklist.requirements for t in rule_terms(dict(req.rule.params))}
    for term in data.get("terms") or {}:
        if term not in used:
            problems.append(Problem(str(path), f"terms.{term}", "no rule of the module uses "
                                                                "this word"))
    for f in fields(checklist, data):
        if f.state == "stale":
            problems.append(Problem(str(path), ".".join(map(str, f.place)),
                                    "stale: the English text changed since this was translated "
                                    f"(source hash now {source_hash(f.english)})"))
    return problems


def coverage(checklist: Checklist) -> dict[str, float]:
    """Share of translatable fields with a current translation, per language with a file."""
    out: dict[str, float] = {}
    directory = Path(checklist.path).parent
    for path in sorted(directory.glob(f"{checklist.id}.*.yaml")):
        m = TRANSLATION_NAME.match(path.name)
        if not m or m.group("module") != checklist.id:
            continue
        data, _problems = load(path)
        if data is None:
            continue
        items = list(fields(checklist, data))
        current = sum(1 for f in items if f.state == "current")
        out[m.group("lang")] = current / len(items) if items else 1.0
    return out


def translate(checklist: Checklist, language: str) -> Checklist:
    """``checklist`` with its content in ``language`` where a current translation exists
    (stale or missing fields stay English); unchanged when there is no translation file."""
    lang = base_language(language)
    if lang == base_language(checklist.language):
        return checklist
    path = translation_path(checklist, lang)
    if not path.is_file():
        return checklist
    data, _problems = load(path)
    if data is None or data["translation_of"] != checklist.id:
        return checklist  # `audit checklists validate` reports why
    texts = {f.place: f.entry["text"] for f in fields(checklist, data)
             if f.entry is not None and f.state == "current"}
    if not texts:
        return checklist
    sources = {sid: dataclasses.replace(src, title=texts.get(("sources", sid, "title"),
                                                             src.title))
               for sid, src in checklist.sources.items()}
    terms = data.get("terms") or {}
    requirements = tuple(dataclasses.replace(req, **{
        name: texts[("requirements", req.id, name)] for name in REQUIREMENT_FIELDS
        if ("requirements", req.id, name) in texts}, rule=_translate_rule(req.rule, terms),
        citation=dataclasses.replace(req.citation, article=texts.get(
            ("requirements", req.id, "article"), req.citation.article)))
        for req in checklist.requirements)
    official = data["official"]
    return dataclasses.replace(
        checklist, title=texts.get(("title",), checklist.title),
        description=texts.get(("description",), checklist.description), sources=sources,
        requirements=requirements, language=lang,
        translation=official if isinstance(official, str) else "unofficial")


def rule_terms(params: object) -> Iterator[str]:
    """The report words of a rule's parameters (nested rules and versions included)."""
    if isinstance(params, dict):
        for key, value in params.items():
            if key in TERM_PARAMS and isinstance(value, str):
                yield value
            else:
                yield from rule_terms(value)
    elif isinstance(params, list):
        for item in params:
            yield from rule_terms(item)


def _swap_params(params: Mapping[str, object], terms: dict[str, str]) -> dict[str, object]:
    """Rule parameters with their report words in the translation's terms."""
    return {k: (terms.get(v, v) if k in TERM_PARAMS and isinstance(v, str)
                else _swap_terms(v, terms)) for k, v in params.items()}


def _swap_terms(value: object, terms: dict[str, str]) -> object:
    if isinstance(value, dict):
        return _swap_params(value, terms)
    if isinstance(value, list):
        return [_swap_terms(v, terms) for v in value]
    return value


def _translate_rule(rule: Rule, terms: dict[str, str]) -> Rule:
    if not terms:
        return rule
    return dataclasses.replace(rule, params=_swap_params(dict(rule.params), terms))


def translate_checklists(checklists: Sequence[Checklist], language: str) -> list[Checklist]:
    return [translate(c, language) for c in checklists]


def check_library(checklists: Iterable[Checklist]) -> list[Problem]:
    """Problems in every translation file beside the given modules."""
    problems: list[Problem] = []
    for checklist in checklists:
        directory = Path(checklist.path).parent
        for path in sorted(directory.glob(f"{checklist.id}.*.yaml")):
            m = TRANSLATION_NAME.match(path.name)
            if m and m.group("module") == checklist.id:
                problems += check(path, checklist)
    return problems


def skeleton(checklist: Checklist, language: str) -> dict[str, Any]:
    """A translation file to start from: every field with its English text and hash."""
    out: dict[str, Any] = {"schema_version": 1, "translation_of": checklist.id,
                           "language": language, "official": False}
    for f in fields(checklist, {}):
        node = out
        for key in f.place[:-1]:
            node = node.setdefault(key, {})
        node[f.place[-1]] = {"text": f.english, "source": source_hash(f.english)}
    terms = sorted({t for req in checklist.requirements if req.module == checklist.id
                    for t in rule_terms(dict(req.rule.params))})
    if terms:
        out["terms"] = {t: t for t in terms}
    return out


def translation_problems(paths: Sequence[Path], registry: Registry) -> list[Problem]:
    """``audit checklists validate``: translation files given, or beside the modules given,
    checked against their installed module (schema, unknown entries, stale texts)."""
    library = {c.id: c for c in load_library(registry).all()}
    files: list[Path] = []
    for path in paths:
        found = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
        files += [f for f in found if is_translation_file(f)]
        if path.is_file() and not is_translation_file(path):
            files += [f for f in sorted(path.parent.glob(path.stem + ".*.yaml"))
                      if is_translation_file(f)]
    problems: list[Problem] = []
    for f in dict.fromkeys(files):
        module_id = f.name.rsplit(".", 2)[0]
        module = library.get(module_id)
        if module is None:
            problems.append(Problem(str(f), "translation_of",
                                    f"no installed module {module_id!r} to translate"))
            continue
        problems += check(f, module)
    return problems
