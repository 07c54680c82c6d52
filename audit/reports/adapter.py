"""Completes a plugin's report writer once, when it registers.

The plugin contract (docs/plugins/hooks.md) asks little of a writer: ``id``, ``extensions``,
``binary`` and ``write(assessment, stream)``; ``wants_output_path``, ``siblings`` and
``sibling_suffix`` are optional. The code that writes reports wants one shape, :class:`audit.reports.base.ReportWriter`,
so this is the one place that asks a writer what it has; everything downstream just calls it.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Protocol

from audit.reports.base import Render, ReportWriter, WriterBase

if TYPE_CHECKING:  # pragma: no cover
    from audit.assessment import Assessment


class PluginWriter(Protocol):
    """The least a plugin's writer has (its other members are optional, read by getattr)."""

    def write(self, assessment: Assessment, stream: IO[Any]) -> None: ...


class AdaptedWriter:
    """A plugin writer seen as a full :class:`ReportWriter`: ``output`` is passed on only when
    the plugin asked for it (``wants_output_path``), and a writer without ``siblings`` has
    none."""

    def __init__(self, plugin: PluginWriter) -> None:
        self.plugin = plugin
        # the documented call shapes are write(a, stream) and write(a, stream, output=path)
        self._write: Callable[..., object] = plugin.write
        self.id: str = getattr(plugin, "id", "")
        self.description: str = getattr(plugin, "description", "")
        self.extensions: tuple[str, ...] = tuple(getattr(plugin, "extensions", ()))
        self.binary: bool = bool(getattr(plugin, "binary", False))
        suffix = getattr(plugin, "sibling_suffix", None)
        self.sibling_suffix: str | None = suffix if isinstance(suffix, str) and suffix else None
        self._wants_output = bool(getattr(plugin, "wants_output_path", False))
        self._siblings: Callable[[Assessment, Path], list[tuple[Path, Render]]] | None = (
            getattr(plugin, "siblings", None))

    def write(self, assessment: Assessment, stream: IO[Any],
              output: Path | None = None) -> None:
        if self._wants_output:
            self._write(assessment, stream, output=output)
        else:
            self._write(assessment, stream)

    def siblings(self, assessment: Assessment, output: Path) -> list[tuple[Path, Render]]:
        return list(self._siblings(assessment, output)) if self._siblings else []


def as_report_writer(writer: WriterBase | PluginWriter) -> ReportWriter:
    """The writer itself when it is already complete (built on ``WriterBase``), else adapted."""
    if isinstance(writer, WriterBase):
        return writer
    return AdaptedWriter(writer)
