"""Safe YAML reading that remembers where every value came from.

Checklists and evidence documents are written by hand, so errors must point at a line. PyYAML's
safe loader is used throughout; on top of it this module refuses duplicate keys (PyYAML keeps
the last one silently), oversized files, alias bombs whose expansion would be huge, nesting
deeper than the limit, integers too long to convert, and dates that do not exist or lie outside
the accepted years: all before PyYAML constructs a value, so each is a located problem rather
than an exception from inside the parser (limits in :mod:`audit.limits`).
"""

from __future__ import annotations

import datetime as dt
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from audit.errors import EvidenceError, Problem
from audit.limits import MAX_INT_DIGITS, MAX_NESTING, MAX_YAML_BYTES, MAX_YAML_NODES, date_problem

MAX_EXPANDED_NODES = MAX_YAML_NODES
_INT_TAG = "tag:yaml.org,2002:int"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_DATE_RE = re.compile(r"^\s*(-?[0-9]+)-([0-9]{1,2})-([0-9]{1,2})")

PathKey = tuple[Any, ...]


class YamlDocument:
    """Parsed data plus a map from YAML path (tuple of keys and indexes) to 1-based line."""

    def __init__(self, data: object, lines: dict[PathKey, int], file: str) -> None:
        # whatever the YAML held; callers index it once a schema has vouched for its shape
        self.data: Any = data
        self.lines = lines
        self.file = file

    def line_of(self, path: PathKey) -> int | None:
        """Line of the deepest existing node on ``path`` (a missing key points at its parent)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def problem(self, path: PathKey, message: str) -> Problem:
        return Problem(self.file, format_path(path), message, self.line_of(path))


def format_path(path: PathKey) -> str:
    """``("requirements", 3, "rule", "within")`` -> ``requirements[3].rule.within``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


# libyaml's parser is ~10x faster than the pure-Python one (checklist loading is on every
# run's critical path); both are safe loaders and both give node line numbers.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    pass


def scalar_problem(node: yaml.ScalarNode) -> str | None:
    """Why PyYAML could not (or must not) construct this scalar, or None when it is fine."""
    if node.tag == _INT_TAG:
        digits = sum(ch.isdigit() for ch in node.value)
        if digits > MAX_INT_DIGITS:
            return (f"a number with {digits:,} digits; numbers are limited to "
                    f"{MAX_INT_DIGITS} digits")
    elif node.tag == _TIMESTAMP_TAG:
        m = _DATE_RE.match(node.value)
        if m is None:  # pragma: no cover - the resolver only tags date-shaped scalars
            return f"expected a date YYYY-MM-DD, got {node.value!r}"
        try:
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError as exc:
            return f"{node.value!r} is not a real date ({exc})"
        return date_problem(day)
    return None


def _walk(node: yaml.Node, path: PathKey, lines: dict[PathKey, int], file: str,
          counts: dict[int, int], depth: int = 0) -> int:
    """Record lines, refuse duplicate keys, unreadable scalars and deep nesting; return the
    node's expanded size (memoised)."""
    key = id(node)
    if key in counts:
        return counts[key]
    counts[key] = 1  # provisional: guards against recursive aliases
    lines.setdefault(path, node.start_mark.line + 1)
    if depth > MAX_NESTING:  # the place: where the nesting starts, not a hundred levels of it
        raise YamlProblem(Problem(file, format_path(path[:3]) + "...", f"nested more than "
                                  f"{MAX_NESTING} levels deep; refused", node.start_mark.line + 1))
    if isinstance(node, yaml.ScalarNode) and (why := scalar_problem(node)):
        raise YamlProblem(Problem(file, format_path(path), why, node.start_mark.line + 1))
    size = 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for knode, vnode in node.value:
            if isinstance(knode, yaml.ScalarNode) and (why := scalar_problem(knode)):
                raise YamlProblem(Problem(file, format_path(path), f"key: {why}",
                                          knode.start_mark.line + 1))
            k: Any = knode.value if isinstance(knode, yaml.ScalarNode) else repr(knode)
            if knode.tag == _INT_TAG:
                try:
                    k = int(k)
                except ValueError:
                    pass
            if k in seen and k != "<<":
                raise YamlProblem(Problem(
                    file, format_path(path + (k,)),
                    f"duplicate key (first given on line {seen[k]})", knode.start_mark.line + 1))
            seen[k] = knode.start_mark.line + 1
            size += _walk(vnode, path + (k,), lines, file, counts, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            size += _walk(item, path + (i,), lines, file, counts, depth + 1)
    if size > MAX_EXPANDED_NODES:
        raise YamlProblem(Problem(file, format_path(path),
                                  f"document expands to more than {MAX_EXPANDED_NODES:,} values "
                                  "(alias bomb?); refused", node.start_mark.line + 1))
    counts[key] = size
    return size


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def load_yaml(path: Path | str, display: str | None = None) -> YamlDocument:
    """Read one YAML document safely; raise ``YamlProblem`` naming file and line on failure."""
    path = Path(path)
    file = display or str(path)
    try:
        found = path.stat()
    except OSError as exc:
        raise YamlProblem(Problem(file, "", f"cannot read: {exc.strerror or exc}")) from None
    size = found.st_size
    if not stat.S_ISREG(found.st_mode):  # a FIFO would block for ever, /dev/zero never end
        raise YamlProblem(Problem(file, "", "not a regular file; YAML inputs are files"))
    if size > MAX_YAML_BYTES:
        raise YamlProblem(Problem(file, "", f"file is {size:,} bytes; YAML inputs are limited to "
                                            f"{MAX_YAML_BYTES:,}"))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlProblem(Problem(file, "", f"not UTF-8 text (byte {exc.start})")) from None
    except OSError as exc:
        raise YamlProblem(Problem(file, "", f"cannot read: {exc.strerror or exc}")) from None
    return parse_yaml(text, file)


def parse_yaml(text: str, file: str) -> YamlDocument:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, {}, file)
        lines: dict[PathKey, int] = {}
        _walk(node, (), lines, file, {})
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "malformed YAML"
        raise YamlProblem(Problem(file, "", f"malformed YAML: {what}", line)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(file, "", f"malformed YAML: {exc}")) from None
    except RecursionError:  # the parser's own recursion, before _walk could measure depth
        raise YamlProblem(Problem(file, "", f"nested more than {MAX_NESTING} levels deep; "
                                            "refused")) from None
    finally:
        loader.dispose()
    return YamlDocument(data, lines, file)


def load_list_document(path: Path, display: str, key: str) -> tuple[YamlDocument, list[Any]]:
    """A YAML file whose entries are a list under ``key`` (``reviews.yaml``,
    ``remediation.yaml``): the document, for located problems, and the list; anything else is
    an ``EvidenceError`` naming the file and line."""
    try:
        doc = load_yaml(path, display)
    except YamlProblem as exc:
        raise EvidenceError(problems=[exc.problem]) from None
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise EvidenceError(problems=[doc.problem((key,), f"expected a list under '{key}:'")])
    return doc, data[key]

