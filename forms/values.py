"""Parsing single cell values the way people really type them.

Each parser returns the parsed value, or raises ``BadValue`` so that the reader keeps the
raw text and the validations can point at the cell.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from core import layout
from core.errors import CellreportsError
from core.text import clean, fold, key

EXCEL_EPOCH_1900 = date(1899, 12, 30)  # Excel's 1900 system, with its 1900 leap-year bug
EXCEL_EPOCH_1904 = date(1904, 1, 1)
# Dates on this form fall between these years; outside them a value is a typo ("1024",
# "2300") that would also break date arithmetic downstream (pandas stops at 2262).
FIRST_YEAR, LAST_YEAR = 1900, 2100
# A plain number below this serial (1940-01-01) is a year or a day typed alone, not a date
# of this form (e.g. "2023" would otherwise become 15/07/1905).
_SERIAL_MIN, _SERIAL_MAX = 14_611, 73_051
# Whole numbers on this form (counts, STT) stay far below this; above it is a typo.
MAX_COUNT = 10_000_000

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_INT_TEXT = re.compile(r"^\d{1,3}(?:[.,\s]\d{3})+$|^\d+$")


class BadValue(CellreportsError, ValueError):
    """A cell holds something that is not a value of the expected kind."""


def parse_date(value: object, *, date1904: bool = False) -> date | None:
    parsed = _parse_date(value, date1904)
    if parsed is not None and not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise BadValue(parsed.strftime("%d/%m/%Y"))
    return parsed


def _parse_date(value: object, date1904: bool) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(value, date1904)
    text = clean(value)
    if text is None:
        return None
    for pattern, order in ((_DMY, (3, 2, 1)), (_YMD, (1, 2, 3))):
        match = pattern.match(text)
        if match:
            year, month, day = (int(match.group(i)) for i in order)
            try:
                return date(year, month, day)
            except ValueError as exc:
                raise BadValue(text) from exc
    if re.fullmatch(r"\d+(\.0+)?", text):
        return _from_serial(float(text), date1904)
    raise BadValue(text)


def _from_serial(serial: float, date1904: bool) -> date:
    if not (_SERIAL_MIN <= serial <= _SERIAL_MAX) or serial != int(serial):
        raise BadValue(str(serial))
    epoch = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH_1900
    return epoch + timedelta(days=int(serial))


def parse_int(value: object) -> int | None:
    number = _parse_int(value)
    if number is not None and abs(number) > MAX_COUNT:
        raise BadValue(str(number))
    return number


def _parse_int(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadValue(str(value))
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")) or value != int(value):
            raise BadValue(parse_text(value) or "")
        return int(value)
    text = clean(value)
    if text is None:
        return None
    if _INT_TEXT.match(text):
        digits = re.sub(r"[.,\s]", "", text)
        # int() refuses a text of more than 4300 digits with a plain ValueError (found by
        # tests/unit/test_reader_properties.py); a count that long is a typo anyway
        if len(digits.lstrip("0")) > len(str(MAX_COUNT)):
            raise BadValue(text)
        return int(digits)
    raise BadValue(text)


def parse_pid(value: object) -> str | None:
    """Personal identification number as 12 digits; a number that lost its leading zero
    (Excel drops it) gets it back. Other text is returned as typed, for rule R04."""
    if value is None or value == "":
        return None
    # a hand-made file can hold inf or NaN in a number cell, which int() refuses
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        value = int(value)
    text = clean(value)
    if text is None:
        return None
    digits = text.replace(" ", "").replace(".", "")
    if digits.isdigit() and len(digits) == 11:
        return "0" + digits
    return digits if digits.isdigit() else text


def parse_text(value: object) -> str | None:
    """Text as typed; a whole number stored as a float shows as "9", not "9.0"."""
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        value = int(value)
    return clean(value)


_GENDERS = {key(g): g for g in layout.GENDERS}
_POPULATIONS = {key(label): code for code, label in layout.POPULATION_LABELS.items()}
_ETHNIC = {key(e): e for e in layout.ETHNIC_GROUPS} | {
    # common spellings map to the official name: "Việt" is Kinh, "K'Ho" is Cơ Ho
    key(alias): official for alias, official in layout.ETHNIC_ALIASES.items()
}
_STAGE_LABELS = {key(label): n for n, label in layout.STAGES.items()}
_YES = {"co", "x", "dv", "doanvien", "1"}
_NO = {"khong", "0", "k"}


def parse_coded(field: str, value: object) -> object:
    """Canonical form of a coded value; unknown codes raise BadValue (rule R03)."""
    text = parse_text(value)
    if text is None:
        return False if field == "youth_union" else None
    k = key(text)
    if field == "gender":
        return _lookup(_GENDERS, k, text)
    if field == "population":
        return _lookup(_POPULATIONS, k, text)
    if field == "ethnicity":
        return _lookup(_ETHNIC, k, text)
    if field == "religion":
        return layout.NO_RELIGION if k == key(layout.NO_RELIGION) else text
    if field == "youth_union":
        if k in _YES:
            return True
        if k in _NO:
            return False
        raise BadValue(text)
    if field == "stage":
        return parse_stage(text)
    raise KeyError(field)


def _lookup(table: dict[str, str], k: str, text: str) -> str:
    if k not in table:
        raise BadValue(text)
    return table[k]


_STAGE_TEXT = re.compile(r"^(?:giai doan|gd)?\s*(\d)(?:\s*[.):\-]\s*(.*))?$")


def parse_stage(text: str) -> int:
    """``3``, ``3. Đã học lớp BDNTVĐ``, ``Giai đoạn 3`` or the label alone. A number whose
    label names another stage ("1. Đảng viên chính thức") is not guessed at."""
    match = _STAGE_TEXT.match(fold(text))
    if match and int(match.group(1)) in layout.STAGES:
        stage, label = int(match.group(1)), match.group(2)
        if label and key(label) in _STAGE_LABELS and _STAGE_LABELS[key(label)] != stage:
            raise BadValue(text)
        return stage
    k = key(text)
    if k in _STAGE_LABELS:
        return _STAGE_LABELS[k]
    raise BadValue(text)
