"""Style factories: one clean BC-PTĐ-HS/1 report, as people really send it.

Each style takes the bytes of a workbook (normally ``clean_workbook()``) and returns the
same report written another way: dates as text, NFD text, extra title rows, moved columns,
a LibreOffice or Google Sheets file, … The form's "Tolerance" section says the reader must
give the same content for all of them.

Styles work by label, not by fixed cell addresses, so that they compose:
``compose(text_dates, nfd_text)`` is a style too. LibreOffice conversions run ``soffice``
in a subprocess with a timeout and a private profile (see ``convert_with_libreoffice``).
"""

from __future__ import annotations

import atexit
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

from factories import make_header, make_roster, make_row, make_summary, make_workbook
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, to_excel
from openpyxl.worksheet.worksheet import Worksheet

from core import layout
from core.errors import ReadError
from core.form import CellReport
from core.text import key
from forms.container import inspect_container

Style = Callable[[bytes], bytes]


# ---------------------------------------------------------------------------------------
# The clean report every style starts from


def clean_roster() -> list:  # type: ignore[type-arg]
    """Stages 1–7 (students), plus a teacher, a full member (stage 8) and a stop (stage 0),
    so that women, an ethnic minority, a religion and every date column carry values."""
    roster = make_roster()
    roster.append(make_row(
        8, 3, full_name="Hà Thị Ngọc Ánh", birth_date=date(1985, 9, 14), gender="Nữ",
        pid="068185001234", ethnicity="K'Ho", religion="Công giáo", population="vien_chuc",
        class_or_position="Giáo viên Ngữ văn", youth_union=False))
    roster.append(make_row(
        9, 8, full_name="Phạm Đức Thắng", birth_date=date(1988, 6, 2), pid="068088000009",
        population="vien_chuc", class_or_position="Giáo viên Toán", youth_union=False,
        cert_date=date(2022, 11, 20), resolution_date=date(2023, 1, 10),
        decision_date=date(2023, 3, 1), full_member_date=date(2024, 3, 5),
        stage_date=date(2024, 3, 5)))
    roster.append(make_row(10, 0, note="Chuyển trường"))
    return roster


def clean_workbook() -> bytes:
    roster = clean_roster()
    return make_workbook(header=make_header(), roster=roster, summary=make_summary(roster))


# ---------------------------------------------------------------------------------------
# Comparing reports by content


def report_content(report: CellReport) -> dict[str, object]:
    """Everything a report says, without where it says it (rows and column letters)."""
    return {
        "header": {f: getattr(report.header, f) for f in layout.INFO_FIELDS},
        "header.invalid": dict(report.header.invalid),
        "summary": {code: (line.hoc_sinh, line.vien_chuc, dict(line.invalid))
                    for code, line in sorted(report.summary.items())},
        "roster": [{k: v for k, v in asdict(row).items() if k != "excel_row"}
                   for row in report.roster],
        "roster_fields": sorted(report.roster_columns),
        "missing_roster_columns": report.missing_roster_columns,
        "missing_summary_codes": report.missing_summary_codes,
    }


def differences(expected: CellReport, actual: CellReport) -> list[str]:
    """Field-by-field differences, one readable line each (empty when equal in content)."""
    out: list[str] = []
    want, got = report_content(expected), report_content(actual)
    for part in ("header", "header.invalid", "summary", "roster_fields",
                 "missing_roster_columns", "missing_summary_codes"):
        w, g = want[part], got[part]
        if isinstance(w, dict) and isinstance(g, dict):
            out += [f"{part}.{k}: {g.get(k)!r} != {w.get(k)!r}"
                    for k in sorted(set(w) | set(g)) if w.get(k) != g.get(k)]
        elif w != g:
            out.append(f"{part}: {g!r} != {w!r}")
    rows_w, rows_g = want["roster"], got["roster"]
    assert isinstance(rows_w, list) and isinstance(rows_g, list)
    if len(rows_w) != len(rows_g):
        out.append(f"roster: {len(rows_g)} rows != {len(rows_w)}")
    for i, (w, g) in enumerate(zip(rows_w, rows_g, strict=False)):
        out += [f"roster[{i}].{k}: {g[k]!r} != {w[k]!r}" for k in w if w[k] != g[k]]
    return out


