"""The typed registry that registration hooks fill.

Each hook implementation is called with the registry while the registry knows which plugin is
calling, so a clash of ids names both plugins instead of one silently replacing the other.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Iterator, TypeVar

from audit.errors import PluginError
from audit.reports.adapter import PluginWriter, as_report_writer
from audit.reports.base import ReportWriter, WriterBase
from audit.vocabulary import Vocabulary

if TYPE_CHECKING:  # pragma: no cover
    # types only: the evaluator and loader modules import this one to type their hooks
    from audit.evaluators.base import Evaluator
    from audit.evidence.loaders import EvidenceLoader
    from audit.scoring import ScoringModel

T = TypeVar("T")


class Catalog(Generic[T]):
    """Items of one kind by id, each remembered with the plugin that registered it."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, tuple[T, str]] = {}

    def add(self, item_id: str, item: T, owner: str) -> None:
        if not isinstance(item_id, str) or not item_id:
            raise PluginError(f"plugin '{owner}' registered a {self.kind} without an id")
        if item_id in self._items:
            first = self._items[item_id][1]
            who = (f"by plugin '{owner}'" if first == owner else
                   f"by plugin '{first}' and by plugin '{owner}'")
            raise PluginError(f"{self.kind} id '{item_id}' is registered twice: {who}")
        self._items[item_id] = (item, owner)

    def get(self, item_id: str) -> T:
        return self._items[item_id][0]

    def owner(self, item_id: str) -> str:
        return self._items[item_id][1]

    def ids(self) -> list[str]:
        return sorted(self._items)

    def items(self) -> list[tuple[str, T]]:
        return [(k, v[0]) for k, v in sorted(self._items.items())]

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._items

    def __len__(self) -> int:
        return len(self._items)


class Registry:
    """Everything plugins contribute. Built once per run by ``audit.plugins.get_registry``."""

    def __init__(self) -> None:
        self.evaluators: Catalog[Evaluator] = Catalog("evaluator")
        self.loaders: Catalog[EvidenceLoader] = Catalog("evidence loader")
        self.writers: Catalog[ReportWriter] = Catalog("report writer")
        self.scoring_models: Catalog[ScoringModel] = Catalog("scoring model")
        self.checklist_dirs: list[tuple[Path, str]] = []
        # names rules may use (logs, columns, kinds, roles); plugins add theirs
        self.vocabulary = Vocabulary.builtin()
        self._owner = "?"

    @contextmanager
    def acting_for(self, plugin_name: str) -> Iterator["Registry"]:
        previous, self._owner = self._owner, plugin_name
        try:
            yield self
        finally:
            self._owner = previous

    def add_checklists(self, directory: Path | str) -> None:
        """Register a directory whose ``*.yaml`` files (recursively) are checklist modules."""
        self.checklist_dirs.append((Path(directory), self._owner))

    def add_evaluator(self, evaluator: Evaluator) -> None:
        """Register an ``audit.Evaluator`` instance under its ``id`` (the rule ``type``)."""
        self.evaluators.add(getattr(evaluator, "id", ""), evaluator, self._owner)

    def add_loader(self, loader: EvidenceLoader) -> None:
        """Register an evidence loader under its ``id``."""
        self.loaders.add(getattr(loader, "id", ""), loader, self._owner)

    def add_writer(self, writer: WriterBase | PluginWriter) -> None:
        """Register a report writer under its ``id`` (the ``--format`` value); a plugin's
        writer with only the documented minimum is completed here, once."""
        full = as_report_writer(writer)
        self.writers.add(full.id, full, self._owner)

    def add_scoring_model(self, model: ScoringModel) -> None:
        """Register a scoring model under its ``id`` (the ``--scoring`` value)."""
        self.scoring_models.add(getattr(model, "id", ""), model, self._owner)
