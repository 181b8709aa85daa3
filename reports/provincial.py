"""The province's monthly consolidated report as an Excel workbook (a Party document).

Built from the districts' (or communes') accepted data files only, so it holds codes,
unit names and counts — never a person's name, birth date or identification number.
Laid out like the district report (Guide 36-HD/VPTW): header block, title, tables,
signature block and "Nơi nhận:"; Times New Roman, A4. Every number is a numeric cell;
totals are values computed here, never formulas. The same ProvinceMonth gives
byte-identical output.

Sheets: TongHop (TH01–TH15 per district and population, province totals; signed),
TinhHinhNopBaoCao (completeness of districts), ChiTieu (TH12 against TH13), CoCau
(breakdowns by women, ethnic minority, religion, Youth Union).
"""

from __future__ import annotations

from datetime import date, datetime, time

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from core.export_format import EXPORT_POPULATIONS, TOTAL
from core.layout import INDICATOR_CODES, INDICATOR_LABELS, POPULATION_LABELS
from core.month import NO_DATA_REASONS
from core.province_month import ProvinceMonth
from core.registry import Unit
from core.xlsxio import deterministic_xlsx
from reports.cells import Style, put, put_merged, set_widths
from reports.coverage import no_data_text
from reports.document import DocumentHeader
from reports.province_sheets import (
    SHEET_BREAKDOWNS,
    SHEET_SUBMISSIONS,
    SHEET_TARGETS,
    build_breakdowns_sheet,
    build_submissions_sheet,
    build_targets_sheet,
    population_label,
    total_line_label,
    unit_name,
)
from reports.sheetstyle import (
    CENTER,
    GRID,
    INDICATOR_WIDTH,
    centre_style,
    column_groups,
    fit_row,
    font,
    grid,
    keep_together,
    label_row_height,
    merge_down,
    month_title,
    number_style,
    paginate,
    print_setup,
    text_style,
    write_header_row,
    write_left_lines,
    write_party_heading,
    write_signature_block,
    write_table_captions,
)

SHEET_SUMMARY = "TongHop"
SHEETS = (SHEET_SUMMARY, SHEET_SUBMISSIONS, SHEET_TARGETS, SHEET_BREAKDOWNS)
REPORT_KIND = "BÁO CÁO TỔNG HỢP"
REPORT_SUBJECT = "Tình hình phát triển đảng viên trong học sinh, viên chức"
ALL_ACCEPTED = "Tất cả các đảng bộ đã gửi tệp dữ liệu hợp lệ."
MISSING = "Đảng bộ chưa có số liệu hợp lệ:"

SUMMARY_FIXED = (("STT", 4.5), ("Đảng bộ", 21), ("Mã", 6), ("Đối tượng", 10))
FIRST_INDICATOR_COLUMN = len(SUMMARY_FIXED) + 1
LAST_COLUMN = len(SUMMARY_FIXED) + len(INDICATOR_CODES)
SUMMARY_WIDTHS = [w for _, w in SUMMARY_FIXED] + [INDICATOR_WIDTH] * len(INDICATOR_CODES)
# As the district's: two A4 landscape pages across at the sheet's own size, A–L (heading,
# TH01–TH08), then A–D again beside M–S (TH09–TH15) closing with the signature.
PAGES = column_groups(SUMMARY_WIDTHS)
LEFT_BLOCK, RIGHT_BLOCK = (1, 4), (PAGES[0][1] - 5, PAGES[0][1])
SIGNER_BLOCK = (PAGES[-1][1] - 6, PAGES[-1][1])
CAPTION_ROW, TABLE_HEADER_ROW = 10, 11
# Columns printed again on each further page across, per sheet (else the first four)
LABEL_COLUMNS = {SHEET_SUBMISSIONS: 3}


def province_document(data: ProvinceMonth) -> DocumentHeader:
    """The Provincial Organization Board's wording; the recipients follow the level below
    (districts until June 2025, communes and wards from July 2025)."""
    communes = any(d.unit.level == "xa" for d in data.districts)
    below = "- Các đảng ủy xã, phường," if communes else "- Các huyện ủy, thành ủy,"
    return DocumentHeader(
        superior_body=superior_body(data.unit), issuing_body="BAN TỔ CHỨC",
        number_symbol="BC/BTCTU", place="Đà Lạt",
        recipients=("- Ban Tổ chức Trung ương (báo cáo),", "- Thường trực Tỉnh ủy (báo cáo),",
                    below, "- Lưu BTCTU."))


def superior_body(province: Unit) -> str:
    """``Đảng bộ tỉnh Lâm Đồng`` -> ``TỈNH ỦY LÂM ĐỒNG``."""
    prefix = "Đảng bộ tỉnh "
    name = province.name[len(prefix):] if province.name.startswith(prefix) else province.name
    return f"TỈNH ỦY {name.upper()}"


def document_day(data: ProvinceMonth) -> date:
    if data.generated_at is None:
        return datetime.combine(date.today(), time()).date()
    return data.generated_at.date()


# ---------------------------------------------------------------- sheet TongHop


def write_summary_header(ws: Worksheet, row: int) -> None:
    """Two header rows: codes, then labels; the fixed columns span both."""
    write_header_row(ws, row, [label for label, _ in SUMMARY_FIXED])
    for column in range(1, FIRST_INDICATOR_COLUMN):
        merge_down(ws, row, row + 1, [column])
    write_header_row(ws, row, INDICATOR_CODES, first_column=FIRST_INDICATOR_COLUMN)
    labels = Style(font(10), CENTER, GRID)
    for offset, code in enumerate(INDICATOR_CODES):
        put(ws, row + 1, FIRST_INDICATOR_COLUMN + offset, INDICATOR_LABELS[code], labels)
    ws.row_dimensions[row + 1].height = label_row_height(list(INDICATOR_LABELS.values()))


