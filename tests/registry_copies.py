"""Copies of the shipped registry with the ``senders`` column changed (REGISTRY.md: it is
optional), for the sender rule F05."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

from core.settings import DEFAULT_REGISTRY

Senders = Callable[[str], str]  # unit code -> the new ``senders`` cell


def registry_with_senders(target: Path, senders: Senders) -> Path:
    """``config/registry/bao-lam-2024`` copied to ``target``, each unit's ``senders`` set by
    ``senders(code)``."""
    shutil.copytree(DEFAULT_REGISTRY, target)
    units = target / "units.csv"
    with units.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or []), list(reader)
    for row in rows:
        row["senders"] = senders(row["code"])
    with units.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    return target


def registry_without_senders(target: Path) -> Path:
    """The shipped registry with an empty ``senders`` column."""
    return registry_with_senders(target, lambda _code: "")
