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
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from core.counts import DATE_INDICATORS, STAGE_INDICATORS, YEAR
from core.form import Header, RosterRow, SummaryLine
from core.layout import (
    ETHNIC_GROUPS,
    FORM_VERSION,
    GENDERS,
    INDICATORS,
    INFO_FIELDS,
    NO,
    NO_RELIGION,
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


# The signature block's lines: the date line first, the names last.
SIGNATURE_DATE_LINE, SIGNATURE_NAME_LINE = 0, 5


def _signature_columns(columns: Sequence[str]) -> tuple[int, int, int]:
    """The signature block's columns: the left one, and the span of the right one."""
    left = columns.index("full_name") + 1 if "full_name" in columns else 2
    return left, max(len(columns) - 4, left + 3), len(columns)


def _signature_block(ws: Worksheet, first_row: int, header: Header, columns: Sequence[str]
                     ) -> None:
    """The signatures under the table, as on a printed form.

    Placed under the name column (left) and the admission columns (right): never under
    STT, Ngày sinh or Giai đoạn, which are what make a row a data row.
    """
    left, right_start, right_end = _signature_columns(columns)
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


# The blank form's HuongDan (write_template): one paragraph a row, wrapped in a column that
# fits an A4 portrait page, each row as high as its lines, so that it reads whole on screen
# and prints at its own size (13 pt) without a line running into the next row.
#
# A column's width counts digits of the workbook's Normal font, so the template's Normal
# font is the text's own family (Times New Roman, 11 pt: the width Calibri's digits gave
# every other column). Then a paragraph takes the same number of lines whatever font is
# printed: Times New Roman, or DejaVu Serif where LibreOffice lacks it (both ~0.82 of a
# digit per character of text, ~0.96 in bold). The page is the widest case: DejaVu Serif's
# digits (7 pt at 11 pt) make 66 columns 466 pt, inside the 482 pt between 20 mm margins;
# Times New Roman's narrower digits leave a wider margin, never a scaled-down page.
NORMAL_FONT = Font(name=FONT_NAME, size=11)
GUIDE_WIDTH = 66  # digits of NORMAL_FONT
GUIDE_SIZE, GUIDE_TITLE_SIZE = 13, 14
_DIGITS_PER_CHAR = {False: 0.9, True: 1.03}  # at NORMAL_FONT's size, with room to spare
_DIGITS_PER_INDENT = 1.5
_LINE_SPACING = 1.3  # line height / font size, with room to spare
_ROW_PADDING = 5  # points above and below a paragraph
_GUIDE_MARGINS = PageMargins(left=20 / 25.4, right=20 / 25.4, top=20 / 25.4,
                             bottom=20 / 25.4, header=0.3, footer=0.3)

Paragraph = tuple[str, Font, Alignment]


def _guide_font(*, size: int = GUIDE_SIZE, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic)


def guide_paragraphs() -> list[Paragraph]:
    """The blank form's instructions, paragraph by paragraph, with font and alignment."""
    info_labels = ", ".join(f"“{label}”" for label, _ in INFO_FIELDS.values())
    body, bold = _guide_font(), _guide_font(bold=True)
    justify = Alignment(horizontal="justify", vertical="top", wrap_text=True)
    left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    item = Alignment(horizontal="left", vertical="top", wrap_text=True, indent=2)
    centred = Alignment(horizontal="center", vertical="top", wrap_text=True)
    texts: list[Paragraph] = [
        ("HƯỚNG DẪN ĐIỀN BIỂU MẪU " + FORM_VERSION,
         _guide_font(size=GUIDE_TITLE_SIZE, bold=True), centred),
        ("Báo cáo tình hình phát triển Đảng trong học sinh, viên chức",
         _guide_font(italic=True), centred),
        ("Mỗi chi bộ lập một tệp cho mỗi tháng, gửi Ban Tổ chức Huyện ủy chậm nhất ngày "
         f"{DEADLINE_DAY} của tháng báo cáo. Không đổi tên các trang tính, không xóa, thêm "
         "hay đổi tên các cột.", body, justify),
        ("Chỉ ghi vào các ô tô màu vàng. Các ô nhãn, mã số và các ô tự đếm được khóa để "
         "tránh sửa nhầm; điền các ô màu vàng không cần mật khẩu.", body, justify),
        ("Ngày tháng ghi theo định dạng ngày/tháng/năm: dd/mm/yyyy (ví dụ 05/03/2024).",
         body, justify),
        (f"1. Trang “{SHEET_INFO}” (thông tin chung)", bold, left),
        (f"Điền đủ các mục: {info_labels}. Mục “Người lập” có thể để trống. “Kỳ báo cáo” "
         "ghi tháng/năm, ví dụ 03/2024; các chỉ tiêu tự đếm ở trang "
         f"“{SHEET_SUMMARY}” đếm theo kỳ này. Giữ nguyên “Phiên bản biểu mẫu” là "
         f"{FORM_VERSION}.", body, justify),
        (f"2. Trang “{SHEET_SUMMARY}” (tổng hợp số liệu)", bold, left),
        ("Các chỉ tiêu TH01–TH04 và TH13 do chi bộ tự thống kê: ghi số nguyên, không âm "
         "vào hai cột “Học sinh” và “Viên chức”; ô để trống được hiểu là 0.", body, justify),
        ("Các chỉ tiêu TH05–TH12, TH14 và TH15 (ô màu xám) tự đếm từ danh sách ở trang "
         f"“{SHEET_ROSTER}”: theo giai đoạn hiện tại của từng người, ngày quyết định kết "
         "nạp và ngày chuyển chính thức. Không ghi đè lên các ô này. Lưu tệp bằng Excel "
         "hoặc LibreOffice trước khi gửi để các số được tính.", body, justify),
        (f"3. Trang “{SHEET_ROSTER}” (danh sách)", bold, left),
        ("Mỗi người một dòng, STT ghi số. Các cột Giới tính, Dân tộc, Tôn giáo, Đối tượng, "
         "Đoàn viên, Giai đoạn chọn trong danh sách thả xuống; tôn giáo không có trong "
         "danh sách thì gõ tên, không theo tôn giáo nào ghi “Không”. Số định danh cá nhân "
         "ghi đủ 12 chữ số (kể cả số 0 ở đầu). “Ngày vào giai đoạn” là ngày người đó bắt "
         "đầu giai đoạn hiện tại. Không ghi ngày sau “Ngày lập”.", body, justify),
        ("Từ giai đoạn 2 ghi hai người giúp đỡ (người thứ hai có thể là “BCH Đoàn "
         "trường”); từ giai đoạn 3 ghi số và ngày cấp giấy chứng nhận BDNTVĐ; từ giai đoạn "
         "6 ghi ngày nghị quyết của chi bộ; từ giai đoạn 7 ghi số và ngày quyết định kết "
         "nạp; giai đoạn 8 ghi ngày chuyển chính thức; giai đoạn 0 ghi lý do vào cột Ghi "
         "chú.", body, justify),
        ("Người đã chuyển chính thức (giai đoạn 8) hoặc dừng theo dõi (giai đoạn 0) chỉ ghi "
         "trong tháng phát sinh, các tháng sau không ghi lại.", body, justify),
        ("Cần thêm dòng thì chèn dòng vào giữa bảng (trên dòng trống cuối cùng): dòng mới "
         "giữ định dạng, danh sách thả xuống và được đếm ở trang "
         f"“{SHEET_SUMMARY}”.", body, justify),
        ("Các giai đoạn:", bold, left),
    ]
    texts.extend((choice, body, item) for choice in STAGE_CHOICES)
    return texts


def _text_digits(text: str, font: Font) -> float:
    size = float(font.sz or GUIDE_SIZE)
    return len(text) * _DIGITS_PER_CHAR[bool(font.b)] * size / float(NORMAL_FONT.sz)


def wrapped_lines(text: str, font: Font, width: float, indent: float = 0) -> int:
    """How many lines ``text`` takes wrapped at word boundaries in a column ``width``
    digits of ``NORMAL_FONT`` wide (an estimate on the safe side: Excel and LibreOffice
    never grow a row with a height of its own)."""
    usable = width - 1 - indent * _DIGITS_PER_INDENT  # the cell's padding, the indent
    lines, used = 1, 0.0
    space = _text_digits(" ", font)
    for word in text.split():
        needed = _text_digits(word, font)
        if used and used + space + needed > usable:
            lines, used = lines + 1, needed
        else:
            used += (space if used else 0) + needed
    return lines


def guide_row_height(lines: int, font: Font) -> float:
    """Points for ``lines`` lines of ``font`` and the padding above and below them."""
    return round(lines * float(font.sz or GUIDE_SIZE) * _LINE_SPACING + 2 * _ROW_PADDING, 1)


def write_guide(ws: Worksheet) -> None:
    """The blank form's HuongDan: each paragraph one wrapped cell, its row as high as its
    lines; A4 portrait, fitted to the width only (the column already fits: nothing shrinks)."""
    ws.column_dimensions["A"].width = GUIDE_WIDTH
    for row, (text, font, alignment) in enumerate(guide_paragraphs(), start=1):
        _put(ws, row, 1, text, font=font, alignment=alignment)
        lines = wrapped_lines(text, font, GUIDE_WIDTH, alignment.indent or 0)
        ws.row_dimensions[row].height = guide_row_height(lines, font)
    _fit_to_a4_width(ws)
    ws.page_margins = _GUIDE_MARGINS
    ws.print_options.horizontalCentered = True
    ws.sheet_view.showGridLines = False


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


def build_template(unit: Unit, period: str, *, rows: int = 60) -> Workbook:
    """The openpyxl workbook behind ``write_template`` (for tests that fill it in)."""
    header = Header(unit_code=unit.code, unit_name=unit.name, period=parse_period(period),
                    form_version=FORM_VERSION)
    wb = build_cell_workbook(header, {}, [], blank_rows=rows)
    _make_fillable(wb, ROSTER_FIRST_ROW + rows - 1)
    return wb


def fill_roster(wb: Workbook, roster: Sequence[RosterRow]) -> None:
    """Type ``roster`` into a template's blank lines, as a cell would (dropdown texts,
    dates as dates), leaving the formulas without a result: a file saved by a program that
    does not calculate, until Excel or LibreOffice opens and saves it."""
    columns = tuple(ROSTER_COLUMNS)
    for index, row in enumerate(roster):
        _write_roster_row(wb[SHEET_ROSTER], roster_excel_row(index), columns, row)


def write_template(unit: Unit, period: str, *, rows: int = 60) -> bytes:
    """The blank form for one cell and month: header pre-filled, tables empty, ``rows``
    blank roster lines; TongHop's roster indicators counted by formulas, everything but
    the cells to fill in locked, a readable HuongDan."""
    return deterministic_xlsx(build_template(unit, period, rows=rows))


# ---------------------------------------------------------------------------------------
# The blank form (write_template only). ``write_cell_workbook`` plays a workbook as Excel
# saved it after the cell filled it in: plain values, the bytes of the demo and the tests'
# factories unchanged. The template a cell downloads is what it fills in, so it counts
# for the cell and keeps its labels from being typed over.

INPUT_FILL = PatternFill(fill_type="solid", start_color="FFFFF2CC", end_color="FFFFF2CC")
FORMULA_FILL = PatternFill(fill_type="solid", start_color="FFF2F2F2", end_color="FFF2F2F2")
_UNLOCKED = Protection(locked=False)

# Vietnam's recognised religions (Ban Tôn giáo Chính phủ), "Không" first. Religion is free
# text on the form (R03 does not check it): the list offers the usual spellings and still
# takes any other.
RELIGIONS: tuple[str, ...] = (
    NO_RELIGION, "Phật giáo", "Công giáo", "Tin lành", "Cao Đài", "Phật giáo Hòa Hảo",
    "Hồi giáo", "Tôn giáo Baha'i", "Tịnh độ Cư sỹ Phật hội Việt Nam", "Cơ đốc Phục lâm",
    "Phật giáo Tứ Ân Hiếu Nghĩa", "Minh Sư đạo", "Minh Lý đạo – Tam Tông Miếu",
    "Bà-la-môn giáo", "Mặc môn", "Phật giáo Hiếu Nghĩa Tà Lơn", "Bửu Sơn Kỳ Hương",
)
RELIGION_LIST = "DM_TonGiao"

# The month the formulas count, from ThongTin's "Kỳ báo cáo" (not fixed at download: a cell
# that copies last month's file and changes the period counts the new month). Cells of
# the hidden lists sheet, named for the formulas.
MONTH_START, NEXT_MONTH, YEAR_START = "KY_DauThang", "KY_ThangSau", "KY_DauNam"
_PERIOD_COLUMN = len(_LISTS) + 3  # one empty column after the lists and the religions


def _period_formulas() -> dict[str, str]:
    """The first day of the reported month, of the next one and of the year. The period is
    text as the form prints it (``04/2024``; also ``4/2024``, ``Tháng 4/2024``, a day of
    the month ``20/04/2024``, ``2024-04``) or a date: the month is the number just before
    the "/" that precedes the year."""
    p = f"{SHEET_INFO}!$B${info_excel_row('period')}"
    t = f"TRIM({p})"
    before = f'SUBSTITUTE(LEFT({t},LEN({t})-5)," ","")'
    slashed = (f"DATE(VALUE(RIGHT({t},4)),"
               f"IFERROR(VALUE(RIGHT({before},2)),VALUE(RIGHT({before},1))),1)")
    iso = f"DATE(VALUE(LEFT({t},4)),VALUE(MID({t},6,2)),1)"
    start = (f'IF(ISNUMBER({p}),DATE(YEAR({p}),MONTH({p}),1),'
             f'IF(MID({t},5,1)="-",{iso},{slashed}))')
    letter = get_column_letter(_PERIOD_COLUMN + 1)
    return {MONTH_START: f"={start}",
            NEXT_MONTH: f"=DATE(YEAR({letter}2),MONTH({letter}2)+1,1)",
            YEAR_START: f"=DATE(YEAR({letter}2),1,1)"}


def roster_range(field: str, last_row: int) -> str:
    """A roster column's data cells, absolute, as the TongHop formulas name them."""
    letter = roster_column_letter(field)
    return f"{SHEET_ROSTER}!${letter}${ROSTER_FIRST_ROW}:${letter}${last_row}"


def _stage_criteria(stages: frozenset[int]) -> str:
    """The spellings of each stage that COUNTIFS can match, as an array constant: the
    dropdown's "3. Đã học lớp BDNTVĐ" (a wildcard: Excel and LibreOffice read "." as
    itself), the number 3, the label alone, "Giai đoạn 3". Never "3*": LibreOffice matches
    a wildcard against numbers too, and the number would count twice."""
    items: list[str] = []
    for n in sorted(stages):
        items += [f'"{n}.*"', str(n), f'"{STAGES[n]}"', f'"Giai đoạn {n}"']
    return "{" + ",".join(items) + "}"


def count_formula(code: str, population: str, last_row: int) -> str:
    """The formula of a roster indicator (TH05–TH12, TH14, TH15) for one population:
    the counting rules of ``core.counts`` as COUNTIFS over the roster."""
    who = f'{roster_range("population", last_row)},"{POPULATION_LABELS[population]}"'
    if code in STAGE_INDICATORS:
        stages = roster_range("stage", last_row)
        return (f"=SUMPRODUCT(COUNTIFS({who},{stages},"
                f"{_stage_criteria(STAGE_INDICATORS[code])}))")
    field, since = DATE_INDICATORS[code]
    days = roster_range(field, last_row)
    start = YEAR_START if since == YEAR else MONTH_START
    return f'=COUNTIFS({who},{days},">="&{start},{days},"<"&{NEXT_MONTH})'


def _make_fillable(wb: Workbook, last_blank_row: int) -> None:
    last_row = max(VALIDATION_LAST_ROW, last_blank_row)
    # column widths count this font's digits (see NORMAL_FONT); openpyxl has no public setter
    wb._named_styles["Normal"].font = NORMAL_FONT
    _add_period_and_religions(wb)
    _fillable_info(wb[SHEET_INFO])
    _counted_summary(wb[SHEET_SUMMARY], last_row)
    _fillable_roster(wb[SHEET_ROSTER], last_blank_row, last_row)
    index = wb.sheetnames.index(SHEET_INSTRUCTIONS)
    wb.remove(wb[SHEET_INSTRUCTIONS])
    guide = wb.create_sheet(SHEET_INSTRUCTIONS, index)
    write_guide(guide)
    for ws in wb.worksheets:
        _protect(ws, rows=ws.title == SHEET_ROSTER)


def _add_period_and_religions(wb: Workbook) -> None:
    ws = wb[SHEET_LISTS]
    col = len(_LISTS) + 1
    letter = get_column_letter(col)
    _put(ws, 1, col, ROSTER_COLUMNS["religion"], font=_FONT_BOLD)
    for row, religion in enumerate(RELIGIONS, start=2):
        _put(ws, row, col, religion)
    ws.column_dimensions[letter].width = 30
    ref = f"{SHEET_LISTS}!${letter}$2:${letter}${len(RELIGIONS) + 1}"
    wb.defined_names[RELIGION_LIST] = DefinedName(RELIGION_LIST, attr_text=ref)

    letter = get_column_letter(_PERIOD_COLUMN + 1)
    _put(ws, 1, _PERIOD_COLUMN, "Kỳ đếm ở trang TongHop", font=_FONT_BOLD)
    labels = {MONTH_START: "Từ ngày", NEXT_MONTH: "Trước ngày", YEAR_START: "Đầu năm"}
    for row, (name, formula) in enumerate(_period_formulas().items(), start=2):
        _put(ws, row, _PERIOD_COLUMN, labels[name])
        cell = ws.cell(row=row, column=_PERIOD_COLUMN + 1, value=formula)
        cell.number_format = DATE_FORMAT
        wb.defined_names[name] = DefinedName(name, attr_text=f"{SHEET_LISTS}!${letter}${row}")
    ws.column_dimensions[letter].width = 14


def _unlock(cell: Cell) -> None:
    cell.protection = _UNLOCKED
    cell.fill = INPUT_FILL


def _fillable_info(ws: Worksheet) -> None:
    # the title wraps across A:B (two lines in most fonts): its row grows to show both
    width = sum(ws.column_dimensions[c].width for c in "AB")
    ws.row_dimensions[1].height = guide_row_height(wrapped_lines(TITLE, _FONT_TITLE, width),
                                                   _FONT_TITLE)
    for field in INFO_FIELDS:
        if field != "form_version":  # the version is the template's, not the cell's
            _unlock(ws.cell(row=info_excel_row(field), column=2))


def _counted_summary(ws: Worksheet, last_row: int) -> None:
    for indicator in INDICATORS:
        row = summary_excel_row(indicator.code)
        for col, population in enumerate(POPULATIONS, start=3):
            cell = ws.cell(row=row, column=col)
            if not indicator.from_roster:
                _unlock(cell)
                continue
            cell.value = count_formula(indicator.code, population, last_row)
            cell.fill = FORMULA_FILL
    note_row = summary_excel_row(INDICATORS[-1].code) + 2
    _put(ws, note_row, 1, SUMMARY_NOTE, font=_FONT_ITALIC, alignment=_WRAP)
    ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=4)
    width = sum(ws.column_dimensions[c].width for c in "ABCD")
    ws.row_dimensions[note_row].height = guide_row_height(
        wrapped_lines(SUMMARY_NOTE, _FONT_ITALIC, width), _FONT_ITALIC)


