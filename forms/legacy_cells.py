"""Finding and converting text typed in the legacy TCVN3 (ABC) or VNI encodings.

Old office PCs typed Vietnamese with 8-bit fonts (``.VnTime``, ``VNI-Times``); opened as
Unicode, such text is Latin-1 soup ("NguyÔn V¨n"). The cell's font tells the encoding
best, so for .xlsx the fonts of suspicious cells are read with openpyxl; for .xls and
.ods (no fonts here) the sheet's text as a whole decides. Text that cannot be converted
cleanly is refused — never loaded as mojibake.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable

from core.errors import ReadError
from forms.legacy import (
    LegacyEncodingError,
    convert_cell_text,
    detect_encoding,
    detect_encoding_many,
    looks_like_mojibake,
    to_unicode,
)

Grid = list[list[object]]
ENCODING_NAMES = {"tcvn3": "TCVN3 (ABC, phông .Vn…)", "vni": "VNI (phông VNI-…)"}


class LegacyEncodingUnreadable(ReadError):
    """Text in a legacy encoding (TCVN3/VNI) that cannot be converted to Unicode cleanly."""


_LATIN1_LETTER = re.compile("[\x80-\xff]")


def _suspicious(value: object) -> bool:
    """Only text with Latin-1 letters can be legacy-encoded Vietnamese (searched by a
    regular expression: every cell of every sheet is asked, ~1,900 of a cell's workbook)."""
    return isinstance(value, str) and _LATIN1_LETTER.search(value) is not None


def _candidates(grids: dict[str, Grid], sheets: Iterable[str]
                ) -> list[tuple[str, int, int, str]]:
    return [(name, r, c, value) for name in sheets for r, row in enumerate(grids[name])
            for c, value in enumerate(row) if _suspicious(value)]


def convert_legacy_text(content: bytes, kind: str, grids: dict[str, Grid],
                        sheets: Iterable[str]) -> str | None:
    """Convert legacy-encoded cells of ``sheets`` in place; return the encoding found
    (None when every cell was Unicode already). Raises LegacyEncodingUnreadable."""
    candidates = _candidates(grids, list(sheets))
    legacy = [c for c in candidates if detect_encoding(c[3]) != "unicode"]
    if not legacy:
        return None
    fonts = _fonts(content, {(n, r, c) for n, r, c, _ in candidates}) if kind in (
        "xlsx", "xlsm") else {}
    sheet_encoding = detect_encoding_many(v for *_, v in candidates)
    found: set[str] = set()
    for name, r, c, value in candidates:
        try:
            text, encoding = _convert(value, fonts.get((name, r, c)), sheet_encoding)
        except LegacyEncodingError as exc:
            raise LegacyEncodingUnreadable(_refusal(exc), sheet=name) from exc
        grids[name][r][c] = text
        if encoding != "unicode":
            found.add(encoding)
    return "+".join(sorted(found)) or None


_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
_D_INSIDE = re.compile(r"[a-zà-ỹ][đĐ]")  # "TrĐ…": never Vietnamese; "PTĐ" (acronym) is
_SYMBOL_INSIDE = re.compile(r"[^\W\d_][^\w\s'’.,;:()/\-][^\W\d_]")


def implausible(text: str) -> bool:
    """Converted text that no one types: two tone marks in one word, đ inside a word, or a
    symbol between letters (what a wrong or mixed encoding leaves behind)."""
    if _SYMBOL_INSIDE.search(text):
        return True
    for word in text.split():
        marks = sum(ch in _TONES for ch in unicodedata.normalize("NFD", word))
        if marks > 1 or _D_INSIDE.search(word):
            return True
    return False


def _convert(value: str, font: str | None, sheet_encoding: str) -> tuple[str, str]:
    text, encoding = _convert_cell(value, font, sheet_encoding)
    if encoding != "unicode" and implausible(text):
        raise _cannot(value, encoding)
    return text, encoding


def _cannot(value: str, encoding: str) -> LegacyEncodingError:
    return LegacyEncodingError(f"không chuyển được «{value}»", encoding=encoding,
                               fragment=value, reason="mojibake")


def _convert_cell(value: str, font: str | None, sheet_encoding: str) -> tuple[str, str]:
    if font is not None or sheet_encoding == "unicode":
        return convert_cell_text(value, font)
    # no font (.xls, .ods): a cell that reads as Unicode stays; others follow the sheet
    if detect_encoding(value) == "unicode":
        return value, "unicode"
    text = to_unicode(value, sheet_encoding)
    if looks_like_mojibake(text):
        raise _cannot(value, sheet_encoding)
    return text, sheet_encoding


def _fonts(content: bytes, cells: set[tuple[str, int, int]]) -> dict[tuple[str, int, int], str]:
    """Font names of the given cells (sheet, 0-based row, 0-based column), via openpyxl."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # the fonts are a hint: without them the text decides
        return {}
    wanted_sheets = {name for name, _r, _c in cells}
    fonts = {}
    try:
        for name in wanted_sheets & set(workbook.sheetnames):
            for r, row in enumerate(workbook[name].iter_rows()):
                for cell in row:
                    column = getattr(cell, "column", None)
                    if column is not None and (name, r, column - 1) in cells:
                        fonts[(name, r, column - 1)] = cell.font.name
    except Exception:  # read-only openpyxl parses a sheet only here, and may fail on XML
        return {}  # calamine read (found by tests/unit/test_reader_properties.py): as above
    finally:
        workbook.close()
    return fonts


def _refusal(exc: LegacyEncodingError) -> str:
    encoding = ENCODING_NAMES.get(getattr(exc, "encoding", "") or "", "TCVN3 hoặc VNI")
    return (f"Tệp có chữ gõ bằng bảng mã cũ {encoding} không chuyển được sang Unicode "
            f"({exc}). Đề nghị dùng Unikey (Công cụ chuyển mã) chuyển sang Unicode rồi gửi lại.")
