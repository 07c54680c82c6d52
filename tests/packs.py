"""Build small evidence packs in a temporary directory for tests."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Iterable

import yaml

MODERATION = ["request_id", "received_at", "actioned_at", "category", "requester", "action",
              "country"]


def write_pack(root: Path, platform: dict[str, Any] | None = None,
               answers: dict[str, Any] | None = None, documents: list[dict[str, Any]] | None = None,
               waivers: list[dict[str, Any]] | None = None,
               logs: dict[str, tuple[list[str], Iterable[Iterable[Any]]]] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    profile = {"name": "Test Messenger", "users": {"IQ": 1000000},
               "representatives": [{"name": "Layla Hassan", "role": "authority_contact_iq",
                                    "country": "IQ", "contact": "iq@example.org"}]}
    if platform is not None:
        profile = platform
    (root / "platform.yaml").write_text(yaml.safe_dump(profile, sort_keys=False), "utf-8")
    if answers is not None:
        (root / "answers.yaml").write_text(yaml.safe_dump(answers, sort_keys=False), "utf-8")
    if documents is not None:
        (root / "documents").mkdir(exist_ok=True)
        for doc in documents:
            (root / "documents" / doc["path"]).write_text(f"document {doc['path']}\n", "utf-8")
        (root / "documents.yaml").write_text(yaml.safe_dump({"documents": documents},
                                                            sort_keys=False), "utf-8")
    if waivers is not None:
        (root / "waivers.yaml").write_text(yaml.safe_dump({"waivers": waivers},
                                                          sort_keys=False), "utf-8")
    for name, (header, rows) in (logs or {}).items():
        (root / "logs").mkdir(exist_ok=True)
        with (root / "logs" / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
    return root


def moderation_rows(delays_hours: list[float | None], start: str = "2024-01-01T00:00:00+03:00",
                    step_hours: int = 10, **fields: str) -> list[list[str]]:
    import datetime as dt

    t0 = dt.datetime.fromisoformat(start)
    rows = []
    for i, delay in enumerate(delays_hours):
        received = t0 + dt.timedelta(hours=i * step_hours)
        actioned = "" if delay is None else (received + dt.timedelta(hours=delay)).isoformat()
        rows.append([f"R{i:05d}", received.isoformat(), actioned,
                     fields.get("category", "personal_data_leak"),
                     fields.get("requester", "authority"), "channel_closed",
                     fields.get("country", "IQ")])
    return rows
