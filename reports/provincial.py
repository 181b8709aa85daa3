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
from openpyxl.worksheet.worksheet import Worksheet

from core.export_format import EXPORT_POPULATIONS, TOTAL
from core.layout import INDICATOR_CODES, INDICATOR_LABELS, POPULATION_LABELS
from core.month import NO_DATA_REASONS
from core.province_month import ProvinceMonth
from core.registry import Unit
from core.xlsxio import deterministic_xlsx
from reports.cells import Style, put, put_merged, set_widths
from reports.coverage import no_data_text
from reports.document import PARTY_TITLE, DocumentHeader
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
    MIDDLE,
    centre_style,
    font,
    grid,
    merge_down,
    month_title,
    number_style,
    print_setup,
    text_style,
    write_header_row,
)

SHEET_SUMMARY = "TongHop"
SHEETS = (SHEET_SUMMARY, SHEET_SUBMISSIONS, SHEET_TARGETS, SHEET_BREAKDOWNS)
REPORT_KIND = "BÁO CÁO TỔNG HỢP"
REPORT_SUBJECT = "Tình hình phát triển đảng viên trong học sinh, viên chức"
ALL_ACCEPTED = "Tất cả các đảng bộ đã gửi tệp dữ liệu hợp lệ."
MISSING = "Đảng bộ chưa có số liệu hợp lệ:"

SUMMARY_FIXED = (("STT", 5), ("Đảng bộ", 30), ("Mã", 7), ("Đối tượng", 11))
FIRST_INDICATOR_COLUMN = len(SUMMARY_FIXED) + 1
LAST_COLUMN = len(SUMMARY_FIXED) + len(INDICATOR_CODES)
LEFT_BLOCK, RIGHT_BLOCK = (1, 4), (9, LAST_COLUMN)
TABLE_HEADER_ROW = 11


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


def write_document_header(ws: Worksheet, data: ProvinceMonth, document: DocumentHeader,
                          ) -> None:
    """Rows 1–9: header block and title."""
    put_merged(ws, 1, LEFT_BLOCK, document.superior_body, Style(font(13), MIDDLE))
    put_merged(ws, 1, RIGHT_BLOCK, PARTY_TITLE, Style(font(14, bold=True, underline=True),
                                                      MIDDLE))
    put_merged(ws, 2, LEFT_BLOCK, document.issuing_body, Style(font(13, bold=True), MIDDLE))
    put_merged(ws, 3, LEFT_BLOCK, "*", Style(font(13), MIDDLE))
    put_merged(ws, 3, RIGHT_BLOCK, document.place_date_line(document_day(data)),
               Style(font(13, italic=True), MIDDLE))
    put_merged(ws, 4, LEFT_BLOCK, document.number_line(), Style(font(13), MIDDLE))
    whole = (1, LAST_COLUMN)
    put_merged(ws, 6, whole, REPORT_KIND, Style(font(15, bold=True), MIDDLE))
    put_merged(ws, 7, whole, REPORT_SUBJECT, Style(font(14, bold=True), MIDDLE))
    put_merged(ws, 8, whole, f"{month_title(data.period)} – {data.unit.name}",
               Style(font(14, bold=True), MIDDLE))
    put_merged(ws, 9, whole, "-----", Style(font(13), MIDDLE))


def write_summary_header(ws: Worksheet, row: int) -> None:
    """Two header rows: codes, then labels; the fixed columns span both."""
    write_header_row(ws, row, [label for label, _ in SUMMARY_FIXED])
    for column in range(1, FIRST_INDICATOR_COLUMN):
        merge_down(ws, row, row + 1, [column])
    write_header_row(ws, row, INDICATOR_CODES, first_column=FIRST_INDICATOR_COLUMN)
    labels = Style(font(10), CENTER, GRID)
    for offset, code in enumerate(INDICATOR_CODES):
        put(ws, row + 1, FIRST_INDICATOR_COLUMN + offset, INDICATOR_LABELS[code], labels)
    ws.row_dimensions[row + 1].height = 118


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


def write_missing_section(ws: Worksheet, row: int, data: ProvinceMonth) -> int:
    """The units without valid data and why, from the same states as every other sheet;
    or the sentence that every unit has valid data."""
    whole = (1, LAST_COLUMN)
    missing = data.missing()
    if not missing:
        put_merged(ws, row, whole, ALL_ACCEPTED, Style(font(13, italic=True)))
        return row + 1
    put_merged(ws, row, whole, MISSING, Style(font(13, bold=True)))
    for offset, district in enumerate(missing, start=1):
        reason = NO_DATA_REASONS[district.state]
        put_merged(ws, row + offset, whole,
                   f"- {district.unit.name} ({district.unit.code}): {reason}.", Style(font(13)))
    return row + len(missing) + 1


def write_signature_block(ws: Worksheet, row: int, document: DocumentHeader) -> int:
    """"Nơi nhận:" and recipients on the left, the signer on the right; returns next row."""
    put_merged(ws, row, LEFT_BLOCK, "Nơi nhận:", Style(font(13, underline=True)))
    for offset, recipient in enumerate(document.recipients, start=1):
        put_merged(ws, row + offset, LEFT_BLOCK, recipient, Style(font(11)))
    for offset, line in enumerate(document.signer_title):
        put_merged(ws, row + offset, RIGHT_BLOCK, line, Style(font(13, bold=True), MIDDLE))
    name_row = row + len(document.signer_title) + 4  # room for signature and seal
    put_merged(ws, name_row, RIGHT_BLOCK, document.signer_name,
               Style(font(13, bold=True), MIDDLE))
    return max(name_row, row + len(document.recipients)) + 1


def build_summary_sheet(ws: Worksheet, data: ProvinceMonth, document: DocumentHeader) -> None:
    ws.title = SHEET_SUMMARY
    set_widths(ws, [w for _, w in SUMMARY_FIXED] + [9.5] * len(INDICATOR_CODES))
    write_document_header(ws, data, document)
    write_summary_header(ws, TABLE_HEADER_ROW)
    row = write_district_rows(ws, TABLE_HEADER_ROW + 2, data)
    row = write_total_rows(ws, row, data)
    row = write_missing_section(ws, row + 1, data)
    last = write_signature_block(ws, row + 1, document) - 1
    print_setup(ws, title_rows=f"{TABLE_HEADER_ROW}:{TABLE_HEADER_ROW + 1}", last_row=last,
                last_column=LAST_COLUMN)


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
    wb.properties.title = f"{REPORT_KIND} – {month_title(data.period)} – {data.unit.name}"
    wb.properties.language = "vi-VN"
    return deterministic_xlsx(wb)
