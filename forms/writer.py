"""Writes workbooks of form BC-PTĐ-HS/1: filled reports (demo data, test factories) and the
blank template the district sends to the cells.

Every label comes from ``core.layout`` so that the writer and the reader cannot drift apart.
Values a test wants to be wrong are taken from the dataclasses' ``invalid`` dicts and written
verbatim instead of the parsed value: that is how a test plants ``31/02/2007`` in a cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core.form import Header, RosterRow, SummaryLine
from core.layout import (
    ETHNIC_GROUPS,
    FORM_VERSION,
    GENDERS,
    INDICATORS,
    INFO_FIELDS,
    NO,
    POPULATION_LABELS,
    POPULATIONS,
    ROSTER_COLUMNS,
    SHEET_INFO,
    SHEET_INSTRUCTIONS,
    SHEET_ROSTER,
    SHEET_SUMMARY,
    STAGES,
    SUMMARY_HEADERS,
    YES,
)
from core.periods import InvalidPeriod, parse_period
from core.registry import Unit
from core.xlsxio import deterministic_xlsx, write_value

# ---------------------------------------------------------------------------------------
# Where things go. The reader does not depend on these (it searches by label), but the
# demo and the tests do, to name the exact cell of a planted error.
TITLE = "BÁO CÁO TÌNH HÌNH PHÁT TRIỂN ĐẢNG TRONG HỌC SINH, VIÊN CHỨC"
SUMMARY_TITLE = "TỔNG HỢP SỐ LIỆU PHÁT TRIỂN ĐẢNG"
ROSTER_TITLE = "DANH SÁCH QUẦN CHÚNG ƯU TÚ, CẢM TÌNH ĐẢNG VÀ ĐẢNG VIÊN MỚI KẾT NẠP"

INFO_FIRST_ROW = 3  # row 1 title, row 2 spacer
SUMMARY_HEADER_ROW = 3  # row 1 title, row 2 unit and period
SUMMARY_FIRST_ROW = SUMMARY_HEADER_ROW + 1
ROSTER_HEADER_ROW = 3
ROSTER_FIRST_ROW = ROSTER_HEADER_ROW + 1
# Dropdowns reach at least this row, so a cell that adds rows to the template keeps them.
VALIDATION_LAST_ROW = 500

SHEET_LISTS = "DanhMuc"  # hidden sheet holding the dropdown lists
DATE_FORMAT = "dd/mm/yyyy"
TEXT_FORMAT = "@"
FONT_NAME = "Times New Roman"
DEADLINE_DAY = 25

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = Font(name=FONT_NAME, size=12)
_FONT_BOLD = Font(name=FONT_NAME, size=12, bold=True)
_FONT_ITALIC = Font(name=FONT_NAME, size=12, italic=True)
_FONT_TITLE = Font(name=FONT_NAME, size=14, bold=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)

_ROSTER_DATE_FIELDS = frozenset(
    {"birth_date", "stage_date", "cert_date", "resolution_date", "decision_date",
     "full_member_date"}
)
# Widths in characters; chosen so that a typical value and the wrapped header fit.
_ROSTER_WIDTHS: dict[str, float] = {
    "stt": 6, "full_name": 26, "birth_date": 12, "gender": 8, "pid": 16, "ethnicity": 11,
    "religion": 11, "population": 11, "class_or_position": 20, "youth_union": 9,
    "stage": 26, "stage_date": 13, "helper_1": 24, "helper_2": 22, "cert_no": 15,
    "cert_date": 12, "resolution_date": 15, "decision_no": 14, "decision_date": 14,
    "full_member_date": 14, "note": 30,
}


def stage_text(stage: int) -> str:
    """The stage as the dropdown writes it: ``"3. Đã học lớp BDNTVĐ"``."""
    return f"{stage}. {STAGES[stage]}"


# Stages in the order a candidate moves through them; 0 (stopped) last.
STAGE_CHOICES: tuple[str, ...] = tuple(stage_text(n) for n in (*range(1, 9), 0))


def roster_column_letter(field: str, columns: Sequence[str] | None = None) -> str:
    """Excel column letter of a roster field in a workbook written with ``columns``."""
    order = list(columns) if columns is not None else list(ROSTER_COLUMNS)
    return get_column_letter(order.index(field) + 1)


def roster_excel_row(index: int) -> int:
    """Excel row of the ``index``-th (0-based) roster row written by this module."""
    return ROSTER_FIRST_ROW + index


def summary_excel_row(code: str) -> int:
    """Excel row of an indicator in sheet TongHop written by this module."""
    codes = [i.code for i in INDICATORS]
    return SUMMARY_FIRST_ROW + codes.index(code)


def info_excel_row(field: str) -> int:
    """Excel row of a ThongTin field written by this module (label in A, value in B)."""
    return INFO_FIRST_ROW + list(INFO_FIELDS).index(field)


def period_text(period: str | None) -> str | None:
    """``2024-03`` -> ``03/2024``, the way the form prints a period; other text as is."""
    if period is None:
        return None
    try:
        year, month = parse_period(period).split("-")
    except InvalidPeriod:
        return period
    return f"{month}/{year}"


# ---------------------------------------------------------------------------------------
# Cell helpers


def _put(ws: Worksheet, row: int, col: int, value: Any, *, font: Font = _FONT,
         number_format: str | None = None, alignment: Alignment | None = None,
         border: bool = False) -> Cell:
    # a planted raw text must reach the reader as the text the user typed, never a formula
    cell = write_value(ws.cell(row=row, column=col), value)
    cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    if alignment is not None:
        cell.alignment = alignment
    if border:
        cell.border = _BORDER
    return cell


def _title(ws: Worksheet, row: int, text: str, last_col: int, *, font: Font = _FONT_TITLE
           ) -> None:
    _put(ws, row, 1, text, font=font, alignment=_CENTER)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    ws.row_dimensions[row].height = 24


def _raw_or(invalid: dict[str, str], key: str, value: Any) -> Any:
    """The planted raw text when a test put one, else the parsed value."""
    return invalid.get(key, value)


# ---------------------------------------------------------------------------------------
# Sheet ThongTin


def _write_info(ws: Worksheet, header: Header) -> None:
    _title(ws, 1, TITLE, 2)
    for field, (label, required) in INFO_FIELDS.items():
        row = info_excel_row(field)
        _put(ws, row, 1, label, font=_FONT_BOLD if required else _FONT, border=True)
        value: Any = getattr(header, field)
        number_format = TEXT_FORMAT
        if field == "period":
            value = period_text(value)
        elif field == "report_date":
            number_format = DATE_FORMAT
        value = _raw_or(header.invalid, field, value)
        _put(ws, row, 2, value, number_format=number_format, border=True,
             alignment=Alignment(horizontal="left"))
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 48


# ---------------------------------------------------------------------------------------
# Sheet TongHop


def _subtitle(header: Header) -> str | None:
    parts = [header.unit_name or header.unit_code]
    period = period_text(header.period)
    if period:
        parts.append(f"Tháng {period}")
    text = " – ".join(p for p in parts if p)
    return text or None


def _write_summary(ws: Worksheet, header: Header, summary: dict[str, SummaryLine]) -> None:
    keys = ("code", "label", *POPULATIONS)
    _title(ws, 1, SUMMARY_TITLE, len(keys))
    subtitle = _subtitle(header)
    if subtitle:
        _title(ws, 2, subtitle, len(keys), font=_FONT_ITALIC)
    for col, key in enumerate(keys, start=1):
        _put(ws, SUMMARY_HEADER_ROW, col, SUMMARY_HEADERS[key], font=_FONT_BOLD,
             alignment=_CENTER, border=True)
    for indicator in INDICATORS:
        row = summary_excel_row(indicator.code)
        _put(ws, row, 1, indicator.code, border=True, alignment=Alignment(horizontal="center"))
        _put(ws, row, 2, indicator.label, border=True, alignment=_WRAP)
        line = summary.get(indicator.code)
        for col, pop in enumerate(POPULATIONS, start=3):
            value = None
            if line is not None:
                value = _raw_or(line.invalid, pop, getattr(line, pop))
            _put(ws, row, col, value, number_format="0", border=True,
                 alignment=Alignment(horizontal="center"))
    for letter, width in zip("ABCD", (9, 58, 12, 12), strict=True):
        ws.column_dimensions[letter].width = width
    ws.row_dimensions[SUMMARY_HEADER_ROW].height = 22
    ws.freeze_panes = f"A{SUMMARY_FIRST_ROW}"


# ---------------------------------------------------------------------------------------
# Sheet DanhSach


def _roster_value(row: RosterRow, field: str) -> Any:
    if field in row.invalid:
        return row.invalid[field]
    value = getattr(row, field)
    if value is None:
        return None
    if field == "population":
        return POPULATION_LABELS.get(value, value)
    if field == "youth_union":
        return YES if value else NO
    if field == "stage":
        return stage_text(value) if value in STAGES else value
    if field == "pid":
        return str(value)  # text, so that a leading zero survives
    return value


def _roster_format(field: str) -> str | None:
    if field in _ROSTER_DATE_FIELDS:
        return DATE_FORMAT
    if field == "pid":
        return TEXT_FORMAT
    return None


def _roster_alignment(field: str) -> Alignment | None:
    if field in ("stt", "gender", "youth_union") or field in _ROSTER_DATE_FIELDS:
        return Alignment(horizontal="center", vertical="center")
    return Alignment(vertical="center")


def _write_roster_row(ws: Worksheet, excel_row: int, columns: Sequence[str],
                      row: RosterRow | None) -> None:
    """One data row, or (``row`` None) an empty row carrying the formats and borders."""
    for col, field in enumerate(columns, start=1):
        value = _roster_value(row, field) if row is not None else None
        _put(ws, excel_row, col, value, number_format=_roster_format(field),
             alignment=_roster_alignment(field), border=True)


def _signature_block(ws: Worksheet, first_row: int, header: Header, columns: Sequence[str]
                     ) -> None:
    """The signatures under the table, as on a printed form.

    Placed under the name column (left) and the admission columns (right): never under
    STT, Ngày sinh or Giai đoạn, which are what make a row a data row.
    """
    left = columns.index("full_name") + 1 if "full_name" in columns else 2
    right_start = max(len(columns) - 4, left + 3)
    right_end = len(columns)
    day = header.report_date
    dated = (f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}" if day
             else "ngày ..... tháng ..... năm ..........")
    lines_right = [(dated, _FONT_ITALIC), ("BÍ THƯ CHI BỘ", _FONT_BOLD),
                   ("(Ký, ghi rõ họ tên)", _FONT_ITALIC), (None, _FONT), (None, _FONT),
                   (header.secretary, _FONT_BOLD)]
    lines_left = [(None, _FONT), ("NGƯỜI LẬP BIỂU", _FONT_BOLD),
                  ("(Ký, ghi rõ họ tên)", _FONT_ITALIC), (None, _FONT), (None, _FONT),
                  (header.prepared_by, _FONT_BOLD)]
    center = Alignment(horizontal="center")
    for offset, ((text_r, font_r), (text_l, font_l)) in enumerate(
            zip(lines_right, lines_left, strict=True)):
        row = first_row + offset
        if text_r:
            _put(ws, row, right_start, text_r, font=font_r, alignment=center)
            ws.merge_cells(start_row=row, start_column=right_start, end_row=row,
                           end_column=right_end)
        if text_l:
            _put(ws, row, left, text_l, font=font_l, alignment=center)


def _write_roster(ws: Worksheet, header: Header, roster: list[RosterRow], blank_rows: int,
                  columns: Sequence[str]) -> int:
    """Writes the roster sheet and returns the last row that carries the table."""
    _title(ws, 1, ROSTER_TITLE, len(columns))
    subtitle = _subtitle(header)
    if subtitle:
        _title(ws, 2, subtitle, len(columns), font=_FONT_ITALIC)
    for col, field in enumerate(columns, start=1):
        _put(ws, ROSTER_HEADER_ROW, col, ROSTER_COLUMNS[field], font=_FONT_BOLD,
             alignment=_CENTER, border=True)
        ws.column_dimensions[get_column_letter(col)].width = _ROSTER_WIDTHS.get(field, 14)
    ws.row_dimensions[ROSTER_HEADER_ROW].height = 48

    excel_row = ROSTER_FIRST_ROW
    for row in roster:
        _write_roster_row(ws, excel_row, columns, row)
        excel_row += 1
    for _ in range(blank_rows):
        _write_roster_row(ws, excel_row, columns, None)
        excel_row += 1
    last_table_row = excel_row - 1

    _signature_block(ws, last_table_row + 2, header, columns)
    # Freeze under the header and right of the name, so both stay visible when scrolling.
    name_col = columns.index("full_name") + 2 if "full_name" in columns else 1
    ws.freeze_panes = f"{get_column_letter(name_col)}{ROSTER_FIRST_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{ROSTER_HEADER_ROW}:{ROSTER_HEADER_ROW}"
    return last_table_row


# ---------------------------------------------------------------------------------------
# Dropdowns: lists on a hidden sheet, referenced through workbook names. The 54 ethnic
# groups exceed the 255 characters Excel allows in an inline list, and names (rather than
# a direct cross-sheet reference) also work in Excel 2007 and LibreOffice.

# field -> (defined name, heading on DanhMuc, choices, strict)
# Non-strict lists only warn: the form also accepts spellings outside the list
# (``K'Ho`` for Cơ Ho, ``3`` for a stage, ``x`` for Có).
_LISTS: dict[str, tuple[str, str, tuple[str, ...], bool]] = {
    "gender": ("DM_GioiTinh", ROSTER_COLUMNS["gender"], GENDERS, True),
    "ethnicity": ("DM_DanToc", ROSTER_COLUMNS["ethnicity"], ETHNIC_GROUPS, False),
    "population": ("DM_DoiTuong", ROSTER_COLUMNS["population"],
                   tuple(POPULATION_LABELS[p] for p in POPULATIONS), True),
    "youth_union": ("DM_DoanVien", ROSTER_COLUMNS["youth_union"], (YES, NO), False),
    "stage": ("DM_GiaiDoan", ROSTER_COLUMNS["stage"], STAGE_CHOICES, False),
}


def _write_lists(wb: Workbook) -> None:
    ws = wb.create_sheet(SHEET_LISTS)
    ws.sheet_state = "hidden"
    for col, (name, heading, choices, _strict) in enumerate(_LISTS.values(), start=1):
        letter = get_column_letter(col)
        _put(ws, 1, col, heading, font=_FONT_BOLD)
        for offset, choice in enumerate(choices, start=2):
            _put(ws, offset, col, choice)
        ws.column_dimensions[letter].width = 26
        ref = f"{SHEET_LISTS}!${letter}$2:${letter}${len(choices) + 1}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)


def _add_dropdowns(ws: Worksheet, columns: Sequence[str], last_row: int) -> None:
    for field, (name, heading, _choices, strict) in _LISTS.items():
        if field not in columns:
            continue
        letter = roster_column_letter(field, columns)
        dv = DataValidation(
            type="list", formula1=name, allow_blank=True,
            showErrorMessage=True, showInputMessage=True,
            errorStyle="stop" if strict else "warning",
            errorTitle=heading,
            error="Giá trị không có trong danh mục. Hãy chọn trong danh sách.",
            promptTitle=heading, prompt="Chọn trong danh sách.",
        )
        dv.add(f"{letter}{ROSTER_FIRST_ROW}:{letter}{last_row}")
        ws.add_data_validation(dv)


# ---------------------------------------------------------------------------------------
# Sheet HuongDan


def _instructions() -> list[tuple[str, Font]]:
    info_labels = ", ".join(f"“{label}”" for label, _ in INFO_FIELDS.values())
    lines: list[tuple[str, Font]] = [
        ("HƯỚNG DẪN ĐIỀN BIỂU MẪU " + FORM_VERSION, _FONT_TITLE),
        ("Mỗi chi bộ lập một tệp cho mỗi tháng, gửi Ban Tổ chức Huyện ủy chậm nhất ngày "
         f"{DEADLINE_DAY} của tháng báo cáo. Không đổi tên các trang tính, không xóa, "
         "thêm hay đổi tên các cột.", _FONT),
        ("Ngày tháng ghi theo định dạng ngày/tháng/năm: dd/mm/yyyy (ví dụ 05/03/2024).",
         _FONT),
        (f"1. Trang “{SHEET_INFO}” (thông tin chung)", _FONT_BOLD),
        (f"Điền đủ các mục: {info_labels}. Mục “Người lập” có thể để trống. "
         "“Kỳ báo cáo” ghi tháng/năm, ví dụ 03/2024. "
         f"Giữ nguyên “Phiên bản biểu mẫu” là {FORM_VERSION}.", _FONT),
        (f"2. Trang “{SHEET_SUMMARY}” (tổng hợp số liệu)", _FONT_BOLD),
        ("Ghi số nguyên, không âm vào hai cột “Học sinh” và “Viên chức”; ô để trống được "
         "hiểu là 0. Các chỉ tiêu TH01–TH04 và TH13 do chi bộ tự thống kê; các chỉ tiêu "
         "TH05–TH12, TH14, TH15 phải khớp với danh sách ở trang "
         f"“{SHEET_ROSTER}” (đếm theo giai đoạn hiện tại của từng người).", _FONT),
        (f"3. Trang “{SHEET_ROSTER}” (danh sách)", _FONT_BOLD),
        ("Mỗi người một dòng, STT ghi số. Các cột Giới tính, Dân tộc, Đối tượng, Đoàn viên, "
         "Giai đoạn chọn trong danh sách thả xuống. Số định danh cá nhân ghi đủ 12 chữ số "
         "(kể cả số 0 ở đầu). “Ngày vào giai đoạn” là ngày người đó bắt đầu giai đoạn hiện "
         "tại. Không ghi ngày sau “Ngày lập”.", _FONT),
        ("Từ giai đoạn 2 ghi hai người giúp đỡ (người thứ hai có thể là “BCH Đoàn trường”); "
         "từ giai đoạn 3 ghi số và ngày cấp giấy chứng nhận BDNTVĐ; từ giai đoạn 6 ghi "
         "ngày nghị quyết của chi bộ; từ giai đoạn 7 ghi số và ngày quyết định kết nạp; "
         "giai đoạn 8 ghi ngày chuyển chính thức; giai đoạn 0 ghi lý do vào cột Ghi chú.",
         _FONT),
        ("Người đã chuyển chính thức (giai đoạn 8) hoặc dừng theo dõi (giai đoạn 0) chỉ ghi "
         "trong tháng phát sinh, các tháng sau không ghi lại.", _FONT),
        ("Các giai đoạn:", _FONT_BOLD),
    ]
    lines.extend((f"   {choice}", _FONT) for choice in STAGE_CHOICES)
    return lines


def _write_instructions(ws: Worksheet) -> None:
    for row, (text, font) in enumerate(_instructions(), start=1):
        _put(ws, row, 1, text, font=font, alignment=_WRAP)
    ws.column_dimensions["A"].width = 110


# ---------------------------------------------------------------------------------------
# Public API


def _fit_to_a4_width(ws: Worksheet) -> None:
    """Printed on old office printers: A4 portrait, never a column spilling onto page 2."""
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def build_cell_workbook(header: Header, summary: dict[str, SummaryLine],
                        roster: list[RosterRow], *, blank_rows: int = 0,
                        columns: Sequence[str] | None = None) -> Workbook:
    """The openpyxl workbook behind ``write_cell_workbook`` (for tests that edit it)."""
    order = tuple(columns) if columns is not None else tuple(ROSTER_COLUMNS)
    unknown = [c for c in order if c not in ROSTER_COLUMNS]
    if unknown:
        raise ValueError(f"unknown roster columns: {unknown}")
    wb = Workbook()
    info = wb.active
    info.title = SHEET_INFO
    _write_info(info, header)
    _write_summary(wb.create_sheet(SHEET_SUMMARY), header, summary)
    roster_ws = wb.create_sheet(SHEET_ROSTER)
    last_table_row = _write_roster(roster_ws, header, roster, blank_rows, order)
    _write_instructions(wb.create_sheet(SHEET_INSTRUCTIONS))
    for ws in (info, wb[SHEET_SUMMARY], wb[SHEET_INSTRUCTIONS]):
        _fit_to_a4_width(ws)
    _write_lists(wb)
    _add_dropdowns(roster_ws, order, max(VALIDATION_LAST_ROW, last_table_row))
    wb.active = 0
    return wb


def write_cell_workbook(header: Header, summary: dict[str, SummaryLine],
                        roster: list[RosterRow], *, blank_rows: int = 0,
                        columns: Sequence[str] | None = None) -> bytes:
    """An .xlsx of form BC-PTĐ-HS/1 holding ``header``, ``summary`` and ``roster``.

    Roster rows go, in list order, from row ``ROSTER_FIRST_ROW`` down (their
    ``excel_row`` is not used). ``columns`` picks and orders the roster columns (default:
    all of ``ROSTER_COLUMNS`` in form order), so that tests can build a workbook with a
    column missing or moved. The same arguments always give the same bytes.
    """
    return deterministic_xlsx(build_cell_workbook(header, summary, roster,
                                                  blank_rows=blank_rows, columns=columns))


def write_template(unit: Unit, period: str, *, rows: int = 60) -> bytes:
    """The blank form for one cell and month: header pre-filled, tables empty."""
    header = Header(unit_code=unit.code, unit_name=unit.name, period=parse_period(period),
                    form_version=FORM_VERSION)
    return write_cell_workbook(header, {}, [], blank_rows=rows)

