"""audit/cli.py's command table: `audit --help` lists every verb from the table without
importing any verb's module (or the built-in plugins' rules and writers); a verb's module loads
when that verb runs or shows its own help; the table's help reads as each command's own."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import click
import pytest

from audit import cli as cli_module

PROBE = """
import json, sys
from audit import cli
try:
    cli.main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules if m.startswith(("audit.commands.", "audit.default_plugins."))
               or m in ("duckdb", "openpyxl", "jinja2", "audit.pipeline", "audit.api"))
print(json.dumps(heavy))
"""


def _imported_after(*args: str) -> list[str]:
    """The heavy modules a fresh process holds after ``audit ARGS`` (its last stdout line)."""
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_help_imports_no_verb_and_no_built_in_plugin() -> None:
    assert _imported_after("--help") == []


def test_a_verbs_help_imports_that_verb_only() -> None:
    found = _imported_after("diff", "--help")
    assert "audit.commands.diff" in found
    assert not [m for m in found if m.startswith("audit.commands.") and m not in (
        "audit.commands.diff", "audit.commands.options")]


@pytest.mark.parametrize("name", sorted(cli_module.BUILT_IN))
def test_the_table_lists_each_verb_as_its_own_help_does(name: str) -> None:
    module, attr, _help = cli_module.BUILT_IN[name]
    command = getattr(importlib.import_module(f"audit.commands.{module}"), attr)
    assert isinstance(command, click.Command) and command.name == name
    assert not command.hidden and not command.deprecated and command.short_help is None
    stand_in = cli_module._CommandTable(cli_module.BUILT_IN).listed(name)
    assert stand_in is not None
    for limit in range(20, 200, 3):  # every terminal width the listing can get
        assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit), limit


def test_the_table_is_every_module_under_commands() -> None:
    from audit import commands

    root = commands.__path__[0]
    verbs = {p.stem for p in __import__("pathlib").Path(root).glob("*.py")
             if p.stem not in ("__init__", "options")}
    assert {module for module, _attr, _help in cli_module.BUILT_IN.values()} == verbs


def test_the_table_loads_on_lookup_and_takes_added_commands() -> None:
    table = cli_module._CommandTable(cli_module.BUILT_IN)
    assert len(table) == len(cli_module.BUILT_IN) and "diff" in table
    assert not table.loaded
    assert table["diff"].name == "diff" and set(table.loaded) == {"diff"}
    extra = click.Command("extra", help="A plugin's verb.")
    table["extra"] = extra
    assert table.listed("extra") is extra and list(table)[-1] == "extra"
    del table["extra"], table["verify"]
    assert "extra" not in table and "verify" not in table
    with pytest.raises(KeyError):
        table["verify"]
    with pytest.raises(KeyError):
        del table["verify"]
    assert table.listed("nothing") is None


BUILT_IN_LATER = """
import json
from audit import plugins
pm = plugins.get_plugin_manager(built_in=False)
before = [n for n, _p in pm.list_name_plugin()]
plugins.get_plugin_manager()
after = [n for n, _p in pm.list_name_plugin()]
print(json.dumps([before, after]))
"""


def test_built_in_plugins_join_after_the_installed_ones() -> None:
    from audit.plugins import DEFAULT_PLUGINS

    out = subprocess.run([sys.executable, "-c", BUILT_IN_LATER], capture_output=True,
                         text=True, check=True).stdout
    before, after = json.loads(out)
    assert not set(before) & set(DEFAULT_PLUGINS)
    assert after[:len(before)] == before and set(after[len(before):]) == set(DEFAULT_PLUGINS)
