"""The feedback workbook sent back to a cell: its own workbook, annotated.

A first sheet ``KetQuaKiemTra`` gives the verdict and every finding; each offending cell
of the cell's own sheets is highlighted and carries a comment saying what to fix.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from core.errors import ReadError
from core.findings import ERROR, Finding
from core.xlsxio import deterministic_xlsx
from reports.cells import put

SHEET = "KetQuaKiemTra"
FEEDBACK_SUFFIX = "_KetQuaKiemTra"
# a name the sender already got back from us ("…_KetQuaKiemTra_lan2"), sent in again
_OUR_SUFFIX = re.compile(r"(_KetQuaKiemTra(_lan\d+)?(_[0-9a-f]{8})?)+$", re.IGNORECASE)


def feedback_name(received: str, version: int | None, max_length: int = 150) -> str:
    """The feedback file's name for a received file: its stem, ``_KetQuaKiemTra``, ``_lanN``
    from the second version on, ``.xlsx``. A stem that already ends with our suffix (the
    cell sent our feedback back, corrected) does not get it twice; a long stem is cut so
    that the suffix always survives."""
    stem = _OUR_SUFFIX.sub("", Path(received).stem) or "tep"
    again = f"_lan{version}" if version and version > 1 else ""
    tail = f"{FEEDBACK_SUFFIX}{again}.xlsx"
    return stem[:max(1, max_length - len(tail) - 9)].rstrip(" .") + tail
FONT = "Times New Roman"
FILLS = {ERROR: PatternFill("solid", fgColor="FFC7CE"),
         "WARNING": PatternFill("solid", fgColor="FFEB9C")}
SEVERITY_VI = {ERROR: "Lỗi", "WARNING": "Cảnh báo"}
COLUMNS = ("STT", "Mã quy tắc", "Mức độ", "Trang", "Dòng", "Cột", "Nội dung")


@dataclass(frozen=True)
class FeedbackContext:
    filename: str
    unit_label: str
    period: str | None
    version: int | None
    received_at: datetime
    accepted: bool
    replaces_version: int | None = None  # the earlier version this one supersedes
    earlier_findings: tuple[Finding, ...] = ()  # that version's findings
    # valid, but the month was already approved: kept until the district reopens it
    pending: bool = False


def fixed_findings(earlier: tuple[Finding, ...], now: list[Finding]) -> list[Finding]:
    """Findings of the earlier version that the new version no longer has (same rule and
    cell); a roster row moved by an inserted line counts as fixed-and-new, which is honest."""
    remaining = {(f.rule_id, f.sheet, f.row, f.column) for f in now}
    return [f for f in earlier if (f.rule_id, f.sheet, f.row, f.column) not in remaining]


def build_feedback(original: bytes, findings: list[Finding], ctx: FeedbackContext) -> bytes:
    """The cell's workbook with the findings sheet first and the cells marked. If the
    cell's own workbook cannot be annotated, the findings sheet alone still goes back.
    A file without findings gets the findings sheet alone too: there is nothing to mark in
    its own sheets, and copying the workbook is most of the cost (about 70 ms a file).
    A file refused at reading (F01: a bomb, encrypted, too large…) is never opened here:
    openpyxl in this process has none of the reading sandbox's limits (a million-row sheet
    took it 65 s and 800 MB)."""
    if not findings or any(_refused_unread(f) for f in findings) or not _small(original):
        return _feedback(_empty_workbook(), findings, ctx)
    try:
        return _feedback(_open_copy(original), findings, ctx)
    except Exception:  # feedback must reach the cell whatever its workbook holds
        return _feedback(_empty_workbook(), findings, ctx)


def _feedback(workbook: Workbook, findings: list[Finding], ctx: FeedbackContext) -> bytes:
    sheet = workbook.create_sheet(SHEET, 0)
    workbook.active = 0
    _write_summary(sheet, findings, ctx)
    _annotate(workbook, findings)
    return deterministic_xlsx(workbook)


def _empty_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


READ_REFUSED = ReadError.rule_id  # F01


def _refused_unread(finding: Finding) -> bool:
    """Refused while it was read: F01 (a bomb, encrypted, too large…) or an F11 error (two
    sheets of one name, a roster over the cap): nothing to annotate, maybe a lot to open."""
    return finding.rule_id == READ_REFUSED or (finding.rule_id == "F11" and finding.is_error)
# what a cell's workbook unpacks to is ~200 KB; an annotated copy of anything much larger
# costs openpyxl seconds and hundreds of MB in the flow's own process
MAX_ANNOTATED_UNPACKED = 20 * 1024 * 1024


def _small(original: bytes) -> bool:
    """The zip's members, by their declared sizes, are small enough to open and copy."""
    try:
        with zipfile.ZipFile(io.BytesIO(original)) as archive:
            return sum(m.file_size for m in archive.infolist()) <= MAX_ANNOTATED_UNPACKED
    except (zipfile.BadZipFile, ValueError, EOFError):
        return False  # not a zip (an .xls): openpyxl could not open it anyway


