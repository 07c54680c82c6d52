"""Which data-lake locations a pack's mapping may name: only those the person running the
audit allowed.

With ``--engine spark`` a mapping's ``files`` may be a location (``s3a://``, ``hdfs://``,
``abfss://``, ``file:///``), read by Spark wherever the cluster can reach. A pack is someone
else's file, so a location it names is read only when it lies under a prefix given with
``--allow-location`` (``AUDIT_ALLOW_LOCATIONS``, or ``allow_locations`` in the Python API):
``file:///etc/`` or another tenant's bucket are not the pack's to choose (docs/limits.md,
security model). These are pure functions of text, so one check serves every caller.

A location is under a prefix when scheme and authority are the same (letter case aside) and
the prefix's path segments begin the location's; ``s3a://lake/statements`` allows
``s3a://lake/statements/2024/`` but not ``s3a://lake/statements-old/``. A location whose
path holds a ``.`` or ``..`` segment (plainly or percent-encoded) is never allowed: it could
climb out of the prefix it seems to be under.

A catalog table a mapping names (``catalog_table``, read with ``spark.table``) is someone
else's choice too: it is read only under a ``table:`` prefix of whole name parts
(``table:lake.moderation``), given the same way (docs/spark-platforms.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

from audit.logs.sources import LOCATION_RE as SCHEME

ENV_VAR = "AUDIT_ALLOW_LOCATIONS"
# a catalog table a mapping may name (``catalog_table``) is allowed as ``table:<prefix>``,
# where the prefix is whole dotted parts of its name: ``table:lake.moderation`` allows
# ``lake.moderation.events`` but not ``lake.moderation_old.events``
TABLE = "table:"
TABLE_NAME = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+){0,2}$")


def _parts(location: str) -> tuple[str, str, list[str]] | None:
    """(scheme, authority, path segments) of a location; None when it is not one or its
    path climbs (``..``, ``.``)."""
    if not SCHEME.match(location):
        return None
    split = urlsplit(location)
    segments = [unquote(s) for s in split.path.split("/") if s]
    if any(s in (".", "..") or "/" in s or "\\" in s for s in segments):
        return None
    return split.scheme.lower(), split.netloc.lower(), segments


def prefix_problem(prefix: str) -> str | None:
    """Why ``prefix`` cannot be an allowed location prefix, or None."""
    if prefix.startswith(TABLE):
        return None if TABLE_NAME.match(prefix[len(TABLE):]) else (
            f"{prefix!r}: expected table: and a catalog, database or table name such as "
            "table:lake.moderation")
    if not SCHEME.match(prefix):
        return f"{prefix!r} is not a location prefix such as s3a://bucket/path/"
    if _parts(prefix) is None:
        return f"{prefix!r} has a '.' or '..' path segment; give the folder itself"
    return None


def is_allowed(location: str, allowed: Sequence[str]) -> bool:
    """Whether ``location`` lies under one of the ``allowed`` prefixes."""
    found = _parts(location)
    if found is None:
        return False
    scheme, authority, segments = found
    for prefix in allowed:
        given = _parts(prefix)
        if given is not None and given[:2] == (scheme, authority) \
                and segments[:len(given[2])] == given[2]:
            return True
    return False


def location_problem(location: str, allowed: Sequence[str]) -> str | None:
    """Why a location a mapping names may not be read, or None when it is allowed."""
    if is_allowed(location, allowed):
        return None
    if _parts(location) is None:
        return (f"{location} has a '.' or '..' path segment; a location is read only as "
                "the folder it names")
    given = (f"; allowed now: {', '.join(allowed)}" if allowed else "")
    return (f"{location} is not under a location the person running the audit allowed: "
            f"only they can, with --allow-location PREFIX (or {ENV_VAR}){given} "
            "(docs/spark.md)")


def table_problem(name: str, allowed: Sequence[str]) -> str | None:
    """Why a catalog table a mapping names may not be read, or None when a ``table:``
    prefix the person running the audit gave covers it (names compared without case, as
    catalogs compare them)."""
    parts = name.lower().split(".")
    for prefix in allowed:
        if prefix.startswith(TABLE):
            given = prefix[len(TABLE):].lower().split(".")
            if parts[:len(given)] == given:
                return None
    tables = [p for p in allowed if p.startswith(TABLE)]
    now = f"; allowed now: {', '.join(tables)}" if tables else ""
    return (f"{name} is not under a table the person running the audit allowed: only they "
            f"can, with --allow-location table:{'.'.join(parts[:-1]) or parts[0]} (or "
            f"{ENV_VAR}){now} (docs/spark-platforms.md)")
