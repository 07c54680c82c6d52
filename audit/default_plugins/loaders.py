"""Registers the built-in evidence loaders: pack directories, filled evidence workbooks and
CSV/Parquet/JSONL logs."""

from __future__ import annotations

from audit import hookimpl
from audit.evidence.loaders import DirectoryPackLoader, LogFileLoader
from audit.evidence.workbook import WorkbookLoader
from audit.registry import Registry


@hookimpl
def audit_register_loaders(registry: Registry) -> None:
    registry.add_loader(DirectoryPackLoader())
    registry.add_loader(LogFileLoader())
    registry.add_loader(WorkbookLoader())
