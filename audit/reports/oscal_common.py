"""What every OSCAL document platform-audit writes shares: version, namespace, stable UUIDs,
tokens, props and timestamps (audit/reports/oscal.py and audit/reports/oscal_chain.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable
from urllib.parse import quote

if TYPE_CHECKING:  # pragma: no cover
    from audit.assessment import Assessment

OSCAL_VERSION = "1.1.2"
# Fixed forever: changing it changes every UUID the tool has ever written.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://platform-audit.invalid/oscal")
NS = "https://platform-audit.invalid/ns/oscal"  # namespace of our props and facets
ROLE_ASSESSOR = "assessor"

Json = dict[str, Any]  # one JSON object of an OSCAL document, as json.dump takes it


def stable_uuid(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(str(p) for p in parts)))


def token(text: str) -> str:
    """An OSCAL token (XML NCName): letters, digits, ``.``, ``-``, ``_``; ``:`` becomes ``_``.

    ``iq.telegram-2023:leak-takedown`` -> ``iq.telegram-2023_leak-takedown``."""
    out = re.sub(r"[^\w.\-]", "_", text, flags=re.UNICODE)
    if not out or not (out[0].isalpha() or out[0] == "_"):
        out = "_" + out
    return out


def text_or_none(value: object) -> str | None:
    """A non-empty OSCAL string (no leading/trailing whitespace), or None."""
    if value is None:
        return None
    # OSCAL strings may not start or end with white space, and names are one line
    text = " ".join(str(value).split())
    return text or None


def prop(name: str, value: object, cls: str | None = None) -> dict[str, Any] | None:
    text = text_or_none(value if not isinstance(value, float) else f"{value:.6g}")
    if text is None:
        return None
    out = {"name": token(name), "ns": NS, "value": text}
    if cls:
        out["class"] = token(cls)
    return out


def props(*items: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [p for p in items if p is not None]


def _when(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.isoformat()


def end_of_day(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.timezone.utc).isoformat()


def _start_of_day(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(0, 0, 0), tzinfo=dt.timezone.utc).isoformat()


def put_if_set(obj: dict[str, Any], key: str, value: object) -> None:
    """Set optional keys only when non-empty (OSCAL arrays need minItems 1)."""
    if value not in (None, "", [], {}):
        obj[key] = value


def dump(doc: Json, stream: IO[Any]) -> None:
    json.dump(doc, stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def evidence_hrefs(a: Assessment, base: Path) -> Callable[[str], str]:
    """Links to the evidence files relative to the directory ``base`` an OSCAL file is written
    to (percent-encoded, so a space or an Arabic file name still makes a URI reference)."""
    root = a.evidence.root if a.evidence is not None else None
    base = base.resolve()

    def href(display: str) -> str:
        path = Path(display)
        if not path.is_absolute():
            inside = root.resolve().parent / path if root is not None else None
            path = inside if inside is not None and inside.exists() else path.resolve()
        return quote(Path(os.path.relpath(path, base)).as_posix())

    return href
