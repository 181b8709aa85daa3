"""The upward data file's format (shared spec EXPORT.md): its columns, the rows every unit
carries, and a file as read. Written by reports.export, read by forms.export_reader, checked
by validations.export_checks — one definition for the three."""

from __future__ import annotations

from dataclasses import dataclass

from core.layout import BREAKDOWNS, INDICATOR_CODES, POPULATIONS, ROSTER_INDICATORS

CSV, JSON = "csv", "json"
EXPORT_COLUMNS: tuple[str, ...] = (
    "period", "unit_code", "unit_level", "parent_code",
    "population", "indicator", "breakdown", "value",
)
TOTAL = "tong"  # the population "both" and the breakdown "all"
EXPORT_POPULATIONS: tuple[str, ...] = (*POPULATIONS, TOTAL)
REPORTS_INDICATORS: tuple[str, ...] = ("REPORTS_EXPECTED", "REPORTS_ACCEPTED", "REPORTS_ON_TIME")

# Text starting with one of these is read as a formula by spreadsheet programs: the writer
# protects such text with an apostrophe, the reader takes it off again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def value_keys() -> list[tuple[str, str, str]]:
    """Every (population, indicator, breakdown) one unit carries, in file order."""
    keys: list[tuple[str, str, str]] = []
    for population in EXPORT_POPULATIONS:
        for indicator in INDICATOR_CODES:
            breakdowns = BREAKDOWNS if indicator in ROSTER_INDICATORS else (TOTAL,)
            keys.extend((population, indicator, breakdown) for breakdown in breakdowns)
    return keys


@dataclass(frozen=True)
class ExportRow:
    """One value of the data file."""

    period: str
    unit_code: str
    unit_level: str
    parent_code: str | None  # None at the top of the hierarchy
    population: str
    indicator: str
    breakdown: str
    value: int


@dataclass(frozen=True)
class ExportFile:
    """A data file as read: its rows, where each came from, and any columns beyond the spec."""

    rows: tuple[ExportRow, ...]
    lines: tuple[int, ...]  # CSV line (header = 1) or JSON record number (first = 1) per row
    kind: str = CSV
    columns: tuple[str, ...] = EXPORT_COLUMNS  # as the file orders them, extras included
    extra_columns: tuple[str, ...] = ()
    extras: tuple[tuple[str, ...], ...] = ()  # per row, the texts of the extra columns

    def column_letter(self, name: str) -> str | None:
        """Where the column sits when the CSV is opened in a spreadsheet (A, B, …)."""
        if name not in self.columns:
            return None
        return _letter(self.columns.index(name))


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
