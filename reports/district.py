"""The district's monthly consolidated report as an Excel workbook (a Party document).

Laid out after Guide 36-HD/VPTW: the header block (superior body, issuing body, "*",
number and symbol on the left; "ĐẢNG CỘNG SẢN VIỆT NAM" and the place and date on the
right), the title, the tables, the signature block and "Nơi nhận:". Times New Roman, A4.

Every number is a numeric cell; totals are values computed here, never Excel formulas;
text is always stored as text. The same MonthData gives byte-identical output.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from core.export_format import TOTAL
from core.layout import INDICATOR_CODES, INDICATOR_LABELS, POPULATION_LABELS, POPULATIONS
from core.month import MonthData, UnitStatus
from core.xlsxio import deterministic_xlsx
from reports.cells import Style, merge, put, put_merged, set_widths
from reports.charts import SHEET_CHARTS, build_charts_sheet
from reports.coverage import no_data_text, total_label
from reports.district_attention import SHEET_ATTENTION, build_attention_sheet
from reports.district_progress import (
    SHEET_BREAKDOWNS,
    SHEET_TARGETS,
    build_breakdowns_sheet,
    build_targets_sheet,
)
from reports.district_status import (
    SHEET_CHECKS,
    SHEET_SUBMISSIONS,
    build_checks_sheet,
    build_submissions_sheet,
    submission_status,
)
from reports.document import PARTY_TITLE, DocumentHeader
from reports.export import accepted_cells, unit_value
from reports.sheetstyle import (
    CENTER,
    GRID,
    LEFT_WRAP,
    font,
    grand_total_label,
    month_title,
    print_setup,
)

SHEET_SUMMARY = "TongHop"
# The workbook's sheets in order: the signed summary first (it carries the header and the
# signature), then completeness, targets, breakdowns, the internal list, checks, charts.
SHEETS = (SHEET_SUMMARY, SHEET_SUBMISSIONS, SHEET_TARGETS, SHEET_BREAKDOWNS, SHEET_ATTENTION,
          SHEET_CHECKS, SHEET_CHARTS)

REPORT_KIND = "BÁO CÁO TỔNG HỢP"
REPORT_SUBJECT = "Tình hình phát triển đảng viên trong học sinh, viên chức"
ALL_CELLS_ACCEPTED = "Tất cả chi bộ đã có báo cáo hợp lệ."
MISSING_CELLS = "Chi bộ chưa có báo cáo hợp lệ:"


# TongHop columns: four fixed ones, then TH01–TH15.
SUMMARY_FIXED = (("STT", 5), ("Chi bộ", 32), ("Mã chi bộ", 9), ("Đối tượng", 11))
FIRST_INDICATOR_COLUMN = len(SUMMARY_FIXED) + 1
SUMMARY_LAST_COLUMN = len(SUMMARY_FIXED) + len(INDICATOR_CODES)
INDICATOR_WIDTH = 9.5
LEFT_BLOCK = (1, 4)                         # A:D — superior and issuing body
RIGHT_BLOCK = (9, SUMMARY_LAST_COLUMN)      # I:S — party title, place and date
TABLE_HEADER_ROW = 11


def document_stamp(month: MonthData) -> datetime:
    """When the report is dated: ``month.generated_at`` (wall clock), else today at 00:00."""
    if month.generated_at is None:
        return datetime.combine(date.today(), time())
    return month.generated_at.replace(tzinfo=None)


def missing_cells(month: MonthData) -> list[UnitStatus]:
    """Expected cells without an accepted report, by code."""
    return sorted((c for c in month.cells if not c.accepted), key=lambda c: c.unit.code)


# ---------------------------------------------------------------- sheet TongHop


def write_document_header(ws: Worksheet, month: MonthData, document: DocumentHeader,
                          day: date) -> None:
    """Rows 1–9: header block and title."""
    center = Alignment(horizontal="center", vertical="center")
    put_merged(ws, 1, LEFT_BLOCK, document.superior_body, Style(font(13), center))
    put_merged(ws, 1, RIGHT_BLOCK, PARTY_TITLE, Style(font(14, bold=True, underline=True),
                                                      center))
    put_merged(ws, 2, LEFT_BLOCK, document.issuing_body, Style(font(13, bold=True), center))
    put_merged(ws, 3, LEFT_BLOCK, "*", Style(font(13), center))
    put_merged(ws, 3, RIGHT_BLOCK, document.place_date_line(day),
               Style(font(13, italic=True), center))
    put_merged(ws, 4, LEFT_BLOCK, document.number_line(), Style(font(13), center))
    whole = (1, SUMMARY_LAST_COLUMN)
    put_merged(ws, 6, whole, REPORT_KIND, Style(font(15, bold=True), center))
    put_merged(ws, 7, whole, REPORT_SUBJECT, Style(font(14, bold=True), center))
    put_merged(ws, 8, whole, month_title(month.period), Style(font(14, bold=True), center))
    put_merged(ws, 9, whole, "-----", Style(font(13), center))


def write_summary_header(ws: Worksheet, row: int) -> None:
    """Two header rows: codes, then labels; the fixed columns span both."""
    style = Style(font(11, bold=True), CENTER, GRID)
    label_style = Style(font(10), CENTER, GRID)
    for column, (label, _) in enumerate(SUMMARY_FIXED, start=1):
        put(ws, row, column, label, style)
        ws.cell(row=row + 1, column=column).border = GRID
        merge(ws, row, column, row + 1, column)
    for offset, code in enumerate(INDICATOR_CODES):
        column = FIRST_INDICATOR_COLUMN + offset
        put(ws, row, column, code, style)
        put(ws, row + 1, column, INDICATOR_LABELS[code], label_style)
    ws.row_dimensions[row + 1].height = 118


def write_value_row(ws: Worksheet, row: int, values: Sequence[int], *, bold: bool = False,
                    ) -> None:
    style = Style(font(11, bold=bold), Alignment(horizontal="right", vertical="center"), GRID)
    for offset, value in enumerate(values):
        put(ws, row, FIRST_INDICATOR_COLUMN + offset, int(value), style)


def indicator_values(month: MonthData, codes: Sequence[str], population: str) -> list[int]:
    return [unit_value(month, codes, population, indicator, TOTAL)
            for indicator in INDICATOR_CODES]


def write_cell_rows(ws: Worksheet, row: int, month: MonthData) -> int:
    """Two rows (Học sinh, Viên chức) per accepted cell and one "no valid data" row per
    other expected cell, by code; returns the next free row."""
    text = Style(font(11), LEFT_WRAP, GRID)
    middle = Style(font(11), CENTER, GRID)
    for number, cell in enumerate(sorted(month.cells, key=lambda c: c.unit.code), start=1):
        first = row
        if cell.accepted:
            for population in POPULATIONS:
                for column in range(1, FIRST_INDICATOR_COLUMN):
                    ws.cell(row=row, column=column).border = GRID
                put(ws, row, 4, POPULATION_LABELS[population], text)
                write_value_row(ws, row, indicator_values(month, [cell.unit.code],
                                                          population))
                row += 1
        else:
            ws.cell(row=row, column=4).border = GRID
            write_no_data(ws, row, submission_status(cell).lower())
            row += 1
        put(ws, first, 1, number, middle)
        put(ws, first, 2, cell.unit.name, text)
        put(ws, first, 3, cell.unit.code, middle)
        for column in (1, 2, 3):
            merge(ws, first, column, row - 1, column)
    return row


def write_no_data(ws: Worksheet, row: int, reason: str | None = None, *,
                  bold: bool = False) -> None:
    """The indicator columns of a line without valid data: words, never zeros."""
    put_merged(ws, row, (FIRST_INDICATOR_COLUMN, SUMMARY_LAST_COLUMN), no_data_text(reason),
               Style(font(11, bold=bold, italic=True), CENTER, GRID))


def write_total_rows(ws: Worksheet, row: int, month: MonthData) -> int:
    """Per-population totals, then the grand total, each labelled with the share of cells
    it covers; without any accepted cell, no figures at all. Returns the next free row."""
    accepted = accepted_cells(month)
    codes = [c.unit.code for c in accepted]
    label = Style(font(11, bold=True), LEFT_WRAP, GRID)
    lines = [(f"Cộng {POPULATION_LABELS[p].lower()}", p) for p in POPULATIONS]
    lines.append((grand_total_label(month), TOTAL))
    for text, population in lines:
        put_merged(ws, row, (1, FIRST_INDICATOR_COLUMN - 1),
                   total_label(text, len(accepted), len(month.cells)), label)
        if accepted:
            write_value_row(ws, row, indicator_values(month, codes, population), bold=True)
        else:
            write_no_data(ws, row, bold=True)
        row += 1
    return row


def write_missing_section(ws: Worksheet, row: int, month: MonthData) -> int:
    """The cells without an accepted report, or the sentence that all have one."""
    whole = (1, SUMMARY_LAST_COLUMN)
    missing = missing_cells(month)
    if not missing:
        put_merged(ws, row, whole, ALL_CELLS_ACCEPTED, Style(font(13, italic=True)))
        return row + 1
    put_merged(ws, row, whole, MISSING_CELLS, Style(font(13, bold=True)))
    row += 1
    for cell in missing:
        reason = submission_status(cell).lower()
        put_merged(ws, row, whole, f"- {cell.unit.name} ({cell.unit.code}): {reason}.",
                   Style(font(13)))
        row += 1
    return row


def write_signature_block(ws: Worksheet, row: int, document: DocumentHeader) -> int:
    """"Nơi nhận:" and recipients on the left, the signer on the right; returns next row."""
    put_merged(ws, row, LEFT_BLOCK, "Nơi nhận:", Style(font(13, underline=True)))
    for offset, recipient in enumerate(document.recipients, start=1):
        put_merged(ws, row + offset, LEFT_BLOCK, recipient, Style(font(11)))
    center_bold = Style(font(13, bold=True), Alignment(horizontal="center", vertical="center"))
    for offset, line in enumerate(document.signer_title):
        put_merged(ws, row + offset, RIGHT_BLOCK, line, center_bold)
    name_row = row + len(document.signer_title) + 4  # room for signature and seal
    put_merged(ws, name_row, RIGHT_BLOCK, document.signer_name, center_bold)
    return max(name_row, row + len(document.recipients)) + 1


def build_summary_sheet(ws: Worksheet, month: MonthData, document: DocumentHeader,
                        day: date) -> None:
    ws.title = SHEET_SUMMARY
    set_widths(ws, [w for _, w in SUMMARY_FIXED] + [INDICATOR_WIDTH] * len(INDICATOR_CODES))
    write_document_header(ws, month, document, day)
    write_summary_header(ws, TABLE_HEADER_ROW)
    row = write_cell_rows(ws, TABLE_HEADER_ROW + 2, month)
    row = write_total_rows(ws, row, month)
    row = write_missing_section(ws, row + 1, month)
    last = write_signature_block(ws, row + 1, document) - 1
    print_setup(ws, title_rows=f"{TABLE_HEADER_ROW}:{TABLE_HEADER_ROW + 1}", last_row=last,
                last_column=SUMMARY_LAST_COLUMN)


# ---------------------------------------------------------------- the workbook


def build_district_workbook(month: MonthData, *, document: DocumentHeader | None = None,
                            ) -> bytes:
    """The consolidated monthly report of ``month.unit`` as .xlsx bytes."""
    document = document or DocumentHeader()
    wb = Workbook()
    build_summary_sheet(wb.active, month, document, document_stamp(month).date())
    build_submissions_sheet(wb.create_sheet(SHEET_SUBMISSIONS), month)
    build_targets_sheet(wb.create_sheet(SHEET_TARGETS), month)
    build_breakdowns_sheet(wb.create_sheet(SHEET_BREAKDOWNS), month)
    build_attention_sheet(wb.create_sheet(SHEET_ATTENTION), month)
    build_checks_sheet(wb.create_sheet(SHEET_CHECKS), month)
    build_charts_sheet(wb.create_sheet(SHEET_CHARTS), month)
    # core.xlsxio fixes creator and the created/modified times itself.
    wb.properties.title = f"{REPORT_KIND} – {month_title(month.period)} – {month.unit.name}"
    wb.properties.language = "vi-VN"
    return deterministic_xlsx(wb)