def _open_copy(original: bytes) -> Workbook:
    """The cell's own workbook when openpyxl can open it (.xlsx), disarmed, else a fresh
    one. ``data_only``: every formula comes back as the value it last showed, so nothing
    the sender typed (``=HYPERLINK(…)``, a DDE call) is live in what we send; macros and
    links to other workbooks are dropped on loading."""
    try:
        workbook = load_workbook(io.BytesIO(original), data_only=True, keep_vba=False,
                                 keep_links=False, rich_text=False)
    except Exception:  # .xls, .ods or a broken file: the findings sheet alone
        return _empty_workbook()
    _disarm(workbook)
    return workbook


# a defined name that is a plain range ('Sheet 1'!$A$1:$B$9); any other (a formula, a DDE
# call, another workbook) would be evaluated by Excel when the feedback opens
_PLAIN_RANGE = re.compile(
    r"^(?:'[^']+'|[^'!\s()|\[\]]+)!\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?$")


def _disarm(workbook: Workbook) -> None:
    """Hyperlinks of the submitted workbook are not carried back, nor non-range names."""
    for ws in workbook.worksheets:
        # ws._cells holds only the cells the file has; iter_rows would create every cell of
        # the used rectangle
        for cell in ws._cells.values():
            if cell.hyperlink is not None:
                cell.hyperlink = None
        _drop_live_names(ws.defined_names)
    _drop_live_names(workbook.defined_names)


def _drop_live_names(names: dict[str, DefinedName]) -> None:
    for name, defined in list(names.items()):
        if not _PLAIN_RANGE.match(defined.attr_text or ""):
            del names[name]


