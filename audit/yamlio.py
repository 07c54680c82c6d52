"""Safe YAML reading that remembers where every value came from.

Checklists and evidence documents are written by hand, so errors must point at a line. PyYAML's
safe loader is used throughout; on top of it this module refuses duplicate keys (PyYAML keeps
the last one silently), oversized files, and alias bombs whose expansion would be huge.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from audit.errors import Problem

MAX_YAML_BYTES = 10 * 1024 * 1024
MAX_EXPANDED_NODES = 1_000_000

PathKey = tuple[Any, ...]


class YamlDocument:
    """Parsed data plus a map from YAML path (tuple of keys and indexes) to 1-based line."""

    def __init__(self, data: Any, lines: dict[PathKey, int], file: str) -> None:
        self.data = data
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


def _walk(node: yaml.Node, path: PathKey, lines: dict[PathKey, int], file: str,
          counts: dict[int, int]) -> int:
    """Record lines, refuse duplicate keys; return the node's expanded size (memoised)."""
    key = id(node)
    if key in counts:
        return counts[key]
    counts[key] = 1  # provisional: guards against recursive aliases
    lines.setdefault(path, node.start_mark.line + 1)
    size = 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for knode, vnode in node.value:
            k: Any = knode.value if isinstance(knode, yaml.ScalarNode) else repr(knode)
            if knode.tag == "tag:yaml.org,2002:int":
                try:
                    k = int(k)
                except ValueError:
                    pass
            if k in seen and k != "<<":
                raise YamlProblem(Problem(
                    file, format_path(path + (k,)),
                    f"duplicate key (first given on line {seen[k]})", knode.start_mark.line + 1))
            seen[k] = knode.start_mark.line + 1
            size += _walk(vnode, path + (k,), lines, file, counts)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            size += _walk(item, path + (i,), lines, file, counts)
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
        size = path.stat().st_size
    except OSError as exc:
        raise YamlProblem(Problem(file, "", f"cannot read: {exc.strerror or exc}")) from None
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
    finally:
        loader.dispose()
    return YamlDocument(data, lines, file)