# ---------------------------------------------------------------------------------------
# openpyxl helpers


def _load(content: bytes) -> Workbook:
    return load_workbook(io.BytesIO(content))


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _edit(edit: Callable[[Workbook], None]) -> Style:
    def style(content: bytes) -> bytes:
        wb = _load(content)
        edit(wb)
        return _save(wb)
    style.__name__ = edit.__name__
    return style


def _sheet(wb: Workbook, name: str) -> Worksheet:
    for ws in wb.worksheets:
        if key(ws.title) == key(name):
            return ws
    raise KeyError(name)


def _form_sheets(wb: Workbook) -> list[Worksheet]:
    return [_sheet(wb, name) for name in layout.REQUIRED_SHEETS]


def _cells(ws: Worksheet) -> Iterator[Cell]:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None and isinstance(cell, Cell):
                yield cell


def _find_header(ws: Worksheet, labels: dict[str, str]) -> tuple[int, dict[str, int]]:
    """The header row (1-based) and field -> column (1-based), found by labels."""
    wanted = {key(label): f for f, label in labels.items()}
    for row in ws.iter_rows(max_row=60):
        found = {wanted[key(c.value)]: c.column for c in row
                 if isinstance(c.value, str) and key(c.value) in wanted}
        if len(found) >= 3:
            return row[0].row, found
    raise LookupError(f"no header row in {ws.title}")


def _roster_header(wb: Workbook) -> tuple[Worksheet, int, dict[str, int]]:
    ws = _sheet(wb, layout.SHEET_ROSTER)
    return ws, *_find_header(ws, layout.ROSTER_COLUMNS)


def _summary_header(wb: Workbook) -> tuple[Worksheet, int, dict[str, int]]:
    ws = _sheet(wb, layout.SHEET_SUMMARY)
    return ws, *_find_header(ws, layout.SUMMARY_HEADERS)


def _info_labels(wb: Workbook) -> Iterator[Cell]:
    wanted = {key(label) for label, _ in layout.INFO_FIELDS.values()}
    ws = _sheet(wb, layout.SHEET_INFO)
    yield from (c for c in _cells(ws) if isinstance(c.value, str) and key(c.value) in wanted)


def _label_cells(wb: Workbook) -> Iterator[Cell]:
    """Every label the reader looks for: ThongTin labels and the two table header rows."""
    yield from _info_labels(wb)
    for ws, header_row, columns in (_summary_header(wb), _roster_header(wb)):
        for col in columns.values():
            yield ws.cell(header_row, col)


def _roster_data_rows(wb: Workbook) -> tuple[Worksheet, dict[str, int], list[int]]:
    """Rows (1-based) whose STT is a number, as written by the factories."""
    ws, header_row, columns = _roster_header(wb)
    rows = [r for r in range(header_row + 1, ws.max_row + 1)
            if _is_number(ws.cell(r, columns["stt"]).value)]
    return ws, columns, rows


def _summary_code_rows(wb: Workbook) -> tuple[Worksheet, dict[str, int], dict[str, int]]:
    ws, header_row, columns = _summary_header(wb)
    codes = {}
    for r in range(header_row + 1, ws.max_row + 1):
        value = ws.cell(r, columns["code"]).value
        if isinstance(value, str) and re.fullmatch(r"TH\d\d", value.strip()):
            codes[value.strip()] = r
    return ws, columns, codes


def _is_number(value: object) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and value.strip().isdigit()


def _insert_rows(ws: Worksheet, idx: int, amount: int = 1) -> None:
    """``ws.insert_rows`` that also moves merged ranges (openpyxl leaves them behind)."""
    merged = [str(r) for r in ws.merged_cells.ranges]
    for ref in merged:
        ws.unmerge_cells(ref)
    ws.insert_rows(idx, amount)
    for ref in merged:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if min_row >= idx:
            min_row, max_row = min_row + amount, max_row + amount
        elif max_row >= idx:
            max_row += amount
        ws.merge_cells(start_row=min_row, start_column=min_col, end_row=max_row,
                       end_column=max_col)