def write_values(ws: Worksheet, row: int, data: ProvinceMonth, codes: list[str],
                 population: str, *, bold: bool = False) -> None:
    for offset, indicator in enumerate(INDICATOR_CODES):
        put(ws, row, FIRST_INDICATOR_COLUMN + offset,
            data.value(codes, population, indicator), number_style(bold=bold))


def write_district_rows(ws: Worksheet, row: int, data: ProvinceMonth) -> int:
    """Three rows (Học sinh, Viên chức, Cộng) per unit with valid data and one "no valid
    data" row per other expected unit, by code; returns the next row."""
    for number, district in enumerate(data.by_code(), start=1):
        first = row
        if district.has_data:
            for population in EXPORT_POPULATIONS:
                put(ws, row, 4, population_label(population),
                    text_style(bold=population == TOTAL))
                write_values(ws, row, data, [district.unit.code], population,
                             bold=population == TOTAL)
                row += 1
        else:
            grid(ws, row, [4])
            put_merged(ws, row, (FIRST_INDICATOR_COLUMN, LAST_COLUMN),
                       no_data_text(NO_DATA_REASONS[district.state]),
                       Style(font(11, italic=True), CENTER, GRID))
            fit_row(ws, row, {2: unit_name(district)})  # one row for a name of two lines
            row += 1
        put(ws, first, 1, number, centre_style())
        put(ws, first, 2, unit_name(district), text_style())
        put(ws, first, 3, district.unit.code, centre_style())
        merge_down(ws, first, row - 1, [1, 2, 3])
    return row


def write_total_rows(ws: Worksheet, row: int, data: ProvinceMonth) -> int:
    codes = data.data_codes()
    for population in EXPORT_POPULATIONS:
        text = ("Cộng toàn tỉnh" if population == TOTAL
                else f"Cộng {POPULATION_LABELS[population].lower()}")
        put_merged(ws, row, (1, FIRST_INDICATOR_COLUMN - 1), total_line_label(data, text),
                   text_style(bold=True))
        if codes:
            write_values(ws, row, data, codes, population, bold=True)
        else:
            put_merged(ws, row, (FIRST_INDICATOR_COLUMN, LAST_COLUMN), no_data_text(),
                       Style(font(11, bold=True, italic=True), CENTER, GRID))
        row += 1
    return row


def missing_lines(data: ProvinceMonth) -> list[tuple[str, Font]]:
    """The units without valid data and why, from the same states as every other sheet;
    or the sentence that every unit has valid data."""
    missing = data.missing()
    if not missing:
        return [(ALL_ACCEPTED, font(13, italic=True))]
    return [(MISSING, font(13, bold=True))] + [
        (f"- {d.unit.name} ({d.unit.code}): {NO_DATA_REASONS[d.state]}.", font(13))
        for d in missing]


def build_summary_sheet(ws: Worksheet, data: ProvinceMonth, document: DocumentHeader) -> None:
    """The signed summary, laid out as the district's (reports/district.py)."""
    ws.title = SHEET_SUMMARY
    set_widths(ws, SUMMARY_WIDTHS)
    write_party_heading(ws, document, document_day(data), (
        REPORT_KIND, REPORT_SUBJECT, f"{month_title(data.period)} – {data.unit.name}"),
        left=LEFT_BLOCK, right=RIGHT_BLOCK)
    write_table_captions(ws, CAPTION_ROW, document, PAGES, RIGHT_BLOCK)
    write_summary_header(ws, TABLE_HEADER_ROW)
    row = write_district_rows(ws, TABLE_HEADER_ROW + 2, data)
    totals = row
    row = write_total_rows(ws, totals, data)
    signature = write_left_lines(ws, row + 1, missing_lines(data), LEFT_BLOCK)
    last = write_signature_block(ws, signature, document, left=LEFT_BLOCK,
                                 right=SIGNER_BLOCK) - 1
    print_setup(ws, title_rows=f"{CAPTION_ROW}:{TABLE_HEADER_ROW + 1}", last_row=last,
                last_column=LAST_COLUMN)
    # the signature closes the table's last page across (printed from CAPTION_ROW), never
    # alone under a repeated header: the totals go over with it
    keep_together(ws, totals, last, top=CAPTION_ROW)


# ---------------------------------------------------------------- the workbook


def build_provincial_workbook(data: ProvinceMonth, *, document: DocumentHeader | None = None,
                              ) -> bytes:
    """The consolidated monthly report of ``data.unit`` (the province) as .xlsx bytes."""
    document = document or province_document(data)
    wb = Workbook()
    build_summary_sheet(wb.active, data, document)
    build_submissions_sheet(wb.create_sheet(SHEET_SUBMISSIONS), data)
    build_targets_sheet(wb.create_sheet(SHEET_TARGETS), data)
    build_breakdowns_sheet(wb.create_sheet(SHEET_BREAKDOWNS), data)
    for ws in wb.worksheets:  # each sheet at its own size, over pages across if wider
        paginate(ws, labels=LABEL_COLUMNS.get(ws.title, 4),
                 tail_last=ws.title == SHEET_SUMMARY)
    wb.properties.title = f"{REPORT_KIND} – {month_title(data.period)} – {data.unit.name}"
    wb.properties.language = "vi-VN"
    return deterministic_xlsx(wb)
