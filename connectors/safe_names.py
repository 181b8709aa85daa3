"""File names from outside never escape the folder they are written to."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_filename(name: str, default: str = "tep") -> str:
    """The last path component, NFC, without control or path characters, not hidden."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").split("/")[-1])
    base = _UNSAFE.sub("_", base).strip(" .")
    return base[:150] or default


def unique_path(directory: Path, name: str) -> Path:
    """``directory/name``, or ``name (2)``, ``name (3)``… when taken: nothing is overwritten."""
    candidate = directory / name
    stem, suffix = Path(name).stem, Path(name).suffix
    counter = 2
    while candidate.exists():
        candidate = directory / f"{stem} ({counter}){suffix}"
        counter += 1
    return candidate