def _insert_cols(ws: Worksheet, idx: int, amount: int = 1) -> None:
    """``ws.insert_cols`` that also moves merged ranges."""
    merged = [str(r) for r in ws.merged_cells.ranges]
    for ref in merged:
        ws.unmerge_cells(ref)
    ws.insert_cols(idx, amount)
    for ref in merged:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if min_col >= idx:
            min_col, max_col = min_col + amount, max_col + amount
        elif max_col >= idx:
            max_col += amount
        ws.merge_cells(start_row=min_row, start_column=min_col, end_row=max_row,
                       end_column=max_col)


def _unmerge_from(ws: Worksheet, first_row: int) -> None:
    for ref in [str(r) for r in ws.merged_cells.ranges]:
        if range_boundaries(ref)[1] >= first_row:
            ws.unmerge_cells(ref)


def _merge(ws: Worksheet, row: int, first_col: int, last_col: int, value: object,
           last_row: int | None = None) -> None:
    ws.cell(row, first_col, value)
    ws.merge_cells(start_row=row, start_column=first_col, end_row=last_row or row,
                   end_column=last_col)


def _strip_marks(text: str) -> str:
    """Vietnamese text typed without diacritics, case kept: ``Mã chi bộ`` -> ``Ma chi bo``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _dates(wb: Workbook) -> Iterator[Cell]:
    for ws in _form_sheets(wb):
        yield from (c for c in _cells(ws) if isinstance(c.value, datetime | date))


# ---------------------------------------------------------------------------------------
# Styles made with openpyxl


@_edit
def text_dates(wb: Workbook) -> None:
    """Every date typed as text, in the three written forms the spec lists."""
    formats = (lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
               lambda d: f"{d.day}/{d.month}/{d.year}",
               lambda d: d.strftime("%Y-%m-%d"))
    for i, cell in enumerate(_dates(wb)):
        value = cell.value
        cell.value = formats[i % len(formats)](value)
        cell.number_format = "@"


@_edit
def serial_numbers_as_dates(wb: Workbook) -> None:
    """Dates as plain numbers (a date column formatted as General shows 38444)."""
    for cell in _dates(wb):
        cell.value = int(to_excel(cell.value, wb.epoch))
        cell.number_format = "General"


@_edit
def date1904(wb: Workbook) -> None:
    """Saved with the 1904 date system (old Mac Excel): serials count from 1904-01-01."""
    wb.epoch = CALENDAR_MAC_1904


@_edit
def date1904_serials(wb: Workbook) -> None:
    """The 1904 date system AND dates shown as plain numbers: only the workbook's flag
    tells how to read them."""
    wb.epoch = CALENDAR_MAC_1904
    for cell in _dates(wb):
        cell.value = int(to_excel(cell.value, CALENDAR_MAC_1904))
        cell.number_format = "General"


@_edit
def period_as_date(wb: Workbook) -> None:
    """``Kỳ báo cáo`` typed as 01/03/2024, which Excel turns into a date."""
    ws = _sheet(wb, layout.SHEET_INFO)
    for label in _info_labels(wb):
        if key(label.value) == key(layout.INFO_FIELDS["period"][0]):
            cell = ws.cell(label.row, label.column + 1)
            cell.value = datetime(2024, 3, 1)
            cell.number_format = "mm/yyyy"


@_edit
def numbers_as_text(wb: Workbook) -> None:
    """Counts and STT stored as text (green triangles), thousands with a dot."""
    ws, columns, codes = _summary_code_rows(wb)
    for row in codes.values():
        for population in layout.POPULATIONS:
            cell = ws.cell(row, columns[population])
            if isinstance(cell.value, int):
                cell.value = f"{cell.value:,}".replace(",", ".")
                cell.number_format = "@"
    ws, columns, rows = _roster_data_rows(wb)
    for row in rows:
        cell = ws.cell(row, columns["stt"])
        cell.value = f" {cell.value} "
        cell.number_format = "@"


@_edit
def nfd_text(wb: Workbook) -> None:
    """All text in decomposed Unicode (as macOS and some web forms produce it)."""
    for ws in wb.worksheets:
        for cell in _cells(ws):
            if isinstance(cell.value, str):
                cell.value = unicodedata.normalize("NFD", cell.value)
        ws.title = unicodedata.normalize("NFD", ws.title)


@_edit
def extra_spaces(wb: Workbook) -> None:
    """Leading, trailing and doubled spaces in every text cell, labels included."""
    for ws in _form_sheets(wb):
        for cell in _cells(ws):
            if isinstance(cell.value, str):
                cell.value = "  " + cell.value.replace(" ", "  ") + " "


@_edit
def vietnamese_sheet_names(wb: Workbook) -> None:
    """Sheets named as they are spoken: ``Thông tin``, ``Tổng hợp``, ``Danh sách``."""
    names = {layout.SHEET_INFO: "Thông tin", layout.SHEET_SUMMARY: "Tổng hợp",
             layout.SHEET_ROSTER: "Danh sách"}
    for name, title in names.items():
        _sheet(wb, name).title = title


@_edit
def labels_without_diacritics(wb: Workbook) -> None:
    """Labels typed on a keyboard without Vietnamese input: ``Ngay sinh``, ``Ma chi bo``."""
    for cell in list(_label_cells(wb)):
        cell.value = _strip_marks(cell.value)


@_edit
def coded_values_without_diacritics(wb: Workbook) -> None:
    """Coded roster values without diacritics: ``Nu``, ``Hoc sinh``, ``x`` for Có, and the
    stage as its label alone (``Cam tinh dang``)."""
    ws, columns, rows = _roster_data_rows(wb)
    coded = ("gender", "ethnicity", "religion", "population", "youth_union", "stage")
    for row in rows:
        for field in coded:
            cell = ws.cell(row, columns[field])
            if not isinstance(cell.value, str):
                continue
            if field == "religion" and key(cell.value) != key(layout.NO_RELIGION):
                continue  # a religion's name is free text, kept as typed
            text = _strip_marks(cell.value)
            if field == "stage":
                text = re.sub(r"^\d\.\s*", "", text)
            if field == "youth_union" and key(text) == "co":
                text = "x"
            cell.value = text


@_edit
def labels_with_colon_and_linebreak(wb: Workbook) -> None:
    """``Mã chi bộ:`` and header labels wrapped with Alt+Enter (``Ngày\\nsinh``)."""
    for i, cell in enumerate(list(_label_cells(wb))):
        text = cell.value
        words = text.split(" ")
        if len(words) > 1:
            middle = len(words) // 2
            text = " ".join(words[:middle]) + "\n" + " ".join(words[middle:])
        if i % 2 == 0 or cell.parent.title == _sheet(wb, layout.SHEET_INFO).title:
            text += ":"
        cell.value = text


TITLE_LEFT = ("ĐẢNG BỘ XÃ LỘC THÀNH", "CHI BỘ TRƯỜNG THPT BẢO LÂM", "*")
TITLE_RIGHT = ("ĐẢNG CỘNG SẢN VIỆT NAM", "Bảo Lâm, ngày 20 tháng 03 năm 2024", None)


@_edit
def merged_title_rows(wb: Workbook) -> None:
    """The administrative heading of a Party document above every table: merged blocks
    left and right, and merged value cells in ThongTin."""
    for ws in _form_sheets(wb):
        _insert_rows(ws, 1, 4)
        width = max(ws.max_column, 4)
        split = max(2, width // 2)
        for row, (left, right) in enumerate(zip(TITLE_LEFT, TITLE_RIGHT, strict=True), 1):
            _merge(ws, row, 1, split - 1, left)
            if right:
                _merge(ws, row, split + 1, width + 2, right)
        _merge(ws, 4, 1, width, "(Kèm theo Hướng dẫn của Ban Tổ chức Huyện ủy)")
    info = _sheet(wb, layout.SHEET_INFO)
    for label in list(_info_labels(wb)):
        _merge(info, label.row, label.column + 1, label.column + 3,
               info.cell(label.row, label.column + 1).value)


@_edit
def reordered_columns(wb: Workbook) -> None:
    """Columns in another order and moved right; ThongTin values two columns from their
    labels, its rows shuffled."""
    ws, header_row, columns = _roster_header(wb)
    order = sorted(columns, key=lambda f: (_shuffle_key(f), f))
    _move_columns(ws, header_row, {columns[f]: 3 + i for i, f in enumerate(order)})
    ws, header_row, columns = _summary_header(wb)
    _move_columns(ws, header_row, {columns["label"]: 2, columns["code"]: 3,
                                   columns["vien_chuc"]: 4, columns["hoc_sinh"]: 5})
    info = _sheet(wb, layout.SHEET_INFO)
    labels = list(_info_labels(wb))
    first = min(c.row for c in labels)
    moved = [(c.value, info.cell(c.row, c.column + 1).value,
              info.cell(c.row, c.column + 1).number_format) for c in labels]
    _unmerge_from(info, first)
    for c in labels:
        info.cell(c.row, c.column).value = None
        info.cell(c.row, c.column + 1).value = None
    for i, (label, value, number_format) in enumerate(reversed(moved)):
        info.cell(first + i, 2, label)
        cell = info.cell(first + i, 4, value)
        cell.number_format = number_format


def _shuffle_key(field: str) -> int:
    """A fixed shuffle of the roster fields (same on every run)."""
    return sum((i + 7) * ord(ch) for i, ch in enumerate(field)) % 23


def _move_columns(ws: Worksheet, first_row: int, mapping: dict[int, int]) -> None:
    """Move whole columns (from ``first_row`` down) to new positions."""
    _unmerge_from(ws, first_row)
    last_row = ws.max_row
    saved = {(r, c): (ws.cell(r, c).value, ws.cell(r, c).number_format)
             for r in range(first_row, last_row + 1) for c in mapping}
    for r, c in saved:
        ws.cell(r, c).value = None
    for (r, c), (value, number_format) in saved.items():
        if value is not None:
            cell = ws.cell(r, mapping[c], value)
            cell.number_format = number_format


@_edit
def blank_rows_between(wb: Workbook) -> None:
    """Empty rows between data rows, between indicator rows and between ThongTin lines."""
    ws, _columns, rows = _roster_data_rows(wb)
    for row in reversed(rows[1::2]):
        _insert_rows(ws, row, 1)
    ws, _columns, codes = _summary_code_rows(wb)
    for code in ("TH11", "TH05"):
        _insert_rows(ws, codes[code], 2)
    labels = sorted(_info_labels(wb), key=lambda c: c.row)
    _insert_rows(_sheet(wb, layout.SHEET_INFO), labels[3].row, 1)


@_edit
def signature_block(wb: Workbook) -> None:
    """A signature block under the roster as cells draw it: "Nơi nhận" under STT, the
    preparer under Ngày sinh, the secretary's block merged from the Giai đoạn column."""
    ws, columns, rows = _roster_data_rows(wb)
    top = rows[-1] + 2
    _unmerge_from(ws, top)
    for row in ws.iter_rows(min_row=top):
        for cell in row:
            if isinstance(cell, Cell):
                cell.value = None
    stt, birth, stage = columns["stt"], columns["birth_date"], columns["stage"]
    left = ("Nơi nhận:", "- Ban Tổ chức Huyện ủy;", "- Đảng ủy xã Lộc Thành;", "- Lưu chi bộ.")
    for i, text in enumerate(left):
        ws.cell(top + i, stt, text)
    _merge(ws, top, birth, birth + 2, "NGƯỜI LẬP BIỂU")
    _merge(ws, top + 1, birth, birth + 2, "(Ký, ghi rõ họ tên)")
    _merge(ws, top + 5, birth, birth + 2, "Nguyễn Thị Lan")
    right = ("Bảo Lâm, ngày 20 tháng 03 năm 2024", "T/M CHI BỘ", "BÍ THƯ",
             "(Ký, ghi rõ họ tên)", None, "Trần Văn Hùng")
    for i, text in enumerate(right):
        if text:
            _merge(ws, top + i, stage, stage + 4, text)
    ws, columns, codes = _summary_code_rows(wb)
    bottom = max(codes.values()) + 2
    ws.cell(bottom, columns["code"], "Nơi nhận:")
    ws.cell(bottom, columns["hoc_sinh"], "T/M CHI BỘ")
    ws.cell(bottom + 1, columns["hoc_sinh"], "BÍ THƯ")
    ws.cell(bottom + 4, columns["hoc_sinh"], "Trần Văn Hùng")


