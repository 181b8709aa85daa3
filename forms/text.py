"""Text normalisation: NFC, spaces, and diacritic-free keys for comparing labels."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]")


def clean(value: object) -> str | None:
    """Trimmed NFC text with single spaces; None for an empty cell."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return text or None


def fold(value: object) -> str:
    """Lower-case text without Vietnamese diacritics; punctuation and spaces kept."""
    text = (clean(value) or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def key(value: object) -> str:
    """A comparison key: no diacritics, no case, no spaces or punctuation.

    Labels are compared this way because people type them without diacritics, with a
    trailing colon, or with a line break inside (the form's Tolerance section).
    """
    return _NOT_ALNUM.sub("", fold(value))
