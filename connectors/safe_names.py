"""File names from outside never escape the folder they are written to."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


# names Windows keeps for devices, whatever the extension (an outbox may be a Windows share)
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME = 150


def safe_filename(name: str, default: str = "tep") -> str:
    """The last path component, NFC, without control or path characters, not hidden, not
    a device name, at most MAX_NAME characters with its extension kept."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").split("/")[-1])
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, dot, suffix = base.rpartition(".") if "." in base else (base, "", "")
    if stem.split(".")[0].upper() in _RESERVED:
        base = f"_{base}"
    if len(base) > MAX_NAME:
        suffix = f"{dot}{suffix[:10]}" if dot else ""
        base = base[:MAX_NAME - len(suffix)].rstrip(" .") + suffix
    return base or default


_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn")  # controls, bidi overrides, surrogates, unassigned


def readable_name(name: str, limit: int = 255) -> str:
    """A received name as it is shown and stored: valid UTF-8 (a name that was not arrives
    with surrogate escapes from the file system), NFC, without control or bidi-override
    characters (U+202E makes «xlsx.exe» read «exe.xlsx»), at most ``limit`` characters."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)
    return text.strip()[:limit] or "tep"


def unique_path(directory: Path, name: str) -> Path:
    """``directory/name``, or ``name (2)``, ``name (3)``… when taken: nothing is overwritten."""
    candidate = directory / name
    stem, suffix = Path(name).stem, Path(name).suffix
    counter = 2
    while candidate.exists():
        candidate = directory / f"{stem} ({counter}){suffix}"
        counter += 1
    return candidate