@_edit
def extra_columns_and_section_rows(wb: Workbook) -> None:
    """TongHop with an STT column, a total and a note column, and uncoded section rows;
    DanhSach with two columns the form does not have."""
    ws, header_row, columns = _summary_header(wb)
    _insert_cols(ws, columns["code"], 1)
    ws.cell(header_row, columns["code"], "STT")
    ws, columns, codes = _summary_code_rows(wb)
    last = max(columns.values())
    ws.cell(header_row, last + 1, "Cộng")
    ws.cell(header_row, last + 2, "Ghi chú")
    for n, (code, row) in enumerate(sorted(codes.items()), 1):
        ws.cell(row, columns["code"] - 1, n)
        values = [ws.cell(row, columns[p]).value or 0 for p in layout.POPULATIONS]
        ws.cell(row, last + 1, sum(values))
        if code == "TH13":
            ws.cell(row, last + 2, "Theo Nghị quyết chi bộ đầu năm")
    sections = (("TH11", None, "III. KẾT QUẢ KẾT NẠP"),
                ("TH05", "II", "PHÁT TRIỂN ĐẢNG"),
                ("TH01", "I", "TÌNH HÌNH CHUNG"))
    for code, mark, title in sections:
        row = codes[code]
        _insert_rows(ws, row, 1)
        ws.cell(row, columns["code"], mark)
        ws.cell(row, columns["label"], title)
    ws, header_row, columns = _roster_header(wb)
    _insert_cols(ws, columns["pid"], 1)
    ws.cell(header_row, columns["pid"], "Nơi sinh")
    last = ws.max_column + 1
    ws.cell(header_row, last, "Số điện thoại")
    _ws, columns, rows = _roster_data_rows(wb)
    for row in rows:
        ws.cell(row, columns["pid"] - 1, "Lộc Thành, Bảo Lâm")
        ws.cell(row, last, f"0912{row:06d}")