def _write_summary(ws: Worksheet, findings: list[Finding], ctx: FeedbackContext) -> None:
    bold = Font(name=FONT, size=13, bold=True)
    plain = Font(name=FONT, size=12)
    verdict = ("HỢP LỆ — CHỜ XỬ LÝ: kỳ báo cáo đã được phê duyệt; bản điều chỉnh này được "
               "lưu và chỉ đưa vào tổng hợp khi Ban Tổ chức mở lại kỳ báo cáo."
               if ctx.pending else
               "CHẤP NHẬN — báo cáo hợp lệ, đã đưa vào tổng hợp." if ctx.accepted else
               "TRẢ LẠI — báo cáo có lỗi, đề nghị chi bộ sửa và gửi lại.")
    errors = sum(1 for f in findings if f.is_error)
    lines = [
        ("KẾT QUẢ KIỂM TRA BÁO CÁO PHÁT TRIỂN ĐẢNG", None),
        ("Đơn vị:", ctx.unit_label),
        ("Kỳ báo cáo:", _period_vi(ctx.period)),
        ("Tệp nhận được:", ctx.filename),
        ("Lần gửi thứ:", _version_text(ctx)),
        ("Thời điểm nhận:", ctx.received_at.strftime("%d/%m/%Y %H:%M")),
        ("Kết luận:", verdict),
        ("Số lỗi / cảnh báo:", f"{errors} lỗi, {len(findings) - errors} cảnh báo"),
    ]
    for r, (label, value) in enumerate(lines, start=1):
        put(ws, r, 1, label).font = bold
        if value is None:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(COLUMNS))
            continue
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        ws.merge_cells(start_row=r, start_column=4, end_row=r, end_column=len(COLUMNS))
        value_cell = put(ws, r, 4, value)
        value_cell.font = plain
        value_cell.alignment = Alignment(horizontal="left")
    header_row = len(lines) + 2
    for c, label in enumerate(COLUMNS, start=1):
        put(ws, header_row, c, label).font = bold
    for i, f in enumerate(findings, start=1):
        values = (i, f.rule_id, SEVERITY_VI[f.severity], f.sheet or "", f.row or "",
                  f.column or "", f.message)
        for c, value in enumerate(values, start=1):
            cell = put(ws, header_row + i, c, value)
            cell.font = plain
            cell.alignment = Alignment(wrap_text=c == len(COLUMNS), vertical="top")
        ws.cell(header_row + i, 3).fill = FILLS[f.severity]
    if not findings:
        put(ws, header_row + 1, 1, "Không phát hiện sai sót.").font = plain
    _write_fixed(ws, header_row + max(len(findings), 1) + 2, fixed_findings(
        ctx.earlier_findings, findings), ctx, bold, plain)
    for letter, width in zip("ABCDEFG", (6, 11, 10, 11, 7, 6, 80), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _version_text(ctx: FeedbackContext) -> object:
    if ctx.version is None:
        return "—"
    if ctx.replaces_version is None:
        return ctx.version
    return f"{ctx.version} (thay cho lần gửi thứ {ctx.replaces_version})"


def _write_fixed(ws: Worksheet, row: int, fixed: list[Finding], ctx: FeedbackContext,
                 bold: Font, plain: Font) -> None:
    if ctx.replaces_version is None:
        return
    title = (f"Các sai sót của lần gửi thứ {ctx.replaces_version} đã được sửa: {len(fixed)}"
             if fixed else f"Lần gửi thứ {ctx.replaces_version} không có sai sót nào đã sửa.")
    put(ws, row, 1, title).font = bold
    for i, f in enumerate(fixed, start=1):
        values = (i, f.rule_id, SEVERITY_VI[f.severity], f.sheet or "", f.row or "",
                  f.column or "", f.message)
        for c, value in enumerate(values, start=1):
            put(ws, row + i, c, value).font = plain


def _annotate(workbook: Workbook, findings: list[Finding]) -> None:
    notes: dict[tuple[str, int, str], list[Finding]] = {}
    for f in findings:
        if f.sheet in workbook.sheetnames and f.sheet != SHEET and f.row:
            notes.setdefault((f.sheet, f.row, f.column or "A"), []).append(f)
    for (sheet, row, column), found in notes.items():
        cell = _writable(workbook[sheet], f"{column}{row}")
        worst = ERROR if any(f.is_error for f in found) else "WARNING"
        cell.fill = FILLS[worst]
        text = "\n".join(f"[{f.rule_id} – {SEVERITY_VI[f.severity]}] {f.message}" for f in found)
        cell.comment = Comment(text, "cellreports", width=360, height=120)
        # printed too, after the sheet: a secretary who prints the file still sees them
        workbook[sheet].page_setup.cellComments = "atEnd"


def _writable(ws: Worksheet, coordinate: str) -> Cell:
    """A cell inside a merged range takes no comment: use the range's top-left cell."""
    cell = ws[coordinate]
    if isinstance(cell, MergedCell):
        for merged in ws.merged_cells.ranges:
            if coordinate in merged:
                return ws.cell(merged.min_row, merged.min_col)
    return cell


def _period_vi(period: str | None) -> str:
    if not period:
        return "không xác định"
    year, month = period.split("-")
    return f"Tháng {int(month)} năm {year}"
