"""The district's monthly consolidated report as an Excel workbook (a Party document).

Laid out after Guide 36-HD/VPTW: the header block (superior body, issuing body, "*",
number and symbol on the left; "ĐẢNG CỘNG SẢN VIỆT NAM" and the place and date on the
right), the title, "Biểu số 01", the tables, the signature block and "Nơi nhận:". Times New
Roman, printed on A4 landscape at its own size (13–15 pt heading, 10–11 pt tables): a table
wider than the page continues on pages across (sheetstyle.paginate), never shrunk.

The sheets that name people (INTERNAL_SHEETS) stay in the workbook for the district; the
PDF for sending leaves them out and they print as a list of their own
(services.reporting.print_report).

Every number is a numeric cell; totals are values computed here, never Excel formulas;
text is always stored as text. The same MonthData gives byte-identical output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from functools import cache

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from core.export_format import TOTAL
from core.layout import INDICATOR_CODES, INDICATOR_LABELS, POPULATION_LABELS, POPULATIONS
from core.memory import collector_paused
from core.month import MonthData, UnitStatus
from core.xlsxio import deterministic_xlsx, write_sheet_now
from reports.cells import Style, cell_at, merge, put, put_merged, set_border, set_widths
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
from reports.document import DocumentHeader
from reports.export import accepted_cells, unit_value
from reports.sheetstyle import (
    CENTER,
    GRID,
    INDICATOR_WIDTH,
    LEFT_WRAP,
    column_groups,
    fit_row,
    font,
    grand_total_label,
    keep_together,
    label_row_height,
    month_title,
    paginate,
    print_setup,
    write_left_lines,
    write_party_heading,
    write_signature_block,
    write_table_captions,
)
from reports.trend import SHEET_MONTHLY, SHEET_TREND, build_monthly_sheet, build_trend_sheet

SHEET_SUMMARY = "TongHop"
# The workbook's sheets in order: the signed summary first (it carries the header and the
# signature), then completeness, targets, the admissions beside earlier months and month by
# month, breakdowns, the internal list, checks, charts.
SHEETS = (SHEET_SUMMARY, SHEET_SUBMISSIONS, SHEET_TARGETS, SHEET_TREND, SHEET_MONTHLY,
          SHEET_BREAKDOWNS, SHEET_ATTENTION, SHEET_CHECKS, SHEET_CHARTS)
# The sheets that name people (name, date of birth): printed for the district alone
# (DanhSachTheoDoi_…pdf), never in the report for sending; every other sheet goes upward.
INTERNAL_SHEETS = (SHEET_ATTENTION,)

REPORT_KIND = "BÁO CÁO TỔNG HỢP"
REPORT_SUBJECT = "Tình hình phát triển đảng viên trong học sinh, viên chức"
ALL_CELLS_ACCEPTED = "Tất cả chi bộ đã có báo cáo hợp lệ."
MISSING_CELLS = "Chi bộ chưa có báo cáo hợp lệ:"


# TongHop columns: four fixed ones, then TH01–TH15.
SUMMARY_FIXED = (("STT", 4.5), ("Chi bộ", 20), ("Mã chi bộ", 7), ("Đối tượng", 10))
FIRST_INDICATOR_COLUMN = len(SUMMARY_FIXED) + 1
SUMMARY_LAST_COLUMN = len(SUMMARY_FIXED) + len(INDICATOR_CODES)
SUMMARY_WIDTHS = [w for _, w in SUMMARY_FIXED] + [INDICATOR_WIDTH] * len(INDICATOR_CODES)
# Printed at its own size, the table takes two A4 landscape pages across: A–L (the heading,
# TH01–TH08), then A–D again beside M–S (TH09–TH15), which closes with the signature.
PAGES = column_groups(SUMMARY_WIDTHS)
FIRST_PAGE = (1, PAGES[0][1])
LEFT_BLOCK = (1, 4)                               # A:D — the bodies; "Nơi nhận"
RIGHT_BLOCK = (FIRST_PAGE[1] - 5, FIRST_PAGE[1])  # G:L — the Party, place and date
SIGNER_BLOCK = (PAGES[-1][1] - 6, PAGES[-1][1])   # M:S — the signer, on the last page
CAPTION_ROW = 10
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


def write_summary_header(ws: Worksheet, row: int) -> None:
    """Two header rows: codes, then labels; the fixed columns span both."""
    style = Style(font(11, bold=True), CENTER, GRID)
    label_style = Style(font(10), CENTER, GRID)
    for column, (label, _) in enumerate(SUMMARY_FIXED, start=1):
        put(ws, row, column, label, style)
        set_border(cell_at(ws, row + 1, column), GRID)
        merge(ws, row, column, row + 1, column)
    for offset, code in enumerate(INDICATOR_CODES):
        column = FIRST_INDICATOR_COLUMN + offset
        put(ws, row, column, code, style)
        put(ws, row + 1, column, INDICATOR_LABELS[code], label_style)
    ws.row_dimensions[row + 1].height = label_row_height(list(INDICATOR_LABELS.values()))


@cache  # one Style per kind: the style cache (reports.cells) knows it by its identity
def value_style(*, bold: bool = False) -> Style:
    return Style(font(11, bold=bold), Alignment(horizontal="right", vertical="center"), GRID)


def write_value_row(ws: Worksheet, row: int, values: Sequence[int], *, bold: bool = False,
                    ) -> None:
    style = value_style(bold=bold)
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
                    set_border(cell_at(ws, row, column), GRID)
                put(ws, row, 4, POPULATION_LABELS[population], text)
                write_value_row(ws, row, indicator_values(month, [cell.unit.code],
                                                          population))
                row += 1
        else:
            set_border(cell_at(ws, row, 4), GRID)
            write_no_data(ws, row, submission_status(cell).lower())
            fit_row(ws, row, {2: cell.unit.name})  # one row for a name of two lines
            row += 1
        put(ws, first, 1, number, middle)
        put(ws, first, 2, cell.unit.name, text)
        put(ws, first, 3, cell.unit.code, middle)
        for column in (1, 2, 3):
            merge(ws, first, column, row - 1, column)
    return row


def write_no_data(ws: Worksheet, row: int, reason: str | None = None, *,
                  bold: bool = False) -> None:
    """The indicator columns of a line without valid data: words, never zeros (on each
    printed page across: paginate cuts the merged cell at the page break)."""
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


def missing_lines(month: MonthData) -> list[tuple[str, Font]]:
    """The cells without an accepted report, or the sentence that all have one."""
    missing = missing_cells(month)
    if not missing:
        return [(ALL_CELLS_ACCEPTED, font(13, italic=True))]
    return [(MISSING_CELLS, font(13, bold=True))] + [
        (f"- {cell.unit.name} ({cell.unit.code}): {submission_status(cell).lower()}.",
         font(13)) for cell in missing]


def build_summary_sheet(ws: Worksheet, month: MonthData, document: DocumentHeader,
                        day: date) -> None:
    """The signed summary. Below the table, the cells without a report and the signature
    sit where the table's last page across prints them: in its repeated columns A–D (left)
    and beside them in M–S (right)."""
    ws.title = SHEET_SUMMARY
    set_widths(ws, SUMMARY_WIDTHS)
    write_party_heading(ws, document, day, (REPORT_KIND, REPORT_SUBJECT,
                                            month_title(month.period)),
                        left=LEFT_BLOCK, right=RIGHT_BLOCK)
    write_table_captions(ws, CAPTION_ROW, document, PAGES, RIGHT_BLOCK)
    write_summary_header(ws, TABLE_HEADER_ROW)
    row = write_cell_rows(ws, TABLE_HEADER_ROW + 2, month)
    totals = row
    row = write_total_rows(ws, totals, month)
    signature = write_left_lines(ws, row + 1, missing_lines(month), LEFT_BLOCK)
    last = write_signature_block(ws, signature, document, left=LEFT_BLOCK,
                                 right=SIGNER_BLOCK) - 1
    print_setup(ws, title_rows=f"{CAPTION_ROW}:{TABLE_HEADER_ROW + 1}", last_row=last,
                last_column=SUMMARY_LAST_COLUMN)
    # the signature closes the table's last page across (printed from CAPTION_ROW), never
    # alone under a repeated header: the totals go over with it
    keep_together(ws, totals, last, top=CAPTION_ROW)


# ---------------------------------------------------------------- the workbook

# The sheets between the summary and the charts, in order, with their builders.
TABLE_SHEETS: tuple[tuple[str, Callable[[Worksheet, MonthData], object]], ...] = (
    (SHEET_SUBMISSIONS, build_submissions_sheet), (SHEET_TARGETS, build_targets_sheet),
    (SHEET_TREND, build_trend_sheet), (SHEET_MONTHLY, build_monthly_sheet),
    (SHEET_BREAKDOWNS, build_breakdowns_sheet), (SHEET_ATTENTION, build_attention_sheet),
    (SHEET_CHECKS, build_checks_sheet))


def finish_sheet(ws: Worksheet, *, tail_last: bool = False) -> None:
    """A complete sheet at its own size, over pages across if wider (``paginate``), then
    written and its cells let go: the workbook holds one sheet's cells at a time."""
    paginate(ws, tail_last=tail_last)
    write_sheet_now(ws)


def build_district_workbook(month: MonthData, *, document: DocumentHeader | None = None,
                            ) -> bytes:
    """The consolidated monthly report of ``month.unit`` as .xlsx bytes."""
    with collector_paused():  # ~150,000 cells at 1,000 cells, alive until written
        return _district_workbook(month, document or DocumentHeader())


def _district_workbook(month: MonthData, document: DocumentHeader) -> bytes:
    day = document_stamp(month).date()
    wb = Workbook()
    build_summary_sheet(wb.active, month, document, day)
    finish_sheet(wb.active, tail_last=True)
    for name, build in TABLE_SHEETS:
        ws = wb.create_sheet(name)
        build(ws, month)
        finish_sheet(ws)
    charts = wb.create_sheet(SHEET_CHARTS)
    build_charts_sheet(charts, month)
    paginate(charts)  # its images are numbered when the workbook is saved: written then
    # core.xlsxio fixes creator and the created/modified times itself.
    wb.properties.title = f"{REPORT_KIND} – {month_title(month.period)} – {month.unit.name}"
    wb.properties.language = "vi-VN"
    return deterministic_xlsx(wb)