@_edit
def column_number_row(wb: Workbook) -> None:
    """The row of column numbers under the header that Vietnamese forms print:
    ``1 2 3 …`` in DanhSach, ``(1) (2) …`` in TongHop."""
    ws, header_row, columns = _roster_header(wb)
    _insert_rows(ws, header_row + 1, 1)
    for n, col in enumerate(sorted(columns.values()), 1):
        ws.cell(header_row + 1, col, n)
    ws, header_row, columns = _summary_header(wb)
    _insert_rows(ws, header_row + 1, 1)
    for n, col in enumerate(sorted(columns.values()), 1):
        ws.cell(header_row + 1, col, f"({n})")


@_edit
def pid_as_number(wb: Workbook) -> None:
    """Identification numbers typed as numbers: Excel drops the leading zero."""
    ws, columns, rows = _roster_data_rows(wb)
    for row in rows:
        cell = ws.cell(row, columns["pid"])
        if isinstance(cell.value, str) and cell.value.isdigit():
            cell.value = int(cell.value)
            cell.number_format = "0"


# ---------------------------------------------------------------------------------------
# Styles made by rewriting the package


def _rewrite_zip(content: bytes, rewrite: Callable[[str, bytes], bytes | None],
                 extra: dict[str, bytes] | None = None) -> bytes:
    """Copy a zip, passing each member through ``rewrite`` (None drops it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = rewrite(info.filename, src.read(info.filename))
            if data is not None:
                dst.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
VBA_TYPE = "application/vnd.ms-office.vbaProject"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
# An OLE compound-file header: enough for anything that sniffs the part; nothing runs it.
VBA_PROJECT_BIN = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + b"\x3e\x00\x03\x00\xfe\xff"
                   + b"\0" * 482 + "_VBA_PROJECT".encode("utf-16-le") + b"\0" * 512)


def xlsm_with_macro(content: bytes) -> bytes:
    """An .xlsm: a ``xl/vbaProject.bin`` part, its relationship and the macro content type."""
    def rewrite(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            text = data.decode().replace(XLSX_MAIN, MACRO_MAIN)
            default = f'<Default Extension="bin" ContentType="{VBA_TYPE}"/>'
            return text.replace("<Default ", default + "<Default ", 1).encode()
        if name == "xl/_rels/workbook.xml.rels":
            rel = f'<Relationship Id="rIdVba1" Type="{VBA_REL}" Target="vbaProject.bin"/>'
            return data.decode().replace("</Relationships>", rel + "</Relationships>").encode()
        return data
    return _rewrite_zip(content, rewrite, {"xl/vbaProject.bin": VBA_PROJECT_BIN})


_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_SI = re.compile(r"<si>(.*?)</si>", re.S)
_T = re.compile(r"<t\b[^>]*>(.*?)</t>", re.S)


def google_sheets_like(content: bytes) -> bytes:
    """What a Google Sheets export looks like: every string inline (no shared strings),
    some split into rich-text runs, no style on text cells, no ``<dimension>``."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        shared = [m.group(1) for m in _SI.finditer(archive.read("xl/sharedStrings.xml").decode())
                  ] if "xl/sharedStrings.xml" in archive.namelist() else []

    def cell(match: re.Match[str]) -> str:
        attrs = dict(_ATTR.findall(match.group(1)))
        inner = match.group(2) or ""
        kind = attrs.get("t")
        if kind == "s":
            index = int(re.search(r"<v>(\d+)</v>", inner).group(1))  # type: ignore[union-attr]
            inner, kind = f"<is>{shared[index]}</is>", "inlineStr"
        if kind == "inlineStr":
            attrs.pop("s", None)
            attrs["t"] = "inlineStr"
            inner = _runs(inner)
        head = " ".join(f'{k}="{v}"' for k, v in attrs.items())
        return f"<c {head}>{inner}</c>" if inner else f"<c {head}/>"

    def rewrite(name: str, data: bytes) -> bytes | None:
        if name == "xl/sharedStrings.xml":
            return None
        if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
            text = re.sub(r"<dimension [^>]*/>", "", data.decode())
            return _CELL.sub(cell, text).encode()
        if name in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
            text = data.decode()
            text = re.sub(r"<(Override|Relationship)\b[^>]*sharedStrings[^>]*/>", "", text)
            return text.encode()
        return data
    return _rewrite_zip(content, rewrite)


