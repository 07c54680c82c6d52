"""Every hook platform-audit calls. Plugins implement these with ``@audit.hookimpl``.

Registration hooks receive the one :class:`audit.registry.Registry` of the run and add to it;
the built-in checklists, evaluators, loaders, writers and scoring models arrive exactly the same
way (see ``audit/default_plugins/``). docs/plugins/hooks.md documents each hook with its exact
signature; a test keeps the two in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    import click

    from audit.registry import Registry

hookspec = pluggy.HookspecMarker("platform_audit")


@hookspec
def audit_register_checklists(registry: Registry) -> None:
    """Register directories of checklist modules.

    Call ``registry.add_checklists(path)`` once per directory; every ``*.yaml`` file below it
    is read as one checklist module. Module ids must be unique across all plugins: a clash is
    an error naming both plugins.

    :param registry: the run's registry.
    """


@hookspec
def audit_register_evaluators(registry: Registry) -> None:
    """Register rule types (evaluators).

    Call ``registry.add_evaluator(evaluator)`` with an instance of an :class:`audit.Evaluator`
    subclass. Its ``id`` is the ``rule.type`` checklists use, and its ``params_schema`` (a
    cerberus schema) validates each rule's parameters when checklists are loaded.

    :param registry: the run's registry.
    """


@hookspec
def audit_register_loaders(registry: Registry) -> None:
    """Register evidence loaders.

    Call ``registry.add_loader(loader)``. A loader recognises an input (a file in the pack's
    ``logs/`` directory, a workbook, an export in another tool's format) and turns it into the
    evidence tables of the pack: profile, answers, documents, or event-log tables.

    A loader has ``id``, ``description``, ``matches(path) -> bool`` and ``load(path, pack)``;
    optionally ``kind`` (``"pack"``: an EVIDENCE argument; ``"log"``: a file under ``logs/``;
    without it the loader is asked in both places) and ``priority`` (default 50, lower first;
    the built-ins use 90 and 100). See docs/plugins/hooks.md.

    :param registry: the run's registry.
    """


@hookspec
def audit_register_writers(registry: Registry) -> None:
    """Register report writers.

    Call ``registry.add_writer(writer)``. The writer's ``id`` is a ``--format`` value and its
    ``extensions`` choose it from ``-o FILE``. Every writer renders the same ``Assessment``.
    Optional ``wants_output_path`` and ``siblings`` are read once, here: the registry holds
    every writer as an :class:`audit.reports.base.ReportWriter`.

    :param registry: the run's registry.
    """


@hookspec
def audit_register_scoring_models(registry: Registry) -> None:
    """Register scoring models.

    Call ``registry.add_scoring_model(model)``. A model turns findings into a score; it must
    state its formula and denominator, which every report prints beside the score.

    :param registry: the run's registry.
    """


@hookspec
def audit_register_commands(cli: click.Group) -> None:
    """Add sub-commands to the ``audit`` command line.

    Decorate functions with ``@cli.command()``. Raise :class:`audit.AuditError` subclasses for
    problems a user can fix; the CLI turns them into one-line messages and exit codes.

    :param cli: the top-level click group.
    """
