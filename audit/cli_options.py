"""Option checks shared by several commands (kept apart from audit.cli so a command module
such as audit.history can use them without importing the whole CLI)."""

from __future__ import annotations

import click


def checked_language(value: str | None) -> str | None:
    """--lang: a language with a report catalogue (checked before anything is read)."""
    if value is None:
        return None
    from audit.i18n import available_languages, base_language, normalise

    if base_language(value) not in available_languages():
        raise click.BadParameter(f"no report catalogue for {value!r} (available: "
                                 f"{', '.join(available_languages())})", param_hint="--lang")
    return normalise(value)
