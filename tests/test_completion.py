"""Shell completion (click's, documented in docs/cli.md): commands, and checklist module ids
for ``-c`` and the commands that take a module id, with file completion beside them."""

from __future__ import annotations

import os
import subprocess
import sys


def _complete(*words: str, shell: str = "bash") -> list[tuple[str, str]]:
    env = {**os.environ, "_AUDIT_COMPLETE": f"{shell}_complete",
           "COMP_WORDS": " ".join(("audit",) + words), "COMP_CWORD": str(len(words))}
    done = subprocess.run([sys.executable, "-m", "audit"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [tuple(line.split(",", 1)) for line in done.stdout.splitlines()]  # type: ignore[misc]


def test_checklist_ids_complete_after_dash_c() -> None:
    items = _complete("assess", "pack", "-c", "eu.")
    ids = [value for kind, value in items if kind == "plain"]
    assert "eu.gdpr" in ids and "eu.dsa" in ids
    assert all(i.startswith("eu.") for i in ids)
    assert ("file", "eu.") in items  # a module file or folder of one's own still completes


def test_module_id_arguments_and_commands_complete() -> None:
    assert ("plain", "iq.telegram-2023") in _complete("checklists", "show", "iq.tel")
    assert ("plain", "tr.kvkk") in _complete("oscal", "export-catalog", "tr.kv")
    assert ("plain", "compare") in _complete("comp")


def test_the_bash_script_is_printed() -> None:
    env = {**os.environ, "_AUDIT_COMPLETE": "bash_source"}
    done = subprocess.run([sys.executable, "-m", "audit"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "_audit_completion()" in done.stdout
