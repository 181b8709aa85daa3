"""The district's own configuration files (rule limits, holiday calendar): opened the same
way, and read once per process while they do not change."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

from core.errors import CellreportsError

T = TypeVar("T")
_READ: dict[tuple[str, Path, int, int], object] = {}


def open_csv(path: Path, error: type[CellreportsError], what: str) -> IO[str]:
    """The file opened for csv (UTF-8, a BOM from Excel allowed), or ``error`` saying so."""
    try:
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise error(f"{path}: cannot read the {what}: {exc}") from exc


def read_once(kind: str, path: Path, read: Callable[[Path], T]) -> T:
    """``read(path)``, reused while the file keeps its size and modification time: a run
    asks for the rule book at every step, and the officer may edit it between runs."""
    try:
        stat = os.stat(path)
    except OSError:
        return read(path)  # read() says what is wrong with it
    key = (kind, path.resolve(), stat.st_mtime_ns, stat.st_size)
    found = _READ.get(key)
    if found is None:
        found = _READ[key] = read(path)
    return found  # type: ignore[return-value]
