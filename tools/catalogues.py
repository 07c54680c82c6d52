"""Maintain the report catalogues: extract messages, merge them into each language, compile.

    python tools/catalogues.py            # extract audit/locale/audit.pot, update every .po,
                                          # compile every .mo
    python tools/catalogues.py init xx    # start a catalogue for language xx

Needs Babel (a dependency of the package). See docs/translations.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "audit" / "locale"
POT = LOCALE / "audit.pot"
# Python sources and the HTML report's Jinja templates (jinja2.ext.i18n ``_()``/``ngettext``).
MAPPING = ROOT / "babel.cfg"


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract() -> None:
    pybabel("extract", "--no-location", "--sort-output", "--omit-header", "-k", "N_",
            "-F", str(MAPPING), "-o", str(POT), str(ROOT))


def main(argv: list[str]) -> None:
    extract()
    if argv[:1] == ["init"]:
        pybabel("init", "-D", "audit", "-i", str(POT), "-d", str(LOCALE), "-l", argv[1])
    pybabel("update", "-D", "audit", "-i", str(POT), "-d", str(LOCALE), "--no-fuzzy-matching",
            "--ignore-obsolete")
    pybabel("compile", "-D", "audit", "-d", str(LOCALE))


if __name__ == "__main__":
    main(sys.argv[1:])