def _runs(inner: str) -> str:
    """``<is><t>Mã chi bộ</t></is>`` -> two runs, the second bold, as rich text comes."""
    texts = _T.findall(inner)
    if len(texts) != 1 or " " not in texts[0].strip():
        return inner
    first, rest = texts[0].split(" ", 1)
    return ('<is><r><t xml:space="preserve">' + first + " </t></r>"
            '<r><rPr><b/><sz val="12"/></rPr><t xml:space="preserve">' + rest + "</t></r></is>")


def compose(*styles: Style) -> Style:
    def style(content: bytes) -> bytes:
        for one in styles:
            content = one(content)
        return content
    style.__name__ = "+".join(s.__name__ for s in styles)
    return style


# Styles that need nothing but Python (tests/unit/test_tolerance.py).
STYLES: dict[str, Style] = {s.__name__: s for s in (
    text_dates, serial_numbers_as_dates, date1904, date1904_serials, period_as_date,
    numbers_as_text, nfd_text, extra_spaces, vietnamese_sheet_names,
    labels_without_diacritics, coded_values_without_diacritics,
    labels_with_colon_and_linebreak, merged_title_rows, reordered_columns,
    blank_rows_between, signature_block, extra_columns_and_section_rows, column_number_row,
    pid_as_number, xlsm_with_macro, google_sheets_like,
)}
# Several at once: what a real file looks like.
STYLES["everything_at_once"] = compose(
    merged_title_rows, reordered_columns, extra_columns_and_section_rows, blank_rows_between,
    signature_block, column_number_row, text_dates, numbers_as_text, pid_as_number,
    labels_with_colon_and_linebreak, coded_values_without_diacritics, vietnamese_sheet_names,
    nfd_text, google_sheets_like)


