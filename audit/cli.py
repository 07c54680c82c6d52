"""The ``audit`` command line: the group, ``main()``, and the one place that turns errors
into messages and exit codes.

Each verb lives in its own module under ``audit/commands/``; this module only names them
(plugins add theirs through the ``audit_register_commands`` hook) and maps what they raise to
one line and an exit status. A verb's module (and what it imports: DuckDB, the pipeline, the
writers) is imported only when that verb runs or shows its own help, so ``audit --help`` costs
click and this table, not the whole tool.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
import traceback
from collections.abc import Iterator, MutableMapping

import click

from audit import __version__, scratch
from audit.errors import AuditError, ExitCode
from audit.plugins import get_plugin_manager

EXIT_CODES_HELP = """\b
Exit codes:
  0   ran, and every gate (--fail-under, --fail-on, --strict, diff
      --fail-on-regression, verify) passed
  1   ran, and a gate failed (one line per failed gate on stderr), or verify
      found a difference or could not check an input (a data-lake location)
  2   usage or input error (bad option, malformed checklist or evidence)
  3   plugin error (a plugin failed to load or register, or an id clash)
  70  internal error (a bug: rerun with --debug and report it)
  130 interrupted (Ctrl-C); 143 stopped by SIGTERM
"""


class _State:
    debug = False


# The built-in verbs: name -> (module under audit/commands/, the command's attribute there,
# the first paragraph of its help). The help is what `audit --help` lists; it must read as the
# command's own (tests/test_cli_lazy.py compares them).
BUILT_IN: dict[str, tuple[str, str, str]] = {
    "assess": ("assess", "assess",
               "Assess an evidence pack against checklist modules and report the gaps."),
    "checklists": ("checklists", "checklists",
                   "List, show, validate checklist modules, or export their schema."),
    "compare": ("compare", "compare",
                "Compare platforms: JSON results (R1.json R2.json ...) of `audit assess "
                "--format json` side by side."),
    "diff": ("diff", "diff",
             "Compare two JSON results (OLD.json, NEW.json) of `audit assess --format json`."),
    "history": ("history", "history", "Scores by area and jurisdiction, verdicts and key "
                "figures over successive results."),
    "mappings": ("mappings", "mappings",
                 "Check log mappings (logs/*.mapping.yaml) or export their schema."),
    "new-plugin": ("new_plugin", "new_plugin", "Create a plugin project audit-NAME to start "
                   "from (a jurisdiction, rules, loaders)."),
    "notices": ("notices", "notices", "Plan the notices an incident owes: who must be told, "
                "by when, under which article."),
    "oscal": ("oscal", "oscal",
              "Export checklist modules as NIST OSCAL 1.1.2 catalogs and profiles."),
    "plugins": ("plugins", "plugins", "List installed plugins (JSON), the hooks each "
                "implements and its evidence loaders."),
    "template": ("template", "template", "Write an evidence workbook to fill by hand "
                 "(profile, representatives, answers)."),
    "verify": ("verify", "verify", "Re-hash an evidence pack and the installed checklists "
               "against a JSON result."),
}


class _CommandTable(MutableMapping[str, click.Command]):
    """The group's commands, every name known from the start, each module imported on the
    first lookup of its command: click's own ``get_command``, ``list_commands`` and the
    did-you-mean of an unknown verb work unchanged on it, and a plugin's ``add_command``
    stores a loaded command beside them."""

    def __init__(self, lazy: dict[str, tuple[str, str, str]]) -> None:
        self.lazy = dict(lazy)
        self.loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self.loaded:
            module, attr, _help = self.lazy[name]  # KeyError: no such command
            # the import statement is importlib's: the verb's module and what it imports
            # (DuckDB, openpyxl, the pipeline) load only when that verb is asked for
            self.loaded[name] = getattr(importlib.import_module(f"audit.commands.{module}"), attr)
        return self.loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        found = name in self.loaded or name in self.lazy
        self.loaded.pop(name, None)
        if self.lazy.pop(name, None) is None and not found:
            raise KeyError(name)

    def __contains__(self, name: object) -> bool:  # a name is known without its import
        return name in self.lazy or name in self.loaded

    def __iter__(self) -> Iterator[str]:
        yield from self.lazy
        yield from (n for n in self.loaded if n not in self.lazy)

    def __len__(self) -> int:
        return len(self.lazy.keys() | self.loaded.keys())

    def listed(self, name: str) -> click.Command | None:
        """The command as a listing shows it, without importing a verb not yet loaded: a
        stand-in carrying its name and help (never run)."""
        if name in self.loaded or name not in self.lazy:
            return self.loaded.get(name)
        return click.Command(name, help=self.lazy[name][2])


class _LazyGroup(click.Group):
    """A group whose help lists its verbs from the table, importing none of them."""

    listing = False

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self.listing = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if self.listing and isinstance(self.commands, _CommandTable):
            return self.commands.listed(cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="audit",
                      message="%(prog)s (platform-audit) %(version)s")
@click.option("--debug", is_flag=True, envvar="AUDIT_DEBUG",
              help="Show tracebacks for errors (for bug reports).")
def cli(debug: bool) -> None:
    """Audit a messaging platform's evidence against national data-protection and content laws.

    Checklist modules encode the law, each requirement cited; `audit assess` scores a
    platform's evidence pack against them and writes the gap report.
    """
    _State.debug = debug or _State.debug


cli.commands = _CommandTable(BUILT_IN)


@contextlib.contextmanager
def _plugin_commands() -> Iterator[None]:
    """The installed plugins' verbs on the group for one run, taken off after it: a process
    that runs the CLI more than once (the Python API's callers, the test suite) sees each
    run's own plugins, never a verb of a plugin an earlier run loaded."""
    before = set(cli.commands)
    # no built-in plugin adds a verb: their imports (every rule and writer) wait for a verb
    # that needs the registry
    get_plugin_manager(built_in=False).hook.audit_register_commands(cli=cli)
    try:
        yield
    finally:
        for name in set(cli.commands) - before:
            del cli.commands[name]


def _interrupted() -> tuple[list[str], int]:
    """Ctrl-C or SIGTERM, however it surfaced (a KeyboardInterrupt, DuckDB's "Query
    interrupted", a library's error while unwinding): one line and 128 + the signal."""
    signum = scratch.stopped_by() or signal.SIGINT
    return [f"audit: {scratch.stop_word(signum)}"], scratch.exit_status(signum)


def _outcome(args: list[str]) -> tuple[list[str], int]:
    """Run the CLI: the lines to print on standard error and the exit status."""
    try:
        with _plugin_commands():
            rv = cli.main(args=args, prog_name="audit", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return [], exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt, scratch.Stopped):
        return _interrupted()
    except click.ClickException as exc:
        # usage errors: click's own wording, exit 2
        # one line, like every other error; the usage is one --help away
        return [f"audit: error: {exc.format_message()}"], ExitCode.INPUT_ERROR
    except AuditError as exc:
        if scratch.stopped_by():
            return _interrupted()
        if _State.debug:
            traceback.print_exc()
        return (exc.lines if exc.problems else [f"audit: error: {exc.message}"]), exc.exit_code
    except BrokenPipeError:
        return [], 0
    except Exception as exc:
        if scratch.stopped_by():
            return _interrupted()
        if _State.debug:
            raise
        return [f"audit: internal error: {type(exc).__name__}: {exc} (rerun with --debug for "
                "the traceback, and please report it)"], ExitCode.INTERNAL_ERROR
    return [], rv if isinstance(rv, int) else 0


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI in its own temporary folder (removed however the run ends),
    mapping every error to one line per problem and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    # --debug is accepted anywhere, since the error message suggests adding it to any command
    _State.debug = "--debug" in args or bool(os.environ.get("AUDIT_DEBUG"))
    args = [a for a in args if a != "--debug"]
    with scratch.quiet_unraisable(_State.debug), scratch.run_folder():
        try:
            lines, code = _outcome(args)
        except scratch.Stopped:  # another Ctrl-C while the first was being reported
            lines, code = _interrupted()
    for line in lines:
        click.echo(line, err=True)
    sys.exit(code)