SUMMARY_NOTE = ("Ghi chú: chi bộ ghi số vào các ô màu vàng. Các chỉ tiêu TH05–TH12, TH14, "
                f"TH15 (ô màu xám) tự đếm từ trang {SHEET_ROSTER} theo kỳ báo cáo ở trang "
                f"{SHEET_INFO}, không ghi đè.")


def _fillable_roster(ws: Worksheet, last_blank_row: int, last_row: int) -> None:
    columns = tuple(ROSTER_COLUMNS)
    for row in ws.iter_rows(min_row=ROSTER_FIRST_ROW, max_row=last_blank_row,
                            max_col=len(columns)):
        for cell in row:
            _unlock(cell)
    # the signature block's date line and the two names are the cell's to write
    left, right_start, right_end = _signature_columns(columns)
    first = last_blank_row + 2
    _unlock(ws.cell(row=first + SIGNATURE_DATE_LINE, column=right_start))
    names = first + SIGNATURE_NAME_LINE
    ws.merge_cells(start_row=names, start_column=right_start, end_row=names,
                   end_column=right_end)
    for col in (left, right_start):
        _put(ws, names, col, None, font=_FONT_BOLD, alignment=Alignment(horizontal="center"))
        _unlock(ws.cell(row=names, column=col))
    letter = roster_column_letter("religion")
    dv = DataValidation(type="list", formula1=RELIGION_LIST, allow_blank=True,
                        showErrorMessage=False, showInputMessage=True,
                        promptTitle=ROSTER_COLUMNS["religion"],
                        prompt="Chọn trong danh sách, hoặc gõ tên tôn giáo; không theo tôn "
                               "giáo nào ghi “Không”.")
    dv.add(f"{letter}{ROSTER_FIRST_ROW}:{letter}{last_row}")
    ws.add_data_validation(dv)


def _protect(ws: Worksheet, *, rows: bool) -> None:
    """Sheet protection without a password: it keeps labels, codes and formulas from being
    typed over, not anyone out. Widths and heights may still change; on the roster, rows
    may be inserted and deleted (a cell with more people than blank lines)."""
    protection = ws.protection
    protection.sheet = True
    protection.formatColumns = protection.formatRows = False  # False: allowed
    if rows:
        protection.insertRows = protection.deleteRows = False
        protection.sort = protection.autoFilter = False
