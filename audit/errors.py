"""Errors a user can cause, and the exit codes the CLI maps them to.

Everything that is not an ``AuditError`` is a bug: the CLI shows it as one line saying so, and
the traceback only with ``--debug``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Iterable


class ExitCode(enum.IntEnum):
    """Documented process exit codes (``audit --help`` prints this table)."""

    OK = 0
    GATE_FAILED = 1
    INPUT_ERROR = 2
    PLUGIN_ERROR = 3
    INTERNAL_ERROR = 70


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located precisely enough to fix without searching.

    ``place`` is a YAML path (``requirements[3].rule.within``), a sheet and cell
    (``Answers!D14``), or a row (``row 17``); ``line`` is added when the place maps to a line.
    """

    file: str
    place: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.place:
            return f"{where}: {self.place}: {self.message}"
        return f"{where}: {self.message}"


class AuditError(Exception):
    """Base of every error a user can cause; its ``lines`` are printed as they are."""

    exit_code: ExitCode = ExitCode.INPUT_ERROR

    def __init__(self, message: str = "", problems: Iterable[Problem] = ()) -> None:
        self.problems = tuple(problems)
        if not message and self.problems:
            message = str(self.problems[0])
        super().__init__(message)
        self.message = message

    @property
    def lines(self) -> list[str]:
        """One line per problem, or the message when there is no problem list."""
        if self.problems:
            return [str(p) for p in self.problems]
        return [self.message]


class UsageError(AuditError):
    """The command line itself is wrong (unknown checklist id, bad option value)."""


class ChecklistError(AuditError):
    """A checklist module is malformed, inconsistent or cannot be resolved."""


class EvidenceError(AuditError):
    """An evidence pack (profile, answers, documents, logs, waivers) is malformed."""


class PluginError(AuditError):
    """A plugin failed to load or register, or two plugins claim the same id."""

    exit_code = ExitCode.PLUGIN_ERROR


class OutputError(AuditError):
    """A report could not be written where it was asked to go."""
