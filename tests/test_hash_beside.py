"""A log's SHA-256 is computed on a background thread from the moment a loader names it (so
it overlaps loading and the engine's scan), and joined when the evidence files are listed:
the same digest as hashing the bytes directly, errors reported where they were before."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from audit.errors import EvidenceError
from audit.evidence import pack as pack_module
from audit.evidence.pack import EvidencePack
from audit.plugins import get_registry
from audit.testing import run_assessment
from packs import MODERATION, write_pack


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sha256_of_matches_hashlib_across_chunk_edges(tmp_path: Path) -> None:
    for size in (0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 17):
        f = tmp_path / f"f{size}"
        f.write_bytes(bytes(i * 7 % 251 for i in range(size)))
        assert pack_module.sha256_of(f) == (_digest(f), size)


def test_the_hash_starts_when_the_log_is_named(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "moderation.csv"
    log.write_text(",".join(MODERATION) + "\n", "utf-8")
    started = threading.Event()
    threads: list[str] = []
    real = pack_module.sha256_of

    def spy(path: Path) -> tuple[str, int]:
        threads.append(threading.current_thread().name)
        started.set()
        return real(path)

    monkeypatch.setattr(pack_module, "sha256_of", spy)
    pack = EvidencePack(tmp_path, get_registry())
    pack.add_log("moderation", log)
    assert started.wait(30)  # finish() was never called: the loader's naming started it
    assert threads == ["audit-log-hash"]
    assert [(f.path, f.role, f.sha256) for f in pack.files] == [
        (pack.display(log), "log", _digest(log))]


def test_an_assessed_pack_records_each_logs_own_digest(tmp_path: Path) -> None:
    rows = [[f"R{i}", "2024-03-01T10:00:00+03:00", "2024-03-01T12:00:00+03:00",
             "personal_data_leak", "authority", "channel_closed", "IQ"] for i in range(50)]
    root = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    result = run_assessment(root, ["iq.telegram-2023"], as_of="2024-12-31")
    logs = [f for f in result.evidence_files if f.role == "log"]  # type: ignore[union-attr]
    log = root / "logs" / "moderation.csv"
    assert [(f.path, f.size, f.sha256) for f in logs] == [
        ("p/logs/moderation.csv", log.stat().st_size, _digest(log))]


def test_a_log_that_cannot_be_read_is_named_when_the_files_are_listed(tmp_path: Path) -> None:
    pack = EvidencePack(tmp_path, get_registry())
    pack.add_log("moderation", tmp_path / "gone.csv")
    with pytest.raises(EvidenceError) as exc:
        _ = pack.files
    assert [(p.file, p.place, p.message) for p in exc.value.problems] == [
        (pack.display(tmp_path / "gone.csv"), "", "cannot read: No such file or directory")]
