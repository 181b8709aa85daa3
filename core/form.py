"""Plain typed data read from one workbook of form BC-PTĐ-HS/1.

The reader is lenient: a value that cannot be parsed is kept as its raw text in
``invalid`` so that the validations can name the exact cell, rather than the reader
refusing the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class CellRef:
    """Where a value sits in the workbook: sheet, 1-based Excel row, column letter."""

    sheet: str
    row: int | None = None
    column: str | None = None


@dataclass
class Header:
    """Sheet ThongTin. ``period`` is ``YYYY-MM`` or None when it does not parse."""

    unit_code: str | None = None
    unit_name: str | None = None
    period: str | None = None
    report_date: date | None = None
    prepared_by: str | None = None
    secretary: str | None = None
    form_version: str | None = None
    invalid: dict[str, str] = field(default_factory=dict)
    cells: dict[str, CellRef] = field(default_factory=dict)


@dataclass
class SummaryLine:
    """One indicator row of sheet TongHop; None means the cell was empty (= 0)."""

    code: str
    excel_row: int
    hoc_sinh: int | None = None
    vien_chuc: int | None = None
    invalid: dict[str, str] = field(default_factory=dict)


@dataclass
class RosterRow:
    """One data row of sheet DanhSach, values normalised (NFC, trimmed, canonical codes)."""

    excel_row: int
    stt: int | None = None
    full_name: str | None = None
    birth_date: date | None = None
    gender: str | None = None
    pid: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    population: str | None = None  # "hoc_sinh" | "vien_chuc" | raw text when unknown
    class_or_position: str | None = None
    youth_union: bool | None = None
    stage: int | None = None
    stage_date: date | None = None
    helper_1: str | None = None
    helper_2: str | None = None
    cert_no: str | None = None
    cert_date: date | None = None
    resolution_date: date | None = None
    decision_no: str | None = None
    decision_date: date | None = None
    full_member_date: date | None = None
    note: str | None = None
    # field -> raw text of a value present in the cell but not understood
    invalid: dict[str, str] = field(default_factory=dict)


@dataclass
class CellReport:
    """The typed content of one BC-PTĐ-HS/1 workbook."""

    header: Header
    summary: dict[str, SummaryLine]
    roster: list[RosterRow]
    # Excel column letters of the roster fields and the summary columns, for findings
    roster_columns: dict[str, str] = field(default_factory=dict)
    summary_columns: dict[str, str] = field(default_factory=dict)
    roster_header_row: int | None = None
    summary_header_row: int | None = None
    missing_roster_columns: tuple[str, ...] = ()
    missing_summary_codes: tuple[str, ...] = ()

    def sheet(self, canonical: str) -> str:
        """The workbook's own name of a sheet, so feedback marks the right one."""
        return self.sheet_names.get(canonical, canonical)
    has_macros: bool = False
    # the sheets' names as the workbook spells them ("Danh sách"), by canonical name
    sheet_names: dict[str, str] = field(default_factory=dict)
    # "tcvn3" / "vni" when legacy-encoded text was converted to Unicode while reading
    legacy_encoding: str | None = None
    # form sheets read although hidden (no visible sheet of that name exists): F11 warning
    hidden_sheets: tuple[str, ...] = ()
    # TongHop's roster indicators (TH05…) whose cells held a formula saved without its
    # result (a program that does not calculate): read as the roster's counts, X01 warning
    counted_from_roster: tuple[str, ...] = ()
