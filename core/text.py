"""Text normalisation: NFC, spaces, and diacritic-free keys for comparing labels."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]")


def clean(value: object) -> str | None:
    """Trimmed NFC text with single spaces; None for an empty cell."""
    if value is None:
        return None
    return _clean(value if isinstance(value, str) else str(value))


def fold(value: object) -> str:
    """Lower-case text without Vietnamese diacritics; punctuation and spaces kept."""
    return _fold(clean(value) or "")


# Cached: a month's files repeat the same labels, codes and names thousands of times, and
# normalising them was the largest part of reading a workbook (measured: docs/benchmarks.md).
@lru_cache(maxsize=65536)
def _clean(text: str) -> str | None:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip() or None


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def key(value: object) -> str:
    """A comparison key: no diacritics, no case, no spaces or punctuation.

    Labels are compared this way because people type them without diacritics, with a
    trailing colon, or with a line break inside (the form's Tolerance section).
    """
    return _key(clean(value) or "")


@lru_cache(maxsize=65536)  # a workbook's labels and codes, compared cell by cell
def _key(text: str) -> str:
    return _NOT_ALNUM.sub("", _fold(text))