# ---------------------------------------------------------------------------------------
# LibreOffice


class LibreOfficeUnavailable(RuntimeError):
    """``soffice`` is not installed, or a conversion did not produce its file."""


# target -> (file suffix, LibreOffice filter)
LIBREOFFICE_TARGETS = {
    "xlsx": ("xlsx", "xlsx:Calc MS Excel 2007 XML"),
    "ods": ("ods", "ods:calc8"),
    "xls": ("xls", "xls:MS Excel 97"),
    "pdf": ("pdf", "pdf:calc_pdf_Export"),
}
CONVERSION_TIMEOUT = float(os.environ.get("CELLREPORTS_LIBREOFFICE_TIMEOUT", "180"))
_PROFILE: list[Path] = []


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _profile() -> Path:
    """A LibreOffice user profile private to this process, so that parallel test runs
    (and a desktop LibreOffice) never share, lock or corrupt one another's profile."""
    if not _PROFILE:
        path = Path(tempfile.mkdtemp(prefix=f"cellreports-lo-{os.getpid()}-"))
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        _PROFILE.append(path)
    return _PROFILE[0]


def convert_with_libreoffice(contents: Sequence[bytes], target: str, *,
                             timeout: float = CONVERSION_TIMEOUT) -> list[bytes]:
    """Open each workbook in LibreOffice and save it as ``target`` (xlsx, ods, xls): one
    ``soffice`` run for the whole list. Raises LibreOfficeUnavailable."""
    soffice = soffice_path()
    if soffice is None:
        raise LibreOfficeUnavailable("soffice not found on PATH")
    suffix, filter_name = LIBREOFFICE_TARGETS[target]
    with tempfile.TemporaryDirectory(prefix="cellreports-lo-files-") as tmp:
        src_dir, out_dir = Path(tmp, "in"), Path(tmp, "out")
        src_dir.mkdir()
        sources = []
        for i, content in enumerate(contents):
            source = src_dir / f"report{i:03d}.{_suffix(content)}"
            source.write_bytes(content)
            sources.append(source)
        _run_soffice([soffice, f"-env:UserInstallation={_profile().as_uri()}", "--headless",
                      "--norestore", "--nologo", "--nolockcheck", "--convert-to", filter_name,
                      "--outdir", str(out_dir), *map(str, sources)], timeout)
        results = []
        for source in sources:
            produced = out_dir / f"{source.stem}.{suffix}"
            if not produced.exists():
                raise LibreOfficeUnavailable(f"LibreOffice did not write {produced.name}")
            results.append(produced.read_bytes())
        return results


def _suffix(content: bytes) -> str:
    """LibreOffice picks its import filter partly by the name: give the real one."""
    try:
        return inspect_container(content).kind
    except ReadError:
        return "xlsx"


def _run_soffice(command: list[str], timeout: float) -> None:
    # soffice is a launcher script; its own session lets a timeout end the whole group
    # (launcher and soffice.bin) by the id of the process started here.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise LibreOfficeUnavailable(f"LibreOffice timed out after {timeout:.0f} s") from exc
    if process.returncode != 0:
        raise LibreOfficeUnavailable(
            f"soffice exited with {process.returncode}: {err.decode(errors='replace')[-500:]}")


def libreoffice_xlsx(content: bytes) -> bytes:
    return convert_with_libreoffice([content], "xlsx")[0]


def libreoffice_ods(content: bytes) -> bytes:
    return convert_with_libreoffice([content], "ods")[0]


def libreoffice_xls(content: bytes) -> bytes:
    return convert_with_libreoffice([content], "xls")[0]
